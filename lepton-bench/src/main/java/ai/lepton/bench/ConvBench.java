package ai.lepton.bench;

import ai.lepton.layers.Conv2D;
import ai.lepton.layers.Dense;
import ai.lepton.layers.Flatten;
import ai.lepton.layers.MaxPooling2D;
import ai.lepton.losses.Losses;
import ai.lepton.models.Fit;
import ai.lepton.models.Sequential;
import ai.lepton.optimizers.Adam;
import ai.lepton.tensor.Tensor;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Training throughput of two CNNs at batch 64 with Adam 1e-3 and cross-entropy on logits, the
 * same set-up as bench/pytorch_bench.py: {@code cnn} is the Fashion-MNIST CNN (28x28x1, Conv2D 32
 * 3x3 ReLU, 2x2 max pooling, Dense 128 ReLU, Dense 10) and {@code conv64} a Conv2D 32 3x3 over
 * 64x64x3 images, 2x2 max pooling, Dense 10. The {@code cnn} section also trains Fashion-MNIST-sized
 * epochs and reports each epoch's peak heap, which stays flat when no step leaks.
 */
final class ConvBench {
  private static final int BATCH = 64;

  private ConvBench() {}

  static Sequential fashionCnn() {
    Sequential model = new Sequential()
        .add(new Conv2D(32, 3, 3, "relu"))
        .add(new MaxPooling2D())
        .add(new Flatten())
        .add(new Dense(128, "relu"))
        .add(new Dense(10, "linear"));
    model.compile(new Adam(1e-3f), Losses.sparseCategoricalCrossentropy(true));
    model.build(0, 28, 28, 1);
    return model;
  }

  static Sequential conv64() {
    Sequential model = new Sequential()
        .add(new Conv2D(32, 3, 3, "linear"))
        .add(new MaxPooling2D())
        .add(new Flatten())
        .add(new Dense(10, "linear"));
    model.compile(new Adam(1e-3f), Losses.sparseCategoricalCrossentropy(true));
    model.build(0, 64, 64, 3);
    return model;
  }

  /** {@code n} random images of {@code [h, w, c]} and random labels of 10 classes. */
  private static Tensor[] data(int n, int... image) {
    SplittableRandom rng = new SplittableRandom(0);
    int[] shape = new int[image.length + 1];
    shape[0] = n;
    System.arraycopy(image, 0, shape, 1, image.length);
    float[] labels = new float[n];
    for (int i = 0; i < n; i++) {
      labels[i] = rng.nextInt(10);
    }
    return new Tensor[] {Tensor.uniform(rng, 0, 1, shape), Tensor.of(labels, n)};
  }

  /** Median milliseconds per training step over {@code repeats} epochs of {@code steps} steps. */
  static double stepMs(Sequential model, int steps, int repeats, double warmSeconds, int... image) {
    Tensor[] xy = data(BATCH * steps, image);
    Fit fit = Fit.epochs(1).batchSize(BATCH).shuffle(false).verbose(0);
    long warmUntil = System.nanoTime() + (long) (warmSeconds * 1e9);
    do {
      model.fit(xy[0], xy[1], fit);
    } while (System.nanoTime() < warmUntil);
    double[] times = new double[repeats];
    for (int r = 0; r < repeats; r++) {
      long t0 = System.nanoTime();
      model.fit(xy[0], xy[1], fit);
      times[r] = (System.nanoTime() - t0) / 1e6 / steps;
    }
    return Bench.median(times);
  }

  /**
   * Per epoch of {@code images} 28x28x1 images: the heap's peak (MiB, all heap pools, reset after a
   * full collection before the epoch) and the heap still used after a full collection at its end.
   * A per-step leak shows as a rising second row; the first follows the collector's pacing.
   */
  static double[][] heapPerEpochMib(Sequential model, int images, int epochs) {
    Tensor[] xy = data(images, 28, 28, 1);
    Fit fit = Fit.epochs(1).batchSize(BATCH).shuffle(true).seed(1).verbose(0);
    List<MemoryPoolMXBean> heap = ManagementFactory.getMemoryPoolMXBeans().stream()
        .filter(p -> p.getType() == MemoryType.HEAP).toList();
    double[][] mib = new double[2][epochs];
    for (int e = 0; e < epochs; e++) {
      System.gc();
      heap.forEach(MemoryPoolMXBean::resetPeakUsage);
      model.fit(xy[0], xy[1], fit);
      mib[0][e] = heap.stream().mapToLong(p -> p.getPeakUsage().getUsed()).sum() / 1048576.0;
      System.gc();
      mib[1][e] = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() / 1048576.0;
    }
    return mib;
  }

  /** Training step time of one CNN, and for the Fashion-MNIST one the heap per epoch. */
  record Result(String model, double b64StepMs, double[] peakHeapMibPerEpoch,
      double[] heapAfterGcMibPerEpoch) implements Bench.Section {
    @Override
    public List<String> table() {
      List<String> lines = new ArrayList<>();
      lines.add(String.format("%-44s %10s %14s", model + ", Adam", "ms/step", "samples/s"));
      lines.add(String.format("%-44s %10.3f %14.0f", "train, batch 64", b64StepMs,
          BATCH / b64StepMs * 1e3));
      if (peakHeapMibPerEpoch.length > 0) {
        lines.add("heap per 60,000-image epoch (MiB), peak: " + Arrays.toString(
            Arrays.stream(peakHeapMibPerEpoch).map(Math::rint).toArray()) + ", after GC: "
            + Arrays.toString(Arrays.stream(heapAfterGcMibPerEpoch).map(Math::rint).toArray()));
      }
      return lines;
    }
  }

  static Result measureCnn(int repeats) {
    double ms = stepMs(fashionCnn(), 100, repeats, 5, 28, 28, 1);
    double[][] heap = heapPerEpochMib(fashionCnn(), 60_000, 3);
    return new Result("Fashion-MNIST CNN 28x28x1 conv32-pool-128-10", ms, heap[0], heap[1]);
  }

  static Result measureConv64(int repeats) {
    // Steps of ~50 ms: the pooling and GEMM kernels reach C2 only after ~7 s of them.
    return new Result("Conv2D 32 3x3 on 64x64x3, pool, Dense 10", stepMs(conv64(), 10, repeats, 10,
        64, 64, 3), new double[0], new double[0]);
  }
}
