package ai.lepton.tensor;

import static ai.lepton.tensor.VectorMath.L;
import static ai.lepton.tensor.VectorMath.S;

import jdk.incubator.vector.FloatVector;

/**
 * What the alignment of a weight array costs the batch-1 product: the few-rows kernel's loop (four
 * accumulators of one vector each, B read row by row) over 784 x 128 weights starting 0, 4, 8 or
 * 12 floats into their array, best of 30 rounds of 2,000 products, three times. Run with the JVM's
 * objects 64-byte aligned, so that the offset sets the data's alignment (16 bytes of array header,
 * then the offset): at 12 floats the data is 64-byte aligned, and each 64-byte load reads one
 * cache line instead of two. Run by hand (a test-scope main):
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -XX:ObjectAlignmentInBytes=64 \
 *   -cp lepton-core/target/test-classes:lepton-core/target/classes \
 *   ai.lepton.tensor.AlignmentBench
 * </pre>
 */
final class AlignmentBench {
  private AlignmentBench() {}

  public static void main(String[] args) {
    int n = 128;
    int k = 784;
    float[] a = new float[k];
    float[] b = new float[k * n + 4 * L];
    float[] c = new float[n];
    for (int i = 0; i < b.length; i++) {
      b[i] = (i % 7) * 0.1f;
    }
    for (int p = 0; p < k; p++) {
      a[p] = p * 0.001f;
    }
    System.out.println("vector lanes: " + L);
    for (int round = 0; round < 3; round++) {
      for (int offset = 0; offset < 16; offset += 4) {
        double best = Double.MAX_VALUE;
        for (int r = 0; r < 30; r++) {
          long t = System.nanoTime();
          for (int i = 0; i < 2000; i++) {
            product(a, b, offset, n, k, c);
          }
          best = Math.min(best, (System.nanoTime() - t) / 2000 / 1e3);
        }
        System.out.printf("weights %2d floats into the array: best %.2f us%n", offset, best);
      }
    }
  }

  /** {@code c = a b} for one row {@code a}, as VectorGemm's few-rows loop computes it. */
  private static void product(float[] a, float[] b, int bOff, int n, int k, float[] c) {
    for (int j = 0; j + 4 * L <= n; j += 4 * L) {
      FloatVector s0 = FloatVector.zero(S);
      FloatVector s1 = FloatVector.zero(S);
      FloatVector s2 = FloatVector.zero(S);
      FloatVector s3 = FloatVector.zero(S);
      for (int p = 0; p < k; p++) {
        FloatVector va = FloatVector.broadcast(S, a[p]);
        int bi = bOff + p * n + j;
        s0 = va.fma(FloatVector.fromArray(S, b, bi), s0);
        s1 = va.fma(FloatVector.fromArray(S, b, bi + L), s1);
        s2 = va.fma(FloatVector.fromArray(S, b, bi + 2 * L), s2);
        s3 = va.fma(FloatVector.fromArray(S, b, bi + 3 * L), s3);
      }
      s0.intoArray(c, j);
      s1.intoArray(c, j + L);
      s2.intoArray(c, j + 2 * L);
      s3.intoArray(c, j + 3 * L);
    }
  }
}
