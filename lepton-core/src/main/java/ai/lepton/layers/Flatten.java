package ai.lepton.layers;

import ai.lepton.LeptonException;
import ai.lepton.internal.Args;
import ai.lepton.tensor.Tensor;
import java.util.Arrays;

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
    long n = 1; // in long, so that the message prints the true count
    for (int d : inputShape) {
      n *= d;
      if (n > Tensor.MAX_SIZE) {
        throw new LeptonException("Flatten: samples of shape " + Arrays.toString(inputShape)
            + " hold more than " + Tensor.MAX_SIZE + " values, more than one tensor row can; "
            + "reduce them first (pooling, a smaller Dense)");
      }
    }
    return new int[] {(int) n};
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
