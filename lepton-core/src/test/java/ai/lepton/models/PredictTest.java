package ai.lepton.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.lepton.LeptonException;
import ai.lepton.layers.Concatenate;
import ai.lepton.layers.Conv2D;
import ai.lepton.layers.Dense;
import ai.lepton.layers.Flatten;
import ai.lepton.layers.Input;
import ai.lepton.layers.MaxPooling2D;
import ai.lepton.layers.Symbol;
import ai.lepton.tensor.Tensor;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** predict's checks and options: non-finite inputs, several inputs, weights that change. */
class PredictTest {
  private final SplittableRandom rng = new SplittableRandom(5);

  @TempDir Path dir;

  private static Sequential mlp() {
    Sequential model = new Sequential()
        .add(new Dense(16, "relu"))
        .add(new Dense(3, "softmax"));
    model.build(1, 4);
    return model;
  }

  private Tensor data(int... shape) {
    return Tensor.uniform(rng, -1f, 1f, shape);
  }

  private static Tensor with(Tensor x, float value, int... index) {
    float[] v = x.toFloatArray();
    int flat = 0;
    int[] shape = x.shape();
    for (int i = 0; i < index.length; i++) {
      flat = flat * shape[i] + index[i];
    }
    v[flat] = value;
    return Tensor.of(v, shape);
  }

  private static void assertSameBits(Tensor expected, Tensor actual) {
    float[] e = expected.toFloatArray();
    float[] a = actual.toFloatArray();
    assertEquals(e.length, a.length);
    for (int i = 0; i < e.length; i++) {
      assertEquals(Float.floatToRawIntBits(e[i]), Float.floatToRawIntBits(a[i]),
          "at " + i + ": " + e[i] + " vs " + a[i]);
    }
  }

  @Test
  void nanInputIsRefusedNamingTheSampleTheFeatureAndTheOption() {
    Tensor x = with(data(3, 4), Float.NaN, 2, 1);
    LeptonException e = assertThrows(LeptonException.class, () -> mlp().predict(x));
    assertTrue(e.getMessage().startsWith("predict: x holds NaN at sample 2, feature 1;"),
        e.getMessage());
    assertTrue(e.getMessage().contains("PredictOptions.DEFAULTS.allowNonFinite(true)"),
        e.getMessage());
  }

  @Test
  void infinitiesAreRefusedToo() {
    Sequential model = mlp();
    LeptonException plus = assertThrows(LeptonException.class,
        () -> model.predict(with(data(40, 4), Float.POSITIVE_INFINITY, 37, 3), 8));
    assertTrue(plus.getMessage().contains("x holds Infinity at sample 37, feature 3"),
        plus.getMessage());
    LeptonException minus = assertThrows(LeptonException.class,
        () -> model.predict(with(data(2, 4), Float.NEGATIVE_INFINITY, 0, 0)));
    assertTrue(minus.getMessage().contains("x holds -Infinity at sample 0, feature 0"),
        minus.getMessage());
  }

  @Test
  void anImageFeatureIsNamedByItsCoordinates() {
    Sequential cnn = new Sequential()
        .add(new Conv2D(2, 3, 3, "relu"))
        .add(new MaxPooling2D())
        .add(new Flatten())
        .add(new Dense(2, "softmax"));
    cnn.build(1, 8, 8, 1);
    Tensor x = with(data(2, 8, 8, 1), Float.NaN, 1, 3, 5, 0);
    LeptonException e = assertThrows(LeptonException.class, () -> cnn.predict(x));
    assertTrue(e.getMessage().contains("x holds NaN at sample 1, feature [3, 5, 0]"),
        e.getMessage());
  }

  @Test
  void allowedNaNPropagatesToItsSampleOnlyInsteadOfAConfidentAnswer() {
    Sequential model = mlp();
    Tensor clean = data(3, 4);
    Tensor dirty = with(clean, Float.NaN, 1, 2);
    Tensor out = model.predict(dirty, PredictOptions.DEFAULTS.allowNonFinite(true));
    float[] expected = model.predict(clean).toFloatArray();
    float[] got = out.toFloatArray();
    for (int j = 0; j < 3; j++) {
      // relu used to turn the NaN into 0 and give a confident-looking probability
      assertTrue(Float.isNaN(got[3 + j]), "sample 1, class " + j + ": " + got[3 + j]);
      assertEquals(expected[j], got[j], "sample 0 is untouched");
      assertEquals(expected[6 + j], got[6 + j], "sample 2 is untouched");
    }
  }

  @Test
  void aModelWithSeveralInputsNamesTheInputAndChecksSampleCounts() {
    Symbol a = Input.of("pixels", 4);
    Symbol b = Input.of("extras", 2);
    Symbol h = new Concatenate().on(a, b);
    Functional model = new Functional(List.of(a, b), List.of(new Dense(2).on(h)));
    LeptonException nan = assertThrows(LeptonException.class,
        () -> model.predict(List.of(data(3, 4), with(data(3, 2), Float.NaN, 2, 0)), 32));
    assertTrue(nan.getMessage().startsWith("predict: input 'extras' holds NaN at sample 2, "
        + "feature 0;"), nan.getMessage());
    LeptonException counts = assertThrows(LeptonException.class,
        () -> model.predict(List.of(data(3, 4), data(2, 2)), PredictOptions.DEFAULTS));
    assertTrue(counts.getMessage().contains("input 'extras' has 2 samples but input 'pixels' "
        + "has 3"), counts.getMessage());
    List<Tensor> out = model.predict(List.of(data(70, 4), data(70, 2)),
        PredictOptions.DEFAULTS.batchSize(32));
    assertArrayEquals(new int[] {70, 2}, out.get(0).shape());
  }

  @Test
  void aBatchSizeBelowOneAndMissingOptionsAreRefused() {
    LeptonException e = assertThrows(LeptonException.class,
        () -> PredictOptions.DEFAULTS.batchSize(0));
    assertTrue(e.getMessage().contains("expected a positive batch size, received 0"),
        e.getMessage());
    LeptonException direct = assertThrows(LeptonException.class, () -> mlp().predict(data(2, 4), -1));
    assertTrue(direct.getMessage().startsWith("predict: expected a positive batch size"),
        direct.getMessage());
    LeptonException none = assertThrows(LeptonException.class,
        () -> mlp().predict(data(2, 4), (PredictOptions) null));
    assertTrue(none.getMessage().contains("expected options, received null"), none.getMessage());
  }

  /**
   * Batch 64 keeps the first layer's kernel packed (see Tensor#packedB); every way of changing
   * the weights must reach the next prediction.
   */
  @Test
  void predictionsFollowTheWeightsAfterTrainingSetWeightsAndLoad() {
    Sequential model = new Sequential()
        .add(new Dense(256, "relu"))
        .add(new Dense(128, "relu"))
        .add(new Dense(10, "softmax"));
    model.build(3, 784);
    model.compile("adam", "sparse_categorical_crossentropy");
    Tensor x = Tensor.uniform(rng, 0f, 1f, 64, 784);
    model.predict(x, 64); // packs the kernels

    float[] labels = new float[64];
    for (int i = 0; i < 64; i++) {
      labels[i] = i % 10;
    }
    model.fit(x, Tensor.of(labels, 64), Fit.epochs(1).batchSize(64).verbose(0));
    Tensor afterStep = model.predict(x, 64);
    model.save(dir.resolve("trained.lepton"));
    Model loaded = Model.load(dir.resolve("trained.lepton"));
    assertSameBits(loaded.predict(x, 64), afterStep);

    Sequential other = new Sequential()
        .add(new Dense(256, "relu"))
        .add(new Dense(128, "relu"))
        .add(new Dense(10, "softmax"));
    other.build(4, 784);
    Tensor otherAnswer = other.predict(x, 64);
    model.setWeights(other.weights());
    assertSameBits(otherAnswer, model.predict(x, 64));
  }
}
