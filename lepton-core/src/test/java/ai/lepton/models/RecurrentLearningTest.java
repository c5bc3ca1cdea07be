package ai.lepton.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.lepton.layers.Bidirectional;
import ai.lepton.layers.Dense;
import ai.lepton.layers.Embedding;
import ai.lepton.layers.GRU;
import ai.lepton.layers.LSTM;
import ai.lepton.layers.Layer;
import ai.lepton.layers.SimpleRNN;
import ai.lepton.losses.Losses;
import ai.lepton.metrics.Metrics;
import ai.lepton.optimizers.Adam;
import ai.lepton.tensor.Tensor;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Recurrent layers learn a task that needs memory: "was the first token a 1?", read from a
 * left-padded sequence whose later tokens are noise, so the answer must survive every step.
 */
class RecurrentLearningTest {
  private static final int N = 512;
  private static final int TIME = 12;
  private static final int VOCAB = 6;

  private static Tensor[] firstTokenTask(long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    float[] ids = new float[N * TIME];
    float[] labels = new float[N];
    for (int i = 0; i < N; i++) {
      int padding = rng.nextInt(4); // id 0, masked
      int first = 1 + rng.nextInt(VOCAB - 1);
      ids[i * TIME + padding] = first;
      for (int t = padding + 1; t < TIME; t++) {
        ids[i * TIME + t] = 1 + rng.nextInt(VOCAB - 1);
      }
      labels[i] = first == 1 ? 1f : 0f;
    }
    return new Tensor[] {Tensor.of(ids, N, TIME), Tensor.of(labels, N, 1)};
  }

  private static double trainedAccuracy(Layer recurrent) {
    Tensor[] train = firstTokenTask(1);
    Tensor[] test = firstTokenTask(2);
    Sequential model = new Sequential()
        .add(new Embedding(VOCAB, 8, true))
        .add(recurrent)
        .add(new Dense(1, "sigmoid"));
    model.compile(new Adam(0.02f), Losses.binaryCrossentropy(false), Metrics.get("accuracy"));
    model.fit(train[0], train[1], Fit.epochs(12).batchSize(32).seed(5).verbose(0));
    return model.evaluate(test[0], test[1]).get("accuracy");
  }

  @Test
  void lstmRemembersTheFirstTokenAcrossMaskedPaddingAndNoise() {
    double accuracy = trainedAccuracy(new LSTM(16));
    assertTrue(accuracy > 0.97, "test accuracy " + accuracy);
  }

  @Test
  void aSavedRecurrentModelLoadsAndPredictsTheSame(@TempDir Path dir) {
    Sequential model = new Sequential()
        .add(new Embedding(VOCAB, 4, true))
        .add(new Bidirectional(new LSTM(3).returnSequences(true), "sum"))
        .add(new SimpleRNN(2));
    model.build(3, TIME);
    Tensor ids = firstTokenTask(3)[0];
    model.save(dir.resolve("rnn.lepton"));
    Model loaded = Model.load(dir.resolve("rnn.lepton"));
    assertArrayEquals(model.predict(ids).toFloatArray(), loaded.predict(ids).toFloatArray());
  }

  @Test
  void bidirectionalGruRemembersTheFirstToken() {
    double accuracy = trainedAccuracy(new Bidirectional(new GRU(8)));
    assertTrue(accuracy > 0.97, "test accuracy " + accuracy);
  }
}
