package ai.lepton.callbacks;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.lepton.layers.Dense;
import ai.lepton.models.Fit;
import ai.lepton.models.History;
import ai.lepton.models.Sequential;
import ai.lepton.tensor.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
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

  /** A callback that replays a scripted series of validation losses. */
  private static Callback scripted(double... values) {
    return new Callback() {
      @Override
      public void onEpochEnd(int epoch, Map<String, Double> logs) {
        logs.put("val_loss", values[epoch]);
      }
    };
  }

  @Test
  void earlyStoppingStopsAfterPatienceAndRestoresTheBestWeights() {
    Sequential model = linear();
    EarlyStopping stop = new EarlyStopping("val_loss", 0, 2, true);
    // Epoch 1 is the best; epochs 2 and 3 do not improve, so training stops after epoch 3.
    List<Tensor> kernels = new java.util.ArrayList<>();
    Callback record = new Callback() {
      @Override
      public void onEpochEnd(int epoch, Map<String, Double> logs) {
        kernels.add(model.copyWeights().get("dense/kernel"));
      }
    };
    History h = model.fit(x, y, Fit.epochs(10).verbose(0)
        .callbacks(scripted(5, 1, 2, 3, 0, 0, 0, 0, 0, 0), stop, record));
    assertEquals(4, h.epochs());
    assertEquals(3, stop.stoppedEpoch());
    assertArrayEquals(kernels.get(1).toFloatArray(),
        model.weights().get("dense/kernel").toFloatArray());
  }

  @Test
  void reduceLrOnPlateauDividesTheLearningRate() {
    Sequential model = linear();
    float lr = model.optimizer().learningRate();
    model.fit(x, y, Fit.epochs(4).verbose(0).callbacks(scripted(1, 1, 1, 1),
        new ReduceLROnPlateau("val_loss", 0.5f, 1, 0, 0, 0f)));
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

  @Test
  void progressBarLineShowsStepsRateAndMetrics() {
    String line = ProgressBar.line(new Progress(Progress.Kind.EPOCH_END, 0, 3, 10, 10, 25_000,
        2.0, 0, Map.of("loss", 0.25)), true);
    assertTrue(line.startsWith("10/10 [=============================="), line);
    assertTrue(line.contains("25.0k samples/s"), line);
    assertTrue(line.contains("200ms/step"), line);
    assertTrue(line.contains("loss: 0.2500"), line);
  }
}
