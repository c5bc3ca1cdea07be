package ai.lepton.preprocessing;

import ai.lepton.LeptonException;
import ai.lepton.internal.Args;
import ai.lepton.internal.Messages;
import ai.lepton.tensor.Tensor;
import java.util.HashSet;
import java.util.List;

/**
 * Rows of numbers to a scaled {@code [rows, features]} tensor: missing values (null or NaN) are
 * filled by the {@link Imputer} when it has the column, then the {@link Scaler} applies. The
 * input of a model trained on scaled table columns.
 *
 * <pre>{@code
 * Imputer imputer = Imputer.fit(train, "median", "age", "income");
 * Tensor x = imputer.transform(train).features("age", "income");
 * StandardScaler scaler = StandardScaler.fit(x);
 * model.preprocessing(new FeaturePreprocessing(List.of("age", "income"), imputer, scaler));
 * }</pre>
 *
 * @param columns the feature names, in the order of each raw row's numbers
 * @param imputer fills missing values of its numeric columns; {@code null} when none may be missing
 * @param scaler fitted on rows of {@code columns}, imputed
 */
public record FeaturePreprocessing(List<String> columns, Imputer imputer, Scaler scaler)
    implements Preprocessing {
  /** The most features a row may have. */
  public static final int MAX_FEATURES = 100_000;

  public FeaturePreprocessing {
    columns = List.copyOf(Args.nonNull(columns, "FeaturePreprocessing", "columns"));
    if (columns.isEmpty() || columns.size() > MAX_FEATURES
        || new HashSet<>(columns).size() != columns.size()) {
      throw new LeptonException("FeaturePreprocessing needs 1 to " + MAX_FEATURES + " distinct "
          + "column names; received " + columns.size() + " names with "
          + (columns.size() - new HashSet<>(columns).size()) + " repeats");
    }
    if (scaler == null || scaler.features() != columns.size()) {
      throw new LeptonException("FeaturePreprocessing needs a scaler fitted on its "
          + columns.size() + " columns; received " + (scaler == null ? "none"
          : "one fitted on " + scaler.features() + " features"));
    }
    // Probing a row of zeros catches NaN or infinite scaler parameters (a feature that had no
    // values when fitting, a hand-made zero scale), which would turn every prediction into NaN.
    if (!scaler.transform(Tensor.zeros(1, columns.size())).allFinite()) {
      throw new LeptonException("FeaturePreprocessing: the scaler holds NaN, infinite or zero "
          + "parameters (" + scaler.state() + "); fit it on columns that have values");
    }
    if (imputer != null && !(imputer.texts().isEmpty()
        && columns.containsAll(imputer.numbers().keySet()))) {
      throw new LeptonException("FeaturePreprocessing: the imputer must fill only numeric "
          + "columns among " + columns + "; received one for " + imputer.numbers().keySet()
          + " and text columns " + imputer.texts().keySet());
    }
  }

  /**
   * Each row, a list of {@code columns().size()} numbers (null for missing), imputed and scaled:
   * {@code [rows, features]}.
   *
   * @throws LeptonException naming the first bad row: not a list, the wrong length, a non-number,
   *     an infinite number, or a missing value the imputer does not fill; or when there are no rows
   *     or more than {@link Preprocessing#MAX_INSTANCES}
   */
  @Override
  public Tensor transform(List<?> raw) {
    checkCount(raw);
    int f = columns.size();
    if ((long) raw.size() * f > Integer.MAX_VALUE - 8) {
      throw new LeptonException("feature preprocessing: " + raw.size() + " rows of " + f
          + " features exceed the tensor limit; send fewer rows at a time");
    }
    float[] x = new float[raw.size() * f]; // (rows, features)
    for (int r = 0; r < raw.size(); r++) {
      if (!(raw.get(r) instanceof List<?> row) || row.size() != f) {
        throw new LeptonException("feature preprocessing: instance " + r + " must be a list of "
            + f + " numbers " + columns + "; received " + describe(raw.get(r)));
      }
      for (int j = 0; j < f; j++) {
        x[r * f + j] = value(row.get(j), r, columns.get(j));
      }
    }
    return scaler.transform(Tensor.of(x, raw.size(), f));
  }

  private float value(Object v, int row, String column) {
    if (v != null && !(v instanceof Number)) {
      throw new LeptonException("feature preprocessing: instance " + row + ", feature '" + column
          + "' must be a number or null; received " + describe(v));
    }
    float number = v == null ? Float.NaN : ((Number) v).floatValue();
    if (Float.isInfinite(number)) {
      throw new LeptonException("feature preprocessing: instance " + row + ", feature '" + column
          + "' is " + v + ", outside the float range; send a finite number");
    }
    if (Float.isNaN(number)) {
      Float fill = imputer == null ? null : imputer.numbers().get(column);
      if (fill == null) {
        throw new LeptonException("feature preprocessing: instance " + row + ", feature '"
            + column + "' is missing, and this model has no imputation for it; send a number");
      }
      return fill;
    }
    return number;
  }

  @Override
  public int[] outputShape() {
    return new int[] {columns.size()};
  }

  @Override
  public String toJson() {
    return PreprocessingJson.features(this);
  }

  /** Checks the number of instances, for both kinds of preprocessing. */
  static void checkCount(List<?> raw) {
    if (raw == null || raw.isEmpty() || raw.size() > MAX_INSTANCES) {
      throw new LeptonException("preprocessing: expected raw, a list of 1 to " + MAX_INSTANCES
          + " instances; received " + (raw == null ? "null" : raw.size())
          + "; send instances in batches");
    }
  }

  /** A short description of a raw value for error messages: its type and a prefix of its text. */
  static String describe(Object v) {
    return v == null ? "null" : v instanceof List<?> list ? "a list of " + list.size() + " values"
        : v.getClass().getSimpleName() + " " + Messages.shorten(String.valueOf(v));
  }
}
