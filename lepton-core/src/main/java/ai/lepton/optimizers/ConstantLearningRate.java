package ai.lepton.optimizers;

import ai.lepton.LeptonException;
import java.util.Map;

/** A fixed learning rate; optimizers write it to their config as a plain number. */
record ConstantLearningRate(float value) implements LearningRateSchedule {
  ConstantLearningRate {
    // Zero is allowed: it freezes training, which is occasionally what one wants to check.
    if (!(value >= 0f) || Float.isInfinite(value)) {
      throw new LeptonException("optimizer: expected a non-negative, finite learning_rate, "
          + "received learning_rate=" + value);
    }
  }

  @Override
  public float at(long step) {
    return value;
  }

  @Override
  public String name() {
    return "Constant";
  }

  @Override
  public Map<String, Object> config() {
    return Map.of("value", value);
  }
}
