package ai.lepton.cli;

import ai.lepton.api.Job;
import ai.lepton.api.TuningSpec;
import ai.lepton.client.LeptonClient;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code lepton tune SPEC.json [--follow]}: queues a hyperparameter search (a tuning spec), one
 * training job per trial; {@code --follow} prints each trial's end and the search's.
 */
@Command(name = "tune", mixinStandardHelpOptions = true,
    description = {"Queue a hyperparameter search from a tuning spec file (JSON: base, method grid"
        + " or random, parameters, maxTrials, metric, direction, seed; see docs/training.md).",
        "Each trial is a training job; only the best trial's model is registered (base's "
            + "registerAs). 'lepton jobs show SEARCH' lists the trials.",
        "With --follow, print each trial's end until the search ends; the exit code is then 0 "
            + "only if it succeeded."})
final class TuneCommand implements Callable<Integer> {
  private static final ObjectMapper JSON = new ObjectMapper()
      .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  @Mixin ClientOptions options;

  @Parameters(paramLabel = "SPEC.json", description = "the search's tuning spec as JSON")
  Path specFile;

  @Option(names = "--follow", description = "print each trial's end until the search ends")
  boolean follow;

  @Override
  public Integer call() {
    TuningSpec spec = read(specFile);
    LeptonClient client = options.client();
    String org = options.org();
    Job job = client.submitSearch(org, spec);
    if (!follow) {
      return options.print(job, "Queued search " + job.id() + " (" + client.trials(org,
          job.id()).trials().size() + " trials); see it with 'lepton jobs show " + job.id()
          + "'.");
    }
    return JobsCommand.follow(client, org, job.id(), options);
  }

  private static TuningSpec read(Path file) {
    try {
      if (!Files.isRegularFile(file)) {
        throw new CommandException("no spec file " + file + "; give the path of a JSON file");
      }
      if (Files.size(file) > TrainCommand.MAX_SPEC_BYTES) {
        throw new CommandException("the spec file " + file + " is over "
            + TrainCommand.MAX_SPEC_BYTES + " bytes; a spec is a small JSON object");
      }
      return JSON.readValue(file.toFile(), TuningSpec.class);
    } catch (com.fasterxml.jackson.core.JacksonException e) {
      throw new CommandException("the spec file " + file + " is not a valid tuning spec: "
          + (e.getCause() instanceof IllegalArgumentException bad ? bad.getMessage()
              : e.getOriginalMessage()));
    } catch (IOException e) {
      throw new CommandException("cannot read the spec file " + file + ": " + e.getMessage());
    }
  }
}
