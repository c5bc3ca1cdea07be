package ai.lepton.metrics;

import ai.lepton.LeptonException;
import ai.lepton.data.Dataset;
import ai.lepton.models.Model;
import ai.lepton.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How a regression model did on held-out data, as scikit-learn's {@code mean_absolute_error},
 * {@code mean_squared_error}, its root, {@code r2_score} and {@code max_error} compute them (the
 * tests check golden values computed with them), in double precision. One value per sample:
 * predictions and targets of shape {@code [samples]} or {@code [samples, 1]}.
 *
 * @param samples the samples evaluated, at least 2
 * @param meanAbsoluteError the mean of |target - prediction|
 * @param meanSquaredError the mean of (target - prediction)^2
 * @param rootMeanSquaredError the square root of {@code meanSquaredError}, in the target's unit
 * @param r2 the coefficient of determination, 1 - (squared error) / (squared deviation of the
 *     targets from their mean): 1 is perfect, 0 no better than predicting the mean, below 0 worse.
 *     When the targets are all equal it is 1 if every prediction is exact and 0 otherwise
 *     (scikit-learn's {@code force_finite})
 * @param maxError the largest |target - prediction|
 */
public record RegressionReport(int samples, double meanAbsoluteError, double meanSquaredError,
    double rootMeanSquaredError, double r2, double maxError) {

  /**
   * The report of {@code yPred} against {@code yTrue}.
   *
   * @throws LeptonException if either is null, not one value per sample, of fewer than 2 samples
   *     (R2 needs 2), of different sample counts, or holds a NaN or infinite value (naming the
   *     first)
   */
  public static RegressionReport of(Tensor yTrue, Tensor yPred) {
    return of(Predictions.of("RegressionReport", yTrue, yPred));
  }

  /**
   * The report of {@code model}'s predictions on every batch of {@code data} (a held-out split,
   * preprocessed as the model takes it), against the batches' targets.
   *
   * @throws LeptonException as {@link #of(Tensor, Tensor)}, and if the model has several inputs or
   *     outputs or the data does not fit it
   */
  public static RegressionReport of(Model model, Dataset data) {
    return of(Predictions.of("RegressionReport", model, data));
  }

  /** The numbers by name: {@code mae}, {@code mse}, {@code rmse}, {@code r2}, {@code max_error}. */
  public Map<String, Double> metrics() {
    Map<String, Double> m = new LinkedHashMap<>();
    m.put("mae", meanAbsoluteError);
    m.put("mse", meanSquaredError);
    m.put("rmse", rootMeanSquaredError);
    m.put("r2", r2);
    m.put("max_error", maxError);
    return m;
  }

  private static RegressionReport of(Predictions p) {
    String what = "RegressionReport";
    if (p.width() != 1 || p.targetWidth() != 1) {
      throw new LeptonException(what + ": expected one value per sample, predictions and "
          + "targets of shape [samples] or [samples, 1]; received rows of " + p.width()
          + " predictions and " + p.targetWidth() + " targets; report each output separately");
    }
    int n = p.samples();
    if (n < 2) {
      throw new LeptonException(what + ": received " + n + " sample; R2 needs at least 2 "
          + "(scikit-learn's r2_score is undefined below), evaluate on a larger held-out split");
    }
    p.requireFinite(what);
    float[] t = p.targets();
    float[] y = p.predictions();
    double mean = 0;
    for (float v : t) {
      mean += v;
    }
    mean /= n;
    double absolute = 0;
    double squared = 0;
    double deviation = 0;
    double max = 0;
    for (int i = 0; i < n; i++) {
      double e = (double) t[i] - y[i];
      absolute += Math.abs(e);
      squared += e * e;
      deviation += (t[i] - mean) * (t[i] - mean);
      max = Math.max(max, Math.abs(e));
    }
    double r2 = deviation != 0 ? 1 - squared / deviation : squared == 0 ? 1 : 0;
    return new RegressionReport(n, absolute / n, squared / n, Math.sqrt(squared / n), r2, max);
  }
}
