package ai.lepton.optimizers;

import ai.lepton.LeptonException;

/** Argument checks shared by optimizers and schedules, with Keras-style messages. */
final class Checks {
  private Checks() {}

  static void requirePositive(String owner, String key, float value) {
    if (!(value > 0f) || Float.isInfinite(value)) {
      throw new LeptonException(owner + ": expected a positive, finite " + key + ", received "
          + key + "=" + value);
    }
  }

  /** {@code low <= value < high}, or {@code <= high} when {@code highInclusive}. */
  static void requireRange(String owner, String key, float value, float low, float high,
      boolean highInclusive) {
    boolean ok = value >= low && (highInclusive ? value <= high : value < high);
    if (!ok) {
      throw new LeptonException(owner + ": expected " + key + " in [" + low + ", " + high
          + (highInclusive ? "]" : ")") + ", received " + key + "=" + value);
    }
  }
}
