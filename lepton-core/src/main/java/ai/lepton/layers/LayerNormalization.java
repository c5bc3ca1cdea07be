package ai.lepton.layers;

import ai.lepton.LeptonException;
import ai.lepton.internal.Args;
import ai.lepton.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;

/**
 * Normalizes each sample over its last axis to zero mean and unit variance, then scales by
 * {@code gamma} and shifts by {@code beta} (Keras {@code LayerNormalization} with {@code axis=-1}).
 */
public final class LayerNormalization extends Layer {
  public record Config(String name, boolean trainable, float epsilon, boolean center,
      boolean scale) {
    public Config {
      if (!(epsilon > 0f)) {
        throw new LeptonException(
            "LayerNormalization: expected a positive epsilon, received epsilon=" + epsilon);
      }
    }
  }

  private final Config config;
  private Tensor gamma; // (features)
  private Tensor beta; // (features)

  public LayerNormalization() {
    this(new Config(null, true, 1e-3f, true, true));
  }

  public LayerNormalization(Config config) {
    super(Args.nonNull(config, "LayerNormalization", "config").name(), config.trainable());
    this.config = config;
  }

  @Override
  public int[] outputShape(int[] inputShape) {
    Args.nonNull(inputShape, "LayerNormalization.outputShape", "inputShape");
    return inputShape.clone();
  }

  @Override
  protected Map<String, int[]> plannedWeights(List<int[]> inputShapes) {
    int[] in = inputShapes.get(0);
    int[] features = {in[in.length - 1]};
    Map<String, int[]> shapes = new LinkedHashMap<>();
    if (config.scale()) {
      shapes.put("gamma", features);
    }
    if (config.center()) {
      shapes.put("beta", features);
    }
    return shapes;
  }

  @Override
  protected void create(int[] inputShape, RandomGenerator rng) {
    int features = inputShape[inputShape.length - 1];
    if (config.scale()) {
      gamma = addWeight("gamma", Tensor.ones(features), true);
    }
    if (config.center()) {
      beta = addWeight("beta", Tensor.zeros(features), true);
    }
  }

  @Override
  protected Tensor call(Tensor x, boolean training) {
    int last = x.shape().length - 1;
    Tensor centered = x.sub(x.mean(last, true));
    Tensor variance = centered.square().mean(last, true);
    Tensor y = centered.div(variance.add(Tensor.scalar(config.epsilon())).sqrt());
    if (gamma != null) {
      y = y.mul(gamma);
    }
    return beta != null ? y.add(beta) : y;
  }

  /** Keeps the time axis, so the output carries the input's mask. */
  @Override
  public Tensor computeMask(Tensor x, Tensor mask) {
    Args.nonNull(x, "LayerNormalization.computeMask", "x");
    return mask;
  }

  @Override
  public Config config() {
    return new Config(name(), trainable(), config.epsilon(), config.center(), config.scale());
  }
}
