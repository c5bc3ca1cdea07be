package ai.lepton.models;

import static ai.lepton.LeptonAssertions.assertFailsWith;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.lepton.LeptonException;
import ai.lepton.data.Dataset;
import ai.lepton.layers.Dense;
import ai.lepton.layers.Dropout;
import ai.lepton.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SequentialTest {
  private static final Tensor XOR_X = Tensor.of(new float[] {0, 0, 0, 1, 1, 0, 1, 1}, 4, 2);
  private static final Tensor XOR_Y = Tensor.of(new float[] {0, 1, 1, 0}, 4, 1);

  private static Sequential xorModel() {
    Sequential model = new Sequential()
        .add(new Dense(8, "tanh"))
        .add(new Dense(1, "sigmoid"));
    model.compile("adam", "binary_crossentropy", "accuracy");
    return model;
  }

  @Test
  void learnsXor() {
    Sequential model = xorModel();
    History history = model.fit(XOR_X, XOR_Y, Fit.epochs(500).batchSize(4).seed(42).verbose(0));
    Map<String, Double> scores = model.evaluate(XOR_X, XOR_Y);
    assertEquals(1.0, scores.get("accuracy"), "XOR accuracy; history " + history);
    assertTrue(scores.get("loss") < 0.6, "loss " + scores);
    float[] p = model.predict(XOR_X).toFloatArray();
    assertTrue(p[0] < 0.5f && p[1] > 0.5f && p[2] > 0.5f && p[3] < 0.5f);
    assertEquals(500, history.epochs());
  }

  @Test
  void sameSeedGivesTheSameTrainingCurve() {
    Sequential a = new Sequential().add(new Dense(8, "relu")).add(new Dropout(0.25f))
        .add(new Dense(1, "sigmoid"));
    a.compile("adam", "binary_crossentropy");
    Sequential b = new Sequential().add(new Dense(8, "relu")).add(new Dropout(0.25f))
        .add(new Dense(1, "sigmoid"));
    b.compile("adam", "binary_crossentropy");
    Fit fit = Fit.epochs(20).batchSize(2).seed(7).verbose(0);
    History ha = a.fit(XOR_X, XOR_Y, fit);
    History hb = b.fit(XOR_X, XOR_Y, fit);
    assertEquals(ha.get("loss"), hb.get("loss"));
    assertArrayEquals(a.weights().get("dense/kernel").toFloatArray(),
        b.weights().get("dense/kernel").toFloatArray());
  }

  @Test
  void summaryListsLayersShapesAndParameterCounts() {
    Sequential model = xorModel();
    model.build(0, 2);
    String s = model.summary();
    assertTrue(s.contains("dense (Dense)"), s);
    assertTrue(s.contains("dense_1 (Dense)"), s);
    assertTrue(s.contains("(None, 8)"), s);
    assertTrue(s.contains("Total params: 33"), s);
  }

  @Test
  void validationSplitTakesTheLastSamplesAndReportsValLoss() {
    Tensor x = Tensor.uniform(new java.util.SplittableRandom(1), -1, 1, 100, 3);
    Tensor y = x.sum(1, true);
    Sequential model = new Sequential().add(new Dense(1));
    model.compile("sgd", "mse");
    History h = model.fit(x, y, Fit.epochs(3).validationSplit(0.2).verbose(0));
    assertEquals(3, h.get("val_loss").size());
  }

  @Test
  void aCallbackReceivesEveryEpochAndBatch() {
    List<TrainingEvent> events = new ArrayList<>();
    Sequential model = xorModel();
    model.fit(XOR_X, XOR_Y, Fit.epochs(2).batchSize(2).verbose(0).callbacks(events::add));
    assertEquals(TrainingEvent.Kind.TRAIN_BEGIN, events.get(0).kind());
    assertEquals(TrainingEvent.Kind.TRAIN_END, events.get(events.size() - 1).kind());
    assertEquals(4, events.stream().filter(e -> e.kind() == TrainingEvent.Kind.BATCH_END).count());
    TrainingEvent end = events.stream().filter(e -> e.kind() == TrainingEvent.Kind.EPOCH_END)
        .findFirst().orElseThrow();
    assertTrue(end.logs().containsKey("loss") && end.logs().containsKey("accuracy"));
  }

  /**
   * Every form of fit builds an unbuilt model the same way, from the first batch's sample shape
   * and fit's seed: tensors, lists of tensors and datasets give the same initial weights, so the
   * same training.
   */
  @Test
  void everyFormOfFitBuildsAnUnbuiltModelAlike() {
    Fit fit = Fit.epochs(3).batchSize(2).seed(11).shuffle(false).verbose(0);
    Sequential fromTensors = xorModel();
    fromTensors.fit(XOR_X, XOR_Y, fit);
    Sequential fromLists = xorModel();
    fromLists.fit(List.of(XOR_X), List.of(XOR_Y), fit);
    Sequential fromDataset = xorModel();
    fromDataset.fit(Dataset.of(XOR_X, XOR_Y).batch(2).shuffle(false).seed(11), fit);
    for (Sequential m : List.of(fromLists, fromDataset)) {
      assertArrayEquals(new int[] {2}, m.inputShape());
      m.weights().forEach((name, w) -> assertArrayEquals(
          fromTensors.weights().get(name).toFloatArray(), w.toFloatArray(), name));
    }
    assertFailsWith("fit: the model is not built yet and takes one input, but received 2 input "
        + "tensors; pass one, or build the model first", () -> xorModel()
        .fit(List.of(XOR_X, XOR_X), List.of(XOR_Y), fit));
    assertFailsWith("fit: expected x with the batch first", () -> xorModel()
        .fit(List.of(Tensor.of(new float[] {0, 1}, 2)), List.of(Tensor.zeros(2)), fit));
  }

  @Test
  void badInputGivesClearErrors() {
    Sequential model = xorModel();
    LeptonException notBuilt = assertThrows(LeptonException.class, () -> model.predict(XOR_X));
    assertTrue(notBuilt.getMessage().contains("not built"), notBuilt.getMessage());
    model.fit(XOR_X, XOR_Y, Fit.epochs(1).verbose(0));
    LeptonException noBatch = assertThrows(LeptonException.class,
        () -> model.predict(Tensor.of(new float[] {0, 1}, 2)));
    assertTrue(noBatch.getMessage().contains("add a batch dimension"), noBatch.getMessage());
    LeptonException nan = assertThrows(LeptonException.class, () -> model.fit(
        Tensor.of(new float[] {Float.NaN, 0}, 1, 2), Tensor.zeros(1, 1), Fit.epochs(1)));
    assertTrue(nan.getMessage().contains("NaN"), nan.getMessage());
    LeptonException empty = assertThrows(LeptonException.class,
        () -> model.fit(Tensor.zeros(0, 2), Tensor.zeros(0, 1), Fit.epochs(1)));
    assertTrue(empty.getMessage().contains("empty"), empty.getMessage());
    LeptonException count = assertThrows(LeptonException.class,
        () -> model.fit(XOR_X, Tensor.zeros(3, 1), Fit.epochs(1)));
    assertTrue(count.getMessage().contains("4 samples"), count.getMessage());
    assertFailsWith("expected a positive batch size, received 0", () -> Fit.epochs(1).batchSize(0));
    assertFailsWith("the model is not compiled", () -> new Sequential().add(new Dense(1))
        .fit(XOR_X, XOR_Y, Fit.epochs(1)));
  }
}
