package ai.lepton.models;

import ai.lepton.LeptonException;

/**
 * How {@link Model#predict(ai.lepton.tensor.Tensor, PredictOptions)} runs: {@code
 * model.predict(x, PredictOptions.DEFAULTS.withBatchSize(64))}.
 *
 * <p>Options travel with each call rather than living on the model, so that one loaded model
 * serving many threads has no setting that one caller could change under another.
 *
 * @param batchSize how many samples go through the model at once; the outputs do not depend on it
 * @param allowNonFinite whether inputs may hold NaN or infinity. By default predict refuses them:
 *     a model given a missing value would otherwise answer with a confident-looking number (or
 *     NaN, which activations propagate as PyTorch does). Allow them only when the model is meant
 *     to see such values and the caller checks the outputs.
 */
public record PredictOptions(int batchSize, boolean allowNonFinite) {
  /** Batches of 32, as Keras' {@code predict}; non-finite inputs refused. */
  public static final PredictOptions DEFAULTS = new PredictOptions(32, false);

  /** @throws LeptonException if {@code batchSize} is not positive */
  public PredictOptions {
    if (batchSize <= 0) {
      throw new LeptonException("predict: expected a positive batch size, received " + batchSize);
    }
  }

  /** These options with another batch size. */
  public PredictOptions withBatchSize(int size) {
    return new PredictOptions(size, allowNonFinite);
  }

  /** These options, allowing ({@code true}) or refusing NaN and infinite inputs. */
  public PredictOptions withAllowNonFinite(boolean allow) {
    return new PredictOptions(batchSize, allow);
  }
}
