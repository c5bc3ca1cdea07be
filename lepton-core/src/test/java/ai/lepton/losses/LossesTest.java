package ai.lepton.losses;

import static ai.lepton.LeptonAssertions.assertFailsWith;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.lepton.LeptonException;
import ai.lepton.tensor.Tensor;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LossesTest {

  private static Tensor t(float[] data, int... shape) {
    return Tensor.of(data, shape);
  }

  @Test
  void meanSquaredErrorAveragesOverEveryElement() {
    Tensor yTrue = t(new float[] {0, 0, 0, 0}, 2, 2);
    Tensor yPred = t(new float[] {1, 2, 3, 4}, 2, 2);
    assertEquals(7.5f, Losses.meanSquaredError().call(yTrue, yPred).item(), 1e-6);
    assertEquals(2.5f, Losses.meanAbsoluteError().call(yTrue, yPred).item(), 1e-6);
  }

  @Test
  void trailingDimensionOfOneIsSqueezedLikeKeras() {
    Tensor labels = t(new float[] {1, 0, 1}, 3);
    Tensor column = t(new float[] {0.5f, 0.5f, 0.5f}, 3, 1);
    Tensor value = Losses.meanSquaredError().call(labels, column);
    assertEquals(0.25f, value.item(), 1e-6);
    // and the other way round
    assertEquals(0.25f, Losses.meanSquaredError().call(labels.reshape(3, 1),
        column.reshape(3)).item(), 1e-6);
  }

  @Test
  void gradientHasThePredictionsShapeAfterSqueezing() {
    Tensor yPred = t(new float[] {0.2f, 0.7f}, 2, 1).requiresGrad(true);
    Losses.binaryCrossentropy(false).call(t(new float[] {0, 1}, 2), yPred).backward();
    assertArrayEquals(new int[] {2, 1}, yPred.grad().shape());
  }

  @Test
  void mismatchedShapesNameBothAndSuggestSparseLossForIntegerLabels() {
    Tensor labels = t(new float[] {1, 2}, 2);
    Tensor scores = Tensor.zeros(2, 3);
    LeptonException e = assertThrows(LeptonException.class,
        () -> Losses.categoricalCrossentropy(true).call(labels, scores));
    assertTrue(e.getMessage().contains("[2]") && e.getMessage().contains("[2, 3]"),
        e.getMessage());
    assertTrue(e.getMessage().contains("sparse_categorical_crossentropy"), e.getMessage());
    assertFailsWith("yTrue shape [4, 2] does not match yPred shape [2, 4]",
        () -> Losses.meanSquaredError().call(Tensor.zeros(4, 2), Tensor.zeros(2, 4)));
  }

  @Test
  void binaryCrossentropyFromLogitsStaysFiniteForHugeLogits() {
    Tensor logits = t(new float[] {1000f, -1000f}, 2).requiresGrad(true);
    Tensor value = Losses.binaryCrossentropy(true).call(t(new float[] {0, 1}, 2), logits);
    assertEquals(1000f, value.item(), 1e-3);
    value.backward();
    assertArrayEquals(new float[] {0.5f, -0.5f}, logits.grad().toFloatArray(), 1e-6f);
  }

  @Test
  void binaryCrossentropyFromProbabilitiesClipsLikeKeras() {
    Tensor value = Losses.binaryCrossentropy(false).call(t(new float[] {1}, 1),
        t(new float[] {0f}, 1));
    assertEquals(-Math.log(1e-7), value.item(), 1e-2);
  }

  @Test
  void categoricalCrossentropyFromLogitsEqualsProbabilitiesAfterSoftmax() {
    Tensor yTrue = t(new float[] {0, 1, 0, 1, 0, 0}, 2, 3);
    Tensor logits = t(new float[] {1, 2, 3, -1, 0, 4}, 2, 3);
    float fromLogits = Losses.categoricalCrossentropy(true).call(yTrue, logits).item();
    float fromProbs = Losses.categoricalCrossentropy(false).call(yTrue, logits.softmax(-1)).item();
    assertEquals(fromLogits, fromProbs, 1e-5);
  }

  @Test
  void sparseCategoricalCrossentropyAcceptsBothLabelShapes() {
    Tensor logits = t(new float[] {1, 2, 3, -1, 0, 4}, 2, 3);
    Tensor oneHot = t(new float[] {0, 1, 0, 1, 0, 0}, 2, 3);
    float expected = Losses.categoricalCrossentropy(true).call(oneHot, logits).item();
    Loss sparse = Losses.sparseCategoricalCrossentropy(true);
    assertEquals(expected, sparse.call(t(new float[] {1, 0}, 2), logits).item(), 1e-6);
    assertEquals(expected, sparse.call(t(new float[] {1, 0}, 2, 1), logits).item(), 1e-6);
  }

  @Test
  void sparseLabelOutOfRangeSaysWhichLabelAndTheValidRange() {
    Loss sparse = Losses.sparseCategoricalCrossentropy(true);
    LeptonException e = assertThrows(LeptonException.class,
        () -> sparse.call(t(new float[] {1, 3}, 2), Tensor.zeros(2, 3)));
    assertTrue(e.getMessage().contains("label 3.0 at position 1"), e.getMessage());
    assertTrue(e.getMessage().contains("0..2"), e.getMessage());
    LeptonException oneHot = assertThrows(LeptonException.class,
        () -> sparse.call(Tensor.zeros(2, 3), Tensor.zeros(2, 3)));
    assertTrue(oneHot.getMessage().contains("categorical_crossentropy"), oneHot.getMessage());
  }

  @Test
  void huberIsQuadraticInsideDeltaAndLinearOutside() {
    Loss huber = Losses.huber(1f);
    assertEquals(0.125f, huber.call(Tensor.zeros(1), t(new float[] {0.5f}, 1)).item(), 1e-6);
    assertEquals(2.5f, huber.call(Tensor.zeros(1), t(new float[] {3f}, 1)).item(), 1e-6);
    assertFailsWith("received delta=0.0", () -> Losses.huber(0f));
  }

  @Test
  void kerasNamesAndAliasesResolve() {
    assertEquals("mean_squared_error", Losses.get("mse").name());
    assertEquals("mean_squared_error", Losses.get("MeanSquaredError").name());
    assertEquals("mean_absolute_error", Losses.get("mae").name());
    assertEquals("binary_crossentropy", Losses.get("bce").name());
    assertEquals(Map.of("from_logits", false), Losses.get("binary_crossentropy").config());
    assertEquals("categorical_crossentropy", Losses.get("categorical_crossentropy").name());
    assertEquals("sparse_categorical_crossentropy",
        Losses.get("SparseCategoricalCrossentropy").name());
    assertEquals(Map.of("delta", 1f), Losses.get("huber_loss").config());
  }

  @Test
  void unknownNameListsTheKnownOnes() {
    LeptonException e = assertThrows(LeptonException.class, () -> Losses.get("mean_sqaured"));
    assertTrue(e.getMessage().contains("mean_sqaured"), e.getMessage());
    assertTrue(e.getMessage().contains("sparse_categorical_crossentropy"), e.getMessage());
  }

  @Test
  void everyLossRoundTripsThroughItsConfig() {
    for (Loss loss : List.of(Losses.meanSquaredError(), Losses.meanAbsoluteError(),
        Losses.binaryCrossentropy(true), Losses.categoricalCrossentropy(false),
        Losses.sparseCategoricalCrossentropy(true), Losses.huber(0.3f))) {
      assertEquals(loss, Losses.fromConfig(loss.name(), loss.config()), loss.name());
    }
    // JSON gives doubles back; an unknown key is an error, not silently dropped
    assertEquals(Losses.huber(0.5f), Losses.fromConfig("huber", Map.of("delta", 0.5)));
    assertFailsWith("mse: unknown config keys [from_logits]",
        () -> Losses.fromConfig("mse", Map.of("from_logits", true)));
    assertFailsWith("config key 'delta' expects a number, received big",
        () -> Losses.fromConfig("huber", Map.of("delta", "big")));
  }
}
