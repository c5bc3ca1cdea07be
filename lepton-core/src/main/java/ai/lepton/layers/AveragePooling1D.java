package ai.lepton.layers;

import ai.lepton.internal.Args;
import ai.lepton.tensor.Tensor;

/**
 * Average pooling over time, {@code [batch, time, c] -> [batch, time', c]}, as Keras'
 * AveragePooling1D: pool size 2 by default, strides equal to the pool size unless given. With
 * {@code same} padding a window averages only the steps inside the sequence.
 */
public final class AveragePooling1D extends Layer {
  /** AveragePooling1D's configuration; {@code strides} null means the pool size. */
  public record Config(String name, boolean trainable, int poolSize, Integer strides,
      String padding) {
    public Config {
      strides = Pooling.checkedStride("AveragePooling1D", poolSize, strides, padding);
    }
  }

  private final Config c;

  /** Windows of 2 steps, stride 2, valid padding: halves the time axis. */
  public AveragePooling1D() {
    this(2);
  }

  /** Windows of {@code poolSize} steps moved by their own size, valid padding. */
  public AveragePooling1D(int poolSize) {
    this(new Config(null, true, poolSize, null, "valid"));
  }

  /** Rebuilds a layer from its configuration. */
  public AveragePooling1D(Config config) {
    super(Args.nonNull(config, "AveragePooling1D", "config").name(), config.trainable());
    this.c = config;
  }

  /** @throws LeptonException unless the input is {@code [batch, time, channels]} */
  @Override
  public int[] outputShape(int[] inputShape) {
    Args.nonNull(inputShape, "AveragePooling1D.outputShape", "inputShape");
    return Pooling.outputShape1d("AveragePooling1D", inputShape, c.poolSize(), c.strides(),
        c.padding());
  }

  @Override
  protected Tensor call(Tensor x, boolean training) {
    return pool(x);
  }

  private Tensor pool(Tensor x) {
    return Pooling.overTime(x,
        image -> image.avgPool2d(1, c.poolSize(), 1, c.strides(), "same".equals(c.padding())));
  }

  @Override
  public Config config() {
    return new Config(name(), trainable(), c.poolSize(), c.strides(), c.padding());
  }
}
