package ai.lepton.preprocessing;

import ai.lepton.tensor.Tensor;
import java.util.Map;

/**
 * A fitted per-feature scaling of {@code [rows, features]} tensors: {@link StandardScaler} or
 * {@link MinMaxScaler}. {@link FeaturePreprocessing} holds one to scale raw rows when serving.
 */
public sealed interface Scaler permits StandardScaler, MinMaxScaler {
  /** The number of features the scaler was fitted on. */
  int features();

  /** Scales {@code x}, {@code [rows, features()]}; NaN (missing) stays NaN. */
  Tensor transform(Tensor x);

  /**
   * Undoes {@link #transform}: the original units of scaled values {@code x},
   * {@code [rows, features()]}, up to float rounding, as scikit-learn's
   * {@code inverse_transform}. Serving uses it to compare inputs that arrive scaled with the
   * training data's columns.
   */
  Tensor inverseTransform(Tensor x);

  /** The state as a JSON-friendly map, which the scaler's {@code fromState} reads back. */
  Map<String, Object> state();
}
