package ai.lepton.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.lepton.layers.Dense;
import ai.lepton.tensor.Tensor;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ProgressBarTest {
  // 40 samples, 8 held out for validation: 32 in batches of 16, 2 steps per epoch
  private final Tensor x = Tensor.uniform(new SplittableRandom(4), -1, 1, 40, 3);
  private final Tensor y = x.sum(1, true);
  private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
  private final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);

  private Sequential model() {
    Sequential m = new Sequential().add(new Dense(1));
    m.compile("sgd", "mse");
    return m;
  }

  private Fit fit(int epochs) {
    return Fit.epochs(epochs).batchSize(16).validationSplit(0.2).verbose(0);
  }

  private String output() {
    return bytes.toString(StandardCharsets.UTF_8);
  }

  @Test
  void outsideATerminalItPrintsOneLinePerEpochAndNoCarriageReturns() {
    model().fit(x, y, fit(3).callbacks(new ProgressBar(out, false)));
    String text = output();
    assertFalse(text.contains("\r"), text);
    List<String> lines = text.lines().toList();
    assertEquals(3, lines.size(), text);
    for (int i = 0; i < 3; i++) {
      String line = lines.get(i);
      assertTrue(line.startsWith("Epoch " + (i + 1) + "/3 - 2/2 - "), line);
      assertTrue(line.matches(".* - \\d+s \\d+(us|ms|s)/step - [0-9.]+[kM]? samples/s - loss: "
          + "\\d+\\.\\d{4} - val_loss: \\d+\\.\\d{4}"), line);
    }
  }

  @Test
  void onATerminalItRedrawsABarUnderEachEpochTitle() {
    model().fit(x, y, fit(2).callbacks(new ProgressBar(out, true)));
    String text = output();
    assertTrue(text.startsWith("Epoch 1/2\n"), text);
    assertTrue(text.contains("\r2/2 [==============================] - "), text);
    assertTrue(text.contains("\nEpoch 2/2\n"), text);
    assertEquals(4, text.chars().filter(c -> c == '\n').count(), text); // redraws use \r only
  }

  @Test
  void aCancelledRunEndsWithALineSayingWhere() {
    Cancellation cancellation = new Cancellation();
    Callback cancelInEpoch2 = e -> {
      if (e.kind() == TrainingEvent.Kind.BATCH_END && e.epoch() == 1) {
        cancellation.cancel();
      }
    };
    model().fit(x, y, fit(3).cancellation(cancellation)
        .callbacks(cancelInEpoch2, new ProgressBar(out, false)));
    List<String> lines = output().lines().toList();
    assertEquals(2, lines.size(), output());
    assertEquals("Cancelled in epoch 2/3 after step 1/2", lines.get(1));
  }

  @Test
  void theBarShowsTheEpochsEta() {
    TrainingEvent halfway = new TrainingEvent(TrainingEvent.Kind.BATCH_END, 0, 3, 5, 10, 5, 160,
        Map.of("loss", 0.25), 1600, 12.0, 30, false);
    String line = ProgressBar.barLine(halfway, 2.0); // 10 s for 5 steps: 10 s to go
    assertEquals(" 5/10 [===============>..............] - ETA: 10s - 1.6k samples/s - loss: "
        + "0.2500", line);
  }
}
