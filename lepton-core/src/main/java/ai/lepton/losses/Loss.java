package ai.lepton.losses;

import ai.lepton.tensor.Tensor;
import java.util.Map;

/**
 * A training objective: the mean per-sample loss over a batch, as Keras' default
 * {@code sum_over_batch_size} reduction gives it. Implementations are stateless and built only from
 * public {@link Tensor} ops, so the result is differentiable with respect to {@code yPred}.
 *
 * <p>Get one from {@link Losses}, by factory ({@link Losses#meanSquaredError()}) or by Keras name
 * ({@link Losses#get(String)}).
 */
public interface Loss {

  /**
   * The batch loss as a rank-0 tensor. {@code yTrue} must have {@code yPred}'s shape, except that a
   * trailing dimension of size 1 may be present on one side only ({@code [64]} against
   * {@code [64, 1]}), as in Keras; sparse categorical cross-entropy takes integer labels instead.
   *
   * @throws ai.lepton.LeptonException if the shapes do not match, or for labels out of range
   */
  Tensor call(Tensor yTrue, Tensor yPred);

  /** The Keras function name, e.g. {@code "mean_squared_error"}; {@link Losses#get} accepts it. */
  String name();

  /** The settings that {@link Losses#fromConfig} needs to rebuild this loss, JSON-friendly. */
  Map<String, Object> config();
}
