package ai.lepton.layers;

import ai.lepton.LeptonException;
import ai.lepton.internal.Args;
import ai.lepton.tensor.Tensor;
import java.util.Arrays;

/** The average over height and width of each channel: {@code [batch, h, w, c] -> [batch, c]}. */
public final class GlobalAveragePooling2D extends Layer {
  public record Config(String name, boolean trainable) {}

  public GlobalAveragePooling2D() {
    this(new Config(null, true));
  }

  public GlobalAveragePooling2D(Config config) {
    super(Args.nonNull(config, "GlobalAveragePooling2D", "config").name(), config.trainable());
  }

  /**
   * @throws LeptonException unless the input is {@code [batch, height, width, channels]}
   */
  @Override
  public int[] outputShape(int[] inputShape) {
    Args.nonNull(inputShape, "GlobalAveragePooling2D.outputShape", "inputShape");
    if (inputShape.length != 3) {
      throw new LeptonException("GlobalAveragePooling2D expects [batch, height, width, channels]; "
          + "received [batch, " + Arrays.toString(inputShape).replaceAll("[\\[\\]]", "")
          + "]; add a Reshape(height, width, channels) first");
    }
    return new int[] {inputShape[2]};
  }

  @Override
  protected Tensor call(Tensor x, boolean training) {
    return x.mean(1, false).mean(1, false); // [b, h, w, c] -> [b, w, c] -> [b, c]
  }

  @Override
  public Config config() {
    return new Config(name(), trainable());
  }
}
