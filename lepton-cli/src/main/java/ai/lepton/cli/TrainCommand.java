package ai.lepton.cli;

import ai.lepton.api.Job;
import ai.lepton.api.JobEvent;
import ai.lepton.api.TrainingSpec;
import ai.lepton.client.LeptonClient;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code lepton train SPEC.json} or {@code lepton train --dataset iris@2 --template mlp --target
 * species --epochs 20 --register iris}: queues a training job; {@code --follow} prints its
 * progress until it ends.
 */
@Command(name = "train", mixinStandardHelpOptions = true,
    description = {"Queue a training job, from a spec file (JSON, as POST .../jobs reads it) or "
        + "from options; options given with a file override its fields.",
        "With --follow, print its progress (one line per epoch) until it ends; the exit code is "
            + "then 0 only if it succeeded."})
final class TrainCommand implements Callable<Integer> {
  /** The largest spec file read. */
  static final long MAX_SPEC_BYTES = 1 << 20;
  private static final ObjectMapper JSON = new ObjectMapper()
      .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  @Mixin ClientOptions options;

  @Parameters(paramLabel = "SPEC.json", arity = "0..1",
      description = "the job's training spec as JSON") Path specFile;

  @Option(names = "--dataset", paramLabel = "DATASET[@N]",
      description = "the dataset (name or id) and version (the latest without @N)")
  String dataset;

  @Option(names = "--template", paramLabel = "TEMPLATE",
      description = "mlp, linear-regression, cnn or text-lstm") String template;

  @Option(names = "--target", paramLabel = "COLUMN", description = "the label column")
  String target;

  @Option(names = "--epochs", paramLabel = "N") Integer epochs;

  @Option(names = "--batch-size", paramLabel = "N") Integer batchSize;

  @Option(names = "--learning-rate", paramLabel = "RATE") Double learningRate;

  @Option(names = "--seed", paramLabel = "SEED") Long seed;

  @Option(names = "--checkpoint-every", paramLabel = "EPOCHS",
      description = "save a checkpoint every this many epochs (default 1)")
  Integer checkpointEvery;

  @Option(names = "--register", paramLabel = "MODEL",
      description = "register the trained model as a new version of MODEL") String register;

  @Option(names = "--class-names", paramLabel = "NAME,NAME...", split = ",",
      description = "names of the labels 0, 1, 2... in order, for data whose labels are numbers "
          + "(IDX label files); the model answers with them (a spec file takes names with commas)")
  List<String> classNames;

  @Option(names = "--follow", description = "print progress until the job ends")
  boolean follow;

  @Override
  public Integer call() {
    TrainingSpec spec = spec();
    LeptonClient client = options.client();
    String org = options.org();
    Job job = client.submitJob(org, spec);
    if (!follow) {
      return options.print(job, "Queued job " + job.id() + "; follow it with 'lepton jobs "
          + "follow " + job.id() + "'.");
    }
    return JobsCommand.follow(client, org, job.id(), options);
  }

  private TrainingSpec spec() {
    TrainingSpec base = specFile == null ? null : read(specFile);
    if (base == null && (dataset == null || template == null)) {
      throw new CommandException("give a spec file (lepton train SPEC.json), or at least "
          + "--dataset and --template");
    }
    String datasetName = base == null ? null : base.dataset();
    Integer version = base == null ? null : base.version();
    if (dataset != null) {
      int at = dataset.lastIndexOf('@');
      datasetName = at < 0 ? dataset : dataset.substring(0, at);
      version = at < 0 ? null : number(dataset.substring(at + 1));
    }
    TrainingSpec.Hyperparameters h = base == null || base.hyperparameters() == null
        ? new TrainingSpec.Hyperparameters(null, null, null, null, null, null, null, null, null)
        : base.hyperparameters();
    h = new TrainingSpec.Hyperparameters(or(epochs, h.epochs()), or(batchSize, h.batchSize()),
        or(learningRate, h.learningRate()), h.optimizer(), h.units(), h.dropout(),
        h.validationSplit(), h.testSplit(), or(seed, h.seed()));
    return new TrainingSpec(datasetName, version,
        template != null ? new TrainingSpec.ModelChoice(template, null, null) : base.model(),
        or(target, base == null ? null : base.target()),
        base == null ? null : base.preprocessing(), h,
        or(checkpointEvery, base == null ? null : base.checkpointEvery()),
        or(register, base == null ? null : base.registerAs()),
        or(classNames, base == null ? null : base.classNames()));
  }

  private static <T> T or(T value, T fallback) {
    return value != null ? value : fallback;
  }

  private static int number(String n) {
    if (!n.matches("[1-9][0-9]{0,8}")) {
      throw new CommandException("a dataset version is a number from 1, as iris@2; received '"
          + n + "'");
    }
    return Integer.parseInt(n);
  }

  private static TrainingSpec read(Path file) {
    try {
      if (!Files.isRegularFile(file)) {
        throw new CommandException("no spec file " + file + "; give the path of a JSON file");
      }
      if (Files.size(file) > MAX_SPEC_BYTES) {
        throw new CommandException("the spec file " + file + " is over " + MAX_SPEC_BYTES
            + " bytes; a spec is a small JSON object");
      }
      return JSON.readValue(file.toFile(), TrainingSpec.class);
    } catch (com.fasterxml.jackson.core.JacksonException e) {
      throw new CommandException("the spec file " + file + " is not a valid training spec: "
          + e.getOriginalMessage());
    } catch (IOException e) {
      throw new CommandException("cannot read the spec file " + file + ": " + e.getMessage());
    }
  }

  /** One line of progress: an epoch's end, a batch, or a state. */
  static void print(PrintWriter out, JobEvent e) {
    switch (e.type()) {
      case "epoch" -> out.println("epoch " + (e.epoch() + 1) + "/" + e.epochs() + logs(e.logs()));
      case "batch" -> out.println("  step " + e.step() + logs(e.logs())
          + String.format(Locale.ROOT, "  %.0f samples/s  ETA %.0fs", e.samplesPerSecond(),
              e.etaSeconds()));
      case "trial" -> out.println("trial " + e.jobId() + " " + e.state() + logs(e.logs())
          + (e.error() == null ? "" : ": " + e.error()));
      default -> out.println("job " + e.jobId() + " " + e.state()
          + (e.error() == null ? "" : ": " + e.error()));
    }
    out.flush();
  }

  private static String logs(Map<String, Double> logs) {
    StringBuilder s = new StringBuilder();
    logs.forEach((name, value) -> s.append(String.format(Locale.ROOT, "  %s %.4f", name, value)));
    return s.toString();
  }
}
