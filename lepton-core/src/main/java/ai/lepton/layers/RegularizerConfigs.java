package ai.lepton.layers;

import ai.lepton.LeptonException;
import ai.lepton.regularizers.Regularizer;
import ai.lepton.regularizers.Regularizers;
import java.util.LinkedHashMap;
import java.util.Map;

/** Stores a regularizer in a layer config as {@code {"name": ..., "config": {...}}}. */
final class RegularizerConfigs {
  private RegularizerConfigs() {}

  static Map<String, Object> toConfig(Regularizer r) {
    if (r == null) {
      return null;
    }
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("name", r.name());
    m.put("config", r.config());
    return m;
  }

  @SuppressWarnings("unchecked")
  static Regularizer fromConfig(Map<String, Object> m) {
    if (m == null) {
      return null;
    }
    if (!(m.get("name") instanceof String name) || !(m.get("config") instanceof Map<?, ?> c)) {
      throw new LeptonException("regularizer config: expected {\"name\": ..., \"config\": {...}}, "
          + "received " + m);
    }
    return Regularizers.fromConfig(name, (Map<String, Object>) c);
  }
}
