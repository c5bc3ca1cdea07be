package ai.lepton.metrics;

import ai.lepton.LeptonException;
import ai.lepton.internal.Args;
import ai.lepton.tensor.Tensor;
import java.util.Map;

/**
 * R² per output column over every sample seen. The target variance is accumulated with Chan's
 * parallel update of (count, mean, sum of squared deviations), which stays accurate where the naive
 * {@code sum(y^2) - sum(y)^2 / n} cancels catastrophically for targets with a large mean.
 */
final class R2Score implements Metric {
  private long count;
  private double[] mean;
  private double[] squaredDeviations;
  private double[] squaredResiduals;

  @Override
  public void update(Tensor yTrue, Tensor yPred) {
    Args.nonNull(yTrue, name(), "yTrue");
    Args.nonNull(yPred, name(), "yPred");
    float[] t = Metrics.alignedTargets(name(), yTrue, yPred);
    float[] p = yPred.toFloatArray();
    int columns = yPred.rank() <= 1 ? 1 : yPred.dim(-1);
    if (mean == null) {
      mean = new double[columns];
      squaredDeviations = new double[columns];
      squaredResiduals = new double[columns];
    } else if (columns != mean.length) {
      throw new LeptonException(name() + ": the first batch had " + mean.length + " outputs, this "
          + "one has " + columns + "; call reset() before switching models");
    }
    int rows = p.length / columns;
    if (rows == 0) {
      return;
    }
    for (int c = 0; c < columns; c++) {
      double batchMean = 0;
      for (int r = 0; r < rows; r++) {
        batchMean += t[r * columns + c];
      }
      batchMean /= rows;
      double batchDeviations = 0;
      double residuals = 0;
      for (int r = 0; r < rows; r++) {
        double d = t[r * columns + c] - batchMean;
        double e = (double) t[r * columns + c] - p[r * columns + c];
        batchDeviations += d * d;
        residuals += e * e;
      }
      double delta = batchMean - mean[c];
      long total = count + rows;
      mean[c] += delta * rows / total;
      squaredDeviations[c] += batchDeviations + delta * delta * count * rows / total;
      squaredResiduals[c] += residuals;
    }
    count += rows;
  }

  @Override
  public double result() {
    if (mean == null || count == 0) {
      return 0;
    }
    double sum = 0;
    for (int c = 0; c < mean.length; c++) {
      if (squaredDeviations[c] == 0) {
        // scikit-learn's force_finite: a constant target is either matched or not.
        sum += squaredResiduals[c] == 0 ? 1 : 0;
      } else {
        sum += 1 - squaredResiduals[c] / squaredDeviations[c];
      }
    }
    return sum / mean.length;
  }

  @Override
  public void reset() {
    count = 0;
    mean = null;
    squaredDeviations = null;
    squaredResiduals = null;
  }

  @Override
  public String name() {
    return "r2_score";
  }

  @Override
  public Map<String, Object> config() {
    return Map.of();
  }
}
