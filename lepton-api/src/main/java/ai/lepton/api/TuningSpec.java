package ai.lepton.api;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * A hyperparameter search: a job that trains one child run per trial, each a copy of
 * {@code base} with some hyperparameters changed, and reports the best by {@code metric}. On the
 * wire:
 *
 * <pre>{@code
 * {"base": {"dataset": "iris", "model": {"template": "mlp"}, "target": "species"},
 *  "method": "random", "maxTrials": 8, "metric": "val_accuracy", "direction": "max", "seed": 7,
 *  "parameters": {"learningRate": {"min": 0.0001, "max": 0.1, "log": true},
 *                 "units": {"values": [32, 64, 128]}}}
 * }</pre>
 *
 * A {@code grid} trains every combination of the listed values (refused when that is more than
 * {@code maxTrials}); {@code random} draws {@code maxTrials} distinct combinations with
 * {@code seed}, from lists or ranges. Every child keeps the base's seed, so all trials split the
 * data alike and their metrics compare.
 *
 * @param base the training every trial starts from
 * @param method {@code grid} or {@code random}
 * @param parameters what each trial varies, by name: {@code epochs}, {@code batchSize},
 *     {@code learningRate}, {@code optimizer}, {@code units}, {@code dropout} (hyperparameters),
 *     {@code scaling}, {@code maxTokens}, {@code sequenceLength} (preprocessing)
 * @param maxTrials the budget: the most child runs; null for {@link #MAX_TRIALS} (grid) or 10
 *     (random)
 * @param metric the metric a trial is judged by, as the run's history names it (such as
 *     {@code val_loss}, {@code val_accuracy}); null for {@code val_loss}
 * @param direction {@code min} or {@code max}; null for {@code max} when the metric's name holds
 *     accuracy, auc, f1 or r2, else {@code min}
 * @param seed the seed of a random search's draws; null for 42
 */
public record TuningSpec(TrainingSpec base, String method, Map<String, Values> parameters,
    Integer maxTrials, String metric, String direction, Long seed) {
  /** The most child runs one search may make. */
  public static final int MAX_TRIALS = 1000;
  /** The parameters a search may vary. */
  public static final Set<String> PARAMETERS = Set.of("epochs", "batchSize", "learningRate",
      "optimizer", "units", "dropout", "scaling", "maxTokens", "sequenceLength");
  /** The parameters that take whole numbers. */
  public static final Set<String> INTEGERS = Set.of("epochs", "batchSize", "units", "maxTokens",
      "sequenceLength");
  /** The parameters that take names. */
  public static final Set<String> NAMES = Set.of("optimizer", "scaling");

  /**
   * The values one parameter takes: a list, or (random search only) a range.
   *
   * @param values the values to try, 1 to {@link #MAX_TRIALS}; or null for a range
   * @param min a range's least value
   * @param max a range's greatest value
   * @param log draw from the range on a log scale (both ends above 0); null for false
   */
  public record Values(List<Object> values, Double min, Double max, Boolean log) {
    /**
     * Checks that exactly a list or a range is given.
     *
     * @throws IllegalArgumentException saying which form to send
     */
    public Values {
      boolean range = min != null || max != null;
      if ((values == null) == !range || (range && (min == null || max == null))) {
        throw new IllegalArgumentException("a parameter takes either 'values', a list such as "
            + "[32, 64], or 'min' and 'max' (and optionally 'log'); received values=" + values
            + ", min=" + min + ", max=" + max);
      }
      if (values != null) {
        if (values.isEmpty() || values.size() > MAX_TRIALS
            || values.stream().anyMatch(java.util.Objects::isNull)) {
          throw new IllegalArgumentException("'values' must list 1 to " + MAX_TRIALS
              + " values, none null; received " + values);
        }
        values = List.copyOf(values);
      } else if (!(Double.isFinite(min) && Double.isFinite(max) && min <= max)) {
        throw new IllegalArgumentException("a range needs finite 'min' <= 'max'; received "
            + min + " to " + max);
      }
      log = log != null && log;
      if (log && (values != null || min <= 0)) {
        throw new IllegalArgumentException("'log' draws from a range above 0; received "
            + (values != null ? "a list" : "min " + min));
      }
    }
  }

  /**
   * Checks the search and fills its defaults.
   *
   * @throws IllegalArgumentException naming what is wrong and what to send
   */
  public TuningSpec {
    if (base == null) {
      throw new IllegalArgumentException("a tuning spec needs 'base', the training spec every "
          + "trial starts from");
    }
    if (!"grid".equals(method) && !"random".equals(method)) {
      throw new IllegalArgumentException("'method' is grid or random; received " + method);
    }
    if (parameters == null || parameters.isEmpty()) {
      throw new IllegalArgumentException("'parameters' must name at least one of "
          + String.join(", ", new java.util.TreeSet<>(PARAMETERS)) + " with its values");
    }
    for (Map.Entry<String, Values> e : parameters.entrySet()) {
      String name = e.getKey();
      if (!PARAMETERS.contains(name)) {
        throw new IllegalArgumentException("unknown parameter '" + name + "'; a search varies "
            + String.join(", ", new java.util.TreeSet<>(PARAMETERS)));
      }
      Values v = e.getValue();
      if (v == null) {
        throw new IllegalArgumentException("parameter '" + name + "' needs its values");
      }
      if (v.values() == null && "grid".equals(method)) {
        throw new IllegalArgumentException("a grid takes lists of values; parameter '" + name
            + "' has a range: list the values, or use method random");
      }
      if (v.values() == null && NAMES.contains(name)) {
        throw new IllegalArgumentException("parameter '" + name + "' takes names: list them in "
            + "'values'");
      }
      for (Object value : v.values() == null ? List.of() : v.values()) {
        boolean fits = NAMES.contains(name) ? value instanceof String
            : value instanceof Number n && Double.isFinite(n.doubleValue())
                && (!INTEGERS.contains(name) || n.doubleValue() == Math.rint(n.doubleValue()));
        if (!fits) {
          throw new IllegalArgumentException("parameter '" + name + "' takes "
              + (NAMES.contains(name) ? "names" : INTEGERS.contains(name) ? "whole numbers"
              : "numbers") + "; received " + value);
        }
      }
    }
    parameters = java.util.Collections.unmodifiableMap(new TreeMap<>(parameters));
    if (maxTrials == null) {
      maxTrials = "grid".equals(method) ? MAX_TRIALS : 10;
    } else if (maxTrials < 1 || maxTrials > MAX_TRIALS) {
      throw new IllegalArgumentException("'maxTrials' is the budget of child runs, 1 to "
          + MAX_TRIALS + "; received " + maxTrials);
    }
    metric = metric == null ? "val_loss" : metric;
    if (metric.isBlank()) {
      throw new IllegalArgumentException("'metric' names a metric of the runs' history, such "
          + "as val_loss or val_accuracy; received a blank name");
    }
    if (direction == null) {
      direction = metric.matches(".*(accuracy|auc|f1|r2).*") ? "max" : "min";
    } else if (!direction.equals("min") && !direction.equals("max")) {
      throw new IllegalArgumentException("'direction' is min or max; received " + direction);
    }
    seed = seed == null ? 42L : seed;
  }
}
