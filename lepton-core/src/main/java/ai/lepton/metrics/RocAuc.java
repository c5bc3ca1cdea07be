package ai.lepton.metrics;

import ai.lepton.internal.Args;
import ai.lepton.tensor.Tensor;
import java.util.Arrays;
import java.util.Map;

/**
 * Exact binary ROC AUC: keeps every (score, label) pair and, at {@link #result()}, computes the
 * Mann-Whitney U statistic with average ranks for tied scores.
 */
final class RocAuc implements Metric {
  /**
   * One entry per element: the score's bits, remapped so that signed long order is float order, in
   * the high 32 bits, and the label (1 positive, 0 negative) in the lowest bit. Sorting this array
   * sorts by score without boxing.
   */
  private long[] entries = new long[1024];
  private int size;
  private boolean sawNaN;

  @Override
  public void update(Tensor yTrue, Tensor yPred) {
    Args.nonNull(yTrue, name(), "yTrue");
    Args.nonNull(yPred, name(), "yPred");
    float[] t = Metrics.alignedTargets(name(), yTrue, yPred);
    float[] p = yPred.toFloatArray();
    if (size + p.length > entries.length) {
      entries = Arrays.copyOf(entries, Math.max(entries.length * 2, size + p.length));
    }
    for (int i = 0; i < p.length; i++) {
      sawNaN |= Float.isNaN(p[i]);
      int bits = Float.floatToIntBits(p[i] + 0f); // + 0f turns -0 into +0, so they tie
      bits ^= (bits >> 31) & 0x7fffffff; // negative floats: reverse their order
      entries[size++] = ((long) bits << 32) | (t[i] > 0.5f ? 1 : 0);
    }
  }

  @Override
  public double result() {
    if (sawNaN) {
      return Double.NaN;
    }
    long[] sorted = Arrays.copyOf(entries, size);
    Arrays.sort(sorted);
    long positives = 0;
    double positiveRankSum = 0;
    int i = 0;
    while (i < size) {
      int j = i;
      long groupPositives = 0;
      while (j < size && (sorted[j] >>> 32) == (sorted[i] >>> 32)) {
        groupPositives += sorted[j] & 1;
        j++;
      }
      // Ranks i+1..j are shared by the tied group: each gets their average.
      positiveRankSum += groupPositives * ((i + 1 + j) / 2.0);
      positives += groupPositives;
      i = j;
    }
    long negatives = size - positives;
    if (positives == 0 || negatives == 0) {
      return Double.NaN;
    }
    return (positiveRankSum - positives * (positives + 1) / 2.0) / ((double) positives * negatives);
  }

  @Override
  public void reset() {
    entries = new long[1024];
    size = 0;
    sawNaN = false;
  }

  @Override
  public String name() {
    return "auc";
  }

  @Override
  public Map<String, Object> config() {
    return Map.of();
  }
}
