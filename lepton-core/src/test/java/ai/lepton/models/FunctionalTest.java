package ai.lepton.models;

import static ai.lepton.LeptonAssertions.assertFailsWith;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.lepton.LeptonException;
import ai.lepton.data.Dataset;
import ai.lepton.layers.Add;
import ai.lepton.layers.Concatenate;
import ai.lepton.layers.Dense;
import ai.lepton.layers.Embedding;
import ai.lepton.layers.GlobalAveragePooling1D;
import ai.lepton.layers.Input;
import ai.lepton.layers.LSTM;
import ai.lepton.layers.Layer;
import ai.lepton.layers.Symbol;
import ai.lepton.losses.Losses;
import ai.lepton.metrics.Metrics;
import ai.lepton.optimizers.Adam;
import ai.lepton.tensor.Tensor;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class FunctionalTest {

  @Test
  void shapeMismatchAtCallTimeNamesBothLayers() {
    Symbol h = new Dense(4).name("encoder").on(Input.of(3));
    Layer decoder = new Dense(2).name("decoder");
    decoder.on(Input.of(5));
    LeptonException e = assertThrows(LeptonException.class, () -> decoder.on(h));
    assertTrue(e.getMessage().contains("'decoder'") && e.getMessage().contains("'encoder'")
        && e.getMessage().contains("[batch, 5]") && e.getMessage().contains("[batch, 4]"),
        e.getMessage());
  }

  @Test
  void unusedInputIsRefused() {
    Symbol a = Input.of("a", 3);
    Symbol b = Input.of("b", 3);
    Symbol out = new Dense(1).on(a);
    LeptonException e = assertThrows(LeptonException.class,
        () -> new Functional(List.of(a, b), List.of(out)));
    assertTrue(e.getMessage().contains("'b'") && e.getMessage().contains("not used"),
        e.getMessage());
  }

  @Test
  void outputThatNeedsAnotherInputIsRefused() {
    Symbol a = Input.of("a", 3);
    Symbol b = Input.of("b", 3);
    Symbol out = new Add().on(new Dense(2).on(a), new Dense(2).on(b));
    LeptonException e = assertThrows(LeptonException.class, () -> new Functional(a, out));
    assertTrue(e.getMessage().contains("'b'") && e.getMessage().contains("not among"),
        e.getMessage());
    assertFailsWith("inputs must be symbols made by Input.of",
        () -> new Functional(new Dense(2).on(a), out));
  }

  @Test
  void duplicateLayerNamesAreRefused() {
    Symbol in = Input.of(3);
    Symbol out = new Dense(2).name("same").on(new Dense(2).name("same").on(in));
    LeptonException e = assertThrows(LeptonException.class, () -> new Functional(in, out));
    assertTrue(e.getMessage().contains("'same'"), e.getMessage());
  }

  @Test
  void sharedLayerUsesOneSetOfWeights() {
    Symbol a = Input.of("a", 3);
    Symbol b = Input.of("b", 3);
    Dense shared = new Dense(2, "tanh");
    Symbol out = new Add().on(shared.on(a), shared.on(b));
    Functional model = new Functional(List.of(a, b), List.of(out));
    assertEquals(2, shared.nodeCount());
    assertEquals(1, model.layers().stream().filter(l -> l == shared).count());
    assertEquals(3 * 2 + 2, model.weights().values().stream().mapToLong(Tensor::size).sum());
    Tensor x = Tensor.uniform(new SplittableRandom(1), -1, 1, 4, 3);
    Tensor twice = model.predict(List.of(x, x), 32).get(0);
    Tensor once = shared.apply(x, false);
    assertArrayEquals(once.mul(2f).toFloatArray(), twice.toFloatArray(), 1e-6f);
    String summary = model.summary();
    assertTrue(summary.contains("Connected to") && summary.contains("dense[0][0], dense[1][0]"),
        summary);
    assertTrue(summary.contains("Total params: 8"), summary);
  }

  @Test
  void layerLookupByNameAndErrors() {
    Symbol in = Input.of(3);
    Functional model = new Functional(in, new Dense(1).on(new Dense(4).on(in)));
    assertEquals(List.of("input", "dense", "dense_1"),
        model.layers().stream().map(Layer::name).toList());
    assertEquals(4, model.layer("dense").output().shape()[0]);
    LeptonException e = assertThrows(LeptonException.class, () -> model.layer("dense_9"));
    assertTrue(e.getMessage().contains("dense_1"), e.getMessage());
    assertFailsWith("is built when it is made", () -> model.build(0, 3));
  }

  @Test
  void twoInputModelLearnsATaskThatNeedsBoth() {
    // The label says which input has the larger sum: neither input alone predicts it.
    SplittableRandom rng = new SplittableRandom(3);
    Tensor x1 = Tensor.uniform(rng, -1, 1, 256, 4);
    Tensor x2 = Tensor.uniform(rng, -1, 1, 256, 4);
    float[] y = new float[256];
    float[] a = x1.sum(1, false).toFloatArray();
    float[] b = x2.sum(1, false).toFloatArray();
    for (int i = 0; i < y.length; i++) {
      y[i] = a[i] > b[i] ? 1 : 0;
    }
    Symbol in1 = Input.of("first", 4);
    Symbol in2 = Input.of("second", 4);
    Symbol h = new Concatenate().on(new Dense(8, "tanh").on(in1), new Dense(8, "tanh").on(in2));
    Functional model = new Functional(List.of(in1, in2),
        List.of(new Dense(1, "sigmoid").name("larger").on(h)));
    model.compile(new Adam(0.03f), Losses.binaryCrossentropy(false), Metrics.get("accuracy"));
    Tensor labels = Tensor.of(y, 256, 1);
    History history = model.fit(List.of(x1, x2), List.of(labels),
        Fit.epochs(40).batchSize(32).verbose(0));
    List<Double> acc = history.get("accuracy");
    assertTrue(acc.get(acc.size() - 1) > 0.9, "accuracy " + acc);
    Map<String, Double> eval = model.evaluate(List.of(x1, x2), List.of(labels), 64);
    assertTrue(eval.get("accuracy") > 0.9, eval.toString());
  }

  /** A trunk with a 3-way class head and a binary head, both from one input. */
  private static Functional twoHeads() {
    Symbol in = Input.of("features", 4);
    Symbol trunk = new Dense(8, "relu").name("trunk").on(in);
    Symbol kind = new Dense(3, "softmax").name("kind").on(trunk);
    Symbol flag = new Dense(1, "sigmoid").name("flag").on(trunk);
    return new Functional(List.of(in), List.of(kind, flag), "two_heads", 5);
  }

  private static final Tensor X = Tensor.uniform(new SplittableRandom(8), -1, 1, 64, 4);
  private static final Tensor KIND = X.slice(1, 0, 3).argmax(1);
  private static final Tensor FLAG = X.slice(1, 3, 4).gt(Tensor.scalar(0f));

  @Test
  void multiOutputTrainingLogsEachHeadAndWeightZeroLeavesAHeadUntouched() {
    Functional model = twoHeads();
    model.compile("adam", Map.of("kind", "sparse_categorical_crossentropy", "flag",
        "binary_crossentropy"), Map.of("flag", 0.0), Map.of("kind", List.of("accuracy"),
        "flag", List.of("binary_accuracy")));
    Map<String, Tensor> before = model.copyWeights();
    History h = model.fit(List.of(X), List.of(KIND, FLAG), Fit.epochs(3).batchSize(16)
        .validationSplit(0.25).verbose(0));
    assertEquals(List.of("loss", "kind_loss", "flag_loss", "kind_accuracy", "flag_binary_accuracy",
        "val_loss", "val_kind_loss", "val_flag_loss", "val_kind_accuracy",
        "val_flag_binary_accuracy"), List.copyOf(h.history().keySet()));
    for (String w : List.of("flag/kernel", "flag/bias")) {
      assertArrayEquals(before.get(w).toFloatArray(), model.weights().get(w).toFloatArray(), w);
    }
    assertNotEquals(before.get("kind/kernel").toFloatArray()[0],
        model.weights().get("kind/kernel").toFloatArray()[0]);
    // With flag weighted 0, the total is the kind loss alone.
    assertEquals(h.get("kind_loss").get(2), h.get("loss").get(2), 1e-6);
  }

  @Test
  void lossWeightsScaleTheTotalAndUnknownOutputsAreRefused() {
    Functional model = twoHeads();
    model.compile("sgd", Map.of("kind", "sparse_categorical_crossentropy", "flag",
        "binary_crossentropy"), Map.of("kind", 2.0, "flag", 0.5), Map.of());
    Map<String, Double> e = model.evaluate(List.of(X), List.of(KIND, FLAG), 16);
    assertEquals(2 * e.get("kind_loss") + 0.5 * e.get("flag_loss"), e.get("loss"), 1e-5);
    model.compile("sgd", Map.of("kind", "mse", "colour", "mse"), Map.of(), Map.of());
    LeptonException ex = assertThrows(LeptonException.class,
        () -> model.evaluate(List.of(X), List.of(KIND, FLAG), 16));
    assertTrue(ex.getMessage().contains("'colour'") && ex.getMessage().contains("[kind, flag]"),
        ex.getMessage());
    model.compile("sgd", Map.of("kind", "sparse_categorical_crossentropy"), Map.of(), Map.of());
    ex = assertThrows(LeptonException.class,
        () -> model.evaluate(List.of(X), List.of(KIND, FLAG), 16));
    assertTrue(ex.getMessage().contains("no loss for output 'flag'"), ex.getMessage());
  }

  @Test
  void fitsADatasetWhoseBatchesCarryATargetPerOutput() {
    Functional model = twoHeads();
    model.compile("adam", Map.of("kind", "sparse_categorical_crossentropy", "flag",
        "binary_crossentropy"), Map.of(), Map.of("flag", List.of("binary_accuracy")));
    Dataset data = Dataset.of(List.of(X), List.of(KIND, FLAG)).batch(16).shuffle(true).seed(2);
    History h = model.fit(data, Fit.epochs(2).validationData(data).verbose(0));
    assertEquals(2, h.get("val_flag_binary_accuracy").size());
    LeptonException e = assertThrows(LeptonException.class,
        () -> model.fit(Dataset.of(X, KIND).batch(16), Fit.epochs(1).verbose(0)));
    assertTrue(e.getMessage().contains("2 output(s) [kind, flag]"), e.getMessage());
    assertFailsWith("expected loss weights >= 0", () -> model.compile("adam", Map.of("kind", "mse"),
        Map.of("kind", -1.0), Map.of()));
  }

  @Test
  void oneLossAppliesToEveryOutputWithItsOwnMetrics() {
    Functional model = twoHeads();
    model.compile("sgd", "mse", "mae");
    Map<String, Double> e = model.evaluate(List.of(X), List.of(Tensor.oneHot(KIND, 3), FLAG), 16);
    assertEquals(List.of("loss", "kind_loss", "flag_loss", "kind_mean_absolute_error",
        "flag_mean_absolute_error"), List.copyOf(e.keySet()));
    assertEquals(e.get("kind_loss") + e.get("flag_loss"), e.get("loss"), 1e-5);
    assertNotEquals(e.get("kind_mean_absolute_error"), e.get("flag_mean_absolute_error"));
    LeptonException ex = assertThrows(LeptonException.class, () -> model.predict(X));
    assertTrue(ex.getMessage().contains("[kind, flag]"), ex.getMessage());
  }

  @Test
  void masksFollowTheGraphAsInSequential() {
    Tensor ids = Tensor.of(new float[] {3, 5, 0, 0, 2, 0, 0, 0}, 2, 4);
    Sequential seq = new Sequential().add(new Embedding(8, 3, true))
        .add(new GlobalAveragePooling1D());
    seq.build(0, 4);
    Symbol in = Input.of(4);
    Functional fun = new Functional(in,
        new GlobalAveragePooling1D().on(new Embedding(8, 3, true).on(in)));
    fun.setWeights(seq.weights());
    assertArrayEquals(seq.predict(ids).toFloatArray(), fun.predict(ids).toFloatArray(), 1e-6f);
    // Without the mask, padding would be averaged in and the values would differ.
    Tensor table = seq.weights().get("embedding/embeddings");
    float validOnly = (table.slice(0, 2, 3).toFloatArray()[0]);
    assertEquals(validOnly, fun.predict(ids).toFloatArray()[3], 1e-6f);
  }

  @Test
  void mergedSequencesKeepTheStepsValidInBoth() {
    Tensor left = Tensor.of(new float[] {3, 5, 1, 0}, 1, 4);
    Tensor right = Tensor.of(new float[] {2, 4, 0, 0}, 1, 4);
    Symbol a = Input.of(4);
    Symbol b = Input.of(4);
    Layer embed = new Embedding(8, 3, true);
    Functional model = new Functional(List.of(a, b),
        List.of(new GlobalAveragePooling1D().on(new Add().on(embed.on(a), embed.on(b)))));
    float[] table = model.weights().get("embedding/embeddings").toFloatArray();
    // Steps 0 and 1 are valid in both inputs: the average of (3 + 2) and (5 + 4), feature 0.
    float expected = (table[3 * 3] + table[2 * 3] + table[5 * 3] + table[4 * 3]) / 2;
    assertEquals(expected, model.predict(List.of(left, right), 8).get(0).toFloatArray()[0], 1e-6f);
  }

  @Test
  void recurrentStatesAreSeparateOutputsAndSurviveTheConfig() {
    Symbol in = Input.of(5);
    List<Symbol> lstm = new LSTM(4).returnState(true).onAll(List.of(
        new Embedding(9, 3, true).on(in)));
    assertEquals(3, lstm.size());
    Functional model = new Functional(List.of(in), List.of(lstm.get(0), lstm.get(2)));
    assertEquals(List.of("lstm_0", "lstm_1"), model.outputNames());
    Functional again = Functional.fromConfig(model.config());
    assertEquals(model.config(), again.config());
    again.setWeights(model.weights());
    Tensor ids = Tensor.of(new float[] {1, 4, 2, 0, 0, 3, 3, 3, 3, 8}, 2, 5);
    List<Tensor> expected = model.predict(List.of(ids), 8);
    List<Tensor> actual = again.predict(List.of(ids), 8);
    for (int i = 0; i < 2; i++) {
      assertArrayEquals(expected.get(i).toFloatArray(), actual.get(i).toFloatArray());
    }
  }

  @Test
  void newModelGrowsFromATrainedModelsLayers() {
    Functional base = twoHeads();
    Symbol trunk = base.layer("trunk").output();
    Functional head = new Functional(base.inputs(), List.of(new Dense(2).name("new").on(trunk)));
    assertSame(base.layer("trunk"), head.layer("trunk"));
    Tensor fromBase = base.predict(List.of(X), 64).get(0);
    assertEquals(64, fromBase.dim(0));
    assertEquals(List.of("features", "trunk", "new"),
        head.layers().stream().map(Layer::name).toList());
  }

  /** A layer with two outputs: the first and second half of the last axis. */
  private static final class Halves extends Layer {
    Halves() {
      super(null, true);
    }

    @Override
    public int[] outputShape(int[] inputShape) {
      return new int[] {inputShape[0] / 2};
    }

    @Override
    public List<int[]> outputShapes(List<int[]> shapes) {
      int[] half = outputShape(shapes.get(0));
      return List.of(half, half);
    }

    @Override
    protected Tensor call(Tensor x, boolean training) {
      return x.slice(1, 0, x.dim(1) / 2);
    }

    @Override
    protected List<Tensor> call(List<Tensor> inputs, List<Tensor> masks, boolean training) {
      Tensor x = inputs.get(0);
      return List.of(call(x, training), x.slice(1, x.dim(1) / 2, x.dim(1)));
    }

    @Override
    public Record config() {
      return null;
    }
  }

  @Test
  void layerWithSeveralOutputsGivesSeveralSymbols() {
    Symbol in = Input.of(4);
    Layer halves = new Halves();
    LeptonException e = assertThrows(LeptonException.class, () -> halves.on(in));
    assertTrue(e.getMessage().contains("onAll"), e.getMessage());
    assertEquals(0, halves.nodeCount(), "a refused call leaves no node");
    List<Symbol> parts = halves.onAll(List.of(in));
    assertEquals(2, parts.size());
    Functional model = new Functional(List.of(in), parts);
    assertEquals(List.of("halves_0", "halves_1"), model.outputNames());
    Tensor x = Tensor.of(new float[] {1, 2, 3, 4}, 1, 4);
    List<Tensor> out = model.predict(List.of(x), 8);
    assertArrayEquals(new float[] {1, 2}, out.get(0).toFloatArray());
    assertArrayEquals(new float[] {3, 4}, out.get(1).toFloatArray());
  }
}
