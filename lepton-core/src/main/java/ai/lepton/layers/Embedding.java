package ai.lepton.layers;

import ai.lepton.LeptonException;
import ai.lepton.tensor.Tensor;
import java.util.Arrays;
import java.util.random.RandomGenerator;

/**
 * Maps integer ids, given as integer-valued floats of shape {@code [batch, time]}, to learned vectors
 * of shape {@code [batch, time, outputDim]}. {@code maskZero} is stored in the config for Keras
 * compatibility; masks are not propagated yet.
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
      Initializers.validate(embeddingsInitializer);
    }
  }

  private final Config config;
  private Tensor embeddings; // (inputDim, outputDim)

  public Embedding(int inputDim, int outputDim) {
    this(new Config(null, true, inputDim, outputDim, "random_uniform", false));
  }

  public Embedding(Config c) {
    super(c.name(), c.trainable());
    this.config = c;
  }

  @Override
  public int[] outputShape(int[] inputShape) {
    int[] out = Arrays.copyOf(inputShape, inputShape.length + 1);
    out[inputShape.length] = config.outputDim();
    return out;
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

  @Override
  public Config config() {
    return new Config(name(), trainable(), config.inputDim(), config.outputDim(),
        config.embeddingsInitializer(), config.maskZero());
  }
}
