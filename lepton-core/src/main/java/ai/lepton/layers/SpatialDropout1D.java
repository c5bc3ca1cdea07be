package ai.lepton.layers;

import ai.lepton.LeptonException;
import ai.lepton.internal.Args;
import ai.lepton.internal.Seeds;
import ai.lepton.tensor.Tensor;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;

/**
 * Dropout that zeroes whole feature channels of a {@code [batch, time, features]} input during
 * training (one mask of shape {@code [batch, 1, features]} broadcast over time) and scales the rest by
 * {@code 1 / (1 - rate)}; the identity at inference. Neighbouring time steps are strongly correlated,
 * so dropping single elements would barely regularize.
 */
public final class SpatialDropout1D extends Layer {
  public record Config(String name, boolean trainable, float rate, Long seed) {
    public Config {
      if (!(rate >= 0f && rate < 1f)) {
        throw new LeptonException(
            "SpatialDropout1D: expected a rate in [0, 1), received rate=" + rate);
      }
    }
  }

  private final float rate;
  private final Long seed;
  private SplittableRandom rng;

  public SpatialDropout1D(float rate) {
    this(new Config(null, true, rate, null));
  }

  public SpatialDropout1D(Config config) {
    super(Args.nonNull(config, "SpatialDropout1D", "config").name(), config.trainable());
    this.rate = config.rate();
    this.seed = config.seed();
  }

  @Override
  public int[] outputShape(int[] inputShape) {
    Args.nonNull(inputShape, "SpatialDropout1D.outputShape", "inputShape");
    if (inputShape.length != 2) {
      throw new LeptonException("SpatialDropout1D: expected inputs of shape [batch, time, features],"
          + " received per-sample shape " + Arrays.toString(inputShape));
    }
    return inputShape.clone();
  }

  @Override
  protected void create(int[] inputShape, RandomGenerator modelRng) {
    outputShape(inputShape);
    rng = new SplittableRandom(seed != null ? seed : modelRng.nextLong());
  }

  @Override
  protected void seedEpoch(long modelSeed, int epoch) {
    rng = new SplittableRandom(Seeds.derive(seed != null ? seed : modelSeed, epoch));
  }

  @Override
  protected Tensor call(Tensor x, boolean training) {
    if (!training || rate == 0f) {
      return x;
    }
    int[] s = x.shape();
    return x.mul(Tensor.dropoutMask(rng, rate, s[0], 1, s[2])); // (batch, 1, features)
  }

  /** Keeps the time axis, so the output carries the input's mask. */
  @Override
  public Tensor computeMask(Tensor x, Tensor mask) {
    Args.nonNull(x, "SpatialDropout1D.computeMask", "x");
    return mask;
  }

  @Override
  public Config config() {
    return new Config(name(), trainable(), rate, seed);
  }
}
