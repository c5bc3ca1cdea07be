package ai.lepton.models;

import ai.lepton.LeptonException;
import ai.lepton.internal.Args;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What {@link Model#fit} returns: per-epoch values of the loss and metrics, as Keras' History, for
 * the epochs this call ran (from {@link Fit#initialEpoch}), and whether it was cancelled.
 */
public final class History {
  private final Map<String, List<Double>> values = new LinkedHashMap<>();
  private boolean cancelled;

  void append(Map<String, Double> logs) {
    logs.forEach((k, v) -> values.computeIfAbsent(k, x -> new ArrayList<>()).add(v));
  }

  void markCancelled() {
    cancelled = true;
  }

  /**
   * Whether a {@link Cancellation} stopped the run; its unfinished epoch is not in the history. A
   * run stopped by a callback ({@link Model#stopTraining()}) is not cancelled.
   */
  public boolean cancelled() {
    return cancelled;
  }

  /** All series by name ("loss", "accuracy", "val_loss", ...). */
  public Map<String, List<Double>> history() {
    Map<String, List<Double>> copy = new LinkedHashMap<>();
    values.forEach((k, v) -> copy.put(k, List.copyOf(v)));
    return Collections.unmodifiableMap(copy);
  }

  /** One series, a value per epoch run. */
  public List<Double> get(String name) {
    Args.nonNull(name, "History.get", "name");
    List<Double> v = values.get(name);
    if (v == null) {
      throw new LeptonException("History: no series \"" + name + "\"; available: "
          + values.keySet());
    }
    return List.copyOf(v);
  }

  /**
   * The number of epochs completed by this call (fewer than asked for when a callback stopped
   * training or it was cancelled).
   */
  public int epochs() {
    return values.isEmpty() ? 0 : values.values().iterator().next().size();
  }

  @Override
  public String toString() {
    return "History" + values + (cancelled ? " (cancelled)" : "");
  }
}
