package ai.lepton.tensor;

import java.util.SplittableRandom;

/**
 * The batch-1 product into a classifier's few outputs, {@code [1, 128] x [128, 10]} (the MLP's
 * last layer): fewer columns than a vector holds, so each column is one chain of FMAs. One
 * thread, best of 30 rounds of 20,000 products, five times. Run by hand (a test-scope main):
 *
 * <pre>
 * java --add-modules jdk.incubator.vector \
 *   -cp lepton-core/target/test-classes:lepton-core/target/classes ai.lepton.tensor.FewColumnsBench
 * </pre>
 */
final class FewColumnsBench {
  private FewColumnsBench() {}

  public static void main(String[] args) {
    SplittableRandom rng = new SplittableRandom(1);
    float[] x = new float[128];
    float[] w = new float[128 * 10];
    for (int i = 0; i < w.length; i++) {
      w[i] = (float) rng.nextDouble(-1, 1);
      x[i % x.length] = (float) rng.nextDouble(-1, 1);
    }
    Tensor a = Tensor.of(x, 1, 128);
    Tensor b = Tensor.of(w, 128, 10);
    try (ComputeContext.Scope ignored = ComputeContext.vector(1).enter()) {
      for (int round = 0; round < 5; round++) {
        double best = Double.MAX_VALUE;
        for (int r = 0; r < 30; r++) {
          long t = System.nanoTime();
          for (int i = 0; i < 20_000; i++) {
            a.matmul(b);
          }
          best = Math.min(best, (System.nanoTime() - t) / 20_000.0);
        }
        System.out.printf("[1, 128] x [128, 10]: best %.0f ns%n", best);
      }
    }
  }
}
