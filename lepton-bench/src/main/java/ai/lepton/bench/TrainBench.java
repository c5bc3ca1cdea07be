package ai.lepton.bench;

import ai.lepton.layers.Dense;
import ai.lepton.losses.Losses;
import ai.lepton.models.Fit;
import ai.lepton.models.Model;
import ai.lepton.models.Sequential;
import ai.lepton.optimizers.Adam;
import ai.lepton.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Training throughput and inference latency of the MLP 784-256-128-10 (ReLU, logits,
 * sparse cross-entropy, Adam 1e-3), the same set-up as bench/pytorch_train.py.
 */
final class TrainBench {
  private TrainBench() {}

  static Sequential mlp(boolean softmax) {
    Sequential model = new Sequential()
        .add(new Dense(256, "relu"))
        .add(new Dense(128, "relu"))
        .add(new Dense(10, softmax ? "softmax" : "linear"));
    model.compile(new Adam(1e-3f), Losses.sparseCategoricalCrossentropy(true));
    model.build(0, 784);
    return model;
  }

  /** Median seconds per training step over {@code repeats} runs of {@code steps} steps. */
  static double stepSeconds(int batch, int steps, int repeats) {
    Sequential model = mlp(false);
    SplittableRandom rng = new SplittableRandom(0);
    Tensor x = Tensor.uniform(rng, 0, 1, batch * steps, 784);
    float[] labels = new float[batch * steps];
    for (int i = 0; i < labels.length; i++) {
      labels[i] = rng.nextInt(10);
    }
    Tensor y = Tensor.of(labels, labels.length);
    return stepSeconds(model, x, y, batch, repeats);
  }

  /**
   * Median seconds per training step of {@code model} over {@code repeats} epochs of {@code (x, y)}
   * in order, after 5 s of the same epochs: the JIT needs a few thousand steps to compile the whole
   * step with vector intrinsics.
   */
  static double stepSeconds(Model model, Tensor x, Tensor y, int batch, int repeats) {
    int steps = (x.dim(0) + batch - 1) / batch;
    Fit fit = Fit.epochs(1).batchSize(batch).shuffle(false).verbose(0);
    long warmUntil = System.nanoTime() + 5_000_000_000L;
    while (System.nanoTime() < warmUntil) {
      model.fit(x, y, fit);
    }
    double[] times = new double[repeats];
    for (int r = 0; r < repeats; r++) {
      long t0 = System.nanoTime();
      model.fit(x, y, fit);
      times[r] = (System.nanoTime() - t0) / 1e9 / steps;
    }
    return Bench.median(times);
  }

  /** Median seconds of one single-sample {@code predict}. */
  static double latencySeconds(int calls, int repeats) {
    Sequential model = mlp(true);
    Tensor x = Tensor.uniform(new SplittableRandom(1), 0, 1, 1, 784);
    for (int i = 0; i < 5000; i++) {
      model.predict(x);
    }
    double[] times = new double[repeats];
    for (int r = 0; r < repeats; r++) {
      long t0 = System.nanoTime();
      for (int i = 0; i < calls; i++) {
        model.predict(x);
      }
      times[r] = (System.nanoTime() - t0) / 1e9 / calls;
    }
    return Bench.median(times);
  }

  /** Training step times at batch 64 and 256 and the single-sample inference latency. */
  record Result(double b64StepMs, double b256StepMs, double inferenceUs) implements Bench.Section {
    @Override
    public List<String> table() {
      List<String> lines = new ArrayList<>();
      lines.add(String.format("%-34s %10s %14s", "MLP 784-256-128-10, Adam", "ms/step", "samples/s"));
      lines.add(String.format("%-34s %10.3f %14.0f", "train, batch 64", b64StepMs,
          64 / b64StepMs * 1e3));
      lines.add(String.format("%-34s %10.3f %14.0f", "train, batch 256", b256StepMs,
          256 / b256StepMs * 1e3));
      lines.add(String.format("%-34s %10.1f us", "predict, one sample", inferenceUs));
      return lines;
    }
  }

  static Result measure(int repeats) {
    return new Result(stepSeconds(64, 400, repeats) * 1e3, stepSeconds(256, 100, repeats) * 1e3,
        latencySeconds(2000, repeats) * 1e6);
  }
}
