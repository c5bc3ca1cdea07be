package ai.lepton.preprocessing;

import ai.lepton.LeptonException;
import ai.lepton.internal.Args;
import ai.lepton.tensor.Tensor;
import java.util.Map;

/**
 * Standardizes features to zero mean and unit variance, as scikit-learn's {@code StandardScaler}:
 * the standard deviation is the population one, a constant feature is left unscaled, and NaN
 * (missing) values are ignored when fitting and kept when transforming.
 *
 * @param mean the mean of each feature
 * @param scale the standard deviation of each feature (1 where it is 0)
 */
public record StandardScaler(float[] mean, float[] scale) implements Scaler {
  public StandardScaler {
    Args.nonNull(mean, "StandardScaler", "mean");
    Args.nonNull(scale, "StandardScaler", "scale");
    if (mean.length != scale.length || mean.length == 0) {
      throw new LeptonException("StandardScaler needs one mean and one scale per feature; received "
          + mean.length + " means and " + scale.length + " scales");
    }
    mean = mean.clone();
    scale = scale.clone();
  }

  @Override
  public int features() {
    return mean.length;
  }

  /**
   * Learns each feature's mean and standard deviation from {@code x}, {@code [rows, features]}.
   *
   * @throws LeptonException if {@code x} is not of rank 2 or has no rows
   */
  public static StandardScaler fit(Tensor x) {
    Args.nonNull(x, "StandardScaler.fit", "x");
    float[] v = Scaling.fitValues("StandardScaler.fit", x);
    int features = x.shape()[1];
    double[] sum = new double[features];
    double[] sumSq = new double[features];
    long[] count = new long[features];
    for (int i = 0; i < v.length; i++) {
      if (!Float.isNaN(v[i])) {
        sum[i % features] += v[i];
        count[i % features]++;
      }
    }
    float[] mean = new float[features];
    for (int f = 0; f < features; f++) {
      mean[f] = (float) (sum[f] / count[f]);
    }
    for (int i = 0; i < v.length; i++) {
      if (!Float.isNaN(v[i])) {
        double d = v[i] - sum[i % features] / count[i % features];
        sumSq[i % features] += d * d;
      }
    }
    float[] scale = new float[features];
    for (int f = 0; f < features; f++) {
      double std = Math.sqrt(sumSq[f] / count[f]);
      scale[f] = std == 0 ? 1 : (float) std;
    }
    return new StandardScaler(mean, scale);
  }

  /**
   * (x - mean) / scale per feature.
   *
   * @throws LeptonException if {@code x} is not {@code [rows, features]} with the fitted features
   */
  @Override
  public Tensor transform(Tensor x) {
    Args.nonNull(x, "StandardScaler.transform", "x");
    float[] inverse = new float[scale.length];
    float[] offset = new float[scale.length];
    for (int f = 0; f < scale.length; f++) {
      inverse[f] = 1 / scale[f];
      offset[f] = -mean[f] / scale[f];
    }
    return Scaling.affine(x, "StandardScaler.transform", inverse, offset);
  }

  /**
   * x * scale + mean per feature.
   *
   * @throws LeptonException if {@code x} is not {@code [rows, features]} with the fitted features
   */
  @Override
  public Tensor inverseTransform(Tensor x) {
    Args.nonNull(x, "StandardScaler.inverseTransform", "x");
    return Scaling.affine(x, "StandardScaler.inverseTransform", scale, mean);
  }

  /** The state as a JSON-friendly map: {@code {"mean": [...], "scale": [...]}}. */
  @Override
  public Map<String, Object> state() {
    return Map.of("mean", Scaling.list(mean), "scale", Scaling.list(scale));
  }

  /**
   * Restores a scaler from {@link #state()}, or from that map written to JSON and read back.
   *
   * @throws LeptonException if a list is missing, holds a non-number, a non-finite number or a
   *     scale that is not positive, holds more than {@link FeaturePreprocessing#MAX_FEATURES}, or
   *     the lengths differ
   */
  public static StandardScaler fromState(Map<String, ?> state) {
    Args.nonNull(state, "StandardScaler.fromState", "state");
    float[] scale = Scaling.floats("StandardScaler", state, "scale");
    for (int f = 0; f < scale.length; f++) {
      if (scale[f] <= 0) { // fit never gives one: it keeps 1 for a constant feature
        throw new LeptonException("StandardScaler state: 'scale' holds " + scale[f] + " at "
            + "position " + f + "; scales must be positive");
      }
    }
    return new StandardScaler(Scaling.floats("StandardScaler", state, "mean"), scale);
  }
}
