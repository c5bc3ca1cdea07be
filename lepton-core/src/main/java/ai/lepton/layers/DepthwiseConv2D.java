package ai.lepton.layers;

import ai.lepton.internal.Args;
import ai.lepton.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.random.RandomGenerator;

/**
 * Depthwise 2-D convolution of channels-last images, {@code [batch, h, w, c] ->
 * [batch, h', w', c * depth_multiplier]}, as Keras' DepthwiseConv2D: each channel is convolved
 * with its own {@code depth_multiplier} filters; the kernel is
 * {@code [kh, kw, c, depth_multiplier]} and output channel {@code ch * depth_multiplier + m} comes
 * from input channel {@code ch}.
 */
public final class DepthwiseConv2D extends Layer {
  /** DepthwiseConv2D's configuration, with Keras's keys; sizes are {@code [height, width]}. */
  public record Config(String name, boolean trainable, List<Integer> kernelSize,
      List<Integer> strides, String padding, int depthMultiplier, List<Integer> dilationRate,
      String activation, boolean useBias, String depthwiseInitializer, String biasInitializer) {
    public Config {
      Depthwise.check("DepthwiseConv2D", kernelSize, strides, padding, depthMultiplier,
          dilationRate);
      kernelSize = List.copyOf(kernelSize);
      strides = List.copyOf(strides);
      dilationRate = List.copyOf(dilationRate);
      Activations.get(activation);
      Initializers.validate("DepthwiseConv2D", "depthwiseInitializer", depthwiseInitializer);
      Initializers.validate("DepthwiseConv2D", "biasInitializer", biasInitializer);
    }
  }

  private final Config c;
  private final UnaryOperator<Tensor> activation;
  private Tensor kernel; // (kh, kw, in channels, depth multiplier)
  private Tensor bias; // (in channels * depth multiplier)

  /** One {@code kh x kw} filter per channel, stride 1, valid padding, Keras's defaults. */
  public DepthwiseConv2D(int kh, int kw, String activation) {
    this(new Config(null, true, List.of(kh, kw), List.of(1, 1), "valid", 1, List.of(1, 1),
        activation, true, "glorot_uniform", "zeros"));
  }

  /** Rebuilds a layer from its configuration. */
  public DepthwiseConv2D(Config config) {
    super(Args.nonNull(config, "DepthwiseConv2D", "config").name(), config.trainable());
    this.c = config;
    this.activation = Activations.get(config.activation());
  }

  /** @throws LeptonException unless the input is {@code [batch, height, width, channels]} */
  @Override
  public int[] outputShape(int[] inputShape) {
    Args.nonNull(inputShape, "DepthwiseConv2D.outputShape", "inputShape");
    int[] hw = Depthwise.outputSize("DepthwiseConv2D", inputShape, c.kernelSize(), c.strides(),
        c.padding(), c.dilationRate());
    return new int[] {hw[0], hw[1], inputShape[2] * c.depthMultiplier()};
  }

  @Override
  protected Map<String, int[]> plannedWeights(List<int[]> inputShapes) {
    int channels = inputShapes.get(0)[2];
    Map<String, int[]> shapes = new LinkedHashMap<>();
    shapes.put("kernel", weightShape("kernel", c.kernelSize().get(0), c.kernelSize().get(1),
        channels, c.depthMultiplier()));
    if (c.useBias()) {
      shapes.put("bias", weightShape("bias", (long) channels * c.depthMultiplier()));
    }
    return shapes;
  }

  @Override
  protected void create(int[] inputShape, RandomGenerator rng) {
    int[] k = {c.kernelSize().get(0), c.kernelSize().get(1), inputShape[2], c.depthMultiplier()};
    kernel = addWeight("kernel", Initializers.create(c.depthwiseInitializer(), k, rng), true);
    if (c.useBias()) {
      bias = addWeight("bias", Initializers.create(c.biasInitializer(),
          new int[] {inputShape[2] * c.depthMultiplier()}, rng), true);
    }
  }

  @Override
  protected Tensor call(Tensor x, boolean training) {
    Tensor y = Depthwise.convolve(x, kernel, c.strides(), c.padding(), c.dilationRate());
    return activation.apply(c.useBias() ? y.add(bias) : y);
  }

  @Override
  public Config config() {
    return new Config(name(), trainable(), c.kernelSize(), c.strides(), c.padding(),
        c.depthMultiplier(), c.dilationRate(), c.activation(), c.useBias(),
        c.depthwiseInitializer(), c.biasInitializer());
  }
}
