package ai.lepton.metrics;

import ai.lepton.tensor.Tensor;
import java.util.Map;

public final class Metrics {
  private Metrics() {}

  public static Metric get(String name) {
    return new Metric() {
      double hit;
      double n;
      public void update(Tensor t, Tensor p) {
        float[] tv = t.toFloatArray();
        float[] pv = p.dim(-1) == 1 ? p.toFloatArray() : p.argmax(-1).toFloatArray();
        for (int i = 0; i < pv.length; i++) {
          float pred = p.dim(-1) == 1 ? (pv[i] > 0.5f ? 1 : 0) : pv[i];
          hit += pred == tv[i] ? 1 : 0;
          n++;
        }
      }
      public double result() { return n == 0 ? 0 : hit / n; }
      public void reset() { hit = 0; n = 0; }
      public String name() { return name; }
      public Map<String, Object> config() { return Map.of(); }
    };
  }

  public static Metric fromConfig(String name, Map<String, Object> config) {
    return get(name);
  }
}
