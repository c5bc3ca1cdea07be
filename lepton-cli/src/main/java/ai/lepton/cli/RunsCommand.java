package ai.lepton.cli;

import ai.lepton.api.MetricPoint;
import ai.lepton.api.Run;
import ai.lepton.api.RunComparison;
import ai.lepton.api.RunList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code lepton runs list|show|compare}: what training jobs recorded. */
@Command(name = "runs", mixinStandardHelpOptions = true,
    description = "Runs: each job's parameters, metric history, final metrics and model.")
final class RunsCommand {
  @Mixin ClientOptions options;

  @Command(name = "list", mixinStandardHelpOptions = true,
      description = "The organization's runs, newest first.")
  int list(@Option(names = "--limit", defaultValue = "50", paramLabel = "N") int limit) {
    RunList list = options.client().runs(options.org(), 0, limit);
    Table table = new Table("ID", "JOB", "DATASET VERSION", "METRICS", "MODEL VERSION",
        "CREATED");
    for (Run r : list.runs()) {
      table.row(r.id(), r.jobId(), r.datasetVersionId(), metrics(r.metrics()),
          r.modelVersionId(), r.createdAt());
    }
    return options.print(list, table);
  }

  @Command(name = "show", mixinStandardHelpOptions = true,
      description = "A run: parameters, environment, final metrics, the history by epoch and the"
          + " evaluation report on the held-out split.")
  int show(@Parameters(paramLabel = "RUN") String id) {
    Run r = options.client().run(options.org(), id);
    if (options.json) {
      return options.printJson(r);
    }
    Table about = new Table("FIELD", "VALUE");
    about.row("id", r.id()).row("job", r.jobId()).row("dataset version", r.datasetVersionId())
        .row("model version", r.modelVersionId()).row("metrics", metrics(r.metrics()));
    new TreeMap<>(r.parameters()).forEach((k, v) -> about.row("parameter " + k, v));
    new TreeMap<>(r.environment()).forEach((k, v) -> about.row("environment " + k, v));
    about.print(options.out());
    Map<Integer, Map<String, Double>> byEpoch = new TreeMap<>();
    for (MetricPoint m : r.history()) {
      if (!m.kind().equals("epoch")) {
        continue; // progress within an epoch
      }
      byEpoch.computeIfAbsent(m.epoch(), e -> new TreeMap<>()).put(m.name(), m.value());
    }
    Table history = new Table("EPOCH", "METRICS");
    byEpoch.forEach((epoch, values) -> history.row(epoch + 1, metrics(values)));
    options.out().println();
    history.print(options.out());
    options.out().println();
    if (r.evaluationReport() == null) {
      options.out().println("evaluation: none (" + (r.finishedAt() == null ? "the run has not"
          + " finished" : "the training had no held-out split") + ")");
    } else {
      ReportTables.print(options.out(), r.evaluationReport());
    }
    options.out().flush();
    return 0;
  }

  @Command(name = "compare", mixinStandardHelpOptions = true,
      description = "Runs side by side: each parameter and final metric, one column per run.")
  int compare(@Parameters(paramLabel = "RUN", arity = "2..*") List<String> ids) {
    RunComparison c = options.client().compareRuns(options.org(), ids);
    String[] header = new String[c.runIds().size() + 1];
    header[0] = "";
    for (int i = 0; i < c.runIds().size(); i++) {
      header[i + 1] = c.runIds().get(i);
    }
    Table table = new Table(header);
    c.parameters().forEach((name, values) -> table.row(row(name, values)));
    c.metrics().forEach((name, values) -> table.row(row(name, values.stream()
        .map(v -> v == null ? null : String.format(Locale.ROOT, "%.4f", v)).toList())));
    return options.print(c, table);
  }

  private static Object[] row(String name, List<?> values) {
    Object[] row = new Object[values.size() + 1];
    row[0] = name;
    for (int i = 0; i < values.size(); i++) {
      row[i + 1] = values.get(i);
    }
    return row;
  }

  private static String metrics(Map<String, Double> metrics) {
    StringBuilder s = new StringBuilder();
    new TreeMap<>(metrics).forEach((k, v) -> s.append(s.length() == 0 ? "" : " ")
        .append(k).append('=').append(String.format(Locale.ROOT, "%.4f", v)));
    return s.toString();
  }
}
