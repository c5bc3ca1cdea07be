package ai.lepton.bench;

import ai.lepton.layers.Dense;
import ai.lepton.losses.Losses;
import ai.lepton.models.Fit;
import ai.lepton.models.Sequential;
import ai.lepton.optimizers.Adam;
import ai.lepton.tensor.Tensor;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
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
    Fit fit = Fit.epochs(1).batchSize(batch).shuffle(false).verbose(0);
    model.fit(x.slice(0, 0, batch * Math.min(steps, 50)), y.slice(0, 0, batch * Math.min(steps,
        50)), fit); // warm-up: let the JIT compile the whole step
    double[] times = new double[repeats];
    for (int r = 0; r < repeats; r++) {
      long t0 = System.nanoTime();
      model.fit(x, y, fit);
      times[r] = (System.nanoTime() - t0) / 1e9 / steps;
    }
    return median(times);
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
    return median(times);
  }

  static Map<String, Double> run(int repeats) {
    Map<String, Double> out = new LinkedHashMap<>();
    for (int batch : new int[] {64, 256}) {
      double s = stepSeconds(batch, batch == 64 ? 400 : 100, repeats);
      out.put("mlp_train_b" + batch + "_step_ms", s * 1e3);
      out.put("mlp_train_b" + batch + "_samples_per_s", batch / s);
    }
    out.put("mlp_infer_1_latency_us", latencySeconds(2000, repeats) * 1e6);
    return out;
  }

  static double median(double[] v) {
    double[] s = v.clone();
    Arrays.sort(s);
    return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  }
}
