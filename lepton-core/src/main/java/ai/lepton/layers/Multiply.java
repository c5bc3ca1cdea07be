package ai.lepton.layers;

import ai.lepton.internal.Args;
import ai.lepton.tensor.Tensor;
import java.util.List;

/**
 * Multiplies its inputs element-wise, as Keras' {@code Multiply} (gating). Inputs need equal
 * shapes.
 */
public final class Multiply extends Merge {
  public record Config(String name, boolean trainable) {}

  public Multiply() {
    this(new Config(null, true));
  }

  public Multiply(Config config) {
    super(Args.nonNull(config, "Multiply", "config").name(), config.trainable());
  }

  @Override
  Tensor merge(List<Tensor> inputs) {
    Tensor out = inputs.get(0);
    for (int i = 1; i < inputs.size(); i++) {
      out = out.mul(inputs.get(i));
    }
    return out;
  }

  @Override
  public Config config() {
    return new Config(name(), trainable());
  }
}
