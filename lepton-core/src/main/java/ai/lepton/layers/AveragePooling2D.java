package ai.lepton.layers;

import ai.lepton.internal.Args;
import ai.lepton.tensor.Tensor;
import java.util.List;

/**
 * Average pooling of channels-last images, {@code [batch, h, w, c] -> [batch, h', w', c]}, as Keras'
 * AveragePooling2D: pool size 2x2 by default, strides equal to the pool size unless given; with
 * {@code same} padding a window averages only the cells inside the image.
 */
public final class AveragePooling2D extends Layer {
  /** AveragePooling2D's configuration; {@code strides} null means the pool size. */
  public record Config(String name, boolean trainable, List<Integer> poolSize,
      List<Integer> strides, String padding) {
    public Config {
      strides = Pooling.checkedStrides("AveragePooling2D", poolSize, strides, padding);
      poolSize = List.copyOf(poolSize);
    }
  }

  private final Config c;

  /** 2x2 windows, stride 2, valid padding: halves height and width. */
  public AveragePooling2D() {
    this(2, 2);
  }

  /** {@code ph x pw} windows moved by their own size, valid padding. */
  public AveragePooling2D(int ph, int pw) {
    this(new Config(null, true, List.of(ph, pw), null, "valid"));
  }

  /** Rebuilds a layer from its configuration. */
  public AveragePooling2D(Config config) {
    super(Args.nonNull(config, "AveragePooling2D", "config").name(), config.trainable());
    this.c = config;
  }

  /** @throws LeptonException unless the input is {@code [batch, height, width, channels]} */
  @Override
  public int[] outputShape(int[] inputShape) {
    Args.nonNull(inputShape, "AveragePooling2D.outputShape", "inputShape");
    return Pooling.outputShape("AveragePooling2D", inputShape, c.poolSize(), c.strides(),
        c.padding());
  }

  @Override
  protected Tensor call(Tensor x, boolean training) {
    return pool(x);
  }

  private Tensor pool(Tensor x) {
    return x.avgPool2d(c.poolSize().get(0), c.poolSize().get(1), c.strides().get(0),
        c.strides().get(1), "same".equals(c.padding()));
  }

  @Override
  public Config config() {
    return new Config(name(), trainable(), c.poolSize(), c.strides(), c.padding());
  }
}
