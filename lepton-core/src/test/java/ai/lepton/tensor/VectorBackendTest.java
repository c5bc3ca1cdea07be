package ai.lepton.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The Vector API backend against the shared conformance suite, and its reproducibility. */
class VectorBackendTest extends BackendContractTest {
  private final List<WorkerPool> pools = new ArrayList<>();
  private final Backend backend = withThreads(3);

  @Override
  Backend backend() {
    return backend;
  }

  private VectorBackend withThreads(int threads) {
    WorkerPool pool = new WorkerPool(threads - 1, "vector-backend-test-" + threads);
    pools.add(pool);
    return new VectorBackend(pool);
  }

  @AfterEach
  void stopWorkers() {
    pools.forEach(WorkerPool::close);
  }

  private static float[] random(SplittableRandom rng, int n) {
    float[] x = new float[n];
    for (int i = 0; i < n; i++) {
      x[i] = (float) rng.nextDouble(-1, 1);
    }
    return x;
  }

  /**
   * Every split between threads (a depth cut between threads, partial column sums, row ranges of
   * a recurrence) gives the bits of the single-threaded run: work is cut by shape, and partial
   * results are combined in a fixed order.
   */
  @Test
  void everyKernelGivesTheSameBitsWithAnyThreadCount() {
    SplittableRandom rng = new SplittableRandom(11);
    float[] a = random(rng, 4000 * 700);
    float[] b = random(rng, 9001 * 600);
    List<Function<Backend, float[]>> kernels = new ArrayList<>();
    // {m, n, k}: by depth (two layouts), by rows, by panels, few rows, shallow, narrow
    int[][] gemms = {{27, 32, 9001}, {9, 45, 9001}, {200, 150, 300}, {37, 300, 513},
        {3, 600, 700}, {4000, 32, 9}, {3000, 10, 700}};
    for (int[] s : gemms) {
      for (boolean tA : new boolean[] {false, true}) {
        for (boolean tB : new boolean[] {false, true}) {
          kernels.add(be -> {
            float[] c = new float[s[0] * s[1]];
            be.gemm(tA, tB, s[0], s[1], s[2], a, 0, b, 0, c, 0, false);
            return c;
          });
        }
      }
    }
    kernels.add(be -> {
      float[] c = new float[64 * 256];
      be.gemmPackedB(64, 256, 784, a, 0, be.packB(b, 784, 256), null, false, c, 0, false);
      return c;
    });
    kernels.add(be -> {
      float[] c = new float[3000 * 10];
      be.gemmPackedB(3000, 10, 700, a, 0, be.packB(b, 700, 10), b, true, c, 0, false);
      return c;
    });
    kernels.add(be -> {
      float[] out = new float[5000 * 10];
      be.softmax(a, out, 5000, 10, false);
      return out;
    });
    kernels.add(be -> reduce(be, a, 1, 5000, 32)); // a column sum: partial rows
    kernels.add(be -> reduce(be, a, 300, 300, 1));
    kernels.add(be -> reduce(be, a, 4, 5000, 8));
    kernels.add(be -> {
      float[] out = new float[300 * 301];
      be.softmax(a, out, 300, 301, false);
      return out;
    });
    for (Recurrence.Cell cell : Recurrence.Cell.values()) {
      kernels.add(be -> recurrence(be, cell, a, b));
    }
    for (UnaryOp op : UnaryOp.values()) {
      kernels.add(be -> unaryForwardAndBack(be, op, a, b));
    }
    Backend one = withThreads(1);
    for (int threads : new int[] {2, 3, 5}) {
      Backend many = withThreads(threads);
      for (int i = 0; i < kernels.size(); i++) {
        float[] expected = kernels.get(i).apply(one);
        float[] actual = kernels.get(i).apply(many);
        assertEquals(expected.length, actual.length);
        for (int j = 0; j < expected.length; j++) {
          if (Float.floatToIntBits(expected[j]) != Float.floatToIntBits(actual[j])) {
            fail("kernel " + i + " with " + threads + " threads: at " + j + " " + actual[j]
                + " but with one thread " + expected[j]);
          }
        }
      }
    }
  }

  /**
   * Where the product is split by column panels, A stored as rows is read in place and A stored
   * transposed is packed first: the same multiply-adds in the same order, so the same bits. With
   * row counts off the register tile, the last panel's missing rows are never written.
   */
  @Test
  void convolvesFewInputChannelsInPlaceAndLeavesPaddedWindowsToIm2col() {
    float[] out = new float[26 * 26 * 32];
    ConvGeometry conv1 = ConvGeometry.of(new int[] {1, 28, 28, 1}, 3, 3, 1, 1, false, 1, 1);
    assertTrue(backend().conv2dDirect(new float[28 * 28], conv1, new float[9 * 32], 32, null,
        true, out), "the Fashion-MNIST CNN's conv1 is read in place");
    ConvGeometry same = ConvGeometry.of(new int[] {1, 28, 28, 1}, 3, 3, 1, 1, true, 1, 1);
    assertFalse(backend().conv2dDirect(new float[28 * 28], same, new float[9 * 32], 32, null,
        true, new float[28 * 28 * 32]), "padded windows go through im2col");
    ConvGeometry deep = ConvGeometry.of(new int[] {1, 13, 13, 32}, 3, 3, 1, 1, false, 1, 1);
    assertFalse(backend().conv2dDirect(new float[13 * 13 * 32], deep, new float[288 * 64], 64,
        null, true, new float[11 * 11 * 64]), "288 deep is gemm's packed kernel, not shallow");
  }

  @Test
  void aReadInPlaceGivesTheBitsOfAPacked() {
    SplittableRandom rng = new SplittableRandom(12);
    for (int[] s : new int[][] {{64, 256, 784}, {37, 300, 513}, {13, 40, 9}, {8, 17, 1000}}) {
      int m = s[0];
      int n = s[1];
      int k = s[2];
      float[] a = random(rng, m * k);
      float[] at = new float[k * m];
      for (int i = 0; i < m; i++) {
        for (int p = 0; p < k; p++) {
          at[p * m + i] = a[i * k + p];
        }
      }
      float[] b = random(rng, k * n);
      float[] inPlace = new float[m * n + 1];
      float[] packed = new float[m * n + 1];
      inPlace[m * n] = 7f; // a guard past C
      packed[m * n] = 7f;
      backend.gemm(false, false, m, n, k, a, 0, b, 0, inPlace, 0, false);
      backend.gemm(true, false, m, n, k, at, 0, b, 0, packed, 0, false);
      for (int i = 0; i <= m * n; i++) {
        assertEquals(Float.floatToRawIntBits(packed[i]), Float.floatToRawIntBits(inPlace[i]),
            m + "x" + n + "x" + k + " at " + i);
      }
    }
  }

  /**
   * Softmax of rows shorter than a vector runs every row's exponentials through the vector exp
   * together: the bits are those of the scalar twins, row by row, summed in order.
   */
  @Test
  void shortSoftmaxRowsGiveTheScalarTwinsBits() {
    SplittableRandom rng = new SplittableRandom(13);
    for (int n : new int[] {1, 3, 10, 15}) {
      int rows = 67;
      float[] x = random(rng, rows * n);
      x[5] = Float.NaN;
      x[rows * n - 1] = 80f;
      for (boolean log : new boolean[] {false, true}) {
        float[] out = new float[rows * n];
        backend.softmax(x, out, rows, n, log);
        for (int r = 0; r < rows; r++) {
          float max = Float.NEGATIVE_INFINITY;
          for (int j = 0; j < n; j++) {
            max = Math.max(max, x[r * n + j]);
          }
          float sum = 0f;
          for (int j = 0; j < n; j++) {
            sum += VectorMath.exp(x[r * n + j] - max);
          }
          for (int j = 0; j < n; j++) {
            float v = x[r * n + j];
            float expected = log ? v - (max + (float) StrictMath.log(sum))
                : VectorMath.exp(v - max) * (1f / sum);
            assertEquals(Float.floatToRawIntBits(expected), Float.floatToRawIntBits(out[r * n + j]),
                "n=" + n + " log=" + log + " row " + r + " column " + j);
          }
        }
      }
    }
  }

  /**
   * {@code op} and its gradient over 100,003 elements (split between threads, with a scalar tail),
   * from values spread over [-12, 12] (positive for the ops defined there).
   */
  private static float[] unaryForwardAndBack(Backend be, UnaryOp op, float[] a, float[] b) {
    int n = 100_003;
    boolean positive = op == UnaryOp.LOG || op == UnaryOp.SQRT || op == UnaryOp.POW;
    float[] x = new float[n];
    for (int i = 0; i < n; i++) {
      x[i] = positive ? Math.abs(a[i]) * 12f + 1e-3f : a[i] * 12f;
    }
    float[] y = new float[n];
    be.unary(op, x, y, 0.3f, 2.5f);
    float[] gradIn = java.util.Arrays.copyOfRange(b, n, 2 * n);
    be.unaryBackward(op, x, y, java.util.Arrays.copyOf(b, n), gradIn, 0.3f, 2.5f);
    float[] all = java.util.Arrays.copyOf(y, 2 * n);
    System.arraycopy(gradIn, 0, all, n, n);
    return all;
  }

  private static float[] reduce(Backend be, float[] x, int outer, int n, int inner) {
    float[] out = new float[outer * inner];
    be.reduce(ReduceOp.SUM, x, out, outer, n, inner);
    return out;
  }

  /** A recurrence over 40 rows (split between threads) forward and back: outputs and gradients. */
  private static float[] recurrence(Backend be, Recurrence.Cell cell, float[] a, float[] b) {
    int batch = 40;
    int time = 5;
    int units = 24;
    int gw = cell.gates * units;
    float[] x = java.util.Arrays.copyOf(a, batch * time * gw);
    float[] u = java.util.Arrays.copyOf(b, units * gw);
    float[] bias = java.util.Arrays.copyOfRange(b, 7, 7 + (cell == Recurrence.Cell.GRU ? 2 : 1) * gw);
    Recurrence r = new Recurrence(be, cell, batch, time, units, null, null);
    float[] out = r.forward(x, be.packB(u, units, gw), bias);
    float[] gu = new float[u.length];
    float[] gb = new float[bias.length];
    float[] dx = r.backward(java.util.Arrays.copyOfRange(a, 3, 3 + out.length), u, gu, gb);
    float[] all = new float[out.length + dx.length + gu.length + gb.length];
    System.arraycopy(out, 0, all, 0, out.length);
    System.arraycopy(dx, 0, all, out.length, dx.length);
    System.arraycopy(gu, 0, all, out.length + dx.length, gu.length);
    System.arraycopy(gb, 0, all, out.length + dx.length + gu.length, gb.length);
    return all;
  }
}
