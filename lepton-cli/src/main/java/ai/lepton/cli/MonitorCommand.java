package ai.lepton.cli;

import ai.lepton.api.Monitor;
import ai.lepton.api.MonitoringAlert;
import ai.lepton.api.MonitoringReport;
import ai.lepton.api.MonitoringReport.FeatureDrift;
import ai.lepton.api.ValueCount;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code lepton monitor show|set|evaluate DEPLOYMENT}: a deployment's live quality and drift, its
 * thresholds, and an evaluation now. A verb of its own rather than {@code lepton deploy monitor}:
 * it reads as what it does beside {@code lepton feedback}, and it stays apart from the
 * deployment verbs (which change what serves).
 */
@Command(name = "monitor", mixinStandardHelpOptions = true,
    description = {"A deployment's live quality from feedback, input drift per feature and "
        + "prediction drift against its training data, and the thresholds that raise alerts "
        + "(and can start retraining)."})
final class MonitorCommand {
  @Mixin ClientOptions options;

  @Command(name = "show", mixinStandardHelpOptions = true,
      description = "Quality, drift per feature, predicted classes and alerts over a window.")
  int show(@Parameters(paramLabel = "DEPLOYMENT") String deployment,
      @Option(names = "--window", paramLabel = "SPAN",
          description = "30m, 12h, 7d... (default: the monitor's window)") String window) {
    MonitoringReport r = options.client().monitoring(options.org(), deployment, window);
    return options.print(r, text(r));
  }

  @Command(name = "set", mixinStandardHelpOptions = true,
      description = "Set the thresholds and the action; options left out take the defaults.")
  int set(@Parameters(paramLabel = "DEPLOYMENT") String deployment,
      @Option(names = "--window-seconds", paramLabel = "N",
          description = "the window compared (default 86400)") Long window,
      @Option(names = "--psi", paramLabel = "X",
          description = "alert from this PSI (default 0.25)") Double psi,
      @Option(names = "--ks-p", paramLabel = "P",
          description = "alert under this KS p-value (default 0: off)") Double ks,
      @Option(names = "--min-accuracy", paramLabel = "A",
          description = "alert when accuracy on feedback falls under this") Double accuracy,
      @Option(names = "--max-rmse", paramLabel = "E",
          description = "alert when a regression's RMSE rises over this") Double rmse,
      @Option(names = "--min-samples", paramLabel = "N",
          description = "samples a statistic needs (default 100)") Integer samples,
      @Option(names = "--action", paramLabel = "alert|retrain",
          description = "what an alert does (default alert)") String action) {
    Monitor m = options.client().setMonitor(options.org(), deployment, new Monitor(window, psi,
        ks, accuracy, rmse, samples, action));
    return options.print(m, "Monitor of " + Table.plain(deployment) + ": window "
        + m.windowSeconds() + " s, PSI from " + m.psiThreshold() + ", KS p under "
        + m.ksPValueThreshold() + ", accuracy under " + orNone(m.minAccuracy()) + ", RMSE over "
        + orNone(m.maxRmse()) + ", at least " + m.minSamples() + " samples; action "
        + m.action() + ".");
  }

  @Command(name = "evaluate", mixinStandardHelpOptions = true,
      description = "Evaluate the thresholds now: raise and resolve alerts, and print the "
          + "report.")
  int evaluate(@Parameters(paramLabel = "DEPLOYMENT") String deployment) {
    MonitoringReport r = options.client().evaluateMonitor(options.org(), deployment);
    return options.print(r, text(r));
  }

  private static String orNone(Double v) {
    return v == null ? "(none)" : v.toString();
  }

  private static String number(Double v) {
    return v == null ? "-" : String.format(Locale.ROOT, "%.4g", v);
  }

  static String text(MonitoringReport r) {
    StringWriter w = new StringWriter();
    PrintWriter out = new PrintWriter(w);
    out.println("Deployment " + Table.plain(r.deployment()) + ", " + r.from() + " to " + r.to()
        + ": " + r.predictions() + " predictions.");
    MonitoringReport.Quality q = r.quality();
    if (q.samples() == 0) {
      out.println("Quality: no feedback yet ('lepton feedback' sends it).");
    } else if (q.accuracy() != null) {
      out.println("Quality on " + q.samples() + " with feedback: accuracy "
          + number(q.accuracy()) + ".");
    } else {
      out.println("Quality on " + q.samples() + " with feedback: MAE " + number(q.mae())
          + ", RMSE " + number(q.rmse()) + ".");
    }
    if (r.features().isEmpty()) {
      out.println("Input drift: none measured (no inputs kept, or the model version's lineage "
          + "names no dataset).");
    } else {
      Table t = new Table("FEATURE", "SAMPLES", "PSI", "LEVEL", "KS", "P-VALUE");
      for (FeatureDrift f : r.features()) {
        t.row(f.feature(), f.samples(), number(f.psi()), f.level(), number(f.ksStatistic()),
            number(f.ksPValue()));
      }
      t.print(out);
    }
    if (r.predictionDrift() != null) {
      out.println("Predicted classes: " + counts(r.predictionDrift().live()) + "; training "
          + counts(r.predictionDrift().training()) + "; PSI "
          + number(r.predictionDrift().psi()) + ".");
    }
    if (r.alerts().isEmpty()) {
      out.print("No alerts.");
    } else {
      Table t = new Table("SIGNAL", "OBSERVED", "THRESHOLD", "RAISED", "RESOLVED", "RETRAIN JOB");
      for (MonitoringAlert a : r.alerts()) {
        t.row(a.signal(), number(a.observed()), number(a.threshold()), a.raisedAt(),
            a.resolvedAt() == null ? "open" : a.resolvedAt(), a.retrainJob());
      }
      t.print(out);
    }
    out.flush();
    return w.toString().stripTrailing();
  }

  private static String counts(List<ValueCount> counts) {
    return counts.isEmpty() ? "none" : counts.stream()
        .map(c -> Table.plain(c.value()) + " " + c.count()).collect(Collectors.joining(", "));
  }
}
