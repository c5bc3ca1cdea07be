package ai.lepton.layers;

import ai.lepton.LeptonException;
import ai.lepton.internal.Args;
import ai.lepton.tensor.Tensor;

/**
 * The maximum over time of each channel, {@code [batch, time, c] -> [batch, c]}, as Keras'
 * GlobalMaxPooling1D, which ignores masks: padded steps take part.
 */
public final class GlobalMaxPooling1D extends Layer {
  public record Config(String name, boolean trainable) {}

  public GlobalMaxPooling1D() {
    this(new Config(null, true));
  }

  public GlobalMaxPooling1D(Config config) {
    super(Args.nonNull(config, "GlobalMaxPooling1D", "config").name(), config.trainable());
  }

  /** @throws LeptonException unless the input is {@code [batch, time, channels]} */
  @Override
  public int[] outputShape(int[] inputShape) {
    Args.nonNull(inputShape, "GlobalMaxPooling1D.outputShape", "inputShape");
    if (inputShape.length != 2) {
      throw new LeptonException("GlobalMaxPooling1D expects [batch, time, channels]; received "
          + "[batch, " + join(inputShape) + "]; add a Reshape(time, channels) first");
    }
    return new int[] {inputShape[1]};
  }

  @Override
  protected Tensor call(Tensor x, boolean training) {
    return x.max(1, false);
  }

  @Override
  public Config config() {
    return new Config(name(), trainable());
  }
}
