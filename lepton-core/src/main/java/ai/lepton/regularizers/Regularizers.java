package ai.lepton.regularizers;

import ai.lepton.LeptonException;
import ai.lepton.internal.Args;
import ai.lepton.internal.ConfigReader;
import ai.lepton.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** The Keras weight regularizers: {@code l1 * sum(|w|)} and {@code l2 * sum(w^2)}. */
public final class Regularizers {
  private Regularizers() {}

  /** @throws LeptonException if the factor is negative or not finite */
  public static Regularizer l1(float l1) {
    return new Penalty("l1", l1, 0f);
  }

  /** Keras' L2: {@code l2 * sum(w^2)} (no factor 1/2). */
  public static Regularizer l2(float l2) {
    return new Penalty("l2", 0f, l2);
  }

  /** @throws LeptonException if a factor is negative or not finite */
  public static Regularizer l1l2(float l1, float l2) {
    return new Penalty("l1_l2", l1, l2);
  }

  /**
   * A regularizer by Keras name with factor 0.01: {@code "l1"}, {@code "l2"}, {@code "l1_l2"}
   * (both factors 0.01, as Keras 2's {@code l1_l2()}). Case is ignored, class names such as
   * {@code "L1L2"} work too.
   *
   * @throws LeptonException for an unknown name
   */
  public static Regularizer get(String name) {
    return fromConfig(name, Map.of());
  }

  /**
   * Rebuilds a regularizer from its {@link Regularizer#name()} and {@link Regularizer#config()}.
   *
   * @throws LeptonException for an unknown name or key, or an invalid factor
   */
  public static Regularizer fromConfig(String name, Map<String, ?> config) {
    Args.nonNull(name, "Regularizers", "name");
    ConfigReader c = new ConfigReader(String.valueOf(name), config);
    String key = name == null ? "" : name.replace("_", "").toLowerCase(Locale.ROOT);
    Regularizer r = switch (key) {
      case "l1" -> l1(c.floatValue("l1", 0.01f));
      case "l2" -> l2(c.floatValue("l2", 0.01f));
      case "l1l2" -> l1l2(c.floatValue("l1", 0.01f), c.floatValue("l2", 0.01f));
      default -> throw new LeptonException("Unknown regularizer '" + name
          + "'. Known regularizers: l1, l2, l1_l2");
    };
    c.finish();
    return r;
  }

  /** One record serves all three: {@code name} decides which factors appear in the config. */
  private record Penalty(String name, float l1, float l2) implements Regularizer {
    Penalty {
      for (float f : new float[] {l1, l2}) {
        if (!(f >= 0f) || Float.isInfinite(f)) {
          throw new LeptonException(name + ": expected non-negative, finite factors, received l1="
              + l1 + ", l2=" + l2);
        }
      }
    }

    @Override
    public Tensor penalty(Tensor weight) {
      Args.nonNull(weight, "Regularizer.penalty", "weight");
      Tensor total = Tensor.scalar(0f);
      if (l1 != 0f) {
        total = total.add(weight.abs().sum().mul(l1));
      }
      if (l2 != 0f) {
        total = total.add(weight.square().sum().mul(l2));
      }
      return total;
    }

    @Override
    public Map<String, Object> config() {
      Map<String, Object> c = new LinkedHashMap<>();
      if (!name.equals("l2")) {
        c.put("l1", l1);
      }
      if (!name.equals("l1")) {
        c.put("l2", l2);
      }
      return c;
    }
  }
}
