package ai.lepton.layers;

import ai.lepton.LeptonException;
import ai.lepton.internal.Args;
import ai.lepton.internal.Seeds;
import ai.lepton.tensor.Tensor;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;

/**
 * Randomly zeroes a fraction {@code rate} of the inputs during training and scales the rest by
 * {@code 1 / (1 - rate)}; the identity at inference. In {@code fit} each epoch's masks are drawn from
 * fit's seed (or {@code seed} when given) and the epoch (see {@link Layer#seedEpoch}), so training is
 * reproducible and resumable.
 */
public final class Dropout extends Layer {
  public record Config(String name, boolean trainable, float rate, Long seed) {
    public Config {
      if (!(rate >= 0f && rate < 1f)) {
        throw new LeptonException("Dropout: expected a rate in [0, 1), received rate=" + rate);
      }
    }
  }

  private final float rate;
  private final Long seed;
  private SplittableRandom rng;

  public Dropout(float rate) {
    this(new Config(null, true, rate, null));
  }

  public Dropout(Config config) {
    super(Args.nonNull(config, "Dropout", "config").name(), config.trainable());
    this.rate = config.rate();
    this.seed = config.seed();
  }

  @Override
  public int[] outputShape(int[] inputShape) {
    Args.nonNull(inputShape, "Dropout.outputShape", "inputShape");
    return inputShape.clone();
  }

  @Override
  protected void create(int[] inputShape, RandomGenerator modelRng) {
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
    return x.mul(Tensor.dropoutMask(rng, rate, x.shape()));
  }

  /** Keeps the time axis, so the output carries the input's mask. */
  @Override
  public Tensor computeMask(Tensor x, Tensor mask) {
    Args.nonNull(x, "Dropout.computeMask", "x");
    return mask;
  }

  @Override
  public Config config() {
    return new Config(name(), trainable(), rate, seed);
  }
}
