package ai.lepton.metrics;

import ai.lepton.LeptonException;
import ai.lepton.internal.Args;
import ai.lepton.tensor.Tensor;
import java.util.Arrays;
import java.util.Map;

/** Macro-averaged F1 over classes, from per-class confusion counts. */
final class MacroF1Score implements Metric {
  /** Per class; null until the first batch fixes the class count. */
  private long[] truePositives;
  private long[] falsePositives;
  private long[] falseNegatives;

  @Override
  public void update(Tensor yTrue, Tensor yPred) {
    Args.nonNull(yTrue, name(), "yTrue");
    Args.nonNull(yPred, name(), "yPred");
    if (yPred.rank() < 2 || yPred.dim(-1) < 2) {
      throw new LeptonException(name() + ": expected class scores of shape [batch, classes] with "
          + "at least 2 classes, received " + Arrays.toString(yPred.shape())
          + "; for one 0/1 output use f1_score");
    }
    int classes = yPred.dim(-1);
    if (truePositives == null) {
      truePositives = new long[classes];
      falsePositives = new long[classes];
      falseNegatives = new long[classes];
    } else if (classes != truePositives.length) {
      throw new LeptonException(name() + ": the first batch had " + truePositives.length
          + " classes, this one has " + classes + "; call reset() before switching models");
    }
    float[] labels = Arrays.equals(yTrue.shape(), yPred.shape())
        ? yTrue.argmax(-1).toFloatArray()
        : Metrics.sparseLabels(name(), yTrue, yPred);
    float[] predicted = yPred.argmax(-1).toFloatArray();
    for (int i = 0; i < predicted.length; i++) {
      int p = (int) predicted[i];
      int a = label(labels[i], classes, i);
      if (p == a) {
        truePositives[p]++;
      } else {
        falsePositives[p]++;
        falseNegatives[a]++;
      }
    }
  }

  private int label(float value, int classes, int position) {
    if (value != Math.rint(value) || value < 0 || value >= classes) {
      throw new LeptonException(name() + ": label " + value + " at position " + position
          + " is not an integer class in [0, " + classes + "); labels must be 0.."
          + (classes - 1));
    }
    return (int) value;
  }

  @Override
  public double result() {
    if (truePositives == null) {
      return 0;
    }
    double sum = 0;
    int present = 0;
    for (int c = 0; c < truePositives.length; c++) {
      long denominator = 2 * truePositives[c] + falsePositives[c] + falseNegatives[c];
      // A class never seen in targets nor predictions is left out, as scikit-learn does.
      if (denominator > 0) {
        sum += (double) 2 * truePositives[c] / denominator;
        present++;
      }
    }
    return present == 0 ? 0 : sum / present;
  }

  @Override
  public void reset() {
    truePositives = null;
    falsePositives = null;
    falseNegatives = null;
  }

  @Override
  public String name() {
    return "f1_macro";
  }

  @Override
  public Map<String, Object> config() {
    return Map.of();
  }
}
