package ai.lepton.layers;

import ai.lepton.LeptonException;
import ai.lepton.internal.Args;
import ai.lepton.internal.Seeds;
import ai.lepton.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;

/**
 * Multi-head scaled dot-product attention, as Keras' MultiHeadAttention, over sequences: called
 * through the list protocol on {@code [query, value]} or {@code [query, value, key]} (the key
 * defaults to the value), {@code query [batch, Tq, dq]}, {@code value [batch, Tv, dv]},
 * {@code key [batch, Tv, dk]}, giving {@code [batch, Tq, output_shape or dq]}.
 *
 * <p>Each head projects the query and key to {@code key_dim} and the value to {@code value_dim},
 * attends with {@code softmax(q k^T / sqrt(key_dim))}, and the heads' results are projected back
 * together. Weights use Keras' names and layouts: {@code query/kernel (dq, heads, key_dim)},
 * {@code query/bias (heads, key_dim)}, likewise {@code key/...} and {@code value/...} (with
 * {@code value_dim}), {@code attention_output/kernel (heads, value_dim, out)} and
 * {@code attention_output/bias (out)}.
 *
 * <p>Masks, as Keras: a key may be attended to only where the value's (and key's) mask marks it
 * valid, and a padded query attends to nothing (its scores are all masked, so its softmax is
 * uniform, as with Keras' -1e9 scores); with {@code use_causal_mask} query {@code i} sees keys
 * {@code j <= i} only. Keras takes {@code use_causal_mask} per call; here it is part of the config.
 * The output carries the query's mask. Dropout applies to the attention probabilities while
 * training.
 */
public final class MultiHeadAttention extends Layer {
  /**
   * The score of a hidden key, Keras' -1e9: exp underflows to exactly 0, and a query with every key
   * hidden attends uniformly, as in Keras. Set with {@code where} rather than added, so that hidden
   * scores also pass no gradient back (in float32, {@code s - 1e9} no longer depends on {@code s}).
   */
  private static final float MASKED = -1e9f;

  /**
   * MultiHeadAttention's configuration, with Keras's keys; {@code valueDim} null means
   * {@code keyDim}, {@code outputShape} null means the query's feature size.
   */
  public record Config(String name, boolean trainable, int numHeads, int keyDim, Integer valueDim,
      float dropout, boolean useBias, Integer outputShape, boolean useCausalMask,
      String kernelInitializer, String biasInitializer, Long seed) {
    public Config {
      if (numHeads <= 0 || keyDim <= 0 || (valueDim != null && valueDim <= 0)
          || (outputShape != null && outputShape <= 0)) {
        throw new LeptonException("MultiHeadAttention: expected positive num_heads, key_dim, "
            + "value_dim and output_shape, received num_heads=" + numHeads + ", key_dim=" + keyDim
            + ", value_dim=" + valueDim + ", output_shape=" + outputShape);
      }
      if (!(dropout >= 0f && dropout < 1f)) {
        throw new LeptonException("MultiHeadAttention: expected a dropout rate in [0, 1), "
            + "received dropout=" + dropout);
      }
      Initializers.validate("MultiHeadAttention", "kernelInitializer", kernelInitializer);
      Initializers.validate("MultiHeadAttention", "biasInitializer", biasInitializer);
    }
  }

  private final Config c;
  private final int heads;
  private final int keyDim;
  private final int valueDim;
  private int outDim;
  private Tensor queryKernel; // (dq, heads, key_dim)
  private Tensor queryBias; // (heads, key_dim)
  private Tensor keyKernel; // (dk, heads, key_dim)
  private Tensor keyBias; // (heads, key_dim)
  private Tensor valueKernel; // (dv, heads, value_dim)
  private Tensor valueBias; // (heads, value_dim)
  private Tensor outputKernel; // (heads, value_dim, out)
  private Tensor outputBias; // (out)
  private SplittableRandom rng;

  /** {@code numHeads} heads of {@code keyDim} each, no dropout, with biases, as Keras. */
  public MultiHeadAttention(int numHeads, int keyDim) {
    this(new Config(null, true, numHeads, keyDim, null, 0f, true, null, false, "glorot_uniform",
        "zeros", null));
  }

  /** Rebuilds a layer from its configuration. */
  public MultiHeadAttention(Config config) {
    super(Args.nonNull(config, "MultiHeadAttention", "config").name(), config.trainable());
    this.c = config;
    this.heads = config.numHeads();
    this.keyDim = config.keyDim();
    this.valueDim = config.valueDim() == null ? config.keyDim() : config.valueDim();
  }

  /** The query's output shape; the layer needs the list form, see {@link #outputShapes}. */
  @Override
  public int[] outputShape(int[] inputShape) {
    Args.nonNull(inputShape, "MultiHeadAttention.outputShape", "inputShape");
    return outputShapes(List.of(inputShape)).get(0);
  }

  /**
   * @throws LeptonException unless given {@code [query, value]} or {@code [query, value, key]}
   *     sequence shapes {@code [time, features]}, the key as long as the value
   */
  @Override
  public List<int[]> outputShapes(List<int[]> shapes) {
    Args.nonNull(shapes, "MultiHeadAttention.outputShapes", "shapes");
    if (shapes.size() != 2 && shapes.size() != 3) {
      throw new LeptonException("MultiHeadAttention: expected inputs [query, value] or [query, "
          + "value, key], received " + shapes.size() + " input(s); for self-attention pass the "
          + "same sequence as query and value");
    }
    for (int[] s : shapes) {
      if (s.length != 2) {
        throw new LeptonException("MultiHeadAttention expects sequences [batch, time, features]; "
            + "received [batch, " + join(s) + "]");
      }
    }
    if (shapes.size() == 3 && shapes.get(2)[0] != shapes.get(1)[0]) {
      throw new LeptonException("MultiHeadAttention: the key has " + shapes.get(2)[0]
          + " steps but the value " + shapes.get(1)[0] + "; keys and values come in pairs");
    }
    int[] query = shapes.get(0);
    return List.of(new int[] {query[0], c.outputShape() == null ? query[1] : c.outputShape()});
  }

  @Override
  protected Map<String, int[]> plannedWeights(List<int[]> shapes) {
    long dq = shapes.get(0)[1];
    long dv = shapes.get(1)[1];
    long dk = shapes.size() == 3 ? shapes.get(2)[1] : dv;
    long out = c.outputShape() == null ? dq : c.outputShape();
    Map<String, int[]> w = new LinkedHashMap<>();
    projection(w, "query", new long[] {dq, heads, keyDim}, new long[] {heads, keyDim});
    projection(w, "key", new long[] {dk, heads, keyDim}, new long[] {heads, keyDim});
    projection(w, "value", new long[] {dv, heads, valueDim}, new long[] {heads, valueDim});
    projection(w, "attention_output", new long[] {heads, valueDim, out}, new long[] {out});
    return w;
  }

  private void projection(Map<String, int[]> w, String part, long[] kernel, long[] bias) {
    w.put(part + "/kernel", weightShape(part + "/kernel", kernel));
    if (c.useBias()) {
      w.put(part + "/bias", weightShape(part + "/bias", bias));
    }
  }

  @Override
  protected void create(List<int[]> shapes, RandomGenerator modelRng) {
    int dq = shapes.get(0)[1];
    int dv = shapes.get(1)[1];
    int dk = shapes.size() == 3 ? shapes.get(2)[1] : dv;
    outDim = c.outputShape() == null ? dq : c.outputShape();
    queryKernel = kernel("query", new int[] {dq, heads, keyDim}, modelRng);
    queryBias = bias("query", new int[] {heads, keyDim}, modelRng);
    keyKernel = kernel("key", new int[] {dk, heads, keyDim}, modelRng);
    keyBias = bias("key", new int[] {heads, keyDim}, modelRng);
    valueKernel = kernel("value", new int[] {dv, heads, valueDim}, modelRng);
    valueBias = bias("value", new int[] {heads, valueDim}, modelRng);
    outputKernel = kernel("attention_output", new int[] {heads, valueDim, outDim}, modelRng);
    outputBias = bias("attention_output", new int[] {outDim}, modelRng);
    rng = new SplittableRandom(c.seed() != null ? c.seed() : modelRng.nextLong());
  }

  @Override
  protected void seedEpoch(long modelSeed, int epoch) {
    rng = new SplittableRandom(Seeds.derive(c.seed() != null ? c.seed() : modelSeed, epoch));
  }

  private Tensor kernel(String part, int[] shape, RandomGenerator rng) {
    return addWeight(part + "/kernel", Initializers.create(c.kernelInitializer(), shape, rng),
        true);
  }

  private Tensor bias(String part, int[] shape, RandomGenerator rng) {
    return c.useBias() ? addWeight(part + "/bias", Initializers.create(c.biasInitializer(), shape,
        rng), true) : null;
  }

  /** @throws LeptonException always: attention takes a query and a value */
  @Override
  protected Tensor call(Tensor x, boolean training) {
    throw new LeptonException("MultiHeadAttention '" + name() + "' takes [query, value] or "
        + "[query, value, key]; call apply(List.of(query, value), masks, training)");
  }

  @Override
  protected List<Tensor> call(List<Tensor> inputs, List<Tensor> masks, boolean training) {
    Tensor query = inputs.get(0);
    Tensor value = inputs.get(1);
    Tensor key = inputs.size() == 3 ? inputs.get(2) : value;
    int batch = query.dim(0);
    int tq = query.dim(1);
    int tv = value.dim(1);
    // Keras scales the query rather than the scores: the same numbers, a smaller tensor.
    Tensor q = heads(query, queryKernel, queryBias, keyDim)
        .mul((float) (1.0 / Math.sqrt(keyDim))); // (batch * heads, Tq, key_dim)
    Tensor k = heads(key, keyKernel, keyBias, keyDim); // (batch * heads, Tv, key_dim)
    Tensor v = heads(value, valueKernel, valueBias, valueDim); // (batch * heads, Tv, value_dim)
    Tensor scores = q.matmul(k, false, true); // (batch * heads, Tq, Tv)
    Tensor allowed = attentionMask(batch, tq, tv, masks.get(0), masks.get(1),
        inputs.size() == 3 ? masks.get(2) : null);
    if (allowed != null) {
      scores = Tensor.where(allowed, scores.reshape(batch, heads, tq, tv), Tensor.scalar(MASKED))
          .reshape(batch * heads, tq, tv);
    }
    Tensor probabilities = scores.softmax(-1);
    if (training && c.dropout() > 0f) {
      probabilities = probabilities.mul(Tensor.dropoutMask(rng, c.dropout(),
          probabilities.shape()));
    }
    // (batch * heads, Tq, value_dim) -> (batch, Tq, heads, value_dim) -> (batch * Tq, heads * vd)
    Tensor context = probabilities.matmul(v).reshape(batch, heads, tq, valueDim)
        .permute(0, 2, 1, 3).reshape(batch * tq, heads * valueDim);
    Tensor out = context.matmul(outputKernel.reshape(heads * valueDim, outDim));
    if (outputBias != null) {
      out = out.add(outputBias);
    }
    return List.of(out.reshape(batch, tq, outDim));
  }

  /**
   * Projects {@code x (batch, T, d)} for every head at once, one GEMM:
   * {@code (batch * T, d) x (d, heads * size)}, then puts the heads first:
   * {@code (batch * heads, T, size)}.
   */
  private Tensor heads(Tensor x, Tensor kernel, Tensor bias, int size) {
    int batch = x.dim(0);
    int time = x.dim(1);
    Tensor y = x.reshape(batch * time, x.dim(2)).matmul(kernel.reshape(kernel.dim(0),
        heads * size));
    if (bias != null) {
      y = y.add(bias.reshape(heads * size));
    }
    return y.reshape(batch, time, heads, size).permute(0, 2, 1, 3)
        .reshape(batch * heads, time, size);
  }

  /**
   * Keras' attention mask {@code (batch, 1, Tq, Tv)}: 1 where query {@code i} may attend to key
   * {@code j}, else 0; {@code null} when nothing is masked.
   */
  private Tensor attentionMask(int batch, int tq, int tv, Tensor queryMask, Tensor valueMask,
      Tensor keyMask) {
    if (queryMask == null && valueMask == null && keyMask == null && !c.useCausalMask()) {
      return null;
    }
    float[] qm = queryMask == null ? null : queryMask.toFloatArray();
    float[] vm = valueMask == null ? null : valueMask.toFloatArray();
    float[] km = keyMask == null ? null : keyMask.toFloatArray();
    float[] allowed = new float[batch * tq * tv];
    for (int b = 0; b < batch; b++) {
      for (int i = 0; i < tq; i++) {
        boolean queryValid = qm == null || qm[b * tq + i] != 0f;
        for (int j = 0; j < tv; j++) {
          boolean valid = queryValid && (vm == null || vm[b * tv + j] != 0f)
              && (km == null || km[b * tv + j] != 0f) && (!c.useCausalMask() || j <= i);
          allowed[(b * tq + i) * tv + j] = valid ? 1f : 0f;
        }
      }
    }
    return Tensor.of(allowed, batch, 1, tq, tv);
  }

  /** The output has the query's time axis, so it carries the query's mask. */
  @Override
  public Tensor computeMask(Tensor x, Tensor mask) {
    Args.nonNull(x, "MultiHeadAttention.computeMask", "x");
    return mask;
  }

  @Override
  public Config config() {
    return new Config(name(), trainable(), c.numHeads(), c.keyDim(), c.valueDim(), c.dropout(),
        c.useBias(), c.outputShape(), c.useCausalMask(), c.kernelInitializer(),
        c.biasInitializer(), c.seed());
  }
}
