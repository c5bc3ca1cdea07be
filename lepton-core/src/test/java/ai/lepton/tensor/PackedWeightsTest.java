package ai.lepton.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.SplittableRandom;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * A weight used at inference keeps its packed copy for the GEMM: the products are bit for bit
 * those of the plain path, and every in-place change of the weight makes the next product pack
 * again.
 */
class PackedWeightsTest {
  private final SplittableRandom rng = new SplittableRandom(11);

  private Tensor weight(int... shape) {
    return Tensor.uniform(rng, -0.1f, 0.1f, shape).requiresGrad(true);
  }

  /** {@code x · w} at inference, where w may use its kept pack. */
  private static Tensor infer(Tensor x, Tensor w) {
    try (var scope = Tensor.noGrad()) {
      return x.matmul(w);
    }
  }

  private static void assertSameBits(Tensor expected, Tensor actual, String what) {
    float[] e = expected.toFloatArray();
    float[] a = actual.toFloatArray();
    assertEquals(e.length, a.length, what);
    for (int i = 0; i < e.length; i++) {
      assertEquals(Float.floatToRawIntBits(e[i]), Float.floatToRawIntBits(a[i]),
          what + " at " + i + ": " + e[i] + " vs " + a[i]);
    }
  }

  @Test
  void aWeightIsPackedOnceAtInferenceAndGivesThePlainProductsBits() {
    Tensor w = weight(784, 256); // the MLP's first layer
    Tensor x = Tensor.uniform(rng, 0f, 1f, 64, 784);
    Tensor first = infer(x, w);
    float[] pack = w.keptPack();
    assertNotNull(pack, "a batch-64 product at inference keeps the packed weight");
    // a detached copy is not a parameter: the plain GEMM, packing B inside
    assertSameBits(x.matmul(w.detach()), first, "packed vs plain");
    Tensor again = infer(Tensor.uniform(rng, 0f, 1f, 64, 784), w);
    assertSame(pack, w.keptPack(), "the second product reuses the pack");
    assertEquals(64 * 256, again.size());
  }

  /**
   * {@code linear} and {@code linearRelu} give the bits of {@code matmul(w).add(b)} and its ReLU,
   * at inference (bias and ReLU applied as the tiles are written) and recorded, for the shapes of
   * every product path: panels, one vector of columns, few rows, a rank-3 input. NaN stays NaN.
   */
  @Test
  void linearGivesTheBitsOfMatmulAddRelu() {
    // panels, one vector of columns, few rows, panels again, more rows than columns (B packed
    // whole per call by gemm), and rows beyond a row block
    int[][] shapes = {{64, 784, 256}, {13, 30, 10}, {5, 40, 70}, {37, 100, 300}, {121, 288, 64},
        {300, 600, 130}};
    for (int[] s : shapes) {
      Tensor w = weight(s[1], s[2]);
      Tensor b = weight(s[2]);
      Tensor x = Tensor.uniform(rng, -1f, 1f, s[0], s[1]);
      float[] values = x.toFloatArray();
      values[3] = Float.NaN;
      x = Tensor.of(values, s[0], s[1]);
      Tensor plain = x.matmul(w.detach()).add(b.detach());
      String what = s[0] + "x" + s[1] + "x" + s[2];
      try (var scope = Tensor.noGrad()) {
        assertSameBits(plain, x.linear(w, b), "linear " + what);
        assertSameBits(plain.relu(), x.linearRelu(w, b), "linearRelu " + what);
        assertSameBits(x.matmul(w.detach()), x.linear(w, null), "linear without bias " + what);
        assertSameBits(plain.relu().reshape(1, s[0], s[2]),
            x.reshape(1, s[0], s[1]).linearRelu(w, b), "rank 3 " + what);
      }
      Tensor recorded = x.linearRelu(w, b);
      assertSameBits(plain.relu(), recorded, "recorded " + what);
      recorded.sum().backward();
      assertNotNull(w.grad(), "the kernel's gradient " + what);
      assertNotNull(b.grad(), "the bias's gradient " + what);
    }
  }

  /**
   * A convolution layer's call at inference reads its kernel's kept pack (the served CNN's conv2,
   * 121 x 288 by 288 x 64 at batch 1) and gives the bits of the recorded conv2d, add and relu.
   */
  @Test
  void aConvolutionKernelIsPackedOnceAtInferenceAndGivesTheRecordedOpsBits() {
    Tensor kernel = weight(3, 3, 32, 64);
    Tensor bias = weight(64);
    for (int batch : new int[] {1, 8}) {
      Tensor x = Tensor.uniform(rng, 0f, 1f, batch, 13, 13, 32);
      Tensor recorded = x.conv2d(kernel, 1, 1, false, 1, 1).add(bias).relu();
      Tensor inferred;
      try (var scope = Tensor.noGrad()) {
        inferred = x.conv2d(kernel, bias, true, 1, 1, false, 1, 1);
      }
      assertSameBits(recorded, inferred, "conv2 at batch " + batch);
    }
    float[] pack = kernel.keptPack();
    assertNotNull(pack, "inference keeps the kernel's pack");
    try (var scope = Tensor.noGrad()) {
      Tensor.uniform(rng, 0f, 1f, 1, 13, 13, 32).conv2d(kernel, bias, true, 1, 1, false, 1, 1);
    }
    assertSame(pack, kernel.keptPack(), "the next call reuses the pack");
  }

  @Test
  void aPackKeptOnOneKindOfBackendIsNotReadOnAnother() {
    Tensor w = weight(784, 256);
    Tensor x = Tensor.uniform(rng, 0f, 1f, 64, 784);
    Tensor vector = infer(x, w);
    assertNotNull(w.keptPack());
    try (ComputeContext reference = ComputeContext.reference();
        var scope = reference.enter()) {
      Tensor plain = x.matmul(w.detach());
      assertSameBits(plain, infer(x, w), "the reference backend's product of a weight packed for"
          + " the vector backend");
    }
    assertSameBits(vector, infer(x, w), "back on the vector backend");
  }

  @Test
  void trainingProductsKeepNoPack() {
    Tensor w = weight(784, 256);
    Tensor x = Tensor.uniform(rng, 0f, 1f, 64, 784);
    x.matmul(w).sum().backward(); // recorded: the weight is about to change
    assertNull(w.keptPack());
    assertNotNull(w.grad());
  }

  @Test
  void everyInPlaceChangeOfTheWeightMakesTheNextProductPackAgain() {
    Tensor x = Tensor.uniform(rng, 0f, 1f, 32, 300);
    Tensor other = Tensor.uniform(rng, -1f, 1f, 300, 512);
    Tensor state = Tensor.uniform(rng, 0f, 1f, 300, 512);
    @SuppressWarnings("unchecked")
    Consumer<Tensor>[] changes = new Consumer[] {
        (Consumer<Tensor>) t -> t.assign(other),
        (Consumer<Tensor>) t -> t.addInPlace(other, 0.5f),
        (Consumer<Tensor>) t -> t.mulInPlace(-2f),
        (Consumer<Tensor>) t -> t.lerpInPlace(other, 0.25f),
        (Consumer<Tensor>) t -> t.adaptiveUpdateInPlace(other, null, state.detach(), 0f, 0.9f,
            -0.01f, 1e-7f, 0f),
        // writes through views, which share the weight's values
        (Consumer<Tensor>) t -> t.reshape(-1).assign(other.reshape(-1)),
        (Consumer<Tensor>) t -> t.detach().mulInPlace(-2f),
        (Consumer<Tensor>) t -> t.reshape(512, 300).detach().addInPlace(other.reshape(512, 300),
            1f)};
    for (int i = 0; i < changes.length; i++) {
      Tensor w = weight(300, 512);
      infer(x, w);
      float[] before = w.keptPack();
      assertNotNull(before);
      changes[i].accept(w);
      Tensor after = infer(x, w);
      assertSameBits(x.matmul(w.detach()), after, "change " + i);
      assertNotSame(before, w.keptPack(), "change " + i + " packs again");
    }
  }

  @Test
  void aRecurrentKernelIsPackedOnceAtInferenceWithTheSameResult() {
    int units = 16;
    Tensor u = weight(units, 4 * units);
    Tensor projections = Tensor.uniform(rng, -1f, 1f, 3, 5, 4 * units);
    Tensor fresh = projections.lstmRecurrence(u.detach(), null, null, null);
    Tensor kept;
    try (var scope = Tensor.noGrad()) {
      kept = projections.lstmRecurrence(u, null, null, null);
    }
    assertSameBits(fresh, kept, "lstm with a kept pack");
    float[] pack = u.keptPack();
    assertNotNull(pack);
    u.mulInPlace(0.5f);
    try (var scope = Tensor.noGrad()) {
      kept = projections.lstmRecurrence(u, null, null, null);
    }
    assertSameBits(projections.lstmRecurrence(u.detach(), null, null, null), kept,
        "lstm after the kernel changed");
    assertNotSame(pack, u.keptPack());
  }
}
