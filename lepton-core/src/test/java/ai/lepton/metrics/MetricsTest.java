package ai.lepton.metrics;

import static ai.lepton.LeptonAssertions.assertFailsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.lepton.LeptonException;
import ai.lepton.tensor.Tensor;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MetricsTest {

  private static Tensor t(float[] data, int... shape) {
    return Tensor.of(data, shape);
  }

  private static double eval(Metric m, Tensor yTrue, Tensor yPred) {
    m.reset();
    m.update(yTrue, yPred);
    return m.result();
  }

  @Test
  void accuracyPicksBinaryForOneOutputColumn() {
    Metric acc = Metrics.get("accuracy");
    // labels [4] against probabilities [4, 1]: binary with threshold 0.5
    acc.update(t(new float[] {1, 0, 1, 0}, 4), t(new float[] {0.9f, 0.2f, 0.4f, 0.6f}, 4, 1));
    assertEquals(0.5, acc.result(), 1e-9);
  }

  @Test
  void accuracyPicksCategoricalForOneHotTargets() {
    Metric acc = Metrics.accuracy();
    Tensor scores = t(new float[] {0.1f, 0.9f, 0f, 0.8f, 0.1f, 0.1f}, 2, 3);
    acc.update(t(new float[] {0, 1, 0, 0, 0, 1}, 2, 3), scores);
    assertEquals(0.5, acc.result(), 1e-9);
  }

  @Test
  void accuracyPicksSparseForIntegerLabels() {
    Metric acc = Metrics.get("acc");
    Tensor scores = t(new float[] {0.1f, 0.9f, 0f, 0.8f, 0.1f, 0.1f}, 2, 3);
    acc.update(t(new float[] {1, 0}, 2), scores);
    assertEquals(1.0, acc.result(), 1e-9);
    acc.update(t(new float[] {2, 2}, 2, 1), scores); // [B, 1] labels too
    assertEquals(0.5, acc.result(), 1e-9);
    assertEquals("accuracy", acc.name());
  }

  @Test
  void accuracyAccumulatesAcrossBatchesByCountNotByBatchAverage() {
    Metric acc = Metrics.sparseCategoricalAccuracy();
    acc.update(t(new float[] {0}, 1), t(new float[] {1, 0}, 1, 2)); // 1 of 1 right
    acc.update(t(new float[] {1, 1, 1}, 3), t(new float[] {1, 0, 1, 0, 1, 0}, 3, 2)); // 0 of 3
    assertEquals(0.25, acc.result(), 1e-9);
    acc.reset();
    assertEquals(0, acc.result());
  }

  @Test
  void binaryAccuracyHonoursItsThreshold() {
    Metric acc = Metrics.binaryAccuracy(0f); // logits
    assertEquals(1.0, eval(acc, t(new float[] {1, 0}, 2), t(new float[] {0.3f, -2f}, 2)), 1e-9);
  }

  @Test
  void mismatchedShapesNameBothShapes() {
    LeptonException e = assertThrows(LeptonException.class,
        () -> Metrics.categoricalAccuracy().update(t(new float[] {1, 0}, 2), Tensor.zeros(2, 3)));
    assertTrue(e.getMessage().contains("[2]") && e.getMessage().contains("[2, 3]"),
        e.getMessage());
    assertTrue(e.getMessage().contains("sparse_categorical_accuracy"), e.getMessage());
    assertFailsWith("yTrue shape [3] does not match yPred shape [4]",
        () -> Metrics.meanSquaredError().update(Tensor.zeros(3), Tensor.zeros(4)));
  }

  @Test
  void precisionRecallAndF1FromConfusionCounts() {
    Tensor yTrue = t(new float[] {1, 1, 1, 0, 0}, 5);
    Tensor yPred = t(new float[] {0.9f, 0.8f, 0.1f, 0.7f, 0.2f}, 5); // tp 2, fn 1, fp 1
    assertEquals(2 / 3.0, eval(Metrics.get("precision"), yTrue, yPred), 1e-9);
    assertEquals(2 / 3.0, eval(Metrics.get("recall"), yTrue, yPred), 1e-9);
    assertEquals(2 / 3.0, eval(Metrics.get("f1_score"), yTrue, yPred), 1e-9);
    Tensor allNegative = t(new float[] {0.1f, 0.1f, 0.1f, 0.1f, 0.1f}, 5);
    assertEquals(0, eval(Metrics.precision(0.5f), yTrue, allNegative));
  }

  @Test
  void macroF1AveragesPerClassF1OverClassesThatOccur() {
    // classes: 0 predicted right twice; 1 once right, once predicted as 2; class 3 never occurs
    Tensor labels = t(new float[] {0, 0, 1, 1}, 4);
    Tensor scores = t(new float[] {
        9, 0, 0, 0,
        9, 0, 0, 0,
        0, 9, 0, 0,
        0, 0, 9, 0}, 4, 4);
    // F1: class 0 = 1, class 1 = 2*1/(2+0+1) = 2/3, class 2 = 0 (one false positive)
    assertEquals((1 + 2 / 3.0 + 0) / 3, eval(Metrics.get("f1_macro"), labels, scores), 1e-9);
    // one-hot targets give the same
    assertEquals((1 + 2 / 3.0 + 0) / 3,
        eval(Metrics.macroF1Score(), Tensor.oneHot(labels, 4), scores), 1e-9);
  }

  @Test
  void aucOfPerfectRankingIsOneAndOfReversedRankingIsZero() {
    Tensor labels = t(new float[] {0, 0, 1, 1}, 4);
    Metric auc = Metrics.get("auc");
    assertEquals(1.0, eval(auc, labels, t(new float[] {0.1f, 0.2f, 0.8f, 0.9f}, 4)), 1e-12);
    assertEquals(0.0, eval(auc, labels, t(new float[] {0.9f, 0.8f, 0.2f, 0.1f}, 4)), 1e-12);
    assertEquals(0.5, eval(auc, labels, t(new float[] {0.5f, 0.5f, 0.5f, 0.5f}, 4)), 1e-12);
  }

  @Test
  void aucMatchesScikitLearnWithTiesNegativeScoresAndSeveralBatches() {
    // Positives score -1, 2, 0.5; negatives -3, -1, 0.5. Counting the (positive, negative) pairs
    // ranked right, ties as half: 1.5 + 3 + 2.5 of 9 pairs (roc_auc_score agrees).
    Metric auc = Metrics.auc();
    auc.update(t(new float[] {0, 1, 0}, 3, 1), t(new float[] {-3f, -1f, -1f}, 3, 1));
    auc.update(t(new float[] {1, 1, 0}, 3, 1), t(new float[] {2f, 0.5f, 0.5f}, 3, 1));
    assertEquals(7 / 9.0, auc.result(), 1e-12);
  }

  @Test
  void aucIsUndefinedWithOneClassOnly() {
    assertTrue(Double.isNaN(eval(Metrics.auc(), t(new float[] {1, 1}, 2),
        t(new float[] {0.3f, 0.6f}, 2))));
  }

  @Test
  void regressionMetricsAccumulateOverTheEpoch() {
    Metric mse = Metrics.get("mse");
    Metric mae = Metrics.get("mae");
    Metric r2 = Metrics.get("r2_score");
    float[][] yTrue = {{1, 2}, {3, 4, 5}};
    float[][] yPred = {{1.5f, 2f}, {2f, 4.5f, 5f}};
    for (int b = 0; b < 2; b++) {
      for (Metric m : List.of(mse, mae, r2)) {
        m.update(t(yTrue[b], yTrue[b].length), t(yPred[b], yPred[b].length, 1));
      }
    }
    // residuals 0.5, 0, -1, 0.5, 0: SSres 1.5; targets 1..5: SStot 10
    assertEquals(1.5 / 5, mse.result(), 1e-7);
    assertEquals(2.0 / 5, mae.result(), 1e-7);
    assertEquals(1 - 1.5 / 10, r2.result(), 1e-7);
  }

  @Test
  void r2StaysAccurateForTargetsWithALargeMean() {
    Metric r2 = Metrics.r2Score();
    r2.update(t(new float[] {10000f, 10001f}, 2), t(new float[] {10000f, 10001f}, 2));
    r2.update(t(new float[] {10002f, 10003f}, 2), t(new float[] {10002f, 10002f}, 2));
    assertEquals(1 - 1 / 5.0, r2.result(), 1e-9); // SStot of 0..3 is 5, SSres 1
  }

  @Test
  void r2AveragesOverOutputColumns() {
    Tensor yTrue = t(new float[] {1, 10, 2, 20, 3, 30}, 3, 2);
    Tensor yPred = t(new float[] {1, 10, 2, 20, 2, 20}, 3, 2);
    // column 0: 1 - 1/2; column 1: 1 - 100/200
    assertEquals(0.5, eval(Metrics.r2Score(), yTrue, yPred), 1e-9);
  }

  @Test
  void unknownNameListsKnownMetrics() {
    LeptonException e = assertThrows(LeptonException.class, () -> Metrics.get("accuarcy"));
    assertTrue(e.getMessage().contains("accuracy (acc)"), e.getMessage());
  }

  @Test
  void everyMetricRoundTripsThroughItsConfig() {
    for (String name : List.of("accuracy", "binary_accuracy", "categorical_accuracy",
        "sparse_categorical_accuracy", "precision", "recall", "f1_score", "f1_macro", "auc",
        "mse", "mae", "r2_score")) {
      Metric m = Metrics.get(name);
      Metric copy = Metrics.fromConfig(m.name(), m.config());
      assertEquals(m.name(), copy.name());
      assertEquals(m.config(), copy.config());
    }
    assertEquals(Map.of("threshold", 0.2f),
        Metrics.fromConfig("precision", Map.of("threshold", 0.2)).config());
    assertFailsWith("auc: unknown config keys [curve]",
        () -> Metrics.fromConfig("auc", Map.of("curve", "PR")));
  }
}
