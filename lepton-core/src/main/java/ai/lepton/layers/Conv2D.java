package ai.lepton.layers;

import ai.lepton.LeptonException;
import ai.lepton.tensor.Tensor;
import java.util.Arrays;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.random.RandomGenerator;

/**
 * 2-D convolution over channels-last images, {@code [batch, h, w, c] -> [batch, h', w', filters]},
 * with Keras's {@code valid}/{@code same} padding; the kernel is {@code [kh, kw, c, filters]}.
 */
public final class Conv2D extends Layer {
  /** Conv2D's configuration, with Keras's keys; sizes are {@code [height, width]}. */
  public record Config(String name, boolean trainable, int filters, List<Integer> kernelSize,
      List<Integer> strides, String padding, List<Integer> dilationRate, String activation,
      boolean useBias, String kernelInitializer, String biasInitializer) {
    public Config {
      if (filters <= 0) {
        throw new LeptonException("Conv2D: expected a positive number of filters, received filters="
            + filters);
      }
      for (List<Integer> pair : List.of(kernelSize, strides, dilationRate)) {
        if (pair.size() != 2 || pair.get(0) < 1 || pair.get(1) < 1) {
          throw new LeptonException("Conv2D: kernel_size, strides and dilation_rate must be two "
              + "positive integers, received " + kernelSize + ", " + strides + ", " + dilationRate);
        }
      }
      if (!"valid".equals(padding) && !"same".equals(padding)) {
        throw new LeptonException("Conv2D: padding must be \"valid\" or \"same\", received \""
            + padding + "\"");
      }
      kernelSize = List.copyOf(kernelSize);
      strides = List.copyOf(strides);
      dilationRate = List.copyOf(dilationRate);
      Activations.get(activation);
      Initializers.validate(kernelInitializer);
      Initializers.validate(biasInitializer);
    }
  }

  private final Config c;
  private final UnaryOperator<Tensor> activation;
  private Tensor kernel; // (kh, kw, in channels, filters)
  private Tensor bias; // (filters)

  /** {@code filters} kernels of {@code kh x kw}, stride 1, valid padding, Keras's defaults. */
  public Conv2D(int filters, int kh, int kw, String activation) {
    this(new Config(null, true, filters, List.of(kh, kw), List.of(1, 1), "valid", List.of(1, 1),
        activation, true, "glorot_uniform", "zeros"));
  }

  /** Rebuilds a layer from its configuration. */
  public Conv2D(Config c) {
    super(c.name(), c.trainable());
    this.c = c;
    this.activation = Activations.get(c.activation());
  }

  /** @throws LeptonException unless the input is {@code [batch, height, width, channels]} */
  @Override
  public int[] outputShape(int[] inputShape) {
    if (inputShape.length != 3) {
      throw new LeptonException("Conv2D expects [batch, height, width, channels]; received [batch, "
          + Arrays.toString(inputShape).replaceAll("[\\[\\]]", "")
          + "]; add a Reshape(height, width, channels) first");
    }
    // The output size follows the engine's padding rules; probe them on one channel, which is cheap.
    int[] probe = Tensor.zeros(1, inputShape[0], inputShape[1], 1)
        .conv2d(Tensor.zeros(c.kernelSize().get(0), c.kernelSize().get(1), 1, 1),
            c.strides().get(0), c.strides().get(1), "same".equals(c.padding()),
            c.dilationRate().get(0), c.dilationRate().get(1)).shape();
    return new int[] {probe[1], probe[2], c.filters()};
  }

  @Override
  protected void create(int[] inputShape, RandomGenerator rng) {
    int[] k = {c.kernelSize().get(0), c.kernelSize().get(1), inputShape[2], c.filters()};
    kernel = addWeight("kernel", Initializers.create(c.kernelInitializer(), k, rng), true);
    if (c.useBias()) {
      bias = addWeight("bias", Initializers.create(c.biasInitializer(), new int[] {c.filters()},
          rng), true);
    }
  }

  @Override
  protected Tensor call(Tensor x, boolean training) {
    Tensor y = x.conv2d(kernel, c.strides().get(0), c.strides().get(1), "same".equals(c.padding()),
        c.dilationRate().get(0), c.dilationRate().get(1));
    return activation.apply(c.useBias() ? y.add(bias) : y);
  }

  @Override
  public Config config() {
    return new Config(name(), trainable(), c.filters(), c.kernelSize(), c.strides(), c.padding(),
        c.dilationRate(), c.activation(), c.useBias(), c.kernelInitializer(), c.biasInitializer());
  }
}
