package ai.lepton.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.lepton.LeptonException;
import ai.lepton.tensor.Tensor;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** DepthwiseConv2D and SeparableConv2D, checked against per-channel conv2d. */
class DepthwiseConvolutionTest {
  private final SplittableRandom rng = new SplittableRandom(3);

  private static void assertClose(float[] expected, float[] actual) {
    assertEquals(expected.length, actual.length, "length");
    for (int i = 0; i < expected.length; i++) {
      assertEquals(expected[i], actual[i], 1e-5, "element " + i);
    }
  }

  /** Channel {@code ch} of x convolved with its own kernel slice, by the ordinary conv2d. */
  private static Tensor perChannel(Tensor x, Tensor kernel, int stride, boolean same,
      int dilation) {
    int channels = x.dim(3);
    Tensor[] outputs = new Tensor[channels];
    for (int ch = 0; ch < channels; ch++) {
      outputs[ch] = x.slice(3, ch, ch + 1).conv2d(kernel.slice(2, ch, ch + 1), stride, stride,
          same, dilation, dilation);
    }
    return Tensor.concat(3, outputs); // channel ch * multiplier + m, as Keras orders them
  }

  @Test
  void depthwiseConv2dEqualsOneConv2dPerChannel() {
    Tensor x = Tensor.uniform(rng, -1f, 1f, 2, 7, 6, 3);
    Tensor k = Tensor.uniform(rng, -1f, 1f, 3, 2, 3, 2);
    for (boolean same : new boolean[] {false, true}) {
      assertClose(perChannel(x, k, 2, same, 1).toFloatArray(),
          x.depthwiseConv2d(k, 2, 2, same, 1, 1).toFloatArray());
      assertClose(perChannel(x, k, 1, same, 2).toFloatArray(),
          x.depthwiseConv2d(k, 1, 1, same, 2, 2).toFloatArray());
    }
  }

  @Test
  void depthwiseAndSeparableHarness() throws Exception {
    LayerHarness.check(new DepthwiseConv2D(2, 2, "tanh"), new int[] {4, 3, 2}, 2 * 2 * 2 + 2);
    LayerHarness.check(new DepthwiseConv2D(new DepthwiseConv2D.Config(null, true, List.of(3, 3),
        List.of(2, 2), "same", 2, List.of(1, 1), "linear", false, "he_uniform", "zeros")),
        new int[] {5, 4, 2}, 3 * 3 * 2 * 2);
    LayerHarness.check(new SeparableConv2D(3, 2, 2, "tanh"), new int[] {4, 4, 2},
        2 * 2 * 2 + 2 * 3 + 3);
  }

  @Test
  void separableConv2dIsDepthwiseThenPointwise() {
    SeparableConv2D sep = new SeparableConv2D(new SeparableConv2D.Config(null, true, 4,
        List.of(3, 3), List.of(1, 1), "same", 2, List.of(1, 1), "linear", true, "glorot_uniform",
        "glorot_uniform", "random_uniform"));
    sep.name("sep");
    sep.build(new int[] {5, 5, 3}, rng);
    assertArrayEquals(new int[] {3, 3, 3, 2}, sep.weights().get("depthwise_kernel").shape());
    assertArrayEquals(new int[] {1, 1, 6, 4}, sep.weights().get("pointwise_kernel").shape());
    Tensor x = Tensor.uniform(rng, -1f, 1f, 2, 5, 5, 3);
    Tensor expected = perChannel(x, sep.weights().get("depthwise_kernel"), 1, true, 1)
        .conv2d(sep.weights().get("pointwise_kernel"), 1, 1, false, 1, 1)
        .add(sep.weights().get("bias"));
    assertClose(expected.toFloatArray(), sep.apply(x, false).toFloatArray());
  }

  @Test
  void depthwiseLayersExplainBadConfigs() {
    LeptonException multiplier = assertThrows(LeptonException.class,
        () -> new DepthwiseConv2D(new DepthwiseConv2D.Config(null, true, List.of(3, 3),
            List.of(1, 1), "valid", 0, List.of(1, 1), "linear", true, "glorot_uniform", "zeros")));
    assertTrue(multiplier.getMessage().contains("depth_multiplier=0"), multiplier.getMessage());
    LeptonException rank = assertThrows(LeptonException.class,
        () -> new SeparableConv2D(2, 3, 3, "relu").outputShape(new int[] {28, 28}));
    assertTrue(rank.getMessage().contains("SeparableConv2D expects [batch, height, width, "
        + "channels]"), rank.getMessage());
    LeptonException kernel = assertThrows(LeptonException.class,
        () -> Tensor.zeros(1, 4, 4, 3).depthwiseConv2d(Tensor.zeros(2, 2, 2, 1), 1, 1, false, 1,
            1));
    assertTrue(kernel.getMessage().startsWith("depthwiseConv2d: expected input [batch, h, w, c] "
        + "and kernel [kh, kw, c, multiplier]"), kernel.getMessage());
  }
}
