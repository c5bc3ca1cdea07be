package ai.lepton.layers;

import ai.lepton.LeptonException;
import ai.lepton.internal.Args;
import ai.lepton.tensor.Tensor;
import java.util.Arrays;

/**
 * Reshapes each sample to {@code targetShape} (without the batch dimension); one entry may be -1 and
 * is inferred, as in Keras.
 */
public final class Reshape extends Layer {
  public record Config(String name, boolean trainable, int[] targetShape) {
    public Config {
      if (targetShape == null || targetShape.length == 0) {
        throw new LeptonException("Reshape: expected a targetShape such as [28, 28, 1], "
            + "received " + Arrays.toString(targetShape));
      }
      targetShape = targetShape.clone();
    }

    @Override
    public int[] targetShape() {
      return targetShape.clone();
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Config c && java.util.Objects.equals(name, c.name)
          && trainable == c.trainable && Arrays.equals(targetShape, c.targetShape);
    }

    @Override
    public int hashCode() {
      return java.util.Objects.hash(name, trainable, Arrays.hashCode(targetShape));
    }

    @Override
    public String toString() {
      return "Config[name=" + name + ", trainable=" + trainable + ", targetShape="
          + Arrays.toString(targetShape) + "]";
    }
  }

  private final int[] targetShape;

  public Reshape(int... targetShape) {
    this(new Config(null, true, targetShape));
  }

  public Reshape(Config config) {
    super(Args.nonNull(config, "Reshape", "config").name(), config.trainable());
    this.targetShape = config.targetShape();
  }

  @Override
  public int[] outputShape(int[] inputShape) {
    Args.nonNull(inputShape, "Reshape.outputShape", "inputShape");
    long n = 1;
    for (int d : inputShape) {
      n *= d;
    }
    int[] out = targetShape.clone();
    int infer = -1;
    long known = 1;
    for (int i = 0; i < out.length; i++) {
      if (out[i] == -1 && infer < 0) {
        infer = i;
      } else if (out[i] <= 0) {
        throw error(inputShape);
      } else {
        known *= out[i];
      }
    }
    if (infer >= 0) {
      if (n % known != 0) {
        throw error(inputShape);
      }
      out[infer] = (int) (n / known);
    } else if (known != n) {
      throw error(inputShape);
    }
    return out;
  }

  private LeptonException error(int[] inputShape) {
    return new LeptonException("Reshape: cannot reshape samples of shape "
        + Arrays.toString(inputShape) + " into " + Arrays.toString(targetShape)
        + "; the sizes must multiply to the same count (one entry may be -1)");
  }

  @Override
  protected Tensor call(Tensor x, boolean training) {
    int[] out = outputShape(inputShape());
    int[] s = new int[out.length + 1];
    s[0] = x.dim(0);
    System.arraycopy(out, 0, s, 1, out.length);
    return x.reshape(s);
  }

  @Override
  public Config config() {
    return new Config(name(), trainable(), targetShape);
  }
}
