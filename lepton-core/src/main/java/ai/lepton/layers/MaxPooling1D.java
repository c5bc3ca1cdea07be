package ai.lepton.layers;

import ai.lepton.internal.Args;
import ai.lepton.tensor.Tensor;

/**
 * Max pooling over time, {@code [batch, time, c] -> [batch, time', c]}, as Keras'
 * MaxPooling1D: pool size 2 by default, strides equal to the pool size unless given.
 */
public final class MaxPooling1D extends Layer {
  /** MaxPooling1D's configuration; {@code strides} null means the pool size. */
  public record Config(String name, boolean trainable, int poolSize, Integer strides,
      String padding) {
    public Config {
      strides = Pooling.checkedStride("MaxPooling1D", poolSize, strides, padding);
    }
  }

  private final Config c;

  /** Windows of 2 steps, stride 2, valid padding: halves the time axis. */
  public MaxPooling1D() {
    this(2);
  }

  /** Windows of {@code poolSize} steps moved by their own size, valid padding. */
  public MaxPooling1D(int poolSize) {
    this(new Config(null, true, poolSize, null, "valid"));
  }

  /** Rebuilds a layer from its configuration. */
  public MaxPooling1D(Config config) {
    super(Args.nonNull(config, "MaxPooling1D", "config").name(), config.trainable());
    this.c = config;
  }

  /** @throws LeptonException unless the input is {@code [batch, time, channels]} */
  @Override
  public int[] outputShape(int[] inputShape) {
    Args.nonNull(inputShape, "MaxPooling1D.outputShape", "inputShape");
    return Pooling.outputShape1d("MaxPooling1D", inputShape, c.poolSize(), c.strides(),
        c.padding());
  }

  @Override
  protected Tensor call(Tensor x, boolean training) {
    return pool(x);
  }

  private Tensor pool(Tensor x) {
    return Pooling.overTime(x,
        image -> image.maxPool2d(1, c.poolSize(), 1, c.strides(), "same".equals(c.padding())));
  }

  @Override
  public Config config() {
    return new Config(name(), trainable(), c.poolSize(), c.strides(), c.padding());
  }
}
