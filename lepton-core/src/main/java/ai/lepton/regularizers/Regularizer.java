package ai.lepton.regularizers;

import ai.lepton.tensor.Tensor;
import java.util.Map;

/**
 * A penalty on a weight tensor that a layer adds to the training loss (Keras
 * {@code kernel_regularizer}). Get one from {@link Regularizers}.
 */
public interface Regularizer {

  /** The penalty as a rank-0 tensor, differentiable with respect to {@code weight}. */
  Tensor penalty(Tensor weight);

  /** The Keras name: {@code "l1"}, {@code "l2"} or {@code "l1_l2"}. */
  String name();

  /** The factors, with Keras' keys {@code l1} and {@code l2}. */
  Map<String, Object> config();
}
