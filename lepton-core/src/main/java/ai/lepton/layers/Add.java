package ai.lepton.layers;

import ai.lepton.internal.Args;
import ai.lepton.tensor.Tensor;
import java.util.List;

/**
 * Adds its inputs element-wise, as Keras' {@code Add}: {@code new Add().on(a, b)}. Inputs need equal
 * shapes.
 */
public final class Add extends Merge {
  public record Config(String name, boolean trainable) {}

  public Add() {
    this(new Config(null, true));
  }

  public Add(Config config) {
    super(Args.nonNull(config, "Add", "config").name(), config.trainable());
  }

  @Override
  Tensor merge(List<Tensor> inputs) {
    return sum(inputs);
  }

  @Override
  public Config config() {
    return new Config(name(), trainable());
  }
}
