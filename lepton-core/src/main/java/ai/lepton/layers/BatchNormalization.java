package ai.lepton.layers;

import ai.lepton.LeptonException;
import ai.lepton.internal.Args;
import ai.lepton.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;

/**
 * Normalizes over every axis but the last (channels-last), as Keras {@code BatchNormalization} with
 * {@code axis=-1}. Training uses the batch statistics and updates the non-trainable moving ones,
 * {@code moving = moving * momentum + batch * (1 - momentum)}; inference, and a layer set
 * {@code trainable(false)}, use the moving statistics and leave them unchanged.
 */
public final class BatchNormalization extends Layer {
  public record Config(String name, boolean trainable, float momentum, float epsilon,
      boolean center, boolean scale) {
    public Config {
      if (!(momentum >= 0f && momentum <= 1f)) {
        throw new LeptonException(
            "BatchNormalization: expected a momentum in [0, 1], received momentum=" + momentum);
      }
      if (!(epsilon > 0f)) {
        throw new LeptonException(
            "BatchNormalization: expected a positive epsilon, received epsilon=" + epsilon);
      }
    }
  }

  private final Config config;
  private Tensor gamma; // (channels)
  private Tensor beta; // (channels)
  private Tensor movingMean; // (channels)
  private Tensor movingVariance; // (channels)

  public BatchNormalization() {
    this(new Config(null, true, 0.99f, 1e-3f, true, true));
  }

  public BatchNormalization(Config config) {
    super(Args.nonNull(config, "BatchNormalization", "config").name(), config.trainable());
    this.config = config;
  }

  @Override
  public int[] outputShape(int[] inputShape) {
    Args.nonNull(inputShape, "BatchNormalization.outputShape", "inputShape");
    return inputShape.clone();
  }

  @Override
  protected Map<String, int[]> plannedWeights(List<int[]> inputShapes) {
    int[] in = inputShapes.get(0);
    int[] channels = {in[in.length - 1]};
    Map<String, int[]> shapes = new LinkedHashMap<>();
    if (config.scale()) {
      shapes.put("gamma", channels);
    }
    if (config.center()) {
      shapes.put("beta", channels);
    }
    shapes.put("moving_mean", channels);
    shapes.put("moving_variance", channels);
    return shapes;
  }

  @Override
  protected void create(int[] inputShape, RandomGenerator rng) {
    int channels = inputShape[inputShape.length - 1];
    if (config.scale()) {
      gamma = addWeight("gamma", Tensor.ones(channels), true);
    }
    if (config.center()) {
      beta = addWeight("beta", Tensor.zeros(channels), true);
    }
    movingMean = addWeight("moving_mean", Tensor.zeros(channels), false);
    movingVariance = addWeight("moving_variance", Tensor.ones(channels), false);
  }

  @Override
  protected Tensor call(Tensor x, boolean training) {
    int channels = movingMean.shape()[0];
    Tensor mean = movingMean;
    Tensor variance = movingVariance;
    if (training && trainable()) {
      Tensor rows = x.reshape(-1, channels); // (every position, channels)
      mean = rows.mean(0, false);
      variance = rows.sub(mean).square().mean(0, false); // biased, as Keras normalizes with it
      movingMean.lerpInPlace(mean.detach(), 1f - config.momentum());
      movingVariance.lerpInPlace(variance.detach(), 1f - config.momentum());
    }
    Tensor y = x.sub(mean).div(variance.add(config.epsilon()).sqrt());
    if (gamma != null) {
      y = y.mul(gamma);
    }
    return beta != null ? y.add(beta) : y;
  }

  @Override
  public Config config() {
    return new Config(name(), trainable(), config.momentum(), config.epsilon(), config.center(),
        config.scale());
  }
}
