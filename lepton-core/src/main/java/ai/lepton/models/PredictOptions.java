package ai.lepton.models;

import ai.lepton.LeptonException;

/**
 * How {@link Model#predict(ai.lepton.tensor.Tensor, PredictOptions)} runs, e.g.
 * {@code model.predict(x, PredictOptions.DEFAULTS.batchSize(64))}. Immutable, as {@link Fit}: each
 * method with an argument returns a changed copy.
 *
 * <p>Options travel with each call rather than living on the model, so that one loaded model
 * serving many threads has no setting that one caller could change under another.
 *
 * @param batchSize how many samples go through the model at once; outputs for other batch sizes
 *     agree up to float rounding (the kernels add in another order), and for the same batch size
 *     bit for bit
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
      throw new LeptonException("PredictOptions: expected a positive batch size, received "
          + batchSize + "; e.g. PredictOptions.DEFAULTS.batchSize(64)");
    }
  }

  /** These options with another batch size (positive). */
  public PredictOptions batchSize(int size) {
    return new PredictOptions(size, allowNonFinite);
  }

  /** These options, allowing ({@code true}) or refusing NaN and infinite inputs. */
  public PredictOptions allowNonFinite(boolean allow) {
    return new PredictOptions(batchSize, allow);
  }
}
