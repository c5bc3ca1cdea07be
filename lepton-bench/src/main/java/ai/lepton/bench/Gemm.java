package ai.lepton.bench;

import ai.lepton.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Square fp32 GEMM through the public API ({@code a.matmul(b)}, which allocates its result like a
 * user's call does), in GFLOP/s = 2 n^3 / time.
 */
final class Gemm {
  /** Each timed sample repeats the product until it lasts at least this long. */
  private static final long MIN_SAMPLE_NS = 100_000_000L;

  record Size(int n, double medianGflops, double minGflops, double maxGflops, int samples,
      int callsPerSample) {}

  record Result(List<Size> sizes) implements Bench.Section {
    @Override
    public List<String> table() {
      List<String> lines = new ArrayList<>();
      lines.add(String.format("%6s %12s %10s %10s", "n", "GFLOP/s", "min", "max"));
      for (Size s : sizes) {
        lines.add(String.format("%6d %12.1f %10.1f %10.1f", s.n(), s.medianGflops(),
            s.minGflops(), s.maxGflops()));
      }
      return lines;
    }
  }

  private Gemm() {}

  static Result measure(int[] sizes, int reps) {
    List<Size> out = new ArrayList<>();
    for (int i = 0; i < sizes.length; i++) {
      out.add(measure(sizes[i], reps, i == 0));
    }
    return new Result(out);
  }

  private static Size measure(int n, int reps, boolean first) {
    SplittableRandom rng = new SplittableRandom(n);
    Tensor a = Tensor.uniform(rng, -1f, 1f, n, n);
    Tensor b = Tensor.uniform(rng, -1f, 1f, n, n);
    double flops = 2.0 * n * n * n;
    // Warm-up: JIT and caches; also sizes the sample so it outlasts timer noise.
    long t0 = System.nanoTime();
    int warm = 0;
    // The first size also waits for C2 to compile the packed kernels: on 2 busy cores that took
    // over a second, and 256^3 measured in C1 code reads 40 instead of 400 GFLOP/s.
    long warmNs = first ? 4_000_000_000L : 1_000_000_000L;
    while (warm < 5 || System.nanoTime() - t0 < warmNs) {
      a.matmul(b);
      warm++;
    }
    double perCall = (System.nanoTime() - t0) / (double) warm;
    int calls = (int) Math.max(1, Math.ceil(MIN_SAMPLE_NS / perCall));
    double[] gflops = new double[reps];
    for (int r = 0; r < reps; r++) {
      long s = System.nanoTime();
      for (int c = 0; c < calls; c++) {
        a.matmul(b);
      }
      gflops[r] = flops * calls / (System.nanoTime() - s);
    }
    double min = Double.MAX_VALUE;
    double max = 0;
    for (double g : gflops) {
      min = Math.min(min, g);
      max = Math.max(max, g);
    }
    return new Size(n, Bench.median(gflops), min, max, reps, calls);
  }
}
