package ai.lepton.bench;

import ai.lepton.LeptonException;
import ai.lepton.layers.Conv2D;
import ai.lepton.layers.Dense;
import ai.lepton.layers.Flatten;
import ai.lepton.layers.MaxPooling2D;
import ai.lepton.models.Model;
import ai.lepton.models.Sequential;
import ai.lepton.tensor.Tensor;
import com.sun.management.OperatingSystemMXBean;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * {@code predict}: what a model server asks of Core, one caller at a time. Latency and CPU time
 * per {@code Model.predict} call of the served Fashion-MNIST CNN (Conv2D 32 3x3 ReLU, max pooling,
 * Conv2D 64 3x3 ReLU, max pooling, Dense 128 ReLU, Dense 10 softmax) at batch 1, 8 and 64 and of
 * the MLP 784-128-10 at batch 1, both saved and loaded again; and the milliseconds
 * {@code Model.load} takes for the CNN's file.
 */
final class PredictBench {
  private PredictBench() {}

  /** One row: microseconds of wall time and of process CPU time per call. */
  record Row(String what, int batch, double wallUs, double cpuUs) {}

  /** The rows and the load time. */
  record Result(List<Row> rows, double cnnLoadMs) implements Bench.Section {
    @Override
    public List<String> table() {
      List<String> lines = new ArrayList<>();
      lines.add(String.format("%-34s %6s %12s %12s %14s", "Model.predict, one caller", "batch",
          "us/call", "cpu us/call", "samples/s"));
      for (Row r : rows) {
        lines.add(String.format("%-34s %6d %12.1f %12.1f %14.0f", r.what(), r.batch(), r.wallUs(),
            r.cpuUs(), r.batch() * 1e6 / r.wallUs()));
      }
      lines.add(String.format("%-34s %6s %12.2f ms", "Model.load of the CNN", "", cnnLoadMs));
      return lines;
    }
  }

  static Sequential servedCnn() {
    Sequential model = new Sequential()
        .add(new Conv2D(32, 3, 3, "relu"))
        .add(new MaxPooling2D())
        .add(new Conv2D(64, 3, 3, "relu"))
        .add(new MaxPooling2D())
        .add(new Flatten())
        .add(new Dense(128, "relu"))
        .add(new Dense(10, "softmax"));
    model.build(0, 28, 28, 1);
    return model;
  }

  static Sequential servedMlp() {
    Sequential model = new Sequential()
        .add(new Dense(128, "relu"))
        .add(new Dense(10, "softmax"));
    model.build(0, 784);
    return model;
  }

  static Result measure(int repeats) {
    Path file = save(servedCnn());
    Model cnn = Model.load(file);
    Model mlp = Model.load(save(servedMlp()));
    int[] batches = {1, 8, 64};
    List<Runnable> calls = new ArrayList<>();
    for (int batch : batches) {
      Tensor x = Tensor.uniform(new SplittableRandom(batch), 0, 1, batch, 28, 28, 1);
      calls.add(() -> cnn.predict(x, batch));
    }
    Tensor x = Tensor.uniform(new SplittableRandom(1), 0, 1, 1, 784);
    calls.add(() -> mlp.predict(x));
    // Vector API code runs orders of magnitude slower until C2 compiles it, which takes seconds
    // on a loaded machine: every call warms up, in turn, for 12 s before any is timed.
    long warmUntil = System.nanoTime() + 12_000_000_000L;
    while (System.nanoTime() < warmUntil) {
      calls.forEach(Runnable::run);
    }
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < batches.length; i++) {
      rows.add(time("Fashion-MNIST CNN", batches[i], calls.get(i), repeats));
    }
    rows.add(time("MLP 784-128-10", 1, calls.get(3), repeats));
    double[] loads = new double[Math.max(repeats, 5) * 4];
    for (int i = 0; i < 20; i++) {
      Model.load(file);
    }
    for (int i = 0; i < loads.length; i++) {
      long t0 = System.nanoTime();
      Model.load(file);
      loads[i] = (System.nanoTime() - t0) / 1e6;
    }
    return new Result(rows, Bench.median(loads));
  }

  private static Path save(Model model) {
    try {
      Path file = Files.createTempFile("lepton-bench", ".lepton");
      file.toFile().deleteOnExit();
      model.save(file);
      return file;
    } catch (IOException e) {
      throw new LeptonException("predict: cannot write a temporary model file: " + e, e);
    }
  }

  /** Medians over {@code repeats} runs of 0.5 s of calls each. */
  private static Row time(String what, int batch, Runnable call, int repeats) {
    OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    double[] wall = new double[repeats];
    double[] cpu = new double[repeats];
    for (int r = 0; r < repeats; r++) {
      long end = System.nanoTime() + 500_000_000L;
      long n = 0;
      long c0 = os.getProcessCpuTime();
      long t0 = System.nanoTime();
      long t;
      do {
        call.run();
        n++;
        t = System.nanoTime();
      } while (t < end);
      wall[r] = (t - t0) / 1e3 / n;
      cpu[r] = (os.getProcessCpuTime() - c0) / 1e3 / n;
    }
    return new Row(what, batch, Bench.median(wall), Bench.median(cpu));
  }
}
