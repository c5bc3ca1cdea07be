package ai.lepton.internal;

/**
 * Seeds derived from a seed and an index (a layer's position, an epoch), so that each random stream
 * of a training run is a pure function of the run's seed and where it is used.
 */
public final class Seeds {
  private Seeds() {}

  /**
   * The seed of stream {@code index} under {@code seed}: SplitMix64's finalizer over their sum.
   * Mixing matters: {@code SplittableRandom} streams whose seeds differ by a multiple of its
   * increment are the same stream shifted, so {@code seed + index} would make overlapping streams.
   */
  public static long derive(long seed, long index) {
    long z = seed + 0x9E3779B97F4A7C15L * (index + 1);
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
