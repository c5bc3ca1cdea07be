package ai.lepton.server.jobs;

import ai.lepton.api.EvaluationReport;
import ai.lepton.metrics.ClassificationReport;
import ai.lepton.metrics.RegressionReport;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Core's evaluation reports as the wire's {@link EvaluationReport}. */
public final class EvaluationReports {
  private EvaluationReports() {}

  /**
   * A classification report for the wire.
   *
   * @param modelMetrics the model's loss and compiled metrics on the same data, as
   *     {@code Model.evaluate} gives them; the report's own numbers follow them in
   *     {@link EvaluationReport#metrics()}, and win on a shared name
   */
  public static EvaluationReport of(ClassificationReport report,
      Map<String, Double> modelMetrics) {
    Map<String, Double> metrics = metrics(modelMetrics, report.metrics());
    List<List<Long>> confusion = Arrays.stream(report.confusionMatrix())
        .map(row -> Arrays.stream(row).asLongStream().boxed().toList()).toList();
    List<EvaluationReport.ClassMetrics> rows = report.perClass().stream()
        .map(c -> new EvaluationReport.ClassMetrics(c.name(), c.precision(), c.recall(), c.f1(),
            c.support()))
        .toList();
    List<EvaluationReport.RocPoint> roc = report.roc().stream()
        .map(p -> new EvaluationReport.RocPoint(p.falsePositiveRate(), p.truePositiveRate(),
            Double.isFinite(p.threshold()) ? p.threshold() : null))
        .toList();
    Double auc = report.auc().isPresent() ? report.auc().getAsDouble() : null;
    return new EvaluationReport("classification", report.samples(), metrics, report.classes(),
        confusion, rows, roc, auc, null);
  }

  /**
   * A regression report for the wire.
   *
   * @param modelMetrics the model's loss and compiled metrics on the same data, as
   *     {@code Model.evaluate} gives them; the report's own numbers follow them in
   *     {@link EvaluationReport#metrics()}, and win on a shared name
   */
  public static EvaluationReport of(RegressionReport report, Map<String, Double> modelMetrics) {
    return new EvaluationReport("regression", report.samples(),
        metrics(modelMetrics, report.metrics()), List.of(), List.of(), List.of(), List.of(), null,
        new EvaluationReport.RegressionMetrics(report.meanAbsoluteError(),
            report.meanSquaredError(), report.rootMeanSquaredError(), report.r2(),
            report.maxError()));
  }

  /** The model's numbers, then the report's; non-finite ones (a NaN loss) left out: JSON has none. */
  private static Map<String, Double> metrics(Map<String, Double> model,
      Map<String, Double> report) {
    Map<String, Double> out = new LinkedHashMap<>();
    model.forEach((k, v) -> {
      if (v != null && Double.isFinite(v)) {
        out.put(k, v);
      }
    });
    out.putAll(report);
    return out;
  }
}
