package ai.lepton.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.lepton.layers.Dense;
import ai.lepton.layers.Embedding;
import ai.lepton.layers.GlobalAveragePooling1D;
import ai.lepton.layers.TokenAndPositionEmbedding;
import ai.lepton.layers.TransformerEncoder;
import ai.lepton.losses.Losses;
import ai.lepton.metrics.Metrics;
import ai.lepton.optimizers.Adam;
import ai.lepton.tensor.Tensor;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Text Transformers in a Sequential model: learning a task that needs attention, and saving. */
class TransformerLearningTest {
  private static final int A = 1;
  private static final int B = 2;
  private static final int VOCABULARY = 10; // 0 is padding, 3..9 are filler tokens
  private static final int LENGTH = 8;

  @TempDir Path dir;

  /**
   * Sequences of 4 to 8 tokens (padded with 0) holding one A and one B among filler tokens; the
   * label says whether A comes before B. No single token or position decides it: the model must
   * relate the two tokens' positions, which is what attention does.
   */
  private static Tensor[] aBeforeB(int n, long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    float[] ids = new float[n * LENGTH];
    float[] labels = new float[n];
    for (int i = 0; i < n; i++) {
      int length = 4 + rng.nextInt(LENGTH - 3);
      for (int t = 0; t < length; t++) {
        ids[i * LENGTH + t] = 3 + rng.nextInt(VOCABULARY - 3);
      }
      int a = rng.nextInt(length);
      int b = (a + 1 + rng.nextInt(length - 1)) % length;
      ids[i * LENGTH + a] = A;
      ids[i * LENGTH + b] = B;
      labels[i] = a < b ? 1f : 0f;
    }
    return new Tensor[] {Tensor.of(ids, n, LENGTH), Tensor.of(labels, n, 1)};
  }

  @Test
  void smallTransformerLearnsWhetherATokenComesBeforeAnother() {
    Tensor[] train = aBeforeB(512, 1);
    Tensor[] test = aBeforeB(256, 2);
    Sequential model = new Sequential()
        .add(new TokenAndPositionEmbedding(VOCABULARY, LENGTH, 16, true))
        .add(new TransformerEncoder(32, 2))
        .add(new GlobalAveragePooling1D())
        .add(new Dense(1, "sigmoid"));
    model.compile(new Adam(0.01f), Losses.binaryCrossentropy(false), Metrics.get("accuracy"));
    model.fit(train[0], train[1], Fit.epochs(25).batchSize(32).seed(3).verbose(0));
    double accuracy = model.evaluate(test[0], test[1]).get("accuracy");
    assertTrue(accuracy >= 0.95, "held-out accuracy " + accuracy);
  }

  @Test
  void embeddingEncoderPoolingModelSavesAndLoadsWithItsMask() {
    Sequential model = new Sequential()
        .add(new Embedding(VOCABULARY, 8, true))
        .add(new TransformerEncoder(16, 2))
        .add(new GlobalAveragePooling1D())
        .add(new Dense(1, "sigmoid"));
    model.compile("adam", "binary_crossentropy");
    Tensor[] data = aBeforeB(16, 4);
    model.fit(data[0], data[1], Fit.epochs(1).batchSize(8).seed(5).verbose(0));
    Path file = dir.resolve("transformer.lepton");
    model.save(file);
    Model loaded = Model.load(file);
    assertArrayEquals(model.predict(data[0]).toFloatArray(), loaded.predict(data[0])
        .toFloatArray());
    assertTrue(loaded.weights().containsKey(
        "transformer_encoder/self_attention_layer/query/kernel"), loaded.weights().keySet()
        .toString());
  }
}
