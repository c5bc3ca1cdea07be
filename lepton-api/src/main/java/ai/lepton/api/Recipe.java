package ai.lepton.api;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * How a new dataset version is derived from another: one operation on a tabular dataset (CSV or
 * JSON lines). On the wire it is a JSON object whose {@code "op"} names the operation:
 *
 * <pre>{@code
 * {"op": "drop_missing", "columns": ["age"]}
 * {"op": "fill_missing", "columns": {"age": {"strategy": "median"}, "city": {"strategy": "constant", "value": "unknown"}}}
 * {"op": "drop_duplicates"}
 * {"op": "scale", "method": "standard", "columns": ["age", "income"]}
 * {"op": "split", "train": 0.8, "validation": 0.1, "test": 0.1, "seed": 42}
 * }</pre>
 *
 * Unknown fields and operations are refused. The constructors check the values and throw
 * {@link IllegalArgumentException} saying what to change.
 */
public sealed interface Recipe permits Recipe.DropMissing, Recipe.FillMissing,
    Recipe.DropDuplicates, Recipe.Scale, Recipe.Split {
  /** The most columns one recipe may name. */
  int MAX_COLUMNS = 10_000;

  /**
   * Drops the rows missing a value in any of {@code columns} (in any column when empty).
   */
  record DropMissing(List<String> columns) implements Recipe {
    public DropMissing {
      columns = names("drop_missing", columns);
    }
  }

  /** Fills the missing values of each named column as its {@link Fill} says. */
  record FillMissing(Map<String, Fill> columns) implements Recipe {
    public FillMissing {
      if (columns == null || columns.isEmpty() || columns.size() > MAX_COLUMNS) {
        throw new IllegalArgumentException("fill_missing needs 'columns': an object of 1 to "
            + MAX_COLUMNS + " column names, each with a fill such as {\"strategy\": \"mean\"}");
      }
      for (Map.Entry<String, Fill> e : columns.entrySet()) {
        if (e.getKey() == null || e.getKey().isEmpty() || e.getValue() == null) {
          throw new IllegalArgumentException("fill_missing: every column needs a name and a fill "
              + "such as {\"strategy\": \"mean\"}; received " + e.getKey() + ": " + e.getValue());
        }
      }
      columns = java.util.Collections.unmodifiableMap(new TreeMap<>(columns));
    }
  }

  /**
   * How to fill one column: {@code mean} or {@code median} of its present values (numeric
   * columns), {@code mode}, its most frequent value (the smallest among ties), or {@code constant},
   * the given {@code value}.
   */
  record Fill(String strategy, String value) {
    private static final Set<String> STRATEGIES = Set.of("mean", "median", "mode", "constant");

    public Fill {
      if (strategy == null || !STRATEGIES.contains(strategy)) {
        throw new IllegalArgumentException("a fill's 'strategy' must be one of mean, median, "
            + "mode, constant; received " + strategy);
      }
      if (strategy.equals("constant") != (value != null)) {
        throw new IllegalArgumentException("a fill takes a 'value' exactly when its strategy is "
            + "constant; received strategy " + strategy + " and value " + value);
      }
      if (value != null && value.isEmpty()) {
        throw new IllegalArgumentException("a constant fill needs a non-empty 'value'; an empty "
            + "value is itself missing");
      }
    }
  }

  /** Drops the rows equal in every column to an earlier row; the first copy stays. */
  record DropDuplicates() implements Recipe {}

  /**
   * Scales numeric columns ({@code columns}, or every numeric column when empty): {@code
   * standard} to zero mean and unit variance, or {@code minmax} to the range 0 to 1.
   */
  record Scale(String method, List<String> columns) implements Recipe {
    public Scale {
      if (!"standard".equals(method) && !"minmax".equals(method)) {
        throw new IllegalArgumentException("scale's 'method' must be standard or minmax; "
            + "received " + method);
      }
      columns = names("scale", columns);
    }
  }

  /**
   * Splits the rows at random, with {@code seed}, into parts named {@code train},
   * {@code validation} and {@code test} holding these fractions of the rows (a part with fraction
   * 0 is left out). The fractions add up to 1.
   */
  record Split(Double train, Double validation, Double test, Long seed) implements Recipe {
    public Split {
      validation = validation == null ? 0.0 : validation;
      test = test == null ? 0.0 : test;
      if (train == null || seed == null) {
        throw new IllegalArgumentException("split needs 'train' (a fraction) and 'seed' (an "
            + "integer, so that the split can be repeated); received train=" + train + ", seed="
            + seed);
      }
      if (!(train > 0 && train < 1) || !(validation >= 0 && validation < 1)
          || !(test >= 0 && test < 1) || Math.abs(train + validation + test - 1) > 1e-9) {
        throw new IllegalArgumentException("split's fractions must be between 0 and 1, train "
            + "above 0, and add up to 1; received train=" + train + ", validation=" + validation
            + ", test=" + test);
      }
    }
  }

  private static List<String> names(String op, List<String> columns) {
    if (columns == null) {
      return List.of();
    }
    if (columns.size() > MAX_COLUMNS || columns.stream().anyMatch(c -> c == null || c.isEmpty())
        || Set.copyOf(columns).size() != columns.size()) {
      throw new IllegalArgumentException(op + ": 'columns' must hold at most " + MAX_COLUMNS
          + " distinct, non-empty column names; received " + columns.size() + " names");
    }
    return List.copyOf(columns);
  }
}
