package ai.lepton.layers;

import ai.lepton.internal.Args;
import ai.lepton.tensor.Tensor;
import java.util.Map;
import java.util.random.RandomGenerator;

/**
 * A fully connected recurrent layer, {@code h = tanh(x kernel + h recurrent_kernel + bias)}, as
 * Keras' {@code SimpleRNN}: {@code (batch, time, features) -> (batch, units)}, or every step with
 * {@code returnSequences}; with {@code returnState} the outputs are {@code [output, h]}.
 */
public final class SimpleRNN extends Recurrent<SimpleRNN> {
  /** SimpleRNN's configuration, with Keras' names; the activation is fixed to tanh. */
  public record Config(String name, boolean trainable, int units, String activation,
      boolean useBias, String kernelInitializer, String recurrentInitializer,
      String biasInitializer, float dropout, float recurrentDropout, boolean returnSequences,
      boolean returnState, boolean goBackwards, Long seed) {
    public Config {
      requireActivation("SimpleRNN", "activation", "tanh", activation);
      check("SimpleRNN", units, kernelInitializer, recurrentInitializer, biasInitializer, dropout,
          recurrentDropout);
    }

    Options options() {
      return new Options(units, useBias, kernelInitializer, recurrentInitializer, biasInitializer,
          dropout, recurrentDropout, returnSequences, returnState, goBackwards, seed);
    }
  }

  private Tensor kernel; // (features, units)
  private Tensor recurrentKernel; // (units, units)
  private Tensor bias; // (units)

  /** A SimpleRNN of {@code units} with Keras' defaults. */
  public SimpleRNN(int units) {
    this(config(null, true, defaults(units)));
  }

  public SimpleRNN(Config config) {
    super(Args.nonNull(config, "SimpleRNN", "config").name(), config.trainable(), config.options());
  }

  private static Config config(String name, boolean trainable, Options o) {
    return new Config(name, trainable, o.units(), "tanh", o.useBias(), o.kernelInitializer(),
        o.recurrentInitializer(), o.biasInitializer(), o.dropout(), o.recurrentDropout(),
        o.returnSequences(), o.returnState(), o.goBackwards(), o.seed());
  }

  @Override
  int stateCount() {
    return 1;
  }

  @Override
  Map<String, int[]> weightShapes(int features) {
    return gateWeights(features, units, new long[] {units});
  }

  @Override
  void createWeights(int features, RandomGenerator rng) {
    kernel = addWeight("kernel",
        Initializers.create(kernelInitializer, new int[] {features, units}, rng), true);
    recurrentKernel = addWeight("recurrent_kernel",
        Initializers.create(recurrentInitializer, new int[] {units, units}, rng), true);
    if (useBias) {
      bias = addWeight("bias", Initializers.create(biasInitializer, new int[] {units}, rng), true);
    }
  }

  @Override
  Tensor scan(Tensor x, Tensor mask, Tensor recurrentDropoutMask) {
    // (batch, time, units): one GEMM for all steps; the op adds the bias
    return x.matmul(kernel).simpleRecurrence(recurrentKernel, bias, mask, recurrentDropoutMask);
  }

  @Override
  public Config config() {
    return config(name(), trainable(), options());
  }
}
