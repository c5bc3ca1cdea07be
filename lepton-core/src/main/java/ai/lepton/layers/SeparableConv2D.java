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
 * Depthwise-separable 2-D convolution, as Keras' SeparableConv2D: a depthwise convolution
 * (kernel {@code [kh, kw, c, depth_multiplier]}) followed by a pointwise 1x1 convolution (kernel
 * {@code [1, 1, c * depth_multiplier, filters]}), {@code [batch, h, w, c] -> [batch, h', w',
 * filters]}.
 */
public final class SeparableConv2D extends Layer {
  /** SeparableConv2D's configuration, with Keras's keys; sizes are {@code [height, width]}. */
  public record Config(String name, boolean trainable, int filters, List<Integer> kernelSize,
      List<Integer> strides, String padding, int depthMultiplier, List<Integer> dilationRate,
      String activation, boolean useBias, String depthwiseInitializer,
      String pointwiseInitializer, String biasInitializer) {
    public Config {
      if (filters <= 0) {
        throw new LeptonException("SeparableConv2D: expected a positive number of filters, "
            + "received filters=" + filters);
      }
      Depthwise.check("SeparableConv2D", kernelSize, strides, padding, depthMultiplier,
          dilationRate);
      kernelSize = List.copyOf(kernelSize);
      strides = List.copyOf(strides);
      dilationRate = List.copyOf(dilationRate);
      Activations.get(activation);
      Initializers.validate("SeparableConv2D", "depthwiseInitializer", depthwiseInitializer);
      Initializers.validate("SeparableConv2D", "pointwiseInitializer", pointwiseInitializer);
      Initializers.validate("SeparableConv2D", "biasInitializer", biasInitializer);
    }
  }

  private final Config c;
  private final UnaryOperator<Tensor> activation;
  private Tensor depthwiseKernel; // (kh, kw, in channels, depth multiplier)
  private Tensor pointwiseKernel; // (1, 1, in channels * depth multiplier, filters)
  private Tensor bias; // (filters)

  /** {@code filters} outputs from {@code kh x kw} depthwise filters, stride 1, valid padding. */
  public SeparableConv2D(int filters, int kh, int kw, String activation) {
    this(new Config(null, true, filters, List.of(kh, kw), List.of(1, 1), "valid", 1,
        List.of(1, 1), activation, true, "glorot_uniform", "glorot_uniform", "zeros"));
  }

  /** Rebuilds a layer from its configuration. */
  public SeparableConv2D(Config config) {
    super(Args.nonNull(config, "SeparableConv2D", "config").name(), config.trainable());
    this.c = config;
    this.activation = Activations.get(config.activation());
  }

  /** @throws LeptonException unless the input is {@code [batch, height, width, channels]} */
  @Override
  public int[] outputShape(int[] inputShape) {
    Args.nonNull(inputShape, "SeparableConv2D.outputShape", "inputShape");
    int[] hw = Depthwise.outputSize("SeparableConv2D", inputShape, c.kernelSize(), c.strides(),
        c.padding(), c.dilationRate());
    return new int[] {hw[0], hw[1], c.filters()};
  }

  @Override
  protected Map<String, int[]> plannedWeights(List<int[]> inputShapes) {
    int channels = inputShapes.get(0)[2];
    Map<String, int[]> shapes = new LinkedHashMap<>();
    shapes.put("depthwise_kernel", weightShape("depthwise_kernel", c.kernelSize().get(0),
        c.kernelSize().get(1), channels, c.depthMultiplier()));
    shapes.put("pointwise_kernel", weightShape("pointwise_kernel", 1, 1,
        (long) channels * c.depthMultiplier(), c.filters()));
    if (c.useBias()) {
      shapes.put("bias", weightShape("bias", c.filters()));
    }
    return shapes;
  }

  @Override
  protected void create(int[] inputShape, RandomGenerator rng) {
    int depth = inputShape[2] * c.depthMultiplier();
    depthwiseKernel = addWeight("depthwise_kernel", Initializers.create(c.depthwiseInitializer(),
        new int[] {c.kernelSize().get(0), c.kernelSize().get(1), inputShape[2],
            c.depthMultiplier()}, rng), true);
    pointwiseKernel = addWeight("pointwise_kernel", Initializers.create(c.pointwiseInitializer(),
        new int[] {1, 1, depth, c.filters()}, rng), true);
    if (c.useBias()) {
      bias = addWeight("bias", Initializers.create(c.biasInitializer(), new int[] {c.filters()},
          rng), true);
    }
  }

  @Override
  protected Tensor call(Tensor x, boolean training) {
    Tensor d = Depthwise.convolve(x, depthwiseKernel, c.strides(), c.padding(), c.dilationRate());
    int depth = d.dim(3);
    // the 1x1 convolution is one product: (batch * h' * w', depth) x (depth, filters)
    Tensor y = d.reshape(-1, depth).matmul(pointwiseKernel.reshape(depth, c.filters()))
        .reshape(d.dim(0), d.dim(1), d.dim(2), c.filters());
    return activation.apply(c.useBias() ? y.add(bias) : y);
  }

  @Override
  public Config config() {
    return new Config(name(), trainable(), c.filters(), c.kernelSize(), c.strides(),
        c.padding(), c.depthMultiplier(), c.dilationRate(), c.activation(), c.useBias(),
        c.depthwiseInitializer(), c.pointwiseInitializer(), c.biasInitializer());
  }
}
