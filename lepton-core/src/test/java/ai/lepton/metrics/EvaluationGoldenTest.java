package ai.lepton.metrics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.lepton.Golden;
import ai.lepton.tensor.Tensor;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The evaluation reports against scikit-learn's numbers for the same inputs
 * ({@code tools/golden/make_evaluation_golden.py} wrote {@code golden/evaluation.json}).
 */
class EvaluationGoldenTest {
  private static final JsonNode CASES = Golden.cases("evaluation");
  private static final double TOLERANCE = 1e-12;

  static Stream<String> classification() {
    return Golden.caseNames(CASES).filter(n -> !n.startsWith("regression"));
  }

  static Stream<String> regression() {
    return Golden.caseNames(CASES).filter(n -> n.startsWith("regression"));
  }

  @ParameterizedTest
  @MethodSource("classification")
  void classificationMatchesScikitLearn(String name) {
    JsonNode c = CASES.get(name);
    List<String> classes = new ArrayList<>();
    c.get("classes").forEach(n -> classes.add(n.asText()));
    ClassificationReport r = ClassificationReport.of(Golden.tensor(c.get("yTrue")),
        Golden.tensor(c.get("yPred")), classes);

    int k = c.get("confusion").size();
    assertEquals(c.get("yPred").get("shape").get(0).asInt(), r.samples());
    assertEquals(k, r.classes().size());
    for (int i = 0; i < k; i++) {
      int[] row = new int[k];
      for (int j = 0; j < k; j++) {
        row[j] = c.get("confusion").get(i).get(j).asInt();
      }
      assertArrayEquals(row, r.confusionMatrix()[i], name + ": confusion row " + i);
      ClassificationReport.ClassMetrics m = r.perClass().get(i);
      assertEquals(c.get("precision").get(i).asDouble(), m.precision(), TOLERANCE, name);
      assertEquals(c.get("recall").get(i).asDouble(), m.recall(), TOLERANCE, name);
      assertEquals(c.get("f1").get(i).asDouble(), m.f1(), TOLERANCE, name);
      assertEquals(c.get("support").get(i).asInt(), m.support(), name);
    }
    assertEquals(c.get("accuracy").asDouble(), r.accuracy(), TOLERANCE, name);
    assertAverage(c.get("macro"), r.macroAverage(), name);
    assertAverage(c.get("weighted"), r.weightedAverage(), name);

    if (c.get("auc").isNull()) {
      assertFalse(r.auc().isPresent(), name);
      assertTrue(r.roc().isEmpty(), name);
      return;
    }
    assertEquals(c.get("auc").asDouble(), r.auc().getAsDouble(), 1e-12, name);
    // the full curve point by point; the report's is thinned to at most 200 points
    float[] yPred = Golden.tensor(c.get("yPred")).toFloatArray();
    float[] scores = yPred.length == r.samples() ? yPred : new float[r.samples()];
    if (yPred.length != r.samples()) {
      for (int i = 0; i < scores.length; i++) {
        scores[i] = yPred[2 * i + 1];
      }
    }
    int[] labels = new int[r.samples()];
    float[] t = Golden.tensor(c.get("yTrue")).toFloatArray();
    for (int i = 0; i < labels.length; i++) {
      labels[i] = (int) t[i];
    }
    List<ClassificationReport.RocPoint> curve = ClassificationReport.rocCurve(scores, labels);
    assertEquals(c.get("fpr").size(), curve.size(), name + ": points");
    for (int i = 0; i < curve.size(); i++) {
      assertEquals(c.get("fpr").get(i).asDouble(), curve.get(i).falsePositiveRate(), TOLERANCE);
      assertEquals(c.get("tpr").get(i).asDouble(), curve.get(i).truePositiveRate(), TOLERANCE);
    }
    assertEquals(Math.min(curve.size(), ClassificationReport.MAX_ROC_POINTS), r.roc().size());
    assertEquals(curve.get(0), r.roc().get(0));
    assertEquals(curve.get(curve.size() - 1), r.roc().get(r.roc().size() - 1));
    for (int i = 1; i < r.roc().size(); i++) {
      assertTrue(r.roc().get(i).threshold() < r.roc().get(i - 1).threshold(), "descending");
    }
  }

  private static void assertAverage(JsonNode expected, ClassificationReport.Average a,
      String name) {
    assertEquals(expected.get(0).asDouble(), a.precision(), TOLERANCE, name);
    assertEquals(expected.get(1).asDouble(), a.recall(), TOLERANCE, name);
    assertEquals(expected.get(2).asDouble(), a.f1(), TOLERANCE, name);
  }

  @ParameterizedTest
  @MethodSource("regression")
  void regressionMatchesScikitLearn(String name) {
    JsonNode c = CASES.get(name);
    Tensor yTrue = Golden.tensor(c.get("yTrue"));
    RegressionReport r = RegressionReport.of(yTrue, Golden.tensor(c.get("yPred")));
    assertEquals(yTrue.dim(0), r.samples());
    assertClose(c.get("mae").asDouble(), r.meanAbsoluteError(), name + ": mae");
    assertClose(c.get("mse").asDouble(), r.meanSquaredError(), name + ": mse");
    assertClose(c.get("rmse").asDouble(), r.rootMeanSquaredError(), name + ": rmse");
    assertClose(c.get("r2").asDouble(), r.r2(), name + ": r2");
    assertClose(c.get("max_error").asDouble(), r.maxError(), name + ": max_error");
  }

  /** Within 1e-12 relative: sums in another order differ in the last bits. */
  private static void assertClose(double expected, double actual, String what) {
    assertEquals(expected, actual, 1e-12 * Math.max(1, Math.abs(expected)), what);
  }
}
