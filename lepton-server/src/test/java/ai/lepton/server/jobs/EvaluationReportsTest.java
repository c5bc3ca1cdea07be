package ai.lepton.server.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.lepton.api.EvaluationReport;
import ai.lepton.metrics.ClassificationReport;
import ai.lepton.metrics.RegressionReport;
import ai.lepton.server.http.Json;
import ai.lepton.tensor.Tensor;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Core's reports on the wire: every number carried, JSON that reads back equal. */
class EvaluationReportsTest {
  private final ObjectMapper json = Json.mapper();

  @Test
  void aBinaryClassificationReportTravelsWithItsCurveAndTheModelsLoss() throws Exception {
    ClassificationReport core = ClassificationReport.of(Tensor.of(new float[] {0, 1, 1, 0, 1}, 5),
        Tensor.of(new float[] {0.1f, 0.9f, 0.4f, 0.6f, 0.8f}, 5), List.of("no", "yes"));
    Map<String, Double> model = new LinkedHashMap<>();
    model.put("loss", 0.42);
    model.put("accuracy", 0.1); // the report's own accuracy wins
    model.put("nan", Double.NaN);
    EvaluationReport wire = EvaluationReports.of(core, model);

    assertEquals("classification", wire.task());
    assertEquals(5, wire.samples());
    assertEquals(List.of("loss", "accuracy", "macro_precision", "macro_recall", "macro_f1",
        "weighted_precision", "weighted_recall", "weighted_f1", "auc"),
        List.copyOf(wire.metrics().keySet()));
    assertEquals(0.42, wire.metrics().get("loss"));
    assertEquals(0.6, wire.metrics().get("accuracy"), 1e-15);
    assertEquals(List.of(List.of(1L, 1L), List.of(1L, 2L)), wire.confusionMatrix());
    assertEquals(new EvaluationReport.ClassMetrics("yes", 2 / 3.0, 2 / 3.0, 2 / 3.0, 3),
        wire.perClass().get(1));
    assertEquals(core.auc().getAsDouble(), wire.auc());
    assertEquals(core.roc().size(), wire.roc().size());
    assertNull(wire.roc().get(0).threshold(), "the first point's threshold is above every score");
    assertEquals(0.9, wire.roc().get(1).threshold(), 1e-6);
    assertNull(wire.regression());

    String text = json.writeValueAsString(wire);
    assertEquals(wire, json.readValue(text, EvaluationReport.class));
    assertTrue(text.contains("\"threshold\":null"), text);
  }

  @Test
  void aRegressionReportTravelsWithItsMetrics() throws Exception {
    RegressionReport core = RegressionReport.of(Tensor.of(new float[] {1, 2, 3}, 3),
        Tensor.of(new float[] {1, 2, 5}, 3));
    EvaluationReport wire = EvaluationReports.of(core, Map.of("loss", 4 / 3.0));
    assertEquals("regression", wire.task());
    assertEquals(new EvaluationReport.RegressionMetrics(2 / 3.0, 4 / 3.0, Math.sqrt(4 / 3.0),
        1 - 4.0 / 2, 2), wire.regression());
    assertEquals(List.of("loss", "mae", "mse", "rmse", "r2", "max_error"),
        List.copyOf(wire.metrics().keySet()));
    assertTrue(wire.classes().isEmpty() && wire.roc().isEmpty() && wire.perClass().isEmpty());
    assertNull(wire.auc());
    assertEquals(wire, json.readValue(json.writeValueAsString(wire), EvaluationReport.class));
  }
}
