package ai.lepton.cli;

import ai.lepton.api.Job;
import ai.lepton.api.JobEvent;
import ai.lepton.api.JobList;
import ai.lepton.api.Tuning;
import ai.lepton.client.LeptonClient;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code lepton jobs list|show|follow|cancel}: training jobs. */
@Command(name = "jobs", mixinStandardHelpOptions = true,
    description = "Training jobs: queued, running, succeeded, failed or cancelled.")
final class JobsCommand {
  @Mixin ClientOptions options;

  @Command(name = "list", mixinStandardHelpOptions = true,
      description = "The organization's jobs, newest first.")
  int list(@Option(names = "--limit", defaultValue = "50", paramLabel = "N") int limit) {
    JobList list = options.client().jobs(options.org(), 0, limit);
    Table table = new Table("ID", "STATE", "DATASET", "MODEL", "ATTEMPTS", "CREATED", "RUN");
    for (Job j : list.jobs()) {
      table.row(j.id(), j.state(), j.spec().dataset() + (j.spec().version() == null ? ""
          : "@" + j.spec().version()), model(j), j.attempts(), j.createdAt(), j.runId());
    }
    return options.print(list, table);
  }

  @Command(name = "show", mixinStandardHelpOptions = true, description = "A job.")
  int show(@Parameters(paramLabel = "JOB") String id) {
    Job j = options.client().job(options.org(), id);
    Table table = new Table("FIELD", "VALUE");
    table.row("id", j.id()).row("state", j.state()).row("dataset", j.spec().dataset())
        .row("model", model(j)).row("attempts", j.attempts())
        .row("checkpoint epoch", j.checkpointEpoch()).row("created", j.createdAt())
        .row("started", j.startedAt()).row("finished", j.finishedAt()).row("run", j.runId())
        .row("error", j.error());
    if (!j.kind().equals("tune")) {
      return options.print(j, table);
    }
    Tuning search = options.client().trials(options.org(), id);
    if (options.json) {
      return options.printJson(java.util.Map.of("job", j, "search", search));
    }
    table.row("kind", "tune (" + search.metric() + ", " + search.direction() + ")")
        .row("best", search.best() == null ? null : "trial " + search.best() + ", run "
            + search.bestRunId() + ", " + search.metric() + " " + search.bestValue())
        .row("registered", search.modelVersionId());
    table.print(options.out());
    Table trials = new Table("TRIAL", "JOB", "STATE", "PARAMETERS", search.metric().toUpperCase(
        java.util.Locale.ROOT), "RUN");
    for (Tuning.Trial t : search.trials()) {
      trials.row(t.number(), t.jobId(), t.state(), t.parameters(), t.value(), t.runId());
    }
    options.out().println();
    return options.print(search, trials);
  }

  @Command(name = "follow", mixinStandardHelpOptions = true,
      description = "Print a job's progress until it ends; exit code 0 only if it succeeded.")
  int follow(@Parameters(paramLabel = "JOB") String id) {
    return follow(options.client(), options.org(), id, options);
  }

  @Command(name = "cancel", mixinStandardHelpOptions = true,
      description = "Cancel a job: a queued one at once, a running one at its next heartbeat.")
  int cancel(@Parameters(paramLabel = "JOB") String id) {
    Job j = options.client().cancelJob(options.org(), id);
    return options.print(j, "Cancel requested: job " + j.id() + " is " + j.state() + ".");
  }

  private static String model(Job j) {
    var m = j.spec().model();
    return m == null ? null : m.template() != null ? m.template()
        : m.baseModel() != null ? m.baseModel() : "config";
  }

  /**
   * Follows a job: progress lines (or, with --json, the events as a JSON array once it ends);
   * 0 if it succeeded, else 1 with why on standard error.
   */
  static int follow(LeptonClient client, String org, String jobId, ClientOptions options) {
    List<JobEvent> all = new ArrayList<>();
    JobEvent last = client.followJob(org, jobId, e -> {
      if (options.json) {
        all.add(e);
      } else {
        TrainCommand.print(options.out(), e);
      }
    });
    if (options.json) {
      options.printJson(all);
    }
    if (!"succeeded".equals(last.state())) {
      throw new CommandException("job " + jobId + " " + last.state()
          + (last.error() == null ? "" : ": " + last.error()));
    }
    return 0;
  }
}
