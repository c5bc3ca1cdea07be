package ai.lepton.regularizers;

import ai.lepton.tensor.Tensor;
import java.util.Map;

public final class Regularizers {
  private Regularizers() {}

  public static Regularizer l2(float f) {
    return new Regularizer() {
      public Tensor penalty(Tensor w) { return w.square().sum().mul(f); }
      public String name() { return "l2"; }
      public Map<String, Object> config() { return Map.of("l2", (double) f); }
    };
  }

  public static Regularizer fromConfig(String name, Map<String, Object> config) {
    return l2(((Number) config.get("l2")).floatValue());
  }
}
