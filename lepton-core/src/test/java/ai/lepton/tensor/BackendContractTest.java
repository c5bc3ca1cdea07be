package ai.lepton.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The conformance suite every {@link Backend} passes. Each method is checked against a
 * straightforward expectation written here (double-precision loops or {@link Math}), and every
 * backend is additionally compared with {@link ReferenceBackend}, over awkward sizes that hit
 * vector tails, register-tile edges and block edges.
 */
abstract class BackendContractTest {
  /** Sizes around vector widths (8, 16), tile edges (8 x 32) and the parallel threshold. */
  private static final int[] SIZES = {1, 7, 17, 31, 33, 65, 129};

  private final SplittableRandom rng = new SplittableRandom(7);
  private final ReferenceBackend reference = new ReferenceBackend();

  abstract Backend backend();

  private float[] random(int n, float lo, float hi) {
    float[] x = new float[n];
    for (int i = 0; i < n; i++) {
      x[i] = (float) rng.nextDouble(lo, hi);
    }
    return x;
  }

  private static void assertClose(float[] expected, float[] actual, double tol, String what) {
    assertEquals(expected.length, actual.length, what + ": length");
    for (int i = 0; i < expected.length; i++) {
      double e = expected[i];
      double a = actual[i];
      if (Double.isNaN(e) || Double.isNaN(a)) {
        if (Double.isNaN(e) != Double.isNaN(a)) {
          fail(what + ": at " + i + " expected " + e + " but was " + a);
        }
        continue;
      }
      if (Math.abs(e - a) > tol * Math.max(1.0, Math.abs(e))) {
        fail(what + ": at " + i + " expected " + e + " but was " + a);
      }
    }
  }

  @Test
  void gemmWithPackedBMatchesTheDefinition() {
    int[][] shapes = {{1, 1, 1}, {7, 17, 33}, {32, 512, 128}, {33, 129, 65}, {64, 31, 0}, {129, 7, 9}};
    for (int[] s : shapes) {
      int m = s[0];
      int n = s[1];
      int k = s[2];
      float[] a = random(3 + m * k, -1f, 1f);
      float[] b = random(k * n, -1f, 1f);
      float[] packed = backend().packB(b, k, n);
      for (boolean acc : new boolean[] {false, true}) {
        float[] c = random(m * n + 5, -1f, 1f);
        float[] expected = expectedGemm(false, false, m, n, k, a, 3, b, 0, c, 5, acc);
        backend().gemmPackedB(m, n, k, a, 3, packed, null, false, c, 5, acc);
        assertClose(expected, c, 1e-5, "gemmPackedB " + m + "x" + n + "x" + k + " acc=" + acc);
      }
    }
  }

  @Test
  void whereAPackedBMatchesGemmItGivesTheSameBits() {
    // MLP 784-256-128-10 layers at inference batches, Transformer and LSTM shapes, block edges
    int[][] shapes = {{64, 256, 784}, {64, 128, 256}, {64, 10, 128}, {8, 256, 784},
        {16, 512, 300}, {127, 129, 257}, {128, 512, 600}, {129, 256, 784}, {1, 256, 784},
        {7, 33, 65}, {32, 64, 32}, {40, 96, 20}, {100, 200, 9000}};
    int matching = 0;
    for (int[] s : shapes) {
      int m = s[0];
      int n = s[1];
      int k = s[2];
      if (!backend().packedBMatchesGemm(m, n, k)) {
        continue;
      }
      matching++;
      float[] a = random(m * k, -1f, 1f);
      float[] b = random(k * n, -1f, 1f);
      float[] plain = new float[m * n];
      backend().gemm(false, false, m, n, k, a, 0, b, 0, plain, 0, false);
      float[] packed = new float[m * n];
      backend().gemmPackedB(m, n, k, a, 0, backend().packB(b, k, n), null, false, packed, 0, false);
      for (int i = 0; i < plain.length; i++) {
        assertEquals(Float.floatToRawIntBits(plain[i]), Float.floatToRawIntBits(packed[i]),
            "gemmPackedB vs gemm " + m + "x" + n + "x" + k + " at " + i);
      }
    }
    // the MLP's first two layers at batch 64 are where a packed weight pays (docs/benchmarks.md)
    assertTrue(backend().packedBMatchesGemm(64, 256, 784) && matching >= 3,
        "packedBMatchesGemm is false for the MLP's batch-64 products");
  }

  // ---------------------------------------------------------------- forEachRange

  @Test
  void rangesCoverEveryIndexOnceAndAreNoShorterThanTheGrain() {
    for (int n : new int[] {0, 1, 15, 16, 40, 64, 1000}) {
      for (int grain : new int[] {1, 16, 100}) {
        int[] hits = new int[n];
        List<int[]> ranges = Collections.synchronizedList(new ArrayList<>());
        backend().forEachRange(n, grain, (from, to) -> {
          ranges.add(new int[] {from, to});
          for (int i = from; i < to; i++) {
            synchronized (hits) {
              hits[i]++;
            }
          }
        });
        for (int i = 0; i < n; i++) {
          assertEquals(1, hits[i], "n=" + n + ", grain=" + grain + ": index " + i);
        }
        for (int[] r : ranges) {
          assertTrue(r[1] > r[0] && r[1] - r[0] >= Math.min(grain, n),
              "n=" + n + ", grain=" + grain + ": range [" + r[0] + ", " + r[1] + ")");
        }
      }
    }
  }

  // ---------------------------------------------------------------- gemm

  /** op(A) x op(B) in double, written straight from the definition in {@link Backend#gemm}. */
  private static float[] expectedGemm(boolean tA, boolean tB, int m, int n, int k,
      float[] a, int aOff, float[] b, int bOff, float[] c0, int cOff, boolean acc) {
    float[] c = c0.clone();
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < n; j++) {
        double s = 0;
        for (int p = 0; p < k; p++) {
          s += (double) (tA ? a[aOff + p * m + i] : a[aOff + i * k + p])
              * (tB ? b[bOff + j * k + p] : b[bOff + p * n + j]);
        }
        int ci = cOff + i * n + j;
        c[ci] = (float) (acc ? c[ci] + s : s);
      }
    }
    return c;
  }

  private void checkGemm(boolean tA, boolean tB, int m, int n, int k, int off, boolean acc) {
    float[] a = random(off + m * k + 3, -1, 1);
    float[] b = random(off + k * n + 3, -1, 1);
    float[] c = random(off + m * n + 3, -1, 1);
    float[] expected = expectedGemm(tA, tB, m, n, k, a, off, b, off, c, off, acc);
    backend().gemm(tA, tB, m, n, k, a, off, b, off, c, off, acc);
    String what = "gemm tA=" + tA + " tB=" + tB + " m=" + m + " n=" + n + " k=" + k
        + " off=" + off + " acc=" + acc;
    // float accumulation over k terms of size <= 1: error grows like k * eps
    assertClose(expected, c, 1e-6 * (k + 8), what);
  }

  @Test
  void gemmMatchesTheDefinitionForAllTransposesAndAwkwardSizes() {
    for (boolean tA : new boolean[] {false, true}) {
      for (boolean tB : new boolean[] {false, true}) {
        for (int m : SIZES) {
          for (int n : SIZES) {
            checkGemm(tA, tB, m, n, SIZES[(m + n) % SIZES.length], 0, false);
          }
        }
      }
    }
  }

  @Test
  void gemmHonoursOffsetsAndAccumulateAndLeavesTheRestOfCAlone() {
    for (boolean tA : new boolean[] {false, true}) {
      for (boolean tB : new boolean[] {false, true}) {
        for (int[] s : new int[][] {{1, 1, 1}, {7, 33, 17}, {9, 31, 65}, {33, 17, 300}}) {
          checkGemm(tA, tB, s[0], s[1], s[2], 5, true);
          checkGemm(tA, tB, s[0], s[1], s[2], 5, false);
        }
      }
    }
  }

  @Test
  void gemmBlockEdgesAndMultiThreadedSizes() {
    // Larger than one packed block (k > 256, m > 128) and above the multi-threading threshold.
    for (int[] s : new int[][] {{129, 65, 257}, {200, 150, 300}, {64, 256, 784}, {1, 256, 784},
        {3, 600, 700}, {784, 256, 64}}) {
      checkGemm(false, false, s[0], s[1], s[2], 0, false);
      checkGemm(true, true, s[0], s[1], s[2], 0, true);
    }
  }

  @Test
  void gemmWithAShallowDepthIntoWholeColumnPanels() {
    // A convolution over few channels: the vector backend skips packing for k <= 32 when n is a
    // whole number of vector pairs; 101 and 37 rows leave partial groups of four.
    for (int[] s : new int[][] {{101, 64, 27}, {37, 32, 9}, {4000, 32, 1}, {64, 128, 32}}) {
      checkGemm(false, false, s[0], s[1], s[2], 0, false);
      checkGemm(false, false, s[0], s[1], s[2], 3, true);
    }
  }

  @Test
  void gemmWithASmallOutputOverALongDepthForAllTransposes() {
    // A convolution's kernel gradient: the vector backend splits k = 9,001 between threads (an odd
    // share each, ending inside a packed block) and sums their partial products.
    for (boolean tA : new boolean[] {false, true}) {
      for (boolean tB : new boolean[] {false, true}) {
        checkGemm(tA, tB, 27, 32, 9001, 2, false);
        checkGemm(tA, tB, 9, 45, 9001, 0, true);
      }
    }
  }

  @Test
  void gemmWithFewRowsAndManyColumnsForAllTransposes() {
    // n > m with m <= 128: the vector backend shares packed A and splits B's columns between
    // threads, cutting k into equal chunks (513 -> 3 x 171); odd m and n hit tile edges.
    for (boolean tA : new boolean[] {false, true}) {
      for (boolean tB : new boolean[] {false, true}) {
        for (int[] s : new int[][] {{37, 300, 513}, {8, 1000, 130}, {128, 129, 64}, {9, 40, 3}}) {
          checkGemm(tA, tB, s[0], s[1], s[2], 3, false);
          checkGemm(tA, tB, s[0], s[1], s[2], 3, true);
        }
      }
    }
  }

  @Test
  void gemmWithEmptyDepthZeroesOrKeepsC() {
    float[] c = {1, 2, 3, 4};
    backend().gemm(false, false, 2, 2, 0, new float[0], 0, new float[0], 0, c, 0, true);
    assertClose(new float[] {1, 2, 3, 4}, c, 0, "k=0 accumulate");
    backend().gemm(false, false, 2, 2, 0, new float[0], 0, new float[0], 0, c, 0, false);
    assertClose(new float[4], c, 0, "k=0 overwrite");
  }

  // ---------------------------------------------------------------- unary

  private static double expectedUnary(UnaryOp op, double v, double p1, double p2) {
    return switch (op) {
      case NEG -> -v;
      case EXP -> Math.exp(v);
      case LOG -> Math.log(v);
      case SQRT -> Math.sqrt(v);
      case ABS -> Math.abs(v);
      case RELU -> Math.max(v, 0);
      case LEAKY_RELU -> v > 0 ? v : p1 * v;
      case ELU -> v > 0 ? v : p1 * Math.expm1(v);
      case GELU -> 0.5 * v * (1 + ReferenceBackend.erf(v / Math.sqrt(2)));
      case SIGMOID -> 1 / (1 + Math.exp(-v));
      case TANH -> Math.tanh(v);
      case POW -> Math.pow(v, p1);
      case CLAMP -> Math.min(Math.max(v, p1), p2);
      case SOFTPLUS -> Math.log1p(Math.exp(v));
    };
  }

  @Test
  void unaryOpsMatchMathAndTheReference() {
    for (UnaryOp op : UnaryOp.values()) {
      for (int n : new int[] {1, 17, 129, 70_001}) {
        boolean positive = op == UnaryOp.LOG || op == UnaryOp.SQRT || op == UnaryOp.POW;
        float[] x = random(n, positive ? 0.01f : -8f, 8f);
        float[] out = new float[n];
        backend().unary(op, x, out, 0.3f, 2.5f);
        float[] expected = new float[n];
        for (int i = 0; i < n; i++) {
          expected[i] = (float) expectedUnary(op, x[i], 0.3f, 2.5f);
        }
        assertClose(expected, out, 1e-5, op + " n=" + n);
        float[] ref = new float[n];
        reference.unary(op, x, ref, 0.3f, 2.5f);
        assertClose(ref, out, 1e-5, op + " vs reference n=" + n);
      }
    }
  }

  /**
   * Reproducibility: an element's result is a function of its value alone, not of where it sits
   * (a vector lane or a loop's scalar tail, one thread's range or another's), so that splitting
   * work differently can never change a bit.
   */
  @Test
  void elementWiseResultsDoNotDependOnAnElementsPosition() {
    int n = 70_001; // split between threads, with a scalar tail
    float[] x = random(n, -8f, 8f);
    for (UnaryOp op : UnaryOp.values()) {
      float[] in = x.clone();
      if (op == UnaryOp.LOG || op == UnaryOp.SQRT || op == UnaryOp.POW) {
        for (int i = 0; i < n; i++) {
          in[i] = Math.abs(in[i]) + 0.01f;
        }
      }
      float[] out = new float[n];
      backend().unary(op, in, out, 0.3f, 2.5f);
      float[] y = out.clone();
      float[] g = random(n, -1f, 1f);
      float[] gradIn = new float[n];
      backend().unaryBackward(op, in, y, g, gradIn, 0.3f, 2.5f);
      for (int i = 0; i < n; i += i < n - 2 * 16 ? 97 : 1) { // a sample, and all of the tail
        float[] one = new float[1];
        backend().unary(op, new float[] {in[i]}, one, 0.3f, 2.5f);
        assertBits(out[i], one[0], op + "(" + in[i] + ") alone and at index " + i);
        float[] oneGrad = new float[1];
        backend().unaryBackward(op, new float[] {in[i]}, new float[] {y[i]}, new float[] {g[i]},
            oneGrad, 0.3f, 2.5f);
        assertBits(gradIn[i], oneGrad[0], op + "'(" + in[i] + ") alone and at index " + i);
      }
    }
    float[] p = random(n, -1, 1);
    float[] grad = random(n, -1, 1);
    float[] m = random(n, -0.1f, 0.1f);
    float[] v = random(n, 0, 0.1f);
    float[] p0 = p.clone();
    float[] m0 = m.clone();
    float[] v0 = v.clone();
    backend().adaptiveUpdate(p, grad, m, v, 0.9f, 0.999f, -0.01f, 1e-7f, 1e-8f);
    for (int i = n - 40; i < n; i++) {
      float[] pi = {p0[i]};
      float[] mi = {m0[i]};
      float[] vi = {v0[i]};
      backend().adaptiveUpdate(pi, new float[] {grad[i]}, mi, vi, 0.9f, 0.999f, -0.01f, 1e-7f,
          1e-8f);
      assertBits(p[i], pi[0], "adaptive update of parameter " + i + " alone and in the array");
      assertBits(m[i], mi[0], "first moment " + i + " alone and in the array");
      assertBits(v[i], vi[0], "second moment " + i + " alone and in the array");
    }
  }

  private static void assertBits(float expected, float actual, String what) {
    if (Float.floatToIntBits(expected) != Float.floatToIntBits(actual)) {
      fail(what + ": " + expected + " vs " + actual);
    }
  }

  @Test
  void allFiniteFindsOneNaNOrInfinityAnywhere() {
    for (int n : new int[] {1, 15, 16, 33, 50_176}) {
      float[] x = random(n, -3e38f, 3e38f); // huge but finite values: x - x is still 0
      x[n - 1] = Float.MAX_VALUE;
      x[0] = -Float.MAX_VALUE;
      assertTrue(backend().allFinite(x), "all finite, n=" + n);
      for (float bad : new float[] {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY}) {
        for (int at : new int[] {0, n / 2, n - 1}) {
          float[] y = x.clone();
          y[at] = bad;
          assertTrue(!backend().allFinite(y), bad + " at " + at + " of " + n);
        }
      }
    }
    assertTrue(backend().allFinite(new float[0]), "nothing is all finite");
  }

  @Test
  void everyUnaryOpPropagatesNaNAsPyTorchDoes() {
    // NaN at the start, inside a vector, and in the scalar tail; relu used to map it to 0
    int n = 70_001;
    int[] nans = {0, 5, 16, 33, 40_000, n - 1};
    for (UnaryOp op : UnaryOp.values()) {
      float[] x = random(n, 0.1f, 2f);
      for (int i : nans) {
        x[i] = Float.NaN;
      }
      float[] out = new float[n];
      backend().unary(op, x, out, 0.3f, 2.5f);
      for (int i : nans) {
        assertTrue(Float.isNaN(out[i]), op + "(NaN) at " + i + " gave " + out[i]);
      }
      float[] ref = new float[n];
      reference.unary(op, x, ref, 0.3f, 2.5f);
      assertClose(ref, out, 1e-5, op + " with NaN vs reference");
    }
  }

  /**
   * The transcendental ops on the values where implementations go wrong: the same NaNs,
   * infinities and signed zeros as the reference, and close values elsewhere (subnormal results
   * within a few of the smallest steps), GELU's far left tail included.
   */
  @Test
  void transcendentalOpsMatchTheReferenceOnSpecialValues() {
    float[] x = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 0f, -0f,
        Float.MIN_VALUE, -Float.MIN_VALUE, 1e-40f, -1e-40f, Float.MIN_NORMAL, 1e-30f, -1e-30f,
        1f, -1f, 0.5f, -0.5f, 20f, -20f, 88f, -88f, 89f, -89f, 104f, -104f, 1e30f, -1e30f,
        Float.MAX_VALUE, -Float.MAX_VALUE, 3e-8f, -3e-8f, 15f, -15f, -10f, -12f,
        3 * Float.MIN_VALUE, 5 * Float.MIN_VALUE};
    // not sigmoid: the vector one is 0 below -88.7, where the reference is still subnormal
    UnaryOp[] ops = {UnaryOp.EXP, UnaryOp.LOG, UnaryOp.ELU, UnaryOp.GELU, UnaryOp.TANH,
        UnaryOp.SOFTPLUS};
    for (UnaryOp op : ops) {
      float[] out = new float[x.length];
      backend().unary(op, x, out, 0.3f, 0f);
      float[] ref = new float[x.length];
      reference.unary(op, x, ref, 0.3f, 0f);
      for (int i = 0; i < x.length; i++) {
        String what = op + "(" + x[i] + ") = " + out[i] + " but the reference gives " + ref[i];
        if (Float.isNaN(ref[i]) || Float.isInfinite(ref[i]) || ref[i] == 0f) {
          assertBits(ref[i], out[i], what);
        } else if (Math.abs(out[i] - ref[i]) > 1e-5 * Math.abs(ref[i]) + 4 * Float.MIN_VALUE) {
          fail(what);
        }
      }
    }
  }

  @Test
  void reluStillMapsNegativeZeroAndInfinitiesAsBefore() {
    float[] x = {-0f, 0f, Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY, -1e-30f, 3f, -3f,
        Float.MIN_VALUE, -0f, 0f, -2f, 2f, -4f, 4f, -5f, 5f, -6f};
    float[] out = new float[x.length];
    backend().unary(UnaryOp.RELU, x, out, 0, 0);
    for (int i = 0; i < x.length; i++) {
      float expected = x[i] > 0f ? x[i] : 0f;
      assertEquals(Float.floatToRawIntBits(expected), Float.floatToRawIntBits(out[i]),
          "relu(" + x[i] + ") gave " + out[i]);
    }
  }

  @Test
  void unaryBackwardMatchesFiniteDifferencesAndAccumulates() {
    for (UnaryOp op : UnaryOp.values()) {
      for (int n : new int[] {1, 17, 129, 70_001}) {
        boolean positive = op == UnaryOp.LOG || op == UnaryOp.SQRT || op == UnaryOp.POW;
        float[] x = random(n, positive ? 0.5f : -3f, 3f);
        for (int i = 0; i < n; i++) {
          // keep finite differences off the kinks at 0, p1 and p2
          for (float kink : new float[] {0f, 0.3f, 2.5f}) {
            if (Math.abs(x[i] - kink) < 1e-2f) {
              x[i] = kink + 0.05f;
            }
          }
        }
        float[] y = new float[n];
        reference.unary(op, x, y, 0.3f, 2.5f);
        float[] g = random(n, -1, 1);
        float[] gradIn = random(n, -1, 1);
        float[] expected = gradIn.clone();
        for (int i = 0; i < n; i++) {
          double h = 1e-4;
          double d = (expectedUnary(op, x[i] + h, 0.3, 2.5) - expectedUnary(op, x[i] - h, 0.3, 2.5))
              / (2 * h);
          expected[i] += (float) (d * g[i]);
        }
        float[] ref = gradIn.clone();
        backend().unaryBackward(op, x, y, g, gradIn, 0.3f, 2.5f);
        reference.unaryBackward(op, x, y, g, ref, 0.3f, 2.5f);
        assertClose(ref, gradIn, 1e-5, op + "' vs reference n=" + n);
        assertClose(expected, gradIn, 2e-3, op + "' vs finite differences n=" + n);
      }
    }
  }

  // ---------------------------------------------------------------- binary

  @Test
  void binaryOpsWithEqualLengthsAndModuloBroadcast() {
    int[][] cases = {
        {1, 1, 1}, {33, 33, 33}, {70_000, 70_000, 70_000}, // same length, incl. parallel
        {7 * 33, 33, 7 * 33}, {7 * 33, 7 * 33, 33},        // bias row on either side
        {65, 65, 1}, {65, 1, 65},                          // scalar on either side
        {129 * 10, 129 * 10, 10}, {1000 * 300, 1000 * 300, 300}, {6, 2, 3}};
    for (BinaryOp op : BinaryOp.values()) {
      for (int[] s : cases) {
        float[] a = random(s[1], -2, 2);
        float[] b = random(s[2], -2, 2);
        if (op == BinaryOp.EQ || op == BinaryOp.GE) {
          for (int i = 0; i < Math.min(a.length, b.length); i += 3) {
            a[i] = b[i]; // make equality happen
          }
        }
        float[] out = new float[s[0]];
        backend().binary(op, a, b, out);
        float[] expected = new float[s[0]];
        for (int i = 0; i < s[0]; i++) {
          expected[i] = ReferenceBackend.apply(op, a[i % a.length], b[i % b.length]);
        }
        assertClose(expected, out, 1e-6, op + " " + java.util.Arrays.toString(s));
      }
    }
  }

  @Test
  void binaryMayWriteIntoAnOperand() {
    float[] a = random(100, -1, 1);
    float[] b = random(100, -1, 1);
    float[] expected = new float[100];
    for (int i = 0; i < 100; i++) {
      expected[i] = a[i] + b[i];
    }
    backend().binary(BinaryOp.ADD, a, b, a);
    assertClose(expected, a, 1e-6, "out == a");
  }

  @Test
  void maxAndMinPropagateNaN() {
    float[] a = random(40, -1, 1);
    float[] b = random(40, -1, 1);
    a[3] = Float.NaN;
    b[20] = Float.NaN;
    for (BinaryOp op : new BinaryOp[] {BinaryOp.MAX, BinaryOp.MIN}) {
      float[] out = new float[40];
      float[] ref = new float[40];
      backend().binary(op, a, b, out);
      reference.binary(op, a, b, ref);
      assertTrue(Float.isNaN(out[3]) && Float.isNaN(out[20]), op + " keeps NaN");
      assertClose(ref, out, 0, op.toString());
    }
  }

  // ---------------------------------------------------------------- reduce

  @Test
  void reduceOverEveryAxisLayout() {
    int[][] shapes = {{1, 1, 1}, {1, 129, 1}, {7, 33, 1}, {1, 17, 65}, {5, 31, 17}, {3, 7, 1},
        {300, 300, 1}, {1, 300, 300}, {2, 129, 300}};
    for (ReduceOp op : ReduceOp.values()) {
      for (int[] s : shapes) {
        int outer = s[0];
        int n = s[1];
        int inner = s[2];
        float[] x = random(outer * n * inner, -3, 3);
        float[] out = new float[outer * inner];
        backend().reduce(op, x, out, outer, n, inner);
        float[] expected = new float[outer * inner];
        for (int o = 0; o < outer; o++) {
          for (int in = 0; in < inner; in++) {
            double sum = 0;
            int best = 0;
            for (int j = 0; j < n; j++) {
              float v = x[(o * n + j) * inner + in];
              float bv = x[(o * n + best) * inner + in];
              sum += v;
              if (op == ReduceOp.MIN ? v < bv : v > bv) {
                best = j;
              }
            }
            expected[o * inner + in] = switch (op) {
              case SUM -> (float) sum;
              case ARGMAX -> best;
              case MAX, MIN -> x[(o * n + best) * inner + in];
            };
          }
        }
        assertClose(expected, out, 1e-5 * n, op + " " + java.util.Arrays.toString(s));
      }
    }
  }

  @Test
  void maxAndArgmaxReturnTheFirstNaNAsTheReferenceDoes() {
    float[] x = {1, Float.NaN, 5, Float.NaN, 2, 3};
    float[] out = new float[2];
    backend().reduce(ReduceOp.MAX, x, out, 2, 3, 1);
    assertTrue(Float.isNaN(out[0]) && Float.isNaN(out[1]), "max over NaN is NaN");
    backend().reduce(ReduceOp.ARGMAX, x, out, 2, 3, 1);
    assertClose(new float[] {1, 0}, out, 0, "argmax points at the NaN");
    backend().reduce(ReduceOp.MIN, x, out, 1, 6, 1);
    assertTrue(Float.isNaN(out[0]), "min over NaN is NaN");
  }

  // ---------------------------------------------------------------- softmax

  private static float[] expectedSoftmax(float[] x, int rows, int n, boolean log) {
    float[] out = new float[x.length];
    for (int r = 0; r < rows; r++) {
      double max = Double.NEGATIVE_INFINITY;
      for (int j = 0; j < n; j++) {
        max = Math.max(max, x[r * n + j]);
      }
      double sum = 0;
      for (int j = 0; j < n; j++) {
        sum += Math.exp(x[r * n + j] - max);
      }
      for (int j = 0; j < n; j++) {
        double v = x[r * n + j] - max;
        out[r * n + j] = (float) (log ? v - Math.log(sum) : Math.exp(v) / sum);
      }
    }
    return out;
  }

  @Test
  void adaptiveUpdateMatchesTheAdamAndRmspropFormulasInDouble() {
    for (int n : new int[] {1, 17, 33, 70_001}) {
      for (boolean withFirstMoment : new boolean[] {true, false}) {
        float[] p = random(n, -1, 1);
        float[] g = random(n, -1, 1);
        float[] m = withFirstMoment ? random(n, -0.1f, 0.1f) : null;
        float[] v = random(n, 0, 0.1f);
        double[] ep = new double[n];
        double[] em = new double[n];
        double[] ev = new double[n];
        for (int i = 0; i < n; i++) {
          double first = g[i];
          if (m != null) {
            em[i] = m[i] + 0.1 * (g[i] - m[i]);
            first = em[i];
          }
          ev[i] = v[i] + 0.001 * ((double) g[i] * g[i] - v[i]);
          ep[i] = p[i] - 0.01 * first / (Math.sqrt(ev[i] + 1e-7) + 1e-8);
        }
        backend().adaptiveUpdate(p, g, m, v, 0.9f, 0.999f, -0.01f, 1e-7f, 1e-8f);
        assertClose(toFloat(ev), v, 1e-6, "second moment n=" + n);
        assertClose(toFloat(ep), p, 1e-5, "parameter n=" + n);
        if (m != null) {
          assertClose(toFloat(em), m, 1e-6, "first moment n=" + n);
        }
      }
    }
  }

  private static float[] toFloat(double[] d) {
    float[] f = new float[d.length];
    for (int i = 0; i < d.length; i++) {
      f[i] = (float) d[i];
    }
    return f;
  }

  @Test
  void softmaxAndLogSoftmaxOverAwkwardRowLengths() {
    for (boolean log : new boolean[] {false, true}) {
      for (int n : SIZES) {
        for (int rows : new int[] {1, 3, 700}) {
          float[] x = random(rows * n, -10, 10);
          float[] out = new float[rows * n];
          backend().softmax(x, out, rows, n, log);
          assertClose(expectedSoftmax(x, rows, n, log), out, 1e-5,
              (log ? "logSoftmax" : "softmax") + " rows=" + rows + " n=" + n);
        }
      }
    }
  }

  @Test
  void softmaxOfHugeLogitsStaysFinite() {
    for (int n : new int[] {3, 33}) {
      float[] x = random(n, -1, 1);
      for (int j = 0; j < n; j++) {
        x[j] = x[j] * 1e30f;
      }
      x[n / 2] = 3e38f;
      for (boolean log : new boolean[] {false, true}) {
        float[] out = new float[n];
        backend().softmax(x, out, 1, n, log);
        assertClose(expectedSoftmax(x, 1, n, log), out, 1e-5, "huge logits log=" + log);
        for (float v : out) {
          assertTrue(!Float.isNaN(v), "no NaN from huge logits");
        }
      }
    }
  }

  @Test
  void softmaxBackwardIsTheJacobianTransposeTimesG() {
    for (boolean log : new boolean[] {false, true}) {
      for (int n : SIZES) {
        int rows = 3;
        float[] x = random(rows * n, -3, 3);
        float[] y = new float[rows * n];
        reference.softmax(x, y, rows, n, log);
        float[] g = random(rows * n, -1, 1);
        float[] gradIn = random(rows * n, -1, 1);
        float[] expected = gradIn.clone();
        for (int r = 0; r < rows; r++) {
          for (int i = 0; i < n; i++) {
            // d out_j / d x_i, from the definition in double
            double s = 0;
            for (int j = 0; j < n; j++) {
              double pj = log ? Math.exp(y[r * n + j]) : y[r * n + j];
              double pi = log ? Math.exp(y[r * n + i]) : y[r * n + i];
              double jac = log ? (i == j ? 1 : 0) - pi : pj * ((i == j ? 1 : 0) - pi);
              s += jac * g[r * n + j];
            }
            expected[r * n + i] += (float) s;
          }
        }
        backend().softmaxBackward(y, g, gradIn, rows, n, log);
        assertClose(expected, gradIn, 1e-5, "softmaxBackward log=" + log + " n=" + n);
      }
    }
  }

  @Test
  void im2colCopiesEachTapOrZeroAndCol2imIsItsAdjoint() {
    // odd sizes, stride 2, dilation 2 and asymmetric same padding
    for (ConvGeometry g : new ConvGeometry[] {
        ConvGeometry.of(new int[] {2, 5, 7, 3}, 3, 2, 2, 1, true, 1, 2),
        ConvGeometry.of(new int[] {1, 6, 5, 2}, 2, 3, 1, 2, false, 2, 1),
        // large enough for the vector backend to split the images between threads
        ConvGeometry.of(new int[] {6, 20, 20, 3}, 3, 3, 1, 1, false, 1, 1)}) {
      float[] x = random(g.batch() * g.h() * g.w() * g.c(), -1, 1);
      float[] cols = random(g.rows() * g.cols(), -1, 1); // stale values must be overwritten
      backend().im2col(x, g, cols);
      int row = 0;
      for (int b = 0; b < g.batch(); b++) {
        for (int oy = 0; oy < g.outH(); oy++) {
          for (int ox = 0; ox < g.outW(); ox++, row++) {
            int col = 0;
            for (int i = 0; i < g.kh(); i++) {
              for (int j = 0; j < g.kw(); j++) {
                for (int ch = 0; ch < g.c(); ch++, col++) {
                  int y = oy * g.strideH() + i * g.dilationH() - g.padTop();
                  int xx = ox * g.strideW() + j * g.dilationW() - g.padLeft();
                  float expected = y < 0 || y >= g.h() || xx < 0 || xx >= g.w() ? 0f
                      : x[((b * g.h() + y) * g.w() + xx) * g.c() + ch];
                  assertEquals(expected, cols[row * g.cols() + col], "im2col at " + row + "," + col);
                }
              }
            }
          }
        }
      }
      // <im2col(x), d> == <x, col2im(d)>, and col2im adds onto what is there
      float[] d = random(cols.length, -1, 1);
      float[] start = random(x.length, -1, 1);
      float[] back = start.clone();
      backend().col2im(d, g, back);
      double lhs = 0;
      for (int i = 0; i < d.length; i++) {
        lhs += (double) cols[i] * d[i];
      }
      double rhs = 0;
      for (int i = 0; i < x.length; i++) {
        rhs += (double) x[i] * (back[i] - start[i]);
      }
      assertEquals(lhs, rhs, 1e-4, "col2im is the adjoint of im2col");
    }
  }

  @Test
  void aDirectConvolutionGivesTheBitsOfIm2colGemmBiasAndRelu() {
    // the Fashion-MNIST CNN's conv1 at batch 1 and 3; RGB with stride 2 and dilation 2 (a tail of
    // positions); 64 filters; same padding with padded cells (no direct kernel may skip the zeros)
    for (Object[] conv : new Object[][] {
        {ConvGeometry.of(new int[] {1, 28, 28, 1}, 3, 3, 1, 1, false, 1, 1), 32},
        {ConvGeometry.of(new int[] {3, 28, 28, 1}, 3, 3, 1, 1, false, 1, 1), 32},
        {ConvGeometry.of(new int[] {2, 17, 19, 3}, 3, 3, 2, 2, false, 2, 2), 32},
        {ConvGeometry.of(new int[] {1, 12, 12, 2}, 3, 3, 1, 1, false, 1, 1), 64},
        {ConvGeometry.of(new int[] {1, 12, 12, 1}, 3, 3, 1, 1, true, 1, 1), 32}}) {
      ConvGeometry g = (ConvGeometry) conv[0];
      int filters = (int) conv[1];
      float[] x = random(g.batch() * g.h() * g.w() * g.c(), -1, 1);
      float[] kernel = random(g.cols() * filters, -1, 1);
      float[] bias = random(filters, -0.5f, 0.5f);
      for (boolean withBias : new boolean[] {false, true}) {
        for (boolean relu : new boolean[] {false, true}) {
          float[] cols = new float[g.rows() * g.cols()];
          backend().im2col(x, g, cols);
          float[] expected = new float[g.rows() * filters];
          backend().gemm(false, false, g.rows(), filters, g.cols(), cols, 0, kernel, 0, expected,
              0, false);
          if (withBias) {
            backend().binary(BinaryOp.ADD, expected, bias, expected);
          }
          if (relu) {
            backend().unary(UnaryOp.RELU, expected, expected, 0f, 0f);
          }
          float[] out = new float[expected.length];
          if (backend().conv2dDirect(x, g, kernel, filters, withBias ? bias : null, relu, out)) {
            assertArrayEquals(expected, out, "conv2dDirect, bias " + withBias + ", relu " + relu
                + ", " + g);
          } else {
            assertArrayEquals(new float[out.length], out, "conv2dDirect declined but wrote, " + g);
          }
        }
      }
    }
  }

  // ---------------------------------------------------------------- pooling

  /** Pools of 2x2 stride 2 (valid), 3x3 stride 2 (same, overlapping, padded edges), 2x3 stride 1x2. */
  private static ConvGeometry[] poolGeometries() {
    return new ConvGeometry[] {
        ConvGeometry.of(new int[] {2, 6, 7, 3}, 2, 2, 2, 2, false, 1, 1),
        ConvGeometry.of(new int[] {2, 5, 7, 19}, 3, 3, 2, 2, true, 1, 1),
        ConvGeometry.of(new int[] {3, 4, 9, 33}, 2, 3, 1, 2, true, 1, 1),
        // large enough for the vector backend to split the work between threads
        ConvGeometry.of(new int[] {8, 30, 30, 32}, 2, 2, 2, 2, false, 1, 1)};
  }

  /** The in-image cells of output {@code (b, oy, ox)}'s window, as flat indices of channel 0. */
  private static int[] windowCells(ConvGeometry g, int b, int oy, int ox) {
    return java.util.stream.IntStream.range(0, g.kh() * g.kw()).map(t -> {
      int y = oy * g.strideH() - g.padTop() + t / g.kw();
      int x = ox * g.strideW() - g.padLeft() + t % g.kw();
      return y < 0 || y >= g.h() || x < 0 || x >= g.w() ? -1 : ((b * g.h() + y) * g.w() + x) * g.c();
    }).filter(i -> i >= 0).toArray();
  }

  @Test
  void maxPoolTakesEachWindowsFirstMaximumSendsItsGradientThereAndAvgPoolTakesTheMean() {
    for (ConvGeometry g : poolGeometries()) {
      float[] x = random(g.batch() * g.h() * g.w() * g.c(), -1, 1);
      for (int i = 0; i < x.length; i += 5) {
        x[i] = 0.5f; // ties: the first cell in window order must win
      }
      for (int i = 2; i < x.length; i += 5) {
        x[i] = i % 2 == 0 ? 0f : -0f; // ties of zeros: the first one's sign must win, as bits
      }
      int outs = g.rows() * g.c();
      float[] max = random(outs, -1, 1);
      int[] winner = new int[outs];
      float[] avg = random(outs, -1, 1);
      backend().maxPool(x, g, max, winner);
      backend().avgPool(x, g, avg);
      float[] refMax = new float[outs];
      reference.maxPool(x, g, refMax, new int[outs]);
      for (int row = 0; row < g.rows(); row++) {
        int[] cells = windowCells(g, row / (g.outH() * g.outW()), row / g.outW() % g.outH(),
            row % g.outW());
        for (int ch = 0; ch < g.c(); ch++) {
          int o = row * g.c() + ch;
          int best = cells[0] + ch;
          double sum = 0;
          for (int cell : cells) {
            best = x[cell + ch] > x[best] ? cell + ch : best;
            sum += x[cell + ch];
          }
          assertEquals(best, winner[o], "maxPool winner at " + o + " of " + g);
          assertEquals(x[best], max[o], "maxPool at " + o + " of " + g);
          assertEquals(sum / cells.length, avg[o], 1e-6, "avgPool at " + o + " of " + g);
        }
      }
      assertClose(refMax, max, 0, "maxPool against the reference, " + g);
      float[] inferred = random(outs, -1, 1);
      backend().maxPool(x, g, inferred, null); // inference: no winners wanted
      assertArrayEquals(max, inferred, "maxPool without winners, " + g);

      // The adjoint: each output's gradient lands on its winner, added onto what is there.
      float[] d = random(outs, -1, 1);
      float[] start = random(x.length, -1, 1);
      float[] expected = start.clone();
      for (int o = 0; o < outs; o++) {
        expected[winner[o]] += d[o];
      }
      float[] back = start.clone();
      backend().maxPoolBackward(d, winner, g, back);
      assertClose(expected, back, 1e-6, "maxPoolBackward, " + g);
    }
  }

  @Test
  void maxPoolPropagatesNaNAndItsFirstNaNTakesTheGradient() {
    for (ConvGeometry g : poolGeometries()) {
      float[] x = random(g.batch() * g.h() * g.w() * g.c(), -1, 1);
      for (int i = 3; i < x.length; i += 7) {
        x[i] = Float.NaN; // lands at every tap position and channel, vector lanes and tails
      }
      int outs = g.rows() * g.c();
      float[] max = new float[outs];
      int[] winner = new int[outs];
      backend().maxPool(x, g, max, winner);
      float[] inferred = new float[outs];
      backend().maxPool(x, g, inferred, null);
      assertArrayEquals(max, inferred, "maxPool over NaNs without winners, " + g);
      int seen = 0;
      for (int row = 0; row < g.rows(); row++) {
        int[] cells = windowCells(g, row / (g.outH() * g.outW()), row / g.outW() % g.outH(),
            row % g.outW());
        for (int ch = 0; ch < g.c(); ch++) {
          int o = row * g.c() + ch;
          int firstNaN = -1;
          for (int cell : cells) {
            if (firstNaN < 0 && Float.isNaN(x[cell + ch])) {
              firstNaN = cell + ch;
            }
          }
          if (firstNaN >= 0) {
            seen++;
            assertTrue(Float.isNaN(max[o]), "maxPool over a NaN at " + o + " of " + g
                + " gave " + max[o]);
            assertEquals(firstNaN, winner[o], "maxPool winner over a NaN at " + o + " of " + g);
          } else {
            assertTrue(!Float.isNaN(max[o]), "maxPool without NaN at " + o + " of " + g);
          }
        }
      }
      assertTrue(seen > 0, "the test put NaN in some window of " + g);
    }
  }

  @Test
  void avgPoolBackwardIsTheAdjointOfAvgPoolAndAddsOntoTheGradient() {
    for (ConvGeometry g : poolGeometries()) {
      float[] x = random(g.batch() * g.h() * g.w() * g.c(), -1, 1);
      float[] out = new float[g.rows() * g.c()];
      backend().avgPool(x, g, out);
      float[] d = random(out.length, -1, 1);
      float[] start = random(x.length, -1, 1);
      float[] back = start.clone();
      backend().avgPoolBackward(d, g, back);
      double lhs = 0;
      for (int i = 0; i < d.length; i++) {
        lhs += (double) out[i] * d[i];
      }
      double rhs = 0;
      for (int i = 0; i < x.length; i++) {
        rhs += (double) x[i] * (back[i] - start[i]);
      }
      assertEquals(lhs, rhs, 1e-3, "<avgPool(x), d> == <x, avgPoolBackward(d)> for " + g);
      float[] refBack = start.clone();
      reference.avgPoolBackward(d, g, refBack);
      assertClose(refBack, back, 1e-5, "avgPoolBackward against the reference, " + g);
    }
  }
}
