package ai.lepton.layers;

import ai.lepton.LeptonException;
import ai.lepton.internal.Args;
import ai.lepton.regularizers.Regularizer;
import ai.lepton.tensor.Tensor;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.random.RandomGenerator;

/**
 * 2-D convolution over channels-last images, {@code [batch, h, w, c] -> [batch, h', w', filters]},
 * with Keras's {@code valid}/{@code same} padding; the kernel is {@code [kh, kw, c, filters]}.
 * Options other than the filters, kernel size and activation are set before the layer is built,
 * e.g. {@code new Conv2D(32, 3, 3, "relu").padding("same").kernelRegularizer(Regularizers.l2(1e-4))}.
 */
public final class Conv2D extends Layer {
  /**
   * Conv2D's configuration, with Keras's keys; sizes are {@code [height, width]}; regularizers are
   * stored as {@code {"name": ..., "config": {...}}} or null.
   */
  public record Config(String name, boolean trainable, int filters, List<Integer> kernelSize,
      List<Integer> strides, String padding, List<Integer> dilationRate, String activation,
      boolean useBias, String kernelInitializer, String biasInitializer,
      Map<String, Object> kernelRegularizer, Map<String, Object> biasRegularizer) {
    public Config {
      if (filters <= 0) {
        throw new LeptonException("Conv2D: expected a positive number of filters, received filters="
            + filters);
      }
      Args.noNulls(kernelSize, "Conv2D", "kernelSize");
      Args.noNulls(strides, "Conv2D", "strides");
      Args.noNulls(dilationRate, "Conv2D", "dilationRate");
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
      Initializers.validate("Conv2D", "kernelInitializer", kernelInitializer);
      Initializers.validate("Conv2D", "biasInitializer", biasInitializer);
      RegularizerConfigs.fromConfig(kernelRegularizer);
      RegularizerConfigs.fromConfig(biasRegularizer);
    }
  }

  private Config c;
  private final UnaryOperator<Tensor> activation;
  private Regularizer kernelRegularizer;
  private Regularizer biasRegularizer;
  private Tensor kernel; // (kh, kw, in channels, filters)
  private Tensor bias; // (filters)

  /** {@code filters} kernels of {@code kh x kw}, stride 1, valid padding, Keras's defaults. */
  public Conv2D(int filters, int kh, int kw, String activation) {
    this(new Config(null, true, filters, List.of(kh, kw), List.of(1, 1), "valid", List.of(1, 1),
        activation, true, "glorot_uniform", "zeros", null, null));
  }

  /** Rebuilds a layer from its configuration. */
  public Conv2D(Config config) {
    super(Args.nonNull(config, "Conv2D", "config").name(), config.trainable());
    this.c = config;
    this.activation = Activations.get(config.activation());
    this.kernelRegularizer = RegularizerConfigs.fromConfig(config.kernelRegularizer());
    this.biasRegularizer = RegularizerConfigs.fromConfig(config.biasRegularizer());
  }

  /** Moves the window by {@code sh} rows and {@code sw} columns; default 1 x 1. */
  public Conv2D strides(int sh, int sw) {
    return with(new Config(c.name(), c.trainable(), c.filters(), c.kernelSize(), List.of(sh, sw),
        c.padding(), c.dilationRate(), c.activation(), c.useBias(), c.kernelInitializer(),
        c.biasInitializer(), c.kernelRegularizer(), c.biasRegularizer()));
  }

  /** {@code "valid"} (the default: whole windows only) or {@code "same"} (output = input / stride). */
  public Conv2D padding(String padding) {
    return with(new Config(c.name(), c.trainable(), c.filters(), c.kernelSize(), c.strides(),
        padding, c.dilationRate(), c.activation(), c.useBias(), c.kernelInitializer(),
        c.biasInitializer(), c.kernelRegularizer(), c.biasRegularizer()));
  }

  /** Spaces the kernel's taps {@code dh} rows and {@code dw} columns apart; default 1 x 1. */
  public Conv2D dilationRate(int dh, int dw) {
    return with(new Config(c.name(), c.trainable(), c.filters(), c.kernelSize(), c.strides(),
        c.padding(), List.of(dh, dw), c.activation(), c.useBias(), c.kernelInitializer(),
        c.biasInitializer(), c.kernelRegularizer(), c.biasRegularizer()));
  }

  public Conv2D useBias(boolean value) {
    return with(new Config(c.name(), c.trainable(), c.filters(), c.kernelSize(), c.strides(),
        c.padding(), c.dilationRate(), c.activation(), value, c.kernelInitializer(),
        c.biasInitializer(), c.kernelRegularizer(), c.biasRegularizer()));
  }

  /** The kernel initializer by Keras name, e.g. "he_normal"; default "glorot_uniform". */
  public Conv2D kernelInitializer(String initializer) {
    Initializers.validate("Conv2D.kernelInitializer", "initializer", initializer);
    return with(new Config(c.name(), c.trainable(), c.filters(), c.kernelSize(), c.strides(),
        c.padding(), c.dilationRate(), c.activation(), c.useBias(), initializer,
        c.biasInitializer(), c.kernelRegularizer(), c.biasRegularizer()));
  }

  public Conv2D biasInitializer(String initializer) {
    Initializers.validate("Conv2D.biasInitializer", "initializer", initializer);
    return with(new Config(c.name(), c.trainable(), c.filters(), c.kernelSize(), c.strides(),
        c.padding(), c.dilationRate(), c.activation(), c.useBias(), c.kernelInitializer(),
        initializer, c.kernelRegularizer(), c.biasRegularizer()));
  }

  /** Adds the regularizer's penalty on the kernel to the loss, e.g. {@code Regularizers.l2(1e-4)}. */
  public Conv2D kernelRegularizer(Regularizer regularizer) {
    return with(new Config(c.name(), c.trainable(), c.filters(), c.kernelSize(), c.strides(),
        c.padding(), c.dilationRate(), c.activation(), c.useBias(), c.kernelInitializer(),
        c.biasInitializer(), RegularizerConfigs.toConfig(regularizer), c.biasRegularizer()));
  }

  public Conv2D biasRegularizer(Regularizer regularizer) {
    return with(new Config(c.name(), c.trainable(), c.filters(), c.kernelSize(), c.strides(),
        c.padding(), c.dilationRate(), c.activation(), c.useBias(), c.kernelInitializer(),
        c.biasInitializer(), c.kernelRegularizer(), RegularizerConfigs.toConfig(regularizer)));
  }

  /** Takes a validated configuration; options only change before the weights exist. */
  private Conv2D with(Config next) {
    if (built()) {
      throw new LeptonException("Conv2D " + name() + ": options must be set before the layer is "
          + "built; create a new Conv2D instead");
    }
    c = next;
    kernelRegularizer = RegularizerConfigs.fromConfig(next.kernelRegularizer());
    biasRegularizer = RegularizerConfigs.fromConfig(next.biasRegularizer());
    return this;
  }

  /** @throws LeptonException unless the input is {@code [batch, height, width, channels]} */
  @Override
  public int[] outputShape(int[] inputShape) {
    Args.nonNull(inputShape, "Conv2D.outputShape", "inputShape");
    if (inputShape.length != 3) {
      throw new LeptonException("Conv2D expects [batch, height, width, channels]; received [batch, "
          + Arrays.toString(inputShape).replaceAll("[\\[\\]]", "")
          + "]; add a Reshape(height, width, channels) first");
    }
    boolean same = "same".equals(c.padding());
    return new int[] {
        Windows.length("Conv2D", inputShape[0], c.kernelSize().get(0), c.strides().get(0),
            c.dilationRate().get(0), same),
        Windows.length("Conv2D", inputShape[1], c.kernelSize().get(1), c.strides().get(1),
            c.dilationRate().get(1), same),
        c.filters()};
  }

  @Override
  protected Map<String, int[]> plannedWeights(List<int[]> inputShapes) {
    Map<String, int[]> shapes = new LinkedHashMap<>();
    shapes.put("kernel", weightShape("kernel", c.kernelSize().get(0), c.kernelSize().get(1),
        inputShapes.get(0)[2], c.filters()));
    if (c.useBias()) {
      shapes.put("bias", weightShape("bias", c.filters()));
    }
    return shapes;
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
    boolean relu = "relu".equals(c.activation());
    Tensor y = x.conv2d(kernel, c.useBias() ? bias : null, relu, c.strides().get(0),
        c.strides().get(1), "same".equals(c.padding()), c.dilationRate().get(0),
        c.dilationRate().get(1));
    return relu ? y : activation.apply(y);
  }

  @Override
  public Tensor regularization() {
    Tensor total = kernelRegularizer != null ? kernelRegularizer.penalty(kernel) : null;
    if (biasRegularizer != null && bias != null) {
      Tensor p = biasRegularizer.penalty(bias);
      total = total == null ? p : total.add(p);
    }
    return total;
  }

  @Override
  public Config config() {
    return new Config(name(), trainable(), c.filters(), c.kernelSize(), c.strides(), c.padding(),
        c.dilationRate(), c.activation(), c.useBias(), c.kernelInitializer(), c.biasInitializer(),
        c.kernelRegularizer(), c.biasRegularizer());
  }
}
