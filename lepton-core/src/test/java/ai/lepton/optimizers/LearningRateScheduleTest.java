package ai.lepton.optimizers;

import static ai.lepton.LeptonAssertions.assertFailsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.lepton.LeptonException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LearningRateScheduleTest {

  @Test
  void exponentialDecayIsContinuousOrStaircase() {
    ExponentialDecay smooth = new ExponentialDecay(1f, 10, 0.5f, false);
    assertEquals(1f, smooth.at(0), 1e-7);
    assertEquals(Math.pow(0.5, 0.5), smooth.at(5), 1e-6);
    assertEquals(0.25f, smooth.at(20), 1e-7);
    ExponentialDecay stairs = new ExponentialDecay(1f, 10, 0.5f, true);
    assertEquals(1f, stairs.at(9), 1e-7);
    assertEquals(0.5f, stairs.at(10), 1e-7);
    assertEquals(0.5f, stairs.at(19), 1e-7);
  }

  @Test
  void piecewiseConstantDecaySwitchesAfterEachBoundary() {
    PiecewiseConstantDecay s = new PiecewiseConstantDecay(new long[] {10, 20},
        new float[] {1f, 0.5f, 0.1f});
    assertEquals(1f, s.at(0));
    assertEquals(1f, s.at(10));
    assertEquals(0.5f, s.at(11));
    assertEquals(0.5f, s.at(20));
    assertEquals(0.1f, s.at(21));
    assertFailsWith("received 1 boundaries and 1 values",
        () -> new PiecewiseConstantDecay(new long[] {10}, new float[] {1f}));
    assertFailsWith("expected strictly increasing boundaries, received [10, 5]",
        () -> new PiecewiseConstantDecay(new long[] {10, 5}, new float[] {1f, 2f, 3f}));
  }

  @Test
  void cosineDecayFallsToAlphaAndStaysThere() {
    CosineDecay s = new CosineDecay(1f, 100, 0.1f);
    assertEquals(1f, s.at(0), 1e-7);
    assertEquals(0.55f, s.at(50), 1e-6);
    assertEquals(0.1f, s.at(100), 1e-6);
    assertEquals(0.1f, s.at(1000), 1e-6);
    assertFailsWith("received alpha=2.0", () -> new CosineDecay(1f, 100, 2f));
  }

  @Test
  void everyScheduleRoundTripsThroughItsConfig() {
    for (LearningRateSchedule s : List.of(new ExponentialDecay(0.1f, 7, 0.9f, true),
        new CosineDecay(0.2f, 50, 0f),
        new PiecewiseConstantDecay(new long[] {3, 8}, new float[] {0.3f, 0.2f, 0.1f}))) {
      LearningRateSchedule copy = LearningRateSchedule.fromConfig(s.name(), s.config());
      assertEquals(s.config(), copy.config(), s.name());
      for (long step = 0; step < 60; step += 3) {
        assertEquals(s.at(step), copy.at(step), s.name() + " at " + step);
      }
    }
  }

  @Test
  void unknownScheduleOrMissingKeyIsAClearError() {
    LeptonException e = assertThrows(LeptonException.class,
        () -> LearningRateSchedule.fromConfig("OneCycle", Map.of()));
    assertTrue(e.getMessage().contains("ExponentialDecay"), e.getMessage());
    assertFailsWith("received initial_learning_rate=NaN",
        () -> LearningRateSchedule.fromConfig("CosineDecay", Map.of("decay_steps", 10)));
  }
}
