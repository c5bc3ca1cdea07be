package ai.lepton.layers;

import ai.lepton.LeptonException;
import ai.lepton.internal.Args;
import ai.lepton.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;

/**
 * Token ids to vectors plus a learned vector per position, as keras_hub's
 * TokenAndPositionEmbedding: {@code [batch, time] -> [batch, time, embedding_dim]} for sequences of
 * at most {@code sequence_length} steps: an Embedding plus a PositionEmbedding. This is how a
 * Transformer sees word order. With
 * {@code mask_zero}, id 0 is padding and the output carries a mask, as Embedding's.
 * Weights: {@code token_embedding/embeddings (vocabulary_size, embedding_dim)} and
 * {@code position_embedding/embeddings (sequence_length, embedding_dim)}.
 *
 * @throws LeptonException from {@code apply} when an id is not an integer in
 *     {@code [0, vocabulary_size)}
 */
public final class TokenAndPositionEmbedding extends Layer {
  /** TokenAndPositionEmbedding's configuration, with keras_hub's keys. */
  public record Config(String name, boolean trainable, int vocabularySize, int sequenceLength,
      int embeddingDim, String embeddingsInitializer, boolean maskZero) {
    public Config {
      if (vocabularySize <= 0 || sequenceLength <= 0 || embeddingDim <= 0) {
        throw new LeptonException("TokenAndPositionEmbedding: expected positive sizes, received "
            + "vocabulary_size=" + vocabularySize + ", sequence_length=" + sequenceLength
            + ", embedding_dim=" + embeddingDim);
      }
      Initializers.validate("TokenAndPositionEmbedding", "embeddingsInitializer",
          embeddingsInitializer);
    }
  }

  private final Config c;
  private Embedding tokens;
  private PositionEmbedding positions;

  /** keras_hub's defaults: uniform initializer in [-0.05, 0.05). */
  public TokenAndPositionEmbedding(int vocabularySize, int sequenceLength, int embeddingDim,
      boolean maskZero) {
    this(new Config(null, true, vocabularySize, sequenceLength, embeddingDim, "random_uniform",
        maskZero));
  }

  /** Rebuilds a layer from its configuration. */
  public TokenAndPositionEmbedding(Config config) {
    super(Args.nonNull(config, "TokenAndPositionEmbedding", "config").name(), config.trainable());
    this.c = config;
  }

  /** @throws LeptonException unless the input is {@code [batch, time]}, time <= sequence_length */
  @Override
  public int[] outputShape(int[] inputShape) {
    Args.nonNull(inputShape, "TokenAndPositionEmbedding.outputShape", "inputShape");
    if (inputShape.length != 1 || inputShape[0] > c.sequenceLength()) {
      throw new LeptonException("TokenAndPositionEmbedding expects ids [batch, time] with time <= "
          + "sequence_length=" + c.sequenceLength() + "; received [batch, " + join(inputShape)
          + "]; pad or cut the sequences, or raise sequence_length");
    }
    return new int[] {inputShape[0], c.embeddingDim()};
  }

  @Override
  protected Map<String, int[]> plannedWeights(List<int[]> inputShapes) {
    Map<String, int[]> shapes = new LinkedHashMap<>();
    Embedding t = tokenEmbedding();
    Sublayers.shapes(shapes, t, inputShapes);
    Sublayers.shapes(shapes, positionEmbedding(), List.of(t.outputShape(inputShapes.get(0))));
    return shapes;
  }

  @Override
  protected void create(int[] inputShape, RandomGenerator rng) {
    tokens = Sublayers.build(this, tokenEmbedding(), List.of(inputShape), rng);
    positions = Sublayers.build(this, positionEmbedding(),
        List.of(tokens.outputShape(inputShape)), rng);
  }

  private Embedding tokenEmbedding() {
    return new Embedding(new Embedding.Config("token_embedding", true, c.vocabularySize(),
        c.embeddingDim(), c.embeddingsInitializer(), c.maskZero()));
  }

  private PositionEmbedding positionEmbedding() {
    return new PositionEmbedding(new PositionEmbedding.Config("position_embedding", true,
        c.sequenceLength(), c.embeddingsInitializer()));
  }

  @Override
  protected Tensor call(Tensor x, boolean training) {
    Tensor embedded = tokens.apply(x, training); // (batch, time, dim)
    return embedded.add(positions.apply(embedded, training));
  }

  /** With {@code mask_zero}, 1 where the id is not 0, else none. */
  @Override
  public Tensor computeMask(Tensor x, Tensor mask) {
    Args.nonNull(x, "TokenAndPositionEmbedding.computeMask", "x");
    if (tokens == null) {
      throw new LeptonException("TokenAndPositionEmbedding.computeMask: the layer is not built "
          + "yet; build it (or add it to a model) first");
    }
    return tokens.computeMask(x, mask);
  }

  @Override
  public Config config() {
    return new Config(name(), trainable(), c.vocabularySize(), c.sequenceLength(),
        c.embeddingDim(), c.embeddingsInitializer(), c.maskZero());
  }
}
