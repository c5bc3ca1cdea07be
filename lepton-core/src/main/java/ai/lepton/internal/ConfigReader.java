package ai.lepton.internal;

import ai.lepton.LeptonException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Reads a config map (as a JSON parser gives it back) for a {@code fromConfig} method: typed values
 * with defaults, and a final check that no key was left unread, so a misspelled key in a saved
 * config is an error rather than silently ignored. A {@code null} value means "use the default", as
 * Keras' {@code None} does.
 */
public final class ConfigReader {
  private final String owner;
  private final Map<String, ?> config;
  private final Set<String> read = new HashSet<>();

  /** {@code owner} names what is being configured (e.g. "adam"), for error messages. */
  public ConfigReader(String owner, Map<String, ?> config) {
    this.owner = owner;
    this.config = config == null ? Map.of() : config;
  }

  /** @throws LeptonException if the value is present but not a number */
  public float floatValue(String key, float defaultValue) {
    Object v = raw(key);
    return v == null ? defaultValue : number(key, v).floatValue();
  }

  /** @throws LeptonException if the value is present but not a whole number */
  public long longValue(String key, long defaultValue) {
    Object v = raw(key);
    if (v == null) {
      return defaultValue;
    }
    Number n = number(key, v);
    if (n.doubleValue() != Math.rint(n.doubleValue())) {
      throw error(key, "a whole number", v);
    }
    return n.longValue();
  }

  /** @throws LeptonException if the value is present but not a boolean */
  public boolean booleanValue(String key, boolean defaultValue) {
    Object v = raw(key);
    if (v == null) {
      return defaultValue;
    }
    if (!(v instanceof Boolean b)) {
      throw error(key, "true or false", v);
    }
    return b;
  }

  /** @throws LeptonException if the value is missing or not a list of numbers */
  public List<Number> numberList(String key) {
    Object v = raw(key);
    if (!(v instanceof List<?> list)) {
      throw error(key, "a list of numbers", v);
    }
    List<Number> out = new ArrayList<>();
    for (Object o : list) {
      out.add(number(key, o));
    }
    return out;
  }

  /** The raw value, or {@code null} when absent; marks the key as read. */
  public Object value(String key) {
    return raw(key);
  }

  /** @throws LeptonException if the config holds a key that no read asked for */
  public void finish() {
    Set<String> unknown = new TreeSet<>(config.keySet());
    unknown.removeAll(read);
    if (!unknown.isEmpty()) {
      throw new LeptonException(owner + ": unknown config keys " + unknown + "; known keys are "
          + new TreeSet<>(read) + ". Check the spelling, or whether the config belongs to another "
          + "kind of object");
    }
  }

  private Object raw(String key) {
    read.add(key);
    return config.get(key);
  }

  private Number number(String key, Object v) {
    if (!(v instanceof Number n)) {
      throw error(key, "a number", v);
    }
    return n;
  }

  private LeptonException error(String key, String expected, Object received) {
    return new LeptonException(owner + ": config key '" + key + "' expects " + expected
        + ", received " + received);
  }
}
