package ai.lepton.metrics;

import ai.lepton.internal.Args;
import ai.lepton.tensor.Tensor;
import java.util.Map;

/** Binary precision, recall or F1 from true/false positive and false negative counts. */
final class ConfusionMetric implements Metric {
  enum Kind { PRECISION, RECALL, F1 }

  private final Kind kind;
  private final float threshold;
  private long truePositives;
  private long falsePositives;
  private long falseNegatives;

  ConfusionMetric(Kind kind, float threshold) {
    this.kind = kind;
    this.threshold = threshold;
  }

  @Override
  public void update(Tensor yTrue, Tensor yPred) {
    Args.nonNull(yTrue, name(), "yTrue");
    Args.nonNull(yPred, name(), "yPred");
    float[] t = Metrics.alignedTargets(name(), yTrue, yPred);
    float[] p = yPred.toFloatArray();
    for (int i = 0; i < p.length; i++) {
      boolean predicted = p[i] > threshold;
      boolean actual = t[i] > 0.5f;
      if (predicted && actual) {
        truePositives++;
      } else if (predicted) {
        falsePositives++;
      } else if (actual) {
        falseNegatives++;
      }
    }
  }

  @Override
  public double result() {
    long tp = truePositives;
    return switch (kind) {
      case PRECISION -> ratio(tp, tp + falsePositives);
      case RECALL -> ratio(tp, tp + falseNegatives);
      case F1 -> ratio(2 * tp, 2 * tp + falsePositives + falseNegatives);
    };
  }

  /** Keras' {@code divide_no_nan}: an empty denominator gives 0. */
  static double ratio(long numerator, long denominator) {
    return denominator == 0 ? 0 : (double) numerator / denominator;
  }

  @Override
  public void reset() {
    truePositives = 0;
    falsePositives = 0;
    falseNegatives = 0;
  }

  @Override
  public String name() {
    return switch (kind) {
      case PRECISION -> "precision";
      case RECALL -> "recall";
      case F1 -> "f1_score";
    };
  }

  @Override
  public Map<String, Object> config() {
    return Map.of("threshold", threshold);
  }
}
