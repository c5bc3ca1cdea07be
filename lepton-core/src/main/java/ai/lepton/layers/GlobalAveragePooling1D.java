package ai.lepton.layers;

import ai.lepton.LeptonException;
import ai.lepton.internal.Args;
import ai.lepton.tensor.Tensor;

/**
 * The average over time of each channel, {@code [batch, time, c] -> [batch, c]}, as Keras'
 * GlobalAveragePooling1D: with a mask only the valid steps are averaged. A sequence with no valid
 * step averages to 0 (Keras divides by zero there).
 */
public final class GlobalAveragePooling1D extends Layer {
  public record Config(String name, boolean trainable) {}

  public GlobalAveragePooling1D() {
    this(new Config(null, true));
  }

  public GlobalAveragePooling1D(Config config) {
    super(Args.nonNull(config, "GlobalAveragePooling1D", "config").name(), config.trainable());
  }

  /** @throws LeptonException unless the input is {@code [batch, time, channels]} */
  @Override
  public int[] outputShape(int[] inputShape) {
    Args.nonNull(inputShape, "GlobalAveragePooling1D.outputShape", "inputShape");
    if (inputShape.length != 2) {
      throw new LeptonException("GlobalAveragePooling1D expects [batch, time, channels]; received "
          + "[batch, " + join(inputShape) + "]; add a Reshape(time, channels) first");
    }
    return new int[] {inputShape[1]};
  }

  @Override
  protected Tensor call(Tensor x, boolean training) {
    return x.mean(1, false);
  }

  @Override
  protected Tensor call(Tensor x, Tensor mask, boolean training) {
    if (mask == null) {
      return call(x, training);
    }
    Tensor valid = mask.reshape(x.dim(0), x.dim(1), 1); // (batch, time, 1)
    Tensor count = valid.sum(1, false).maximum(Tensor.scalar(1f)); // (batch, 1)
    return x.mul(valid).sum(1, false).div(count);
  }

  @Override
  public Config config() {
    return new Config(name(), trainable());
  }
}
