package ai.lepton.layers;

import ai.lepton.LeptonException;
import ai.lepton.internal.Args;
import ai.lepton.tensor.Tensor;
import java.util.Map;
import java.util.random.RandomGenerator;

/**
 * Gated Recurrent Unit, as Keras' {@code GRU} with its default {@code reset_after=true} (the cuDNN
 * and PyTorch variant): {@code (batch, time, features) -> (batch, units)}, or every step with
 * {@code returnSequences}; with {@code returnState} the outputs are {@code [output, h]}. Weights in
 * Keras' layout with gates z, r, h: kernel {@code (features, 3 * units)}, recurrent_kernel
 * {@code (units, 3 * units)}, bias {@code (2, 3 * units)} (row 0 for the input projection, row 1
 * for the recurrent one, which the reset gate scales).
 */
public final class GRU extends Recurrent<GRU> {
  /** GRU's configuration, with Keras' names; activations are fixed to tanh and sigmoid. */
  public record Config(String name, boolean trainable, int units, String activation,
      String recurrentActivation, boolean useBias, String kernelInitializer,
      String recurrentInitializer, String biasInitializer, float dropout, float recurrentDropout,
      boolean returnSequences, boolean returnState, boolean goBackwards, boolean resetAfter,
      Long seed) {
    public Config {
      requireActivation("GRU", "activation", "tanh", activation);
      requireActivation("GRU", "recurrent_activation", "sigmoid", recurrentActivation);
      if (!resetAfter) {
        throw new LeptonException("GRU: only reset_after=true (Keras' default) is implemented, "
            + "received reset_after=false; use reset_after=true");
      }
      check("GRU", units, kernelInitializer, recurrentInitializer, biasInitializer, dropout,
          recurrentDropout);
    }

    Options options() {
      return new Options(units, useBias, kernelInitializer, recurrentInitializer, biasInitializer,
          dropout, recurrentDropout, returnSequences, returnState, goBackwards, seed);
    }
  }

  private Tensor kernel; // (features, 3 * units)
  private Tensor recurrentKernel; // (units, 3 * units)
  private Tensor bias; // (2, 3 * units)

  /** A GRU of {@code units} with Keras' defaults. */
  public GRU(int units) {
    this(config(null, true, defaults(units)));
  }

  public GRU(Config config) {
    super(Args.nonNull(config, "GRU", "config").name(), config.trainable(), config.options());
  }

  private static Config config(String name, boolean trainable, Options o) {
    return new Config(name, trainable, o.units(), "tanh", "sigmoid", o.useBias(),
        o.kernelInitializer(), o.recurrentInitializer(), o.biasInitializer(), o.dropout(),
        o.recurrentDropout(), o.returnSequences(), o.returnState(), o.goBackwards(), true,
        o.seed());
  }

  @Override
  int stateCount() {
    return 1;
  }

  @Override
  Map<String, int[]> weightShapes(int features) {
    return gateWeights(features, 3L * units, new long[] {2, 3L * units});
  }

  @Override
  void createWeights(int features, RandomGenerator rng) {
    kernel = addWeight("kernel",
        Initializers.create(kernelInitializer, new int[] {features, 3 * units}, rng), true);
    recurrentKernel = addWeight("recurrent_kernel",
        Initializers.create(recurrentInitializer, new int[] {units, 3 * units}, rng), true);
    if (useBias) {
      bias = addWeight("bias",
          Initializers.create(biasInitializer, new int[] {2, 3 * units}, rng), true);
    }
  }

  @Override
  Tensor scan(Tensor x, Tensor mask, Tensor recurrentDropoutMask) {
    // (batch, time, 3 * units): one GEMM for all steps; the op adds both bias rows
    return x.matmul(kernel).gruRecurrence(recurrentKernel, bias, mask, recurrentDropoutMask);
  }

  @Override
  public Config config() {
    return config(name(), trainable(), options());
  }
}
