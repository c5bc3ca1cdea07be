package ai.lepton.preprocessing;

import ai.lepton.LeptonException;
import ai.lepton.internal.Args;
import ai.lepton.tensor.Tensor;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Scales each feature linearly so that its fitted minimum and maximum map to {@code rangeMin} and
 * {@code rangeMax}, as scikit-learn's {@code MinMaxScaler}: a constant feature is only shifted, and
 * NaN (missing) values are ignored when fitting and kept when transforming.
 *
 * @param rangeMin where each feature's minimum lands (0 by default)
 * @param rangeMax where each feature's maximum lands (1 by default)
 * @param dataMin each feature's fitted minimum
 * @param dataMax each feature's fitted maximum
 */
public record MinMaxScaler(float rangeMin, float rangeMax, float[] dataMin, float[] dataMax)
    implements Scaler {
  public MinMaxScaler {
    Args.nonNull(dataMin, "MinMaxScaler", "dataMin");
    Args.nonNull(dataMax, "MinMaxScaler", "dataMax");
    if (!(rangeMin < rangeMax)) {
      throw new LeptonException("MinMaxScaler: the feature range must have min < max; received ("
          + rangeMin + ", " + rangeMax + ")");
    }
    if (dataMin.length != dataMax.length || dataMin.length == 0) {
      throw new LeptonException("MinMaxScaler needs one minimum and one maximum per feature; "
          + "received " + dataMin.length + " minima and " + dataMax.length + " maxima");
    }
    dataMin = dataMin.clone();
    dataMax = dataMax.clone();
  }

  /** {@link #fit(Tensor, float, float)} to the range [0, 1]. */
  public static MinMaxScaler fit(Tensor x) {
    Args.nonNull(x, "MinMaxScaler.fit", "x");
    return fit(x, 0, 1);
  }

  @Override
  public int features() {
    return dataMin.length;
  }

  /**
   * Learns each feature's minimum and maximum from {@code x}, {@code [rows, features]}.
   *
   * @throws LeptonException if {@code x} is not of rank 2, has no rows, or the range is empty
   */
  public static MinMaxScaler fit(Tensor x, float rangeMin, float rangeMax) {
    Args.nonNull(x, "MinMaxScaler.fit", "x");
    float[] v = Scaling.fitValues("MinMaxScaler.fit", x);
    int features = x.shape()[1];
    float[] min = new float[features];
    float[] max = new float[features];
    Arrays.fill(min, Float.NaN);
    Arrays.fill(max, Float.NaN);
    for (int i = 0; i < v.length; i++) {
      int f = i % features;
      if (!Float.isNaN(v[i])) {
        min[f] = Float.isNaN(min[f]) ? v[i] : Math.min(min[f], v[i]);
        max[f] = Float.isNaN(max[f]) ? v[i] : Math.max(max[f], v[i]);
      }
    }
    return new MinMaxScaler(rangeMin, rangeMax, min, max);
  }

  /**
   * x * scale + offset per feature, where scale = (rangeMax - rangeMin) / (dataMax - dataMin).
   *
   * @throws LeptonException if {@code x} is not {@code [rows, features]} with the fitted features
   */
  @Override
  public Tensor transform(Tensor x) {
    Args.nonNull(x, "MinMaxScaler.transform", "x");
    float[] factors = factors();
    return Scaling.affine(x, "MinMaxScaler.transform", factors, offsets(factors));
  }

  /**
   * (x - offset) / scale per feature, with the scale and offset of {@link #transform}.
   *
   * @throws LeptonException if {@code x} is not {@code [rows, features]} with the fitted features
   */
  @Override
  public Tensor inverseTransform(Tensor x) {
    Args.nonNull(x, "MinMaxScaler.inverseTransform", "x");
    float[] factors = factors();
    return Scaling.inverseAffine(x, "MinMaxScaler.inverseTransform", factors, offsets(factors));
  }

  /** Each feature's scale: (rangeMax - rangeMin) / (dataMax - dataMin), a zero range as 1. */
  private float[] factors() {
    float[] scale = new float[dataMin.length];
    for (int f = 0; f < scale.length; f++) {
      float range = dataMax[f] - dataMin[f];
      scale[f] = (rangeMax - rangeMin) / (range == 0 ? 1 : range);
    }
    return scale;
  }

  /** Each feature's offset: rangeMin - dataMin * scale. */
  private float[] offsets(float[] scale) {
    float[] offset = new float[scale.length];
    for (int f = 0; f < scale.length; f++) {
      offset[f] = rangeMin - dataMin[f] * scale[f];
    }
    return offset;
  }

  /** The config and state as a JSON-friendly map (feature_range, data_min, data_max). */
  @Override
  public Map<String, Object> state() {
    return Map.of("feature_range", List.of(rangeMin, rangeMax), "data_min",
        Scaling.list(dataMin), "data_max", Scaling.list(dataMax));
  }

  /**
   * Restores a scaler from {@link #state()}, or from that map written to JSON and read back.
   *
   * @throws LeptonException if a list is missing, holds a non-number or a non-finite number,
   *     holds more than {@link FeaturePreprocessing#MAX_FEATURES}, or the lengths differ, or a
   *     feature's minimum is above its maximum
   */
  public static MinMaxScaler fromState(Map<String, ?> state) {
    Args.nonNull(state, "MinMaxScaler.fromState", "state");
    float[] range = Scaling.floats("MinMaxScaler", state, "feature_range");
    if (range.length != 2) {
      throw new LeptonException("MinMaxScaler state: 'feature_range' must hold [min, max]; "
          + "received " + range.length + " numbers");
    }
    MinMaxScaler scaler = new MinMaxScaler(range[0], range[1],
        Scaling.floats("MinMaxScaler", state, "data_min"),
        Scaling.floats("MinMaxScaler", state, "data_max"));
    for (int f = 0; f < scaler.features(); f++) {
      if (scaler.dataMin[f] > scaler.dataMax[f]) {
        throw new LeptonException("MinMaxScaler state: feature " + f + " has data_min "
            + scaler.dataMin[f] + " above data_max " + scaler.dataMax[f] + "; a fitted minimum "
            + "is at most the maximum");
      }
    }
    return scaler;
  }
}
