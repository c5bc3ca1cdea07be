package ai.lepton.layers;

import ai.lepton.internal.Args;
import ai.lepton.tensor.Tensor;
import java.util.List;

/**
 * Averages its inputs element-wise, as Keras' {@code Average} (ensembles). Inputs need equal
 * shapes.
 */
public final class Average extends Merge {
  public record Config(String name, boolean trainable) {}

  public Average() {
    this(new Config(null, true));
  }

  public Average(Config config) {
    super(Args.nonNull(config, "Average", "config").name(), config.trainable());
  }

  @Override
  Tensor merge(List<Tensor> inputs) {
    return sum(inputs).div(inputs.size());
  }

  @Override
  public Config config() {
    return new Config(name(), trainable());
  }
}
