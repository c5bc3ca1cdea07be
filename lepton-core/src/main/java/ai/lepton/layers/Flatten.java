package ai.lepton.layers;

import ai.lepton.internal.Args;
import ai.lepton.tensor.Tensor;

/** Flattens each sample to one axis: {@code [batch, d1, d2, ...] -> [batch, d1*d2*...]}. */
public final class Flatten extends Layer {
  public record Config(String name, boolean trainable) {}

  public Flatten() {
    this(new Config(null, true));
  }

  public Flatten(Config config) {
    super(Args.nonNull(config, "Flatten", "config").name(), config.trainable());
  }

  @Override
  public int[] outputShape(int[] inputShape) {
    Args.nonNull(inputShape, "Flatten.outputShape", "inputShape");
    int n = 1;
    for (int d : inputShape) {
      n = Math.multiplyExact(n, d);
    }
    return new int[] {n};
  }

  @Override
  protected Tensor call(Tensor x, boolean training) {
    return x.reshape(x.dim(0), -1);
  }

  @Override
  public Config config() {
    return new Config(name(), trainable());
  }
}
