package ai.lepton.layers;

import ai.lepton.tensor.Tensor;
import java.util.function.UnaryOperator;

/** Applies an activation function by Keras name, e.g. {@code new Activation("relu")}. */
public final class Activation extends Layer {
  public record Config(String name, boolean trainable, String activation) {
    public Config {
      Activations.get(activation);
    }
  }

  private final String activationName;
  private final UnaryOperator<Tensor> function;

  public Activation(String activation) {
    this(new Config(null, true, activation));
  }

  public Activation(Config c) {
    super(c.name(), c.trainable());
    this.activationName = c.activation();
    this.function = Activations.get(activationName);
  }

  @Override
  public int[] outputShape(int[] inputShape) {
    return inputShape.clone();
  }

  @Override
  protected Tensor call(Tensor x, boolean training) {
    return function.apply(x);
  }

  /** Keeps the time axis, so the output carries the input's mask. */
  @Override
  public Tensor computeMask(Tensor x, Tensor mask) {
    return mask;
  }

  @Override
  public Config config() {
    return new Config(name(), trainable(), activationName);
  }
}
