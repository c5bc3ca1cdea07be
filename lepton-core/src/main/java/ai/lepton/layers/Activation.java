package ai.lepton.layers;

import ai.lepton.internal.Args;
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

  public Activation(Config config) {
    super(Args.nonNull(config, "Activation", "config").name(), config.trainable());
    this.activationName = config.activation();
    this.function = Activations.get(activationName);
  }

  @Override
  public int[] outputShape(int[] inputShape) {
    Args.nonNull(inputShape, "Activation.outputShape", "inputShape");
    return inputShape.clone();
  }

  @Override
  protected Tensor call(Tensor x, boolean training) {
    return function.apply(x);
  }

  /** Keeps the time axis, so the output carries the input's mask. */
  @Override
  public Tensor computeMask(Tensor x, Tensor mask) {
    Args.nonNull(x, "Activation.computeMask", "x");
    return mask;
  }

  @Override
  public Config config() {
    return new Config(name(), trainable(), activationName);
  }
}
