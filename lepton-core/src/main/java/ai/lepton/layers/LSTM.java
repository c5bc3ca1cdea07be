package ai.lepton.layers;

import ai.lepton.internal.Args;
import ai.lepton.tensor.Tensor;
import java.util.Map;
import java.util.random.RandomGenerator;

/**
 * Long Short-Term Memory, as Keras' {@code LSTM}: {@code (batch, time, features)} to
 * {@code (batch, units)}, or {@code (batch, time, units)} with {@code returnSequences}; with
 * {@code returnState} the outputs are {@code [output, h, c]}. Weights in Keras' layout with gates
 * i, f, c, o: kernel {@code (features, 4 * units)}, recurrent_kernel {@code (units, 4 * units)},
 * bias {@code (4 * units)}, the forget gate's bias starting at 1 ({@code unit_forget_bias}).
 *
 * <pre>{@code new LSTM(64).returnSequences(true).dropout(0.2f)}</pre>
 */
public final class LSTM extends Recurrent<LSTM> {
  /** LSTM's configuration, with Keras' names; activations are fixed to tanh and sigmoid. */
  public record Config(String name, boolean trainable, int units, String activation,
      String recurrentActivation, boolean useBias, String kernelInitializer,
      String recurrentInitializer, String biasInitializer, boolean unitForgetBias, float dropout,
      float recurrentDropout, boolean returnSequences, boolean returnState, boolean goBackwards,
      Long seed) {
    public Config {
      requireActivation("LSTM", "activation", "tanh", activation);
      requireActivation("LSTM", "recurrent_activation", "sigmoid", recurrentActivation);
      check("LSTM", units, kernelInitializer, recurrentInitializer, biasInitializer, dropout,
          recurrentDropout);
    }

    Options options() {
      return new Options(units, useBias, kernelInitializer, recurrentInitializer, biasInitializer,
          dropout, recurrentDropout, returnSequences, returnState, goBackwards, seed);
    }
  }

  private final boolean unitForgetBias;
  private Tensor kernel; // (features, 4 * units)
  private Tensor recurrentKernel; // (units, 4 * units)
  private Tensor bias; // (4 * units)

  /** An LSTM of {@code units} with Keras' defaults. */
  public LSTM(int units) {
    this(config(null, true, defaults(units), true));
  }

  public LSTM(Config config) {
    super(Args.nonNull(config, "LSTM", "config").name(), config.trainable(), config.options());
    this.unitForgetBias = config.unitForgetBias();
  }

  private static Config config(String name, boolean trainable, Options o, boolean unitForgetBias) {
    return new Config(name, trainable, o.units(), "tanh", "sigmoid", o.useBias(),
        o.kernelInitializer(), o.recurrentInitializer(), o.biasInitializer(), unitForgetBias,
        o.dropout(), o.recurrentDropout(), o.returnSequences(), o.returnState(), o.goBackwards(),
        o.seed());
  }

  @Override
  int stateCount() {
    return 2;
  }

  @Override
  Map<String, int[]> weightShapes(int features) {
    return gateWeights(features, 4L * units, new long[] {4L * units});
  }

  @Override
  void createWeights(int features, RandomGenerator rng) {
    kernel = addWeight("kernel",
        Initializers.create(kernelInitializer, new int[] {features, 4 * units}, rng), true);
    recurrentKernel = addWeight("recurrent_kernel",
        Initializers.create(recurrentInitializer, new int[] {units, 4 * units}, rng), true);
    if (useBias) {
      Tensor b = unitForgetBias
          ? Tensor.concat(0, Initializers.create(biasInitializer, new int[] {units}, rng),
              Tensor.ones(units), Initializers.create(biasInitializer, new int[] {2 * units}, rng))
          : Initializers.create(biasInitializer, new int[] {4 * units}, rng);
      bias = addWeight("bias", b, true);
    }
  }

  @Override
  Tensor scan(Tensor x, Tensor mask, Tensor recurrentDropoutMask) {
    // (batch, time, 4 * units): one GEMM for all steps; the op adds the bias
    return x.matmul(kernel).lstmRecurrence(recurrentKernel, bias, mask, recurrentDropoutMask);
  }

  @Override
  public Config config() {
    return config(name(), trainable(), options(), unitForgetBias);
  }
}
