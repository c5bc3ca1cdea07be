package ai.lepton.bench;

import ai.lepton.layers.Dense;
import ai.lepton.layers.Embedding;
import ai.lepton.layers.LSTM;
import ai.lepton.losses.Losses;
import ai.lepton.models.Sequential;
import ai.lepton.optimizers.Adam;
import ai.lepton.tensor.Tensor;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Training throughput of a text classifier, Embedding(5000, 128) -> LSTM(128) -> Dense(1, sigmoid)
 * with Adam and binary cross-entropy, on sequences of 100 token ids at batch 64: the same set-up as
 * the "lstm" section of bench/pytorch_bench.py.
 */
final class LstmBench {
  static final int VOCAB = 5000;
  static final int TIME = 100;
  static final int BATCH = 64;

  private LstmBench() {}

  /** Median seconds per training step over {@code repeats} runs of {@code steps} steps. */
  static double stepSeconds(int steps, int repeats) {
    Sequential model = new Sequential()
        .add(new Embedding(VOCAB, 128))
        .add(new LSTM(128))
        .add(new Dense(1, "sigmoid"));
    model.compile(new Adam(1e-3f), Losses.binaryCrossentropy(false));
    model.build(0, TIME);
    SplittableRandom rng = new SplittableRandom(0);
    float[] ids = new float[BATCH * steps * TIME];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = rng.nextInt(VOCAB);
    }
    float[] labels = new float[BATCH * steps];
    for (int i = 0; i < labels.length; i++) {
      labels[i] = rng.nextInt(2);
    }
    Tensor x = Tensor.of(ids, BATCH * steps, TIME);
    Tensor y = Tensor.of(labels, labels.length, 1);
    return TrainBench.stepSeconds(model, x, y, BATCH, repeats);
  }

  /** The median training step time at batch 64, sequence length 100. */
  record Result(double stepMs) implements Bench.Section {
    @Override
    public List<String> table() {
      return List.of(
          String.format("%-44s %10s %14s", "Embedding(5000,128)-LSTM(128)-Dense(1), Adam",
              "ms/step", "samples/s"),
          String.format("%-44s %10.1f %14.0f", "train, batch 64, 100 steps", stepMs,
              BATCH / stepMs * 1e3));
    }
  }

  static Result measure(int repeats) {
    return new Result(stepSeconds(10, repeats) * 1e3);
  }
}
