package ai.lepton.layers;

import static ai.lepton.LeptonAssertions.assertFailsWith;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.lepton.LeptonException;
import ai.lepton.tensor.Tensor;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Conv1D and the 1-D pooling layers. */
class SequenceConvolutionTest {

  private static <L extends Layer> L built(L layer, int... inputShape) {
    layer.name("l");
    layer.build(inputShape, new SplittableRandom(1));
    return layer;
  }

  private static Conv1D conv1d(int filters, int size, int strides, String padding, int dilation) {
    return new Conv1D(new Conv1D.Config(null, true, filters, size, strides, padding, dilation,
        "linear", true, "glorot_uniform", "zeros"));
  }

  @Test
  void conv1dHarnessForEachPadding() throws Exception {
    LayerHarness.check(new Conv1D(3, 2, "tanh"), new int[] {5, 2}, 2 * 2 * 3 + 3);
    LayerHarness.check(conv1d(2, 3, 2, "same", 1), new int[] {7, 3}, 3 * 3 * 2 + 2);
    LayerHarness.check(conv1d(2, 2, 1, "causal", 2), new int[] {6, 2}, 2 * 2 * 2 + 2);
  }

  @Test
  void conv1dOutputLengthsFollowKeras() {
    assertArrayEquals(new int[] {8, 4}, conv1d(4, 3, 1, "valid", 1).outputShape(new int[] {10, 1}));
    assertArrayEquals(new int[] {5, 4}, conv1d(4, 3, 2, "same", 1).outputShape(new int[] {10, 1}));
    assertArrayEquals(new int[] {10, 4},
        conv1d(4, 3, 1, "causal", 3).outputShape(new int[] {10, 1}));
    assertArrayEquals(new int[] {6, 4}, conv1d(4, 3, 1, "valid", 2).outputShape(new int[] {10, 1}));
  }

  @Test
  void conv1dComputesCrossCorrelationOverTime() {
    Conv1D conv = built(conv1d(1, 2, 1, "valid", 1), 4, 1);
    conv.weights().get("kernel").assign(Tensor.of(new float[] {1f, 10f}, 2, 1, 1));
    conv.weights().get("bias").assign(Tensor.of(new float[] {0.5f}, 1));
    Tensor y = conv.apply(Tensor.of(new float[] {1, 2, 3, 4}, 1, 4, 1), false);
    assertArrayEquals(new float[] {21.5f, 32.5f, 43.5f}, y.toFloatArray());
  }

  @Test
  void causalConv1dNeverLooksAtLaterSteps() {
    Conv1D conv = built(conv1d(3, 3, 1, "causal", 2), 9, 2);
    SplittableRandom rng = new SplittableRandom(5);
    float[] x = Tensor.uniform(rng, -1f, 1f, 1, 9, 2).toFloatArray();
    float[] before = conv.apply(Tensor.of(x, 1, 9, 2), false).toFloatArray();
    x[6 * 2] += 1f; // change step 6
    float[] after = conv.apply(Tensor.of(x, 1, 9, 2), false).toFloatArray();
    assertArrayEquals(Arrays.copyOf(before, 6 * 3), Arrays.copyOf(after, 6 * 3),
        "steps 0..5 must not see step 6");
    assertNotEquals(before[6 * 3], after[6 * 3], "step 6 sees itself");
  }

  @Test
  void pooling1dHarnessAndValues() throws Exception {
    LayerHarness.check(new MaxPooling1D(), new int[] {4, 2}, 0);
    LayerHarness.check(new AveragePooling1D(new AveragePooling1D.Config(null, true, 3, 2, "same")),
        new int[] {7, 2}, 0);
    Tensor x = Tensor.of(new float[] {1, 5, 3, 2, 0}, 1, 5, 1);
    assertArrayEquals(new float[] {5, 3}, built(new MaxPooling1D(), 5, 1).apply(x, false)
        .toFloatArray());
    // same padding: the last window holds only step 4
    AveragePooling1D same = built(new AveragePooling1D(new AveragePooling1D.Config(null, true, 2,
        null, "same")), 5, 1);
    assertArrayEquals(new float[] {3, 2.5f, 0}, same.apply(x, false).toFloatArray());
    assertEquals(2, same.config().strides(), "strides default to the pool size");
  }

  @Test
  void globalPooling1dHarnessWithAndWithoutMasks() throws Exception {
    LayerHarness.check(new GlobalMaxPooling1D(), new int[] {3, 2}, 0);
    LayerHarness.check(new GlobalAveragePooling1D(), new int[] {3, 2}, 0);
    Tensor mask = Tensor.of(new float[] {1, 1, 0, 1, 0, 0, 1, 1, 1}, LayerHarness.BATCH, 3);
    LayerHarness.check(new GlobalAveragePooling1D(), List.of(new int[] {3, 2}),
        Arrays.asList(mask), 0);
  }

  @Test
  void globalAveragePooling1dAveragesOnlyValidSteps() {
    GlobalAveragePooling1D pool = built(new GlobalAveragePooling1D(), 3, 1);
    Tensor x = Tensor.of(new float[] {1, 2, 30, 4, 5, 6, 7, 8, 9}, 3, 3, 1);
    Tensor mask = Tensor.of(new float[] {1, 1, 0, 1, 1, 1, 0, 0, 0}, 3, 3);
    assertArrayEquals(new float[] {1.5f, 5f, 0f}, pool.apply(x, mask, false).toFloatArray());
    assertArrayEquals(new float[] {11f, 5f, 8f}, pool.apply(x, false).toFloatArray());
  }

  @Test
  void sequenceLayersExplainWrongInputs() {
    LeptonException rank = assertThrows(LeptonException.class,
        () -> new Conv1D(2, 3, "relu").outputShape(new int[] {8, 8, 1}));
    assertTrue(rank.getMessage().contains("Conv1D expects [batch, time, channels]"),
        rank.getMessage());
    LeptonException padding = assertThrows(LeptonException.class,
        () -> conv1d(2, 3, 1, "full", 1));
    assertTrue(padding.getMessage().contains("\"causal\""), padding.getMessage());
    assertFailsWith("pool_size and strides must be positive integers, received 0",
        () -> new MaxPooling1D(0));
    LeptonException flat = assertThrows(LeptonException.class,
        () -> new GlobalAveragePooling1D().outputShape(new int[] {10}));
    assertTrue(flat.getMessage().contains("received [batch, 10]"), flat.getMessage());
  }
}
