package ai.lepton.metrics;

import ai.lepton.LeptonException;
import ai.lepton.internal.Args;
import ai.lepton.tensor.Tensor;
import java.util.Arrays;
import java.util.Map;

/** The accuracies: the share of correct elements (binary) or rows (categorical, sparse). */
final class AccuracyMetric implements Metric {
  enum Kind { AUTO, BINARY, CATEGORICAL, SPARSE }

  private final Kind declared;
  private final float threshold;
  /** For AUTO, the kind chosen at the first update; kept across resets (shapes do not change). */
  private Kind kind;
  private long correct;
  private long total;

  AccuracyMetric(Kind declared, float threshold) {
    this.declared = declared;
    this.threshold = threshold;
    this.kind = declared == Kind.AUTO ? null : declared;
  }

  @Override
  public void update(Tensor yTrue, Tensor yPred) {
    Args.nonNull(yTrue, name(), "yTrue");
    Args.nonNull(yPred, name(), "yPred");
    if (kind == null) {
      kind = choose(yTrue, yPred);
    }
    switch (kind) {
      case BINARY -> {
        float[] t = Metrics.alignedTargets(name(), yTrue, yPred);
        float[] p = yPred.toFloatArray();
        for (int i = 0; i < p.length; i++) {
          if ((p[i] > threshold ? 1f : 0f) == t[i]) {
            correct++;
          }
        }
        total += p.length;
      }
      case CATEGORICAL -> {
        if (yPred.rank() < 2 || !Arrays.equals(yTrue.shape(), yPred.shape())) {
          throw new LeptonException(name() + ": expected one-hot yTrue of yPred's shape [batch, "
              + "classes], received yTrue " + Arrays.toString(yTrue.shape()) + " and yPred "
              + Arrays.toString(yPred.shape()) + "; for integer labels use "
              + "sparse_categorical_accuracy");
        }
        count(yTrue.argmax(-1).toFloatArray(), yPred);
      }
      case SPARSE -> count(Metrics.sparseLabels(name(), yTrue, yPred), yPred);
    }
  }

  /** Keras' rule for {@code "accuracy"}. */
  private static Kind choose(Tensor yTrue, Tensor yPred) {
    if (yPred.rank() <= 1 || yPred.dim(-1) == 1) {
      return Kind.BINARY;
    }
    return Arrays.equals(yTrue.shape(), yPred.shape()) ? Kind.CATEGORICAL : Kind.SPARSE;
  }

  private void count(float[] labels, Tensor yPred) {
    float[] predicted = yPred.argmax(-1).toFloatArray();
    for (int i = 0; i < predicted.length; i++) {
      if (predicted[i] == labels[i]) {
        correct++;
      }
    }
    total += predicted.length;
  }

  @Override
  public double result() {
    return total == 0 ? 0 : (double) correct / total;
  }

  @Override
  public void reset() {
    correct = 0;
    total = 0;
  }

  @Override
  public String name() {
    return switch (declared) {
      case AUTO -> "accuracy";
      case BINARY -> "binary_accuracy";
      case CATEGORICAL -> "categorical_accuracy";
      case SPARSE -> "sparse_categorical_accuracy";
    };
  }

  @Override
  public Map<String, Object> config() {
    return declared == Kind.BINARY ? Map.of("threshold", threshold) : Map.of();
  }
}
