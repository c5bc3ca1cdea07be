package ai.lepton.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.lepton.LeptonException;
import ai.lepton.callbacks.ModelCheckpoint;
import ai.lepton.layers.Dense;
import ai.lepton.layers.Dropout;
import ai.lepton.losses.Losses;
import ai.lepton.metrics.Metrics;
import ai.lepton.optimizers.Adam;
import ai.lepton.optimizers.ExponentialDecay;
import ai.lepton.tensor.Tensor;
import java.nio.file.Path;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ResumeTest {
  @TempDir Path dir;
  private final Tensor x = Tensor.uniform(new SplittableRandom(5), -1, 1, 80, 6);
  private final Tensor y = Tensor.oneHot(x.slice(1, 0, 3).argmax(1), 3);

  /** Dropout and Adam with a decaying learning rate: every kind of state a resume must restore. */
  private static Sequential model() {
    Sequential m = new Sequential()
        .add(new Dense(16, "relu"))
        .add(new Dropout(0.3f))
        .add(new Dense(3, "softmax"));
    m.compile(new Adam(new ExponentialDecay(0.01f, 5, 0.9f, false), 0.9f, 0.999f, 1e-7f),
        Losses.get("categorical_crossentropy"), Metrics.get("accuracy"));
    return m;
  }

  private Fit fit() {
    return Fit.epochs(4).batchSize(16).seed(11).validationSplit(0.25).verbose(0);
  }

  @Test
  void aRunResumedFromAnEpochCheckpointMatchesTheUninterruptedRunBitForBit() {
    Sequential whole = model();
    whole.build(3, 6);
    History full = whole.fit(x, y, fit().callbacks(
        new ModelCheckpoint(dir.resolve("ckpt-{epoch}.lepton").toString(), "loss", false)));

    Model resumed = Model.load(dir.resolve("ckpt-2.lepton"));
    History rest = resumed.fit(x, y, fit().initialEpoch(2));

    assertEquals(2, rest.epochs());
    for (String series : full.history().keySet()) {
      assertEquals(full.get(series).subList(2, 4), rest.get(series), series);
    }
    for (Map.Entry<String, Tensor> w : whole.weights().entrySet()) {
      assertArrayEquals(w.getValue().toFloatArray(),
          resumed.weights().get(w.getKey()).toFloatArray(), w.getKey());
    }
    assertEquals(whole.optimizer().iterations(), resumed.optimizer().iterations());
    assertEquals(whole.optimizer().learningRate(), resumed.optimizer().learningRate());
  }

  @Test
  void aRunResumedFromSaveInAFreshModelMatchesTheUninterruptedRun() {
    Sequential whole = model();
    whole.build(3, 6);
    whole.fit(x, y, fit());

    Sequential firstHalf = model();
    firstHalf.build(3, 6);
    firstHalf.fit(x, y, Fit.epochs(2).batchSize(16).seed(11).validationSplit(0.25).verbose(0));
    Path file = dir.resolve("half.lepton");
    firstHalf.save(file);
    Model resumed = Model.load(file);
    resumed.fit(x, y, fit().initialEpoch(2));

    assertArrayEquals(whole.weights().get("dense_1/kernel").toFloatArray(),
        resumed.weights().get("dense_1/kernel").toFloatArray());
  }

  @Test
  void initialEpochMustLieBeforeTheLastEpoch() {
    LeptonException e = assertThrows(LeptonException.class, () -> Fit.epochs(4).initialEpoch(4));
    assertTrue(e.getMessage().contains("expected an epoch in [0, 4)"), e.getMessage());
    LeptonException negative = assertThrows(LeptonException.class,
        () -> Fit.epochs(4).initialEpoch(-1));
    assertTrue(negative.getMessage().contains("received -1"), negative.getMessage());
  }
}
