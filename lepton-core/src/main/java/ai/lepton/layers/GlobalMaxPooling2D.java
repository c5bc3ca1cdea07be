package ai.lepton.layers;

import ai.lepton.LeptonException;
import ai.lepton.internal.Args;
import ai.lepton.tensor.Tensor;
import java.util.Arrays;

/** The maximum over height and width of each channel: {@code [batch, h, w, c] -> [batch, c]}. */
public final class GlobalMaxPooling2D extends Layer {
  public record Config(String name, boolean trainable) {}

  public GlobalMaxPooling2D() {
    this(new Config(null, true));
  }

  public GlobalMaxPooling2D(Config config) {
    super(Args.nonNull(config, "GlobalMaxPooling2D", "config").name(), config.trainable());
  }

  /**
   * @throws LeptonException unless the input is {@code [batch, height, width, channels]}
   */
  @Override
  public int[] outputShape(int[] inputShape) {
    Args.nonNull(inputShape, "GlobalMaxPooling2D.outputShape", "inputShape");
    if (inputShape.length != 3) {
      throw new LeptonException("GlobalMaxPooling2D expects [batch, height, width, channels]; "
          + "received [batch, " + Arrays.toString(inputShape).replaceAll("[\\[\\]]", "")
          + "]; add a Reshape(height, width, channels) first");
    }
    return new int[] {inputShape[2]};
  }

  @Override
  protected Tensor call(Tensor x, boolean training) {
    return x.max(1, false).max(1, false); // [b, h, w, c] -> [b, w, c] -> [b, c]
  }

  @Override
  public Config config() {
    return new Config(name(), trainable());
  }
}
