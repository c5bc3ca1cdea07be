package ai.lepton.metrics;

import ai.lepton.tensor.Tensor;
import java.util.Map;

/**
 * A stateful metric, Keras style: {@link #update} accumulates batch after batch, {@link #result}
 * gives the value over everything seen since the last {@link #reset} (an epoch, usually). Values
 * that do not decompose over batches, such as R² or AUC, are computed over all of it, not averaged
 * per batch. Get one from {@link Metrics}. Not thread-safe: one metric per training loop.
 */
public interface Metric {

  /**
   * Adds a batch. {@code yTrue} must have {@code yPred}'s shape, except that a trailing dimension
   * of size 1 may be present on one side only; sparse metrics take integer labels instead.
   *
   * @throws ai.lepton.LeptonException if the shapes do not fit this metric
   */
  void update(Tensor yTrue, Tensor yPred);

  /** The value over every batch since the last reset (0, or NaN where undefined, before any). */
  double result();

  /** Forgets every batch seen. */
  void reset();

  /** The canonical Keras-style name, e.g. {@code "accuracy"}; {@link Metrics#get} accepts it. */
  String name();

  /** The settings that {@link Metrics#fromConfig} needs to rebuild this metric. */
  Map<String, Object> config();
}
