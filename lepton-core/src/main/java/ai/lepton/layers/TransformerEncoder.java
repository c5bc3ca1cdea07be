package ai.lepton.layers;

import ai.lepton.LeptonException;
import ai.lepton.internal.Args;
import ai.lepton.internal.Seeds;
import ai.lepton.tensor.Tensor;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;

/**
 * One Transformer encoder block, as keras_hub's TransformerEncoder, on sequences
 * {@code [batch, time, hidden] -> [batch, time, hidden]}: self-attention with {@code num_heads}
 * heads of {@code hidden / num_heads}, dropout, residual, LayerNorm, then a feed-forward network
 * ({@code intermediate_dim} with the activation, back to {@code hidden}), dropout, residual,
 * LayerNorm. With {@code normalize_first} each LayerNorm moves before its block (pre-norm).
 *
 * <p>A padding mask on the input (from {@code Embedding(maskZero)} or TokenAndPositionEmbedding)
 * hides the padded steps as keys, as keras_hub does; the output keeps the mask, so the block
 * stacks in a Sequential model and a GlobalAveragePooling1D after it averages the valid steps.
 * Weights carry keras_hub's names, e.g. {@code self_attention_layer/query/kernel},
 * {@code feedforward_intermediate_dense/kernel}, {@code self_attention_layer_norm/gamma}.
 */
public final class TransformerEncoder extends Layer {
  /** TransformerEncoder's configuration, with keras_hub's keys. */
  public record Config(String name, boolean trainable, int intermediateDim, int numHeads,
      float dropout, String activation, float layerNormEpsilon, String kernelInitializer,
      String biasInitializer, boolean normalizeFirst) {
    public Config {
      if (intermediateDim <= 0 || numHeads <= 0) {
        throw new LeptonException("TransformerEncoder: expected positive intermediate_dim and "
            + "num_heads, received intermediate_dim=" + intermediateDim + ", num_heads="
            + numHeads);
      }
      if (!(dropout >= 0f && dropout < 1f)) {
        throw new LeptonException("TransformerEncoder: expected a dropout rate in [0, 1), "
            + "received dropout=" + dropout);
      }
      if (!(layerNormEpsilon > 0f)) {
        throw new LeptonException("TransformerEncoder: expected a positive layer_norm_epsilon, "
            + "received " + layerNormEpsilon);
      }
      Activations.get(activation);
      Initializers.validate("TransformerEncoder", "kernelInitializer", kernelInitializer);
      Initializers.validate("TransformerEncoder", "biasInitializer", biasInitializer);
    }
  }

  private final Config c;
  private MultiHeadAttention attention;
  private Dropout attentionDropout;
  private LayerNormalization attentionNorm;
  private Dense intermediate;
  private Dense output;
  private Dropout feedforwardDropout;
  private LayerNormalization feedforwardNorm;

  /** keras_hub's defaults: no dropout, relu, epsilon 1e-5, post-norm. */
  public TransformerEncoder(int intermediateDim, int numHeads) {
    this(new Config(null, true, intermediateDim, numHeads, 0f, "relu", 1e-5f, "glorot_uniform",
        "zeros", false));
  }

  /** Rebuilds a layer from its configuration. */
  public TransformerEncoder(Config config) {
    super(Args.nonNull(config, "TransformerEncoder", "config").name(), config.trainable());
    this.c = config;
  }

  /** @throws LeptonException unless the input is {@code [batch, time, hidden]}, hidden >= heads */
  @Override
  public int[] outputShape(int[] inputShape) {
    Args.nonNull(inputShape, "TransformerEncoder.outputShape", "inputShape");
    if (inputShape.length != 2) {
      throw new LeptonException("TransformerEncoder expects sequences [batch, time, hidden]; "
          + "received [batch, " + join(inputShape) + "]; put an Embedding in front");
    }
    if (inputShape[1] < c.numHeads()) {
      throw new LeptonException("TransformerEncoder: " + c.numHeads() + " heads need at least as "
          + "many features, received hidden size " + inputShape[1] + "; use fewer heads");
    }
    return inputShape.clone();
  }

  @Override
  protected Map<String, int[]> plannedWeights(List<int[]> inputShapes) {
    int[] inputShape = inputShapes.get(0);
    int hidden = inputShape[1];
    List<int[]> sequence = List.of(inputShape);
    Map<String, int[]> shapes = new LinkedHashMap<>();
    Sublayers.shapes(shapes, attention(hidden), List.of(inputShape, inputShape));
    Sublayers.shapes(shapes, layerNorm("self_attention_layer_norm"), sequence);
    Sublayers.shapes(shapes, intermediateDense(), sequence);
    Sublayers.shapes(shapes, outputDense(hidden), List.of(intermediateShape(inputShape)));
    Sublayers.shapes(shapes, layerNorm("feedforward_layer_norm"), sequence);
    return shapes;
  }

  @Override
  protected void create(int[] inputShape, RandomGenerator rng) {
    int hidden = inputShape[1];
    List<int[]> sequence = List.of(inputShape);
    attention = Sublayers.build(this, attention(hidden), List.of(inputShape, inputShape), rng);
    attentionNorm = Sublayers.build(this, layerNorm("self_attention_layer_norm"), sequence, rng);
    attentionDropout = Sublayers.build(this, dropout("self_attention_dropout"), sequence, rng);
    intermediate = Sublayers.build(this, intermediateDense(), sequence, rng);
    output = Sublayers.build(this, outputDense(hidden), List.of(intermediateShape(inputShape)),
        rng);
    feedforwardNorm = Sublayers.build(this, layerNorm("feedforward_layer_norm"), sequence, rng);
    feedforwardDropout = Sublayers.build(this, dropout("feedforward_dropout"), sequence, rng);
  }

  @Override
  protected void seedEpoch(long seed, int epoch) {
    if (attention == null) {
      return; // not built: no sublayers to seed yet
    }
    attention.seedEpoch(Seeds.derive(seed, 0), epoch);
    attentionDropout.seedEpoch(Seeds.derive(seed, 1), epoch);
    feedforwardDropout.seedEpoch(Seeds.derive(seed, 2), epoch);
  }

  private MultiHeadAttention attention(int hidden) {
    return new MultiHeadAttention(new MultiHeadAttention.Config("self_attention_layer", true,
        c.numHeads(), hidden / c.numHeads(), null, c.dropout(), true, null, false,
        c.kernelInitializer(), c.biasInitializer(), null));
  }

  private Dense intermediateDense() {
    return dense("feedforward_intermediate_dense", c.intermediateDim(), c.activation());
  }

  private Dense outputDense(int hidden) {
    return dense("feedforward_output_dense", hidden, "linear");
  }

  private int[] intermediateShape(int[] inputShape) {
    return new int[] {inputShape[0], c.intermediateDim()};
  }

  private LayerNormalization layerNorm(String name) {
    return new LayerNormalization(new LayerNormalization.Config(name, true, c.layerNormEpsilon(),
        true, true));
  }

  private Dropout dropout(String name) {
    return new Dropout(new Dropout.Config(name, true, c.dropout(), null));
  }

  private Dense dense(String name, int units, String activation) {
    return new Dense(new Dense.Config(name, true, units, activation, true, c.kernelInitializer(),
        c.biasInitializer(), null, null));
  }

  @Override
  protected Tensor call(Tensor x, boolean training) {
    return call(x, null, training);
  }

  @Override
  protected Tensor call(Tensor x, Tensor mask, boolean training) {
    // self-attention block; the padding mask hides padded keys (keras_hub masks no queries)
    Tensor h = c.normalizeFirst() ? attentionNorm.apply(x, training) : x;
    h = attention.apply(List.of(h, h), Arrays.asList(null, mask), training).get(0);
    h = attentionDropout.apply(h, training).add(x);
    if (!c.normalizeFirst()) {
      h = attentionNorm.apply(h, training);
    }
    // feed-forward block
    Tensor f = c.normalizeFirst() ? feedforwardNorm.apply(h, training) : h;
    f = output.apply(intermediate.apply(f, training), training);
    Tensor y = feedforwardDropout.apply(f, training).add(h);
    return c.normalizeFirst() ? y : feedforwardNorm.apply(y, training);
  }

  /** Keeps the time axis, so the output carries the input's mask. */
  @Override
  public Tensor computeMask(Tensor x, Tensor mask) {
    Args.nonNull(x, "TransformerEncoder.computeMask", "x");
    return mask;
  }

  @Override
  public Config config() {
    return new Config(name(), trainable(), c.intermediateDim(), c.numHeads(), c.dropout(),
        c.activation(), c.layerNormEpsilon(), c.kernelInitializer(), c.biasInitializer(),
        c.normalizeFirst());
  }
}
