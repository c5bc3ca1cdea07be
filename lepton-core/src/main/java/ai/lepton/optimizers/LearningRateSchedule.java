package ai.lepton.optimizers;

import ai.lepton.LeptonException;
import ai.lepton.internal.Args;
import ai.lepton.internal.ConfigReader;
import java.util.List;
import java.util.Map;

/**
 * A learning rate that depends on the optimizer's step count, as Keras'
 * {@code keras.optimizers.schedules}. An optimizer evaluates it at {@link Optimizer#iterations()}
 * before each update, so step 0 gives the initial rate.
 */
public interface LearningRateSchedule {

  /** The learning rate for the update that follows {@code step} completed updates. */
  float at(long step);

  /** The Keras class name, e.g. {@code "ExponentialDecay"}. */
  String name();

  /** The settings that {@link #fromConfig} needs, with Keras' keys. */
  Map<String, Object> config();

  /**
   * Rebuilds a schedule from its {@link #name()} and {@link #config()}.
   *
   * @throws LeptonException for an unknown name, a missing or unknown key, or an invalid value
   */
  static LearningRateSchedule fromConfig(String name, Map<String, ?> config) {
    Args.nonNull(name, "LearningRateSchedule", "name");
    ConfigReader c = new ConfigReader(String.valueOf(name), config);
    LearningRateSchedule schedule = switch (String.valueOf(name)) {
      case "ExponentialDecay" -> new ExponentialDecay(
          c.floatValue("initial_learning_rate", Float.NaN), c.longValue("decay_steps", 0),
          c.floatValue("decay_rate", Float.NaN), c.booleanValue("staircase", false));
      case "CosineDecay" -> new CosineDecay(c.floatValue("initial_learning_rate", Float.NaN),
          c.longValue("decay_steps", 0), c.floatValue("alpha", 0f));
      case "PiecewiseConstantDecay" -> new PiecewiseConstantDecay(
          c.numberList("boundaries").stream().mapToLong(Number::longValue).toArray(),
          toFloats(c.numberList("values")));
      default -> throw new LeptonException("Unknown learning rate schedule '" + name
          + "'. Known schedules: ExponentialDecay, CosineDecay, PiecewiseConstantDecay");
    };
    c.finish();
    return schedule;
  }

  private static float[] toFloats(List<Number> numbers) {
    float[] out = new float[numbers.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = numbers.get(i).floatValue();
    }
    return out;
  }
}
