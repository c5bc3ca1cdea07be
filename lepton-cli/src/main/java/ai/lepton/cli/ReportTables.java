package ai.lepton.cli;

import ai.lepton.api.EvaluationReport;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * An evaluation report as tables for people: its headline metrics, then the confusion matrix and
 * per-class precision, recall and F1 (with the AUC of a binary task), or the regression metrics.
 * The ROC curve's points are left to {@code --json}.
 */
final class ReportTables {
  /** The names of a regression report's own metrics in {@link EvaluationReport#metrics()}. */
  private static final Set<String> REGRESSION = Set.of("mae", "mse", "rmse", "r2", "max_error");

  private ReportTables() {}

  static void print(PrintWriter out, EvaluationReport r) {
    out.println("evaluation: " + r.task() + " on " + r.samples() + " held-out samples");
    Table headline = new Table("METRIC", "VALUE");
    // a regression's own numbers get their table below; the headline keeps the loss and the rest
    r.metrics().forEach((k, v) -> {
      if (r.regression() == null || !REGRESSION.contains(k)) {
        headline.row(k, number(v));
      }
    });
    headline.print(out);
    if (r.regression() != null) {
      EvaluationReport.RegressionMetrics m = r.regression();
      out.println();
      new Table("REGRESSION", "VALUE").row("mean absolute error", number(m.meanAbsoluteError()))
          .row("mean squared error", number(m.meanSquaredError()))
          .row("root mean squared error", number(m.rootMeanSquaredError()))
          .row("r2", number(m.r2())).row("largest error", number(m.maxError())).print(out);
      return;
    }
    if (r.confusionMatrix().isEmpty()) {
      return;
    }
    String[] header = new String[r.classes().size() + 1];
    header[0] = "TRUE \\ PREDICTED";
    for (int i = 0; i < r.classes().size(); i++) {
      header[i + 1] = r.classes().get(i);
    }
    Table confusion = new Table(header).maxWidth(20);
    for (int i = 0; i < r.confusionMatrix().size(); i++) {
      List<Long> counts = r.confusionMatrix().get(i);
      Object[] row = new Object[counts.size() + 1];
      row[0] = r.classes().get(i);
      for (int j = 0; j < counts.size(); j++) {
        row[j + 1] = counts.get(j);
      }
      confusion.row(row);
    }
    out.println();
    confusion.print(out);
    Table perClass = new Table("CLASS", "PRECISION", "RECALL", "F1", "SUPPORT");
    r.perClass().forEach(c -> perClass.row(c.name(), number(c.precision()), number(c.recall()),
        number(c.f1()), c.support()));
    out.println();
    perClass.print(out);
    if (r.auc() != null) {
      out.println();
      out.println("ROC of " + Table.plain(r.classes().get(1)) + ": AUC " + number(r.auc()) + " ("
          + r.roc().size() + " points; --json lists them)");
    }
  }

  private static String number(double v) {
    return String.format(Locale.ROOT, "%.4f", v);
  }
}
