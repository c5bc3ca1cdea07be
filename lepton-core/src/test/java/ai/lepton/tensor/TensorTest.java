package ai.lepton.tensor;

import static ai.lepton.LeptonAssertions.assertFailsWith;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.lepton.LeptonException;
import org.junit.jupiter.api.Test;

class TensorTest {
  private static final float NAN = Float.NaN;
  private static final float INF = Float.POSITIVE_INFINITY;

  /**
   * pow and its gradient where implementations differ: zeros of both signs, negative bases,
   * infinities, NaN. The expected values are what PyTorch 1.13 gives for float32
   * ({@code torch.tensor([x]).pow(p)} and {@code x.grad} after {@code backward}); it takes the
   * exponents 1/2 and -1/2 as square roots, so (-0)^(1/2) is -0 and (-infinity)^(1/2) is NaN.
   * A zero gradient's sign is not compared: gradients accumulate into +0.
   */
  @Test
  void powMatchesPyTorchOnSpecialValues() {
    float[] x = {0f, -0f, -2f, 0.5f, NAN, INF, -INF};
    Object[][] cases = { // exponent, x^p for each x, d/dx for each x
        {0f, new float[] {1f, 1f, 1f, 1f, 1f, 1f, 1f}, new float[] {0f, 0f, 0f, 0f, 0f, 0f, 0f}},
        {1f, new float[] {0f, -0f, -2f, 0.5f, NAN, INF, -INF},
            new float[] {1f, 1f, 1f, 1f, 1f, 1f, 1f}},
        {2f, new float[] {0f, 0f, 4f, 0.25f, NAN, INF, INF},
            new float[] {0f, -0f, -4f, 1f, NAN, INF, -INF}},
        {3f, new float[] {0f, -0f, -8f, 0.125f, NAN, INF, -INF},
            new float[] {0f, 0f, 12f, 0.75f, NAN, INF, INF}},
        {0.5f, new float[] {0f, -0f, NAN, 0.70710677f, NAN, INF, NAN},
            new float[] {INF, -INF, NAN, 0.70710677f, NAN, 0f, NAN}},
        {-0.5f, new float[] {INF, -INF, NAN, 1.4142135f, NAN, 0f, NAN},
            new float[] {-INF, -INF, NAN, -1.4142135f, NAN, -0f, -0f}},
        {-1f, new float[] {INF, -INF, -0.5f, 2f, NAN, 0f, -0f},
            new float[] {-INF, -INF, -0.25f, -4f, NAN, -0f, -0f}},
        {-1.5f, new float[] {INF, INF, NAN, 2.828427f, NAN, 0f, 0f},
            new float[] {-INF, -INF, NAN, -8.485281f, NAN, -0f, -0f}},
        {2.5f, new float[] {0f, 0f, NAN, 0.17677669f, NAN, INF, INF},
            new float[] {0f, 0f, NAN, 0.8838835f, NAN, INF, INF}}};
    for (Object[] c : cases) {
      float p = (float) c[0];
      float[] values = (float[]) c[1];
      float[] grads = (float[]) c[2];
      for (int i = 0; i < x.length; i++) {
        Tensor in = Tensor.of(new float[] {x[i]}, 1).requiresGrad(true);
        Tensor out = in.pow(p);
        out.sum().backward();
        String at = "(" + x[i] + ")^" + p;
        assertEquals(values[i], out.item(), at); // exact, sign of zero included
        assertEquals(grads[i], in.grad().item(), 0f, "d/dx " + at);
      }
    }
  }

  @Test
  void ofCopiesItsArrayAndWrapSharesIt() {
    float[] values = {1f, 2f, 3f, 4f};
    Tensor copied = Tensor.of(values, 2, 2);
    Tensor wrapped = Tensor.wrap(values, 2, 2);
    values[3] = 9f;
    assertEquals(4f, copied.get(1, 1));
    assertEquals(9f, wrapped.get(1, 1));
    assertEquals(15f, wrapped.sum().item(), "ops read the shared values");
    assertFailsWith("Tensor.wrap: shape [3, 2] holds 6 elements but 4 values were given",
        () -> Tensor.wrap(values, 3, 2));
    assertFailsWith("Tensor.wrap", () -> Tensor.wrap(null, 2, 2));
  }

  /** The derivative p x^(p-1) with p - 1 in double: in float, 1e-8 - 1 rounds to -1. */
  @Test
  void powGradientKeepsATinyExponentsDigits() {
    Tensor in = Tensor.of(new float[] {1e20f}, 1).requiresGrad(true);
    in.pow(1e-8f).sum().backward();
    double expected = 1e-8f * Math.pow(1e20f, 1e-8f - 1.0);
    assertEquals(expected, in.grad().item(), 1e-7 * expected);
  }

  @Test
  void broadcastAddsABiasRowToEveryRow() {
    Tensor x = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
    Tensor b = Tensor.of(new float[] {10, 20, 30}, 3);
    assertArrayEquals(new float[] {11, 22, 33, 14, 25, 36}, x.add(b).toFloatArray());
  }

  @Test
  void broadcastsAColumnAgainstARow() {
    Tensor col = Tensor.of(new float[] {1, 2}, 2, 1);
    Tensor row = Tensor.of(new float[] {10, 20, 30}, 1, 3);
    Tensor s = col.mul(row);
    assertArrayEquals(new int[] {2, 3}, s.shape());
    assertArrayEquals(new float[] {10, 20, 30, 20, 40, 60}, s.toFloatArray());
  }

  @Test
  void linearNamesMismatchedKernelAndBiasShapes() {
    Tensor x = Tensor.zeros(2, 3);
    assertFailsWith("[2, 3] x [4, 5]", () -> x.linear(Tensor.zeros(4, 5), null));
    assertFailsWith("pass a 2-D kernel", () -> x.linearRelu(Tensor.zeros(3), null));
    assertFailsWith("the bias must be [5] for a [3, 5] kernel, received [3]",
        () -> x.linear(Tensor.zeros(3, 5), Tensor.zeros(3)));
  }

  @Test
  void conv2dWithBiasAndReluGivesTheBitsAndGradientsOfTheSeparateOps() {
    java.util.SplittableRandom rng = new java.util.SplittableRandom(7);
    Tensor x = Tensor.uniform(rng, -1, 1, 2, 9, 8, 3);
    Tensor kernel = Tensor.uniform(rng, -1, 1, 3, 3, 3, 16).requiresGrad(true);
    Tensor bias = Tensor.uniform(rng, -1, 1, 16).requiresGrad(true);
    for (boolean same : new boolean[] {false, true}) {
      for (boolean relu : new boolean[] {false, true}) {
        Tensor separate = x.conv2d(kernel, 2, 1, same, 1, 2).add(bias);
        separate = relu ? separate.relu() : separate;
        float[] expected = separate.toFloatArray();
        try (Tensor.NoGradScope ignored = Tensor.noGrad()) { // in place, on a scratch buffer
          Tensor y = x.conv2d(kernel, bias, relu, 2, 1, same, 1, 2);
          assertArrayEquals(separate.shape(), y.shape());
          assertArrayEquals(expected, y.toFloatArray(), "same=" + same + " relu=" + relu);
          assertArrayEquals(x.conv2d(kernel, 2, 1, same, 1, 2).toFloatArray(),
              x.conv2d(kernel, null, false, 2, 1, same, 1, 2).toFloatArray());
        }
        // recorded: the separate ops, so the same gradients
        separate.sum().backward();
        float[] kernelGrad = kernel.grad().toFloatArray();
        float[] biasGrad = bias.grad().toFloatArray();
        kernel.zeroGrad();
        bias.zeroGrad();
        x.conv2d(kernel, bias, relu, 2, 1, same, 1, 2).sum().backward();
        assertArrayEquals(kernelGrad, kernel.grad().toFloatArray());
        assertArrayEquals(biasGrad, bias.grad().toFloatArray());
        kernel.zeroGrad();
        bias.zeroGrad();
      }
    }
    assertFailsWith("the bias must be [16] for a [3, 3, 3, 16] kernel, received [3]",
        () -> x.conv2d(kernel, Tensor.zeros(3), true, 1, 1, false, 1, 1));
  }

  @Test
  void shapeMismatchNamesTheOpBothShapesAndAFix() {
    Tensor a = Tensor.zeros(2, 3);
    Tensor b = Tensor.zeros(4);
    LeptonException e = assertThrows(LeptonException.class, () -> a.add(b));
    assertTrue(e.getMessage().contains("add"), e.getMessage());
    assertTrue(e.getMessage().contains("[2, 3]") && e.getMessage().contains("[4]"), e.getMessage());
    assertTrue(e.getMessage().contains("reshape"), e.getMessage());
  }

  @Test
  void matmulMultipliesMatrices() {
    Tensor a = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
    Tensor b = Tensor.of(new float[] {7, 8, 9, 10, 11, 12}, 3, 2);
    assertArrayEquals(new float[] {58, 64, 139, 154}, a.matmul(b).toFloatArray());
    assertArrayEquals(new float[] {58, 64, 139, 154},
        a.transpose().matmul(b, true, false).toFloatArray());
    assertArrayEquals(new float[] {58, 64, 139, 154},
        a.matmul(b.transpose(), false, true).toFloatArray());
  }

  @Test
  void matmulInnerDimensionMismatchIsExplained() {
    LeptonException e = assertThrows(LeptonException.class,
        () -> Tensor.zeros(2, 3).matmul(Tensor.zeros(4, 5)));
    assertTrue(e.getMessage().contains("inner dimensions are 3 and 4"), e.getMessage());
  }

  @Test
  void softmaxRowsSumToOneEvenForHugeLogits() {
    Tensor x = Tensor.of(new float[] {1000, 1001, 1002, -5, 0, 5}, 2, 3);
    float[] p = x.softmax(-1).toFloatArray();
    assertEquals(1.0, p[0] + p[1] + p[2], 1e-6);
    assertEquals(1.0, p[3] + p[4] + p[5], 1e-6);
    float[] lp = x.logSoftmax(-1).toFloatArray();
    assertEquals(Math.log(p[2]), lp[2], 1e-4); // float32 ulp at 1000 is 6e-5
    assertFalse(Float.isNaN(lp[0]));
  }

  @Test
  void gradientsAccumulateUntilZeroed() {
    Tensor w = Tensor.of(new float[] {2}, 1).requiresGrad(true);
    w.mul(w).sum().backward();
    w.mul(w).sum().backward();
    assertArrayEquals(new float[] {8}, w.grad().toFloatArray());
    w.zeroGrad();
    assertNull(w.grad());
    // the recycled storage starts from zero again
    w.mul(w).mul(w).sum().backward();
    assertArrayEquals(new float[] {12}, w.grad().toFloatArray());
  }

  @Test
  void inPlaceUpdatesForOptimizers() {
    Tensor p = Tensor.of(new float[] {1, 2}, 2);
    p.mulInPlace(3f);
    p.addInPlace(Tensor.of(new float[] {1, 1}, 2), -0.5f);
    assertArrayEquals(new float[] {2.5f, 5.5f}, p.toFloatArray());
    p.lerpInPlace(Tensor.of(new float[] {4.5f, 9.5f}, 2), 0.5f);
    assertArrayEquals(new float[] {3.5f, 7.5f}, p.toFloatArray());
    Tensor v = Tensor.of(new float[] {4, 0}, 2);
    Tensor m = Tensor.of(new float[] {0, 2}, 2);
    // m -> m + 0.5 (g - m) = {1, 2}; v -> v + 0.25 (g^2 - v) = {4, 1}; p += -1 * m / sqrt(v)
    p.adaptiveUpdateInPlace(Tensor.of(new float[] {2, 2}, 2), m, v, 0.5f, 0.75f, -1f, 0f, 0f);
    assertArrayEquals(new float[] {1, 2}, m.toFloatArray());
    assertArrayEquals(new float[] {4, 1}, v.toFloatArray());
    assertArrayEquals(new float[] {3f, 5.5f}, p.toFloatArray());
    assertFailsWith("addInPlace: shapes [2] and [3] do not match",
        () -> p.addInPlace(Tensor.zeros(3), 1f));
  }

  @Test
  void noGradScopeRecordsNoGraph() {
    Tensor w = Tensor.ones(3).requiresGrad(true);
    try (var scope = Tensor.noGrad()) {
      Tensor y = w.mul(w);
      assertFalse(y.requiresGrad());
    }
    assertTrue(w.mul(w).requiresGrad());
  }

  @Test
  void opsOnPlainTensorsKeepNoGraph() {
    Tensor y = Tensor.ones(3).exp().sum();
    assertFalse(y.requiresGrad());
    assertFailsWith("this tensor does not require gradients", y::backward);
  }

  @Test
  void reductionsAlongAxes() {
    Tensor x = Tensor.of(new float[] {1, 5, 3, 4, 2, 6}, 2, 3);
    assertArrayEquals(new float[] {5, 7, 9}, x.sum(0, false).toFloatArray());
    assertArrayEquals(new float[] {3, 4}, x.mean(1, false).toFloatArray());
    assertArrayEquals(new float[] {5, 6}, x.max(1, false).toFloatArray());
    assertArrayEquals(new float[] {1, 2}, x.argmax(1).toFloatArray());
    assertArrayEquals(new int[] {2, 1}, x.sum(1, true).shape());
  }

  @Test
  void shapeOps() {
    Tensor x = Tensor.of(new float[] {0, 1, 2, 3, 4, 5}, 2, 3);
    assertArrayEquals(new float[] {0, 3, 1, 4, 2, 5}, x.transpose().toFloatArray());
    assertArrayEquals(new float[] {1, 2, 4, 5}, x.slice(1, 1, 3).toFloatArray());
    assertArrayEquals(new float[] {3, 4, 5, 0, 1, 2, 3, 4, 5},
        x.gather(0, new int[] {1, 0, 1}).toFloatArray());
    Tensor c = Tensor.concat(1, x, x.slice(1, 0, 1));
    assertArrayEquals(new float[] {0, 1, 2, 0, 3, 4, 5, 3}, c.toFloatArray());
    Tensor s = Tensor.stack(0, x, x);
    assertArrayEquals(new int[] {2, 2, 3}, s.shape());
    assertArrayEquals(new int[] {3, 2}, x.reshape(-1, 2).shape());
    Tensor p = Tensor.zeros(2, 3, 4).permute(2, 0, 1);
    assertArrayEquals(new int[] {4, 2, 3}, p.shape());
  }

  @Test
  void avgPoolWithSamePaddingAveragesOnlyCellsInsideTheImage() {
    // 3x3 image, 2x2 windows, stride 2, same padding: windows at the right and bottom edges are cut
    Tensor x = Tensor.of(new float[] {1, 2, 3, 4, 5, 6, 7, 8, 9}, 1, 3, 3, 1);
    assertArrayEquals(new float[] {3, 4.5f, 7.5f, 9}, x.avgPool2d(2, 2, 2, 2, true).toFloatArray());
    assertArrayEquals(new float[] {5, 6, 8, 9}, x.maxPool2d(2, 2, 1, 1, false).toFloatArray());
    LeptonException big = assertThrows(LeptonException.class, () -> x.avgPool2d(4, 4, 1, 1, false));
    assertTrue(big.getMessage().startsWith("avgPool2d: a 4x4 window does not fit"), big.getMessage());
  }

  @Test
  void oneHotRejectsLabelsOutsideTheClasses() {
    Tensor oh = Tensor.oneHot(Tensor.of(new float[] {2, 0}, 2), 3);
    assertArrayEquals(new float[] {0, 0, 1, 1, 0, 0}, oh.toFloatArray());
    LeptonException e = assertThrows(LeptonException.class,
        () -> Tensor.oneHot(Tensor.of(new float[] {3}, 1), 3));
    assertTrue(e.getMessage().contains("label 3.0"), e.getMessage());
  }
}
