package ai.lepton.layers;

import ai.lepton.LeptonException;
import ai.lepton.internal.Args;
import ai.lepton.regularizers.Regularizer;
import ai.lepton.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.random.RandomGenerator;

/**
 * A densely connected layer, {@code activation(x · kernel + bias)}, applied to the last axis as in
 * Keras: {@code [batch, ..., in] -> [batch, ..., units]}.
 */
public final class Dense extends Layer {
  /** Dense's configuration; regularizers are stored as {@code {"name": ..., "config": {...}}}. */
  public record Config(String name, boolean trainable, int units, String activation,
      boolean useBias, String kernelInitializer, String biasInitializer,
      Map<String, Object> kernelRegularizer, Map<String, Object> biasRegularizer) {
    public Config {
      if (units <= 0) {
        throw new LeptonException("Dense: expected a positive number of units, received units="
            + units);
      }
      Activations.get(activation);
      Initializers.validate("Dense", "kernelInitializer", kernelInitializer);
      Initializers.validate("Dense", "biasInitializer", biasInitializer);
    }
  }

  private final int units;
  private final String activationName;
  private final UnaryOperator<Tensor> activation;
  private boolean useBias = true;
  private String kernelInitializer = "glorot_uniform";
  private String biasInitializer = "zeros";
  private Regularizer kernelRegularizer;
  private Regularizer biasRegularizer;
  private Tensor kernel; // (in, units)
  private Tensor bias; // (units)

  /** A linear layer of {@code units} outputs. */
  public Dense(int units) {
    this(units, "linear");
  }

  /** A layer of {@code units} outputs with an activation named as in Keras ("relu", "softmax"...). */
  public Dense(int units, String activation) {
    this(new Config(null, true, units, activation, true, "glorot_uniform", "zeros", null, null));
  }

  /** Rebuilds a layer from its configuration. */
  public Dense(Config config) {
    super(Args.nonNull(config, "Dense", "config").name(), config.trainable());
    this.units = config.units();
    this.activationName = config.activation() == null ? "linear" : config.activation();
    this.activation = Activations.get(activationName);
    this.useBias = config.useBias();
    this.kernelInitializer = config.kernelInitializer();
    this.biasInitializer = config.biasInitializer();
    this.kernelRegularizer = RegularizerConfigs.fromConfig(config.kernelRegularizer());
    this.biasRegularizer = RegularizerConfigs.fromConfig(config.biasRegularizer());
  }

  public Dense useBias(boolean value) {
    this.useBias = value;
    return this;
  }

  /** The kernel initializer by Keras name, e.g. "he_normal"; default "glorot_uniform". */
  public Dense kernelInitializer(String initializer) {
    Initializers.validate("Dense", "initializer", initializer);
    this.kernelInitializer = initializer;
    return this;
  }

  public Dense biasInitializer(String initializer) {
    Initializers.validate("Dense", "initializer", initializer);
    this.biasInitializer = initializer;
    return this;
  }

  /** Adds the regularizer's penalty on the kernel to the loss, e.g. {@code Regularizers.l2(1e-4)}. */
  public Dense kernelRegularizer(Regularizer regularizer) {
    this.kernelRegularizer = regularizer;
    return this;
  }

  public Dense biasRegularizer(Regularizer regularizer) {
    this.biasRegularizer = regularizer;
    return this;
  }

  @Override
  public int[] outputShape(int[] inputShape) {
    Args.nonNull(inputShape, "Dense.outputShape", "inputShape");
    if (inputShape.length == 0) {
      throw new LeptonException("Dense: expected inputs with a feature axis, [batch, features], "
          + "received a scalar per sample; reshape the data to [batch, 1]");
    }
    int[] out = inputShape.clone();
    out[out.length - 1] = units;
    return out;
  }

  @Override
  protected Map<String, int[]> plannedWeights(List<int[]> inputShapes) {
    int[] in = inputShapes.get(0);
    Map<String, int[]> shapes = new LinkedHashMap<>();
    shapes.put("kernel", weightShape("kernel", in[in.length - 1], units));
    if (useBias) {
      shapes.put("bias", weightShape("bias", units));
    }
    return shapes;
  }

  @Override
  protected void create(int[] inputShape, RandomGenerator rng) {
    int in = inputShape[inputShape.length - 1];
    kernel = addWeight("kernel", Initializers.create(kernelInitializer, new int[] {in, units}, rng),
        true);
    if (useBias) {
      bias = addWeight("bias", Initializers.create(biasInitializer, new int[] {units}, rng), true);
    }
  }

  @Override
  protected Tensor call(Tensor x, boolean training) {
    Tensor b = useBias ? bias : null;
    return activationName.equals("relu") ? x.linearRelu(kernel, b)
        : activation.apply(x.linear(kernel, b));
  }

  @Override
  public Tensor regularization() {
    Tensor total = null;
    if (kernelRegularizer != null) {
      total = kernelRegularizer.penalty(kernel);
    }
    if (biasRegularizer != null && bias != null) {
      Tensor p = biasRegularizer.penalty(bias);
      total = total == null ? p : total.add(p);
    }
    return total;
  }

  /** Keeps the time axis, so the output carries the input's mask. */
  @Override
  public Tensor computeMask(Tensor x, Tensor mask) {
    Args.nonNull(x, "Dense.computeMask", "x");
    return mask;
  }

  @Override
  public Config config() {
    return new Config(name(), trainable(), units, activationName, useBias, kernelInitializer,
        biasInitializer, RegularizerConfigs.toConfig(kernelRegularizer),
        RegularizerConfigs.toConfig(biasRegularizer));
  }
}
