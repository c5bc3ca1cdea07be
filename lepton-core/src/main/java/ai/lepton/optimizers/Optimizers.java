package ai.lepton.optimizers;

import java.util.Map;

public final class Optimizers {
  private Optimizers() {}

  public static Optimizer get(String name) {
    return new Optimizer(name.equals("adam") ? 0.05f : 0.01f) {};
  }

  public static Optimizer fromConfig(String name, Map<String, Object> config) {
    return get(name);
  }
}
