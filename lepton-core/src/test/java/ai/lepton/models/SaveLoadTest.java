package ai.lepton.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.lepton.LeptonException;
import ai.lepton.callbacks.ModelCheckpoint;
import ai.lepton.layers.Dense;
import ai.lepton.layers.Dropout;
import ai.lepton.layers.Flatten;
import ai.lepton.layers.Reshape;
import ai.lepton.tensor.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SaveLoadTest {
  @TempDir Path dir;
  private final Tensor x = Tensor.uniform(new SplittableRandom(5), 0, 1, 32, 6);
  private final Tensor y = Tensor.oneHot(x.slice(1, 0, 3).argmax(1), 3);

  private Sequential model() {
    Sequential m = new Sequential()
        .add(new Reshape(2, 3))
        .add(new Flatten())
        .add(new Dense(16, "relu").kernelInitializer("he_normal"))
        .add(new Dropout(0.1f))
        .add(new Dense(3, "softmax"));
    m.compile("adam", "categorical_crossentropy", "accuracy");
    return m;
  }

  @Test
  void roundTripKeepsArchitectureWeightsAndPredictionsExactly() {
    Sequential m = model();
    m.fit(x, y, Fit.epochs(3).batchSize(8).verbose(0));
    Path file = dir.resolve("m.lepton");
    m.save(file);
    Model again = Model.load(file);
    assertEquals(m.summary(), again.summary());
    assertArrayEquals(m.predict(x).toFloatArray(), again.predict(x).toFloatArray());
    m.weights().forEach((k, v) -> assertArrayEquals(v.toFloatArray(),
        again.weights().get(k).toFloatArray(), k));
    assertEquals(m.evaluate(x, y), again.evaluate(x, y));
  }

  @Test
  void resumedTrainingContinuesExactlyWhereItStopped() {
    Sequential a = new Sequential().add(new Dense(8, "tanh")).add(new Dense(3, "softmax"));
    a.compile("adam", "categorical_crossentropy");
    Fit fit = Fit.epochs(2).batchSize(8).shuffle(false).verbose(0);
    a.fit(x, y, fit);
    Path file = dir.resolve("resume.lepton");
    a.save(file);
    Model b = Model.load(file);
    assertEquals(a.optimizer().iterations(), b.optimizer().iterations());
    // Same weights and the same optimizer moments: one more epoch must give identical weights.
    a.fit(x, y, fit);
    b.fit(x, y, fit);
    a.weights().forEach((k, v) -> assertArrayEquals(v.toFloatArray(),
        b.weights().get(k).toFloatArray(), k));
  }

  @Test
  void checkpointWritesAFilePerEpoch() {
    Sequential m = model();
    m.fit(x, y, Fit.epochs(2).verbose(0).callbacks(
        new ModelCheckpoint(dir.resolve("ckpt-{epoch}.lepton").toString(), "loss", false)));
    assertTrue(Files.exists(dir.resolve("ckpt-1.lepton")));
    assertTrue(Files.exists(dir.resolve("ckpt-2.lepton")));
  }

  @Test
  void unknownLayerClassIsRejectedByName() throws Exception {
    Sequential m = model();
    m.build(0, 6);
    Path file = dir.resolve("m.lepton");
    m.save(file);
    ModelFile.Contents c = ModelFile.read(file);
    String hostile = c.config().replace("\"Flatten\"", "\"Lambda\"");
    Path bad = dir.resolve("bad.lepton");
    ModelFile.write(bad, new ModelFile.Contents(c.metadata(), hostile, c.weights(),
        c.optimizer()));
    LeptonException e = assertThrows(LeptonException.class, () -> Model.load(bad));
    assertTrue(e.getMessage().contains("unknown layer class \"Lambda\""), e.getMessage());
  }

  @Test
  void weightsOfTheWrongShapeAreReported() throws Exception {
    Sequential m = model();
    m.build(0, 6);
    Path file = dir.resolve("m.lepton");
    m.save(file);
    ModelFile.Contents c = ModelFile.read(file);
    Map<String, Tensor> w = new java.util.LinkedHashMap<>(c.weights());
    w.put("dense/bias", Tensor.zeros(5));
    Path bad = dir.resolve("bad.lepton");
    ModelFile.write(bad, new ModelFile.Contents(c.metadata(), c.config(), w, c.optimizer()));
    LeptonException e = assertThrows(LeptonException.class, () -> Model.load(bad));
    assertTrue(e.getMessage().contains("dense/bias has shape [5]"), e.getMessage());
  }
}
