package ai.lepton.layers;

import ai.lepton.LeptonException;
import ai.lepton.internal.Args;
import ai.lepton.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.random.RandomGenerator;

/**
 * 1-D convolution over sequences, {@code [batch, time, channels] -> [batch, time', filters]}, as
 * Keras' Conv1D: {@code valid}, {@code same} or {@code causal} padding (causal pads
 * {@code (kernel_size - 1) * dilation_rate} zeros before the sequence, so step {@code t} sees only
 * steps up to {@code t}); the kernel is {@code [kernel_size, channels, filters]}. Runs as a 2-D
 * convolution of a height-1 image.
 */
public final class Conv1D extends Layer {
  /** Conv1D's configuration, with Keras's keys. */
  public record Config(String name, boolean trainable, int filters, int kernelSize, int strides,
      String padding, int dilationRate, String activation, boolean useBias,
      String kernelInitializer, String biasInitializer) {
    public Config {
      if (filters <= 0 || kernelSize <= 0 || strides <= 0 || dilationRate <= 0) {
        throw new LeptonException("Conv1D: filters, kernel_size, strides and dilation_rate must be "
            + "positive, received " + filters + ", " + kernelSize + ", " + strides + ", "
            + dilationRate);
      }
      if (!"valid".equals(padding) && !"same".equals(padding) && !"causal".equals(padding)) {
        throw new LeptonException("Conv1D: padding must be \"valid\", \"same\" or \"causal\", "
            + "received \"" + padding + "\"");
      }
      Activations.get(activation);
      Initializers.validate("Conv1D", "kernelInitializer", kernelInitializer);
      Initializers.validate("Conv1D", "biasInitializer", biasInitializer);
    }
  }

  private final Config c;
  private final UnaryOperator<Tensor> activation;
  private Tensor kernel; // (kernel_size, in channels, filters)
  private Tensor bias; // (filters)

  /** {@code filters} kernels spanning {@code kernelSize} steps, stride 1, valid padding. */
  public Conv1D(int filters, int kernelSize, String activation) {
    this(new Config(null, true, filters, kernelSize, 1, "valid", 1, activation, true,
        "glorot_uniform", "zeros"));
  }

  /** Rebuilds a layer from its configuration. */
  public Conv1D(Config config) {
    super(Args.nonNull(config, "Conv1D", "config").name(), config.trainable());
    this.c = config;
    this.activation = Activations.get(config.activation());
  }

  /** @throws LeptonException unless the input is {@code [batch, time, channels]} */
  @Override
  public int[] outputShape(int[] inputShape) {
    Args.nonNull(inputShape, "Conv1D.outputShape", "inputShape");
    if (inputShape.length != 2) {
      throw new LeptonException("Conv1D expects [batch, time, channels]; received [batch, "
          + join(inputShape) + "]; add a Reshape(time, channels) first");
    }
    // Causal padding adds (size - 1) * dilation steps before a valid convolution: as many steps
    // out as "same" gives.
    return new int[] {Windows.length("Conv1D", inputShape[0], c.kernelSize(), c.strides(),
        c.dilationRate(), !"valid".equals(c.padding())), c.filters()};
  }

  @Override
  protected Map<String, int[]> plannedWeights(List<int[]> inputShapes) {
    Map<String, int[]> shapes = new LinkedHashMap<>();
    shapes.put("kernel",
        weightShape("kernel", c.kernelSize(), inputShapes.get(0)[1], c.filters()));
    if (c.useBias()) {
      shapes.put("bias", weightShape("bias", c.filters()));
    }
    return shapes;
  }

  @Override
  protected void create(int[] inputShape, RandomGenerator rng) {
    int[] k = {c.kernelSize(), inputShape[1], c.filters()};
    kernel = addWeight("kernel", Initializers.create(c.kernelInitializer(), k, rng), true);
    if (c.useBias()) {
      bias = addWeight("bias", Initializers.create(c.biasInitializer(), new int[] {c.filters()},
          rng), true);
    }
  }

  @Override
  protected Tensor call(Tensor x, boolean training) {
    Tensor y = conv(x, kernel);
    return activation.apply(c.useBias() ? y.add(bias) : y);
  }

  /** {@code x} (batch, time, channels) convolved with {@code k} (size, channels, filters). */
  private Tensor conv(Tensor x, Tensor k) {
    int batch = x.dim(0);
    int channels = x.dim(2);
    Tensor in = x;
    if ("causal".equals(c.padding())) {
      int pad = (c.kernelSize() - 1) * c.dilationRate();
      in = Tensor.concat(1, Tensor.zeros(batch, pad, channels), x);
    }
    // (batch, 1, time, channels) * (1, size, channels, filters) -> (batch, 1, time', filters)
    Tensor y = in.reshape(batch, 1, in.dim(1), channels)
        .conv2d(k.reshape(1, c.kernelSize(), channels, k.dim(2)), 1, c.strides(),
            "same".equals(c.padding()), 1, c.dilationRate());
    return y.reshape(batch, y.dim(2), y.dim(3));
  }

  @Override
  public Config config() {
    return new Config(name(), trainable(), c.filters(), c.kernelSize(), c.strides(), c.padding(),
        c.dilationRate(), c.activation(), c.useBias(), c.kernelInitializer(), c.biasInitializer());
  }
}
