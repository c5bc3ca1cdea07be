package ai.lepton.callbacks;

import ai.lepton.LeptonException;
import java.util.Map;

/**
 * A monitored quantity and whether it improves upwards or downwards. As Keras' "auto" mode: accuracy,
 * AUC, precision, recall, F1 and R² improve when they grow; everything else (losses, errors) when it
 * shrinks.
 */
record Monitor(String name, boolean higherIsBetter, double minDelta) {
  static Monitor of(String name, double minDelta) {
    if (name == null || name.isBlank()) {
      throw new LeptonException("monitor: expected a quantity such as \"val_loss\"");
    }
    String base = name.startsWith("val_") ? name.substring(4) : name;
    boolean up = base.contains("acc") || base.equals("auc") || base.equals("precision")
        || base.equals("recall") || base.startsWith("f1") || base.startsWith("r2");
    return new Monitor(name, up, Math.abs(minDelta));
  }

  /** The monitored value, or a clear error when the logs lack it. */
  double read(Map<String, Double> logs) {
    Double v = logs.get(name);
    if (v == null) {
      throw new LeptonException("monitor: \"" + name + "\" is not in the training logs "
          + logs.keySet() + "; monitor one of those (val_* needs validation data)");
    }
    return v;
  }

  boolean improves(double value, double best) {
    return higherIsBetter ? value > best + minDelta : value < best - minDelta;
  }

  double worst() {
    return higherIsBetter ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
  }
}
