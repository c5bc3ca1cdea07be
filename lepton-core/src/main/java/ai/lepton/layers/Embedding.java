package ai.lepton.layers;

import ai.lepton.LeptonException;
import ai.lepton.internal.Args;
import ai.lepton.tensor.Tensor;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;

/**
 * Maps integer ids, given as integer-valued floats of shape {@code [batch, time]}, to learned vectors
 * of shape {@code [batch, time, outputDim]}. With {@code maskZero}, id 0 is padding: the output
 * carries a mask that marks it, so recurrent layers skip those steps (id 0 then never names a word,
 * as Keras' Tokenizer guarantees).
 *
 * @throws LeptonException from {@code apply} when an id is not an integer in {@code [0, inputDim)}
 */
public final class Embedding extends Layer {
  public record Config(String name, boolean trainable, int inputDim, int outputDim,
      String embeddingsInitializer, boolean maskZero) {
    public Config {
      if (inputDim <= 0 || outputDim <= 0) {
        throw new LeptonException("Embedding: expected positive dimensions, received inputDim="
            + inputDim + ", outputDim=" + outputDim);
      }
      Initializers.validate("Embedding", "embeddingsInitializer", embeddingsInitializer);
    }
  }

  private final Config config;
  private Tensor embeddings; // (inputDim, outputDim)

  public Embedding(int inputDim, int outputDim) {
    this(inputDim, outputDim, false);
  }

  /** With {@code maskZero}, id 0 is padding and the output carries a mask (Keras' mask_zero). */
  public Embedding(int inputDim, int outputDim, boolean maskZero) {
    this(new Config(null, true, inputDim, outputDim, "random_uniform", maskZero));
  }

  public Embedding(Config config) {
    super(Args.nonNull(config, "Embedding", "config").name(), config.trainable());
    this.config = config;
  }

  @Override
  public int[] outputShape(int[] inputShape) {
    Args.nonNull(inputShape, "Embedding.outputShape", "inputShape");
    int[] out = Arrays.copyOf(inputShape, inputShape.length + 1);
    out[inputShape.length] = config.outputDim();
    return out;
  }

  @Override
  protected Map<String, int[]> plannedWeights(List<int[]> inputShapes) {
    return Map.of("embeddings",
        weightShape("embeddings", config.inputDim(), config.outputDim()));
  }

  @Override
  protected void create(int[] inputShape, RandomGenerator rng) {
    embeddings = addWeight("embeddings", Initializers.create(config.embeddingsInitializer(),
        new int[] {config.inputDim(), config.outputDim()}, rng), true);
  }

  @Override
  protected Tensor call(Tensor x, boolean training) {
    float[] ids = x.toFloatArray();
    int[] rows = new int[ids.length];
    for (int i = 0; i < ids.length; i++) {
      if (ids[i] != Math.rint(ids[i]) || ids[i] < 0 || ids[i] >= config.inputDim()) {
        throw new LeptonException("Embedding: expected integer ids in [0, " + config.inputDim()
            + "), received " + ids[i] + " at flat position " + i + " of input shape "
            + Arrays.toString(x.shape()) + "; raise inputDim or fix the ids");
      }
      rows[i] = (int) ids[i];
    }
    return embeddings.gather(0, rows).reshape(outputShape(x.shape()));
  }

  /** With {@code maskZero}, 1 where the id is not 0, else none. */
  @Override
  public Tensor computeMask(Tensor x, Tensor mask) {
    Args.nonNull(x, "Embedding.computeMask", "x");
    if (!config.maskZero()) {
      return null;
    }
    float[] ids = x.toFloatArray();
    float[] valid = new float[ids.length];
    for (int i = 0; i < ids.length; i++) {
      valid[i] = ids[i] != 0 ? 1 : 0;
    }
    return Tensor.of(valid, x.shape());
  }

  @Override
  public Config config() {
    return new Config(name(), trainable(), config.inputDim(), config.outputDim(),
        config.embeddingsInitializer(), config.maskZero());
  }
}
