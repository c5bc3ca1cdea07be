package ai.lepton.preprocessing;

import ai.lepton.LeptonException;
import ai.lepton.internal.Messages;
import ai.lepton.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/** What {@link StandardScaler} and {@link MinMaxScaler} share: both map x to x * scale + offset. */
final class Scaling {
  private Scaling() {}

  /** The values of a {@code [rows, features]} tensor, after checking its rank. */
  static float[] values(String who, Tensor x, int features) {
    int[] s = x.shape();
    if (s.length != 2 || (features >= 0 && s[1] != features)) {
      throw new LeptonException(who + ": expected a [rows, " + (features >= 0 ? features
          : "features") + "] tensor; received shape " + Arrays.toString(s)
          + (features >= 0 ? "; transform data with the columns the scaler was fitted on" : ""));
    }
    return x.toFloatArray();
  }

  /** The values of a {@code [rows, features]} tensor to fit on, after checking it has a row. */
  static float[] fitValues(String who, Tensor x) {
    float[] v = values(who, x, -1);
    if (x.shape()[0] == 0 || x.shape()[1] == 0) {
      throw new LeptonException(who + ": expected at least one row and one feature to fit on; "
          + "received shape " + Arrays.toString(x.shape()));
    }
    return v;
  }

  /** x * scale + offset per feature; NaN (missing) stays NaN. */
  static Tensor affine(Tensor x, String who, float[] scale, float[] offset) {
    float[] v = values(who, x, scale.length);
    for (int i = 0; i < v.length; i++) {
      int f = i % scale.length;
      v[i] = v[i] * scale[f] + offset[f];
    }
    return Tensor.of(v, x.shape());
  }

  /** (x - offset) / scale per feature, undoing {@link #affine}. */
  static Tensor inverseAffine(Tensor x, String who, float[] scale, float[] offset) {
    float[] v = values(who, x, scale.length);
    for (int i = 0; i < v.length; i++) {
      int f = i % scale.length;
      v[i] = (v[i] - offset[f]) / scale[f];
    }
    return Tensor.of(v, x.shape());
  }

  static List<Float> list(float[] values) {
    List<Float> out = new ArrayList<>(values.length);
    for (float v : values) {
      out.add(v);
    }
    return out;
  }

  /**
   * The numbers under {@code key}, from a {@code float[]} or a list of numbers (read JSON): at most
   * {@link FeaturePreprocessing#MAX_FEATURES}, all finite, as a fitted scaler's are.
   */
  static float[] floats(String who, Map<String, ?> state, String key) {
    Object value = state.get(key);
    float[] out;
    if (value instanceof float[] array) {
      out = array.clone();
    } else if (value instanceof List<?> list) {
      if (list.size() > FeaturePreprocessing.MAX_FEATURES) {
        throw new LeptonException(who + " state: '" + key + "' holds " + list.size() + " numbers, "
            + "over the limit of " + FeaturePreprocessing.MAX_FEATURES + " features");
      }
      out = new float[list.size()];
      for (int i = 0; i < out.length; i++) {
        if (!(list.get(i) instanceof Number n)) {
          throw new LeptonException(who + " state: '" + key + "' must hold numbers; received "
              + Messages.shorten(String.valueOf(list.get(i))) + " at position " + i);
        }
        out[i] = n.floatValue();
      }
    } else {
      throw new LeptonException(who + " state lacks the list of numbers '" + key + "'; pass the "
          + "map state() returned");
    }
    for (int i = 0; i < out.length; i++) {
      if (!Float.isFinite(out[i])) { // also a huge JSON number, which becomes infinite as a float
        throw new LeptonException(who + " state: '" + key + "' holds " + out[i] + " at position "
            + i + "; a fitted scaler holds finite numbers: fit it on columns that have values");
      }
    }
    return out;
  }
}
