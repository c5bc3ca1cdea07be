package ai.lepton.optimizers;

import ai.lepton.LeptonException;
import ai.lepton.internal.Args;
import ai.lepton.internal.ConfigReader;
import java.util.Locale;
import java.util.Map;

/** Optimizers by Keras name, with Keras' default hyper-parameters. */
public final class Optimizers {
  private Optimizers() {}

  /**
   * A new optimizer with Keras' defaults: {@code "sgd"} (lr 0.01), {@code "adam"} (lr 0.001),
   * {@code "adamw"} (lr 0.001, weight decay 0.004), {@code "rmsprop"} (lr 0.001, rho 0.9). Case is
   * ignored.
   *
   * @throws LeptonException for an unknown name; the message lists the known ones
   */
  public static Optimizer get(String name) {
    return fromConfig(name, Map.of());
  }

  /**
   * Rebuilds an optimizer from its {@link Optimizer#name()} and {@link Optimizer#config()}; missing
   * keys take Keras' defaults. {@code learning_rate} is a number or a map with {@code class_name}
   * and {@code config} of a {@link LearningRateSchedule}.
   *
   * @throws LeptonException for an unknown name or key, or an invalid value
   */
  public static Optimizer fromConfig(String name, Map<String, ?> config) {
    Args.nonNull(name, "Optimizers", "name");
    String key = name == null ? "" : name.toLowerCase(Locale.ROOT);
    ConfigReader c = new ConfigReader(String.valueOf(name), config);
    Optimizer optimizer = switch (key) {
      case "sgd" -> new SGD(learningRate(c, 0.01f), c.floatValue("momentum", 0f),
          c.booleanValue("nesterov", false));
      case "adam" -> new Adam(learningRate(c, 0.001f), c.floatValue("beta_1", 0.9f),
          c.floatValue("beta_2", 0.999f), c.floatValue("epsilon", 1e-7f));
      case "adamw" -> new AdamW(learningRate(c, 0.001f), c.floatValue("weight_decay", 0.004f),
          c.floatValue("beta_1", 0.9f), c.floatValue("beta_2", 0.999f),
          c.floatValue("epsilon", 1e-7f));
      case "rmsprop" -> new RMSprop(learningRate(c, 0.001f), c.floatValue("rho", 0.9f),
          c.floatValue("momentum", 0f), c.floatValue("epsilon", 1e-7f),
          c.booleanValue("centered", false));
      default -> throw new LeptonException("Unknown optimizer '" + name
          + "'. Known optimizers: sgd, adam, adamw, rmsprop");
    };
    float clipNorm = c.floatValue("clipnorm", 0f);
    float clipValue = c.floatValue("clipvalue", 0f);
    float globalClipNorm = c.floatValue("global_clipnorm", 0f);
    c.finish();
    // Keras writes unset clipping options as null and treats 0 as off.
    if (clipNorm > 0f) {
      optimizer.withClipNorm(clipNorm);
    }
    if (clipValue > 0f) {
      optimizer.withClipValue(clipValue);
    }
    if (globalClipNorm > 0f) {
      optimizer.withGlobalClipNorm(globalClipNorm);
    }
    return optimizer;
  }

  private static LearningRateSchedule learningRate(ConfigReader c, float defaultValue) {
    Object v = c.value("learning_rate");
    if (v == null) {
      return new ConstantLearningRate(defaultValue);
    }
    if (v instanceof Number n) {
      return new ConstantLearningRate(n.floatValue());
    }
    if (v instanceof Map<?, ?> m && m.get("class_name") instanceof String className
        && (m.get("config") == null || m.get("config") instanceof Map)) {
      @SuppressWarnings("unchecked")
      Map<String, ?> scheduleConfig = (Map<String, ?>) m.get("config");
      return LearningRateSchedule.fromConfig(className, scheduleConfig);
    }
    throw new LeptonException("optimizer: config key 'learning_rate' expects a number or a map "
        + "with 'class_name' and 'config' of a schedule, received " + v);
  }
}
