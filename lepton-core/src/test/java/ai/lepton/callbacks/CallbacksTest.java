package ai.lepton.callbacks;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.lepton.layers.Dense;
import ai.lepton.models.Callback;
import ai.lepton.models.Fit;
import ai.lepton.models.History;
import ai.lepton.models.Model;
import ai.lepton.models.Sequential;
import ai.lepton.models.TrainingEvent;
import ai.lepton.tensor.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CallbacksTest {
  private final Tensor x = Tensor.uniform(new SplittableRandom(3), -1, 1, 64, 2);
  private final Tensor y = x.sum(1, true);

  private Sequential linear() {
    Sequential model = new Sequential().add(new Dense(1));
    model.compile("sgd", "mse");
    return model;
  }

  /** Passes every event on to {@code target}, with a scripted val_loss at each epoch's end. */
  private static Callback scripted(Callback target, double... valLosses) {
    return new Callback() {
      @Override
      public void setModel(Model model) {
        target.setModel(model);
      }

      @Override
      public void onEvent(TrainingEvent e) {
        if (e.kind() != TrainingEvent.Kind.EPOCH_END) {
          target.onEvent(e);
          return;
        }
        Map<String, Double> logs = new LinkedHashMap<>(e.logs());
        logs.put("val_loss", valLosses[e.epoch()]);
        target.onEvent(new TrainingEvent(e.kind(), e.epoch(), e.epochs(), e.step(), e.steps(),
            e.globalStep(), e.samples(), logs, e.samplesPerSecond(), e.elapsedSeconds(),
            e.etaSeconds(), e.cancelled()));
      }
    };
  }

  @Test
  void earlyStoppingStopsAfterPatienceAndRestoresTheBestWeights() {
    Sequential model = linear();
    EarlyStopping stop = new EarlyStopping("val_loss", 0, 2, true);
    // Epoch 1 is the best; epochs 2 and 3 do not improve, so training stops after epoch 3.
    List<Tensor> kernels = new java.util.ArrayList<>();
    Callback record = e -> {
      if (e.kind() == TrainingEvent.Kind.EPOCH_END) {
        kernels.add(model.copyWeights().get("dense/kernel"));
      }
    };
    History h = model.fit(x, y, Fit.epochs(10).verbose(0)
        .callbacks(scripted(stop, 5, 1, 2, 3, 0, 0, 0, 0, 0, 0), record));
    assertEquals(4, h.epochs());
    assertEquals(3, stop.stoppedEpoch());
    assertArrayEquals(kernels.get(1).toFloatArray(),
        model.weights().get("dense/kernel").toFloatArray());
  }

  @Test
  void reduceLrOnPlateauDividesTheLearningRate() {
    Sequential model = linear();
    float lr = model.optimizer().learningRate();
    model.fit(x, y, Fit.epochs(4).verbose(0).callbacks(
        scripted(new ReduceLROnPlateau("val_loss", 0.5f, 1, 0, 0, 0f), 1, 1, 1, 1)));
    // epoch 0 sets the best; epochs 1, 2 and 3 each fail to improve with patience 1
    assertEquals(lr * 0.125f, model.optimizer().learningRate(), 1e-9);
  }

  @Test
  void terminateOnNanStopsAtTheFirstNonFiniteLoss() {
    Sequential model = new Sequential().add(new Dense(1));
    model.compile("sgd", "mse");
    model.build(0, 2);
    model.weights().get("dense/kernel").assign(Tensor.full(1e30f, 2, 1));
    TerminateOnNaN t = new TerminateOnNaN();
    History h = model.fit(x, y.mul(1e30f), Fit.epochs(5).verbose(0).callbacks(t));
    assertTrue(t.terminated());
    assertEquals(1, h.epochs());
  }

  @Test
  void csvLoggerWritesAHeaderAndOneRowPerEpoch(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("log.csv");
    linear().fit(x, y, Fit.epochs(3).verbose(0).validationSplit(0.25)
        .callbacks(new CsvLogger(file, false)));
    List<String> lines = Files.readAllLines(file);
    assertEquals("epoch,loss,val_loss", lines.get(0));
    assertEquals(4, lines.size());
    assertTrue(lines.get(3).startsWith("2,"), lines.get(3));
  }
}
