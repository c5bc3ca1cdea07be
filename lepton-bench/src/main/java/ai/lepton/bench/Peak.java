package ai.lepton.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The hardware's fp32 FMA peak as Java can reach it: a loop of independent vector FMAs, on one
 * thread and on every core at once. It is the yardstick for GEMM efficiency.
 */
final class Peak {
  private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
  /** FMAs per call; ~50 ms per thread at a couple of hundred GFLOP/s. */
  private static final long ITERATIONS = 20_000_000L;
  /** Independent accumulators per iteration: latency (4) x FMA pipes (2) plus margin. */
  private static final int CHAINS = 12;

  record Result(int vectorBits, double oneCoreGflops, double allCoresGflops, int threads)
      implements Bench.Section {
    @Override
    public List<String> table() {
      return List.of(
          String.format("fp32 FMA peak, %d-bit vectors", vectorBits),
          String.format("  1 thread : %8.1f GFLOP/s", oneCoreGflops),
          String.format("  %d threads: %8.1f GFLOP/s", threads, allCoresGflops));
    }
  }

  private Peak() {}

  static Result measure(int reps) {
    for (int i = 0; i < 5; i++) {
      fmaLoop(ITERATIONS / 20); // JIT warm-up
    }
    int threads = Runtime.getRuntime().availableProcessors();
    double[] one = new double[reps];
    double[] all = new double[reps];
    for (int r = 0; r < reps; r++) {
      one[r] = run(1);
      all[r] = run(threads);
    }
    return new Result(S.vectorBitSize(), Bench.median(one), Bench.median(all), threads);
  }

  /** GFLOP/s of {@code threads} threads each running {@link #fmaLoop} once, started together. */
  private static double run(int threads) {
    CyclicBarrier start = new CyclicBarrier(threads + 1);
    List<Thread> ts = new ArrayList<>();
    float[] sink = new float[threads];
    for (int t = 0; t < threads; t++) {
      int id = t;
      Thread th = new Thread(() -> {
        await(start);
        sink[id] = fmaLoop(ITERATIONS);
      });
      th.start();
      ts.add(th);
    }
    await(start);
    long t0 = System.nanoTime();
    for (Thread th : ts) {
      try {
        th.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while measuring the FMA peak", e);
      }
    }
    long ns = System.nanoTime() - t0;
    if (Float.isNaN(sink[0])) {
      System.out.print(""); // keeps the results alive; never true (values converge to 1)
    }
    return 2.0 * S.length() * CHAINS * ITERATIONS * threads / ns;
  }

  private static void await(CyclicBarrier barrier) {
    try {
      barrier.await();
    } catch (Exception e) {
      throw new IllegalStateException("peak benchmark threads failed to start together", e);
    }
  }

  /**
   * {@code CHAINS} independent chains {@code v = v * x + y}; with x = 0.999 and y = 0.001 each
   * converges to 1, so no value overflows or turns denormal. Vectors stay in this method.
   */
  static float fmaLoop(long iterations) {
    FloatVector x = FloatVector.broadcast(S, 0.999f);
    FloatVector y = FloatVector.broadcast(S, 0.001f);
    FloatVector v0 = FloatVector.broadcast(S, 0.1f);
    FloatVector v1 = FloatVector.broadcast(S, 0.2f);
    FloatVector v2 = FloatVector.broadcast(S, 0.3f);
    FloatVector v3 = FloatVector.broadcast(S, 0.4f);
    FloatVector v4 = FloatVector.broadcast(S, 0.5f);
    FloatVector v5 = FloatVector.broadcast(S, 0.6f);
    FloatVector v6 = FloatVector.broadcast(S, 0.7f);
    FloatVector v7 = FloatVector.broadcast(S, 0.8f);
    FloatVector v8 = FloatVector.broadcast(S, 0.9f);
    FloatVector v9 = FloatVector.broadcast(S, 1.1f);
    FloatVector v10 = FloatVector.broadcast(S, 1.2f);
    FloatVector v11 = FloatVector.broadcast(S, 1.3f);
    for (long i = 0; i < iterations; i++) {
      v0 = v0.fma(x, y);
      v1 = v1.fma(x, y);
      v2 = v2.fma(x, y);
      v3 = v3.fma(x, y);
      v4 = v4.fma(x, y);
      v5 = v5.fma(x, y);
      v6 = v6.fma(x, y);
      v7 = v7.fma(x, y);
      v8 = v8.fma(x, y);
      v9 = v9.fma(x, y);
      v10 = v10.fma(x, y);
      v11 = v11.fma(x, y);
    }
    return v0.add(v1).add(v2).add(v3).add(v4).add(v5).add(v6).add(v7).add(v8).add(v9).add(v10)
        .add(v11).reduceLanes(VectorOperators.ADD);
  }
}
