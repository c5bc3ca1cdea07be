package ai.lepton.preprocessing;

import ai.lepton.LeptonException;
import ai.lepton.data.Table;
import ai.lepton.internal.Args;
import ai.lepton.internal.Messages;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Fills missing values (NaN in a numeric column, {@code ""} in a text column) with values learned
 * from the training table, as scikit-learn's {@code SimpleImputer}: fit on the training rows, then
 * {@link #transform} both training and test rows, so the test set never leaks into the fill.
 *
 * <pre>{@code
 * Imputer imputer = Imputer.fit(train, "median", "age", "income");
 * Table cleanTrain = imputer.transform(train);
 * Table cleanTest = imputer.transform(test);
 * // constant fill needs no fitting:
 * Imputer constant = new Imputer("constant", Map.of("age", 0f), Map.of("city", "unknown"));
 * }</pre>
 *
 * @param strategy how the fill values were chosen: {@code "mean"}, {@code "median"},
 *     {@code "most_frequent"} or {@code "constant"}
 * @param numbers the fill value of each numeric column
 * @param texts the fill value of each text column
 */
public record Imputer(String strategy, Map<String, Float> numbers, Map<String, String> texts) {
  private static final List<String> STRATEGIES =
      List.of("mean", "median", "most_frequent", "constant");

  public Imputer {
    if (strategy == null || !STRATEGIES.contains(strategy)) { // List.of().contains(null) throws
      throw new LeptonException("Imputer: strategy must be one of " + STRATEGIES + "; received "
          + strategy);
    }
    numbers = Map.copyOf(Args.nonNull(numbers, "Imputer", "numbers"));
    texts = Map.copyOf(Args.nonNull(texts, "Imputer", "texts"));
    if (numbers.isEmpty() && texts.isEmpty()) {
      throw new LeptonException("Imputer needs a fill value for at least one column; received "
          + "none");
    }
    for (Map.Entry<String, Float> e : numbers.entrySet()) {
      if (!Float.isFinite(e.getValue())) {
        throw new LeptonException("Imputer: the fill value of column '" + e.getKey() + "' must be "
            + "a finite number; received " + e.getValue());
      }
    }
    for (Map.Entry<String, String> e : texts.entrySet()) {
      if (e.getValue().isEmpty() || numbers.containsKey(e.getKey())) {
        throw new LeptonException("Imputer: column '" + e.getKey() + "' needs one non-empty text "
            + "fill or one number; received text '" + e.getValue() + "'"
            + (numbers.containsKey(e.getKey()) ? " and number " + numbers.get(e.getKey()) : ""));
      }
    }
  }

  /**
   * Learns fill values from {@code train}: {@code "mean"} and {@code "median"} of a numeric column,
   * or {@code "most_frequent"} value of any column (the smallest one among ties), ignoring missing
   * values. Without names it fits every column the strategy applies to.
   *
   * @throws LeptonException for another strategy (build a {@code "constant"} imputer with the
   *     constructor), an unknown column, mean or median of a text column, or a column with no
   *     value to learn from
   */
  public static Imputer fit(Table train, String strategy, String... names) {
    Args.nonNull(train, "Imputer.fit", "train");
    Args.nonNull(strategy, "Imputer.fit", "strategy");
    Args.noNulls(names, "Imputer.fit", "names");
    if (!STRATEGIES.subList(0, 3).contains(strategy)) {
      throw new LeptonException("Imputer.fit: strategy must be \"mean\", \"median\" or "
          + "\"most_frequent\"; received " + strategy + (strategy != null
          && strategy.equals("constant") ? "; a constant imputer needs no fitting: use new "
          + "Imputer(\"constant\", numbers, texts)" : ""));
    }
    boolean numericOnly = !strategy.equals("most_frequent");
    List<String> columns = new ArrayList<>();
    for (String c : names.length > 0 ? List.of(names) : train.columns()) {
      if (!train.columns().contains(c)) {
        throw new LeptonException("Imputer.fit: no column '" + c + "'; the columns are "
            + train.columns());
      }
      boolean text = train.texts().containsKey(c);
      if (text && numericOnly && names.length > 0) {
        throw new LeptonException("Imputer.fit: " + strategy + " needs a numeric column, but '"
            + c + "' holds text; use \"most_frequent\" or a constant for text columns");
      }
      if (!text || !numericOnly) {
        columns.add(c);
      }
    }
    Map<String, Float> numbers = new HashMap<>();
    Map<String, String> texts = new HashMap<>();
    for (String c : columns) {
      if (train.texts().containsKey(c)) {
        texts.put(c, mostFrequent(c, Arrays.stream(train.strings(c)).filter(s -> !s.isEmpty())
            .toArray(String[]::new)));
      } else {
        float[] present = present(train.floats(c));
        if (present.length == 0) {
          throw noValues(c);
        }
        numbers.put(c, switch (strategy) {
          case "mean" -> mean(present);
          case "median" -> median(present);
          default -> mostFrequent(c, present);
        });
      }
    }
    return new Imputer(strategy, numbers, texts);
  }

  /**
   * {@code table} with the missing values of the imputer's columns filled; other columns are
   * shared, not copied.
   *
   * @throws LeptonException if the table lacks one of the imputer's columns or holds it as the
   *     other kind (numbers for text or text for numbers), as {@link Table#floats} says
   */
  public Table transform(Table table) {
    Args.nonNull(table, "Imputer.transform", "table");
    Map<String, float[]> n = new HashMap<>(table.numbers());
    Map<String, String[]> t = new HashMap<>(table.texts());
    numbers.forEach((c, fill) -> {
      float[] values = table.floats(c).clone();
      for (int r = 0; r < values.length; r++) {
        values[r] = Float.isNaN(values[r]) ? fill : values[r];
      }
      n.put(c, values);
    });
    texts.forEach((c, fill) -> {
      String[] values = table.strings(c).clone();
      for (int r = 0; r < values.length; r++) {
        values[r] = values[r].isEmpty() ? fill : values[r];
      }
      t.put(c, values);
    });
    return new Table(table.columns(), table.rows(), n, t);
  }

  /** The state as a JSON-friendly map: {@code {"strategy", "numbers": {..}, "texts": {..}}}. */
  public Map<String, Object> state() {
    return Map.of("strategy", strategy, "numbers", new TreeMap<>(numbers), "texts",
        new TreeMap<>(texts));
  }

  /**
   * Restores an imputer from {@link #state()}, or from that map written to JSON and read back.
   *
   * @throws LeptonException if a field is missing or holds the wrong kind of value
   */
  public static Imputer fromState(Map<String, ?> state) {
    Args.nonNull(state, "Imputer.fromState", "state");
    if (!(state.get("strategy") instanceof String strategy)
        || !(state.get("numbers") instanceof Map<?, ?> numbers)
        || !(state.get("texts") instanceof Map<?, ?> texts)) {
      throw new LeptonException("Imputer state needs 'strategy' (a string), 'numbers' and 'texts' "
          + "(objects); received " + state.keySet() + "; pass the map state() returned");
    }
    Map<String, Float> n = new HashMap<>();
    numbers.forEach((c, v) -> {
      if (!(v instanceof Number number)) {
        throw new LeptonException("Imputer state: the fill of numeric column '" + c + "' must be "
            + "a number; received " + Messages.shorten(String.valueOf(v)));
      }
      n.put(String.valueOf(c), number.floatValue());
    });
    Map<String, String> t = new HashMap<>();
    texts.forEach((c, v) -> {
      if (!(v instanceof String s)) {
        throw new LeptonException("Imputer state: the fill of text column '" + c + "' must be a "
            + "string; received " + Messages.shorten(String.valueOf(v)));
      }
      t.put(String.valueOf(c), s);
    });
    return new Imputer(strategy, n, t);
  }

  private static float[] present(float[] values) {
    float[] out = new float[values.length];
    int n = 0;
    for (float v : values) {
      if (!Float.isNaN(v)) {
        out[n++] = v;
      }
    }
    return Arrays.copyOf(out, n);
  }

  private static float mean(float[] values) {
    double sum = 0;
    for (float v : values) {
      sum += v;
    }
    return (float) (sum / values.length);
  }

  /** NumPy's median: the mean of the two middle values for an even count. */
  private static float median(float[] values) {
    float[] sorted = values.clone();
    Arrays.sort(sorted);
    int mid = sorted.length / 2;
    return sorted.length % 2 == 1 ? sorted[mid]
        : (float) (((double) sorted[mid - 1] + sorted[mid]) / 2);
  }

  private static float mostFrequent(String c, float[] values) {
    Float[] boxed = new Float[values.length];
    for (int i = 0; i < values.length; i++) {
      boxed[i] = values[i];
    }
    return mostFrequent(c, boxed);
  }

  /** The most frequent value; among ties the smallest, as scikit-learn. */
  private static <T extends Comparable<T>> T mostFrequent(String c, T[] values) {
    if (values.length == 0) {
      throw noValues(c);
    }
    TreeMap<T, Integer> counts = new TreeMap<>();
    for (T v : values) {
      counts.merge(v, 1, Integer::sum);
    }
    T best = null;
    int bestCount = 0;
    for (Map.Entry<T, Integer> e : counts.entrySet()) { // ascending, so ties keep the smallest
      if (e.getValue() > bestCount) {
        best = e.getKey();
        bestCount = e.getValue();
      }
    }
    return best;
  }

  private static LeptonException noValues(String c) {
    return new LeptonException("Imputer.fit: column '" + c + "' has no value to learn from (all "
        + "missing); drop the column or use a constant imputer");
  }
}
