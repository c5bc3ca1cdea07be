package ai.lepton.layers;

import ai.lepton.LeptonException;
import ai.lepton.internal.Args;
import ai.lepton.tensor.Tensor;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;

/**
 * A learned vector per position, as keras_hub's PositionEmbedding: for sequences
 * {@code [batch, time, features]} of at most {@code sequence_length} steps it returns the first
 * {@code time} rows of its {@code embeddings (sequence_length, features)} weight, broadcast to the
 * input's shape; adding them to the input tells a Transformer the word order. The output keeps
 * the input's mask.
 */
public final class PositionEmbedding extends Layer {
  /** PositionEmbedding's configuration, with keras_hub's keys. */
  public record Config(String name, boolean trainable, int sequenceLength, String initializer) {
    public Config {
      if (sequenceLength <= 0) {
        throw new LeptonException("PositionEmbedding: expected a positive sequence_length, "
            + "received sequence_length=" + sequenceLength);
      }
      Initializers.validate("PositionEmbedding", "initializer", initializer);
    }
  }

  private final Config c;
  private Tensor embeddings; // (sequence_length, features)

  /** keras_hub's default initializer, glorot_uniform. */
  public PositionEmbedding(int sequenceLength) {
    this(new Config(null, true, sequenceLength, "glorot_uniform"));
  }

  /** Rebuilds a layer from its configuration. */
  public PositionEmbedding(Config config) {
    super(Args.nonNull(config, "PositionEmbedding", "config").name(), config.trainable());
    this.c = config;
  }

  /**
   * @throws LeptonException unless the input is {@code [batch, time, features]} with
   *     {@code time <= sequence_length}
   */
  @Override
  public int[] outputShape(int[] inputShape) {
    Args.nonNull(inputShape, "PositionEmbedding.outputShape", "inputShape");
    if (inputShape.length != 2 || inputShape[0] > c.sequenceLength()) {
      throw new LeptonException("PositionEmbedding expects sequences [batch, time, features] with "
          + "time <= sequence_length=" + c.sequenceLength() + "; received [batch, "
          + join(inputShape) + "]; pad or cut the sequences, or raise sequence_length");
    }
    return inputShape.clone();
  }

  @Override
  protected Map<String, int[]> plannedWeights(List<int[]> inputShapes) {
    return Map.of("embeddings",
        weightShape("embeddings", c.sequenceLength(), inputShapes.get(0)[1]));
  }

  @Override
  protected void create(int[] inputShape, RandomGenerator rng) {
    embeddings = addWeight("embeddings", Initializers.create(c.initializer(),
        new int[] {c.sequenceLength(), inputShape[1]}, rng), true);
  }

  @Override
  protected Tensor call(Tensor x, boolean training) {
    // (time, features) broadcast over the batch: (batch, time, features)
    return Tensor.zeros(x.shape()).add(embeddings.slice(0, 0, x.dim(1)));
  }

  /** Keeps the time axis, so the output carries the input's mask. */
  @Override
  public Tensor computeMask(Tensor x, Tensor mask) {
    Args.nonNull(x, "PositionEmbedding.computeMask", "x");
    return mask;
  }

  @Override
  public Config config() {
    return new Config(name(), trainable(), c.sequenceLength(), c.initializer());
  }
}
