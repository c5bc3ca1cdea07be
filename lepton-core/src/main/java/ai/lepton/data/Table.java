package ai.lepton.data;

import ai.lepton.LeptonException;
import ai.lepton.internal.Args;
import ai.lepton.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Columns read from a file: each column holds either numbers ({@code float}, missing values as
 * NaN) or text (missing values as {@code ""}, what an empty CSV field or a null JSON field gives).
 * The arrays are shared, not copied: treat them as read-only. Cleaning ({@link #dropMissing},
 * {@link #dropDuplicates}, {@code ai.lepton.preprocessing.Imputer}) returns new tables.
 *
 * @param columns the column names in file order
 * @param rows the number of rows
 * @param numbers the numeric columns by name
 * @param texts the text columns by name
 */
public record Table(List<String> columns, int rows, Map<String, float[]> numbers,
    Map<String, String[]> texts) {
  public Table {
    if (rows < 0) {
      throw new LeptonException("Table: rows must be 0 or more, received " + rows);
    }
    columns = List.copyOf(Args.nonNull(columns, "Table", "columns"));
    numbers = Map.copyOf(Args.nonNull(numbers, "Table", "numbers"));
    texts = Map.copyOf(Args.nonNull(texts, "Table", "texts"));
    for (String c : columns) {
      int length = numbers.containsKey(c) ? numbers.get(c).length
          : texts.containsKey(c) ? texts.get(c).length : -1;
      if (length != rows) {
        throw new LeptonException("table column '" + c + "' has " + length + " values; expected "
            + rows + " (one per row)");
      }
    }
    if (numbers.size() + texts.size() != columns.size()) {
      throw new LeptonException("table has " + columns.size() + " column names but "
          + (numbers.size() + texts.size()) + " columns; every column needs exactly one name");
    }
  }

  /**
   * The numeric column {@code name}.
   *
   * @throws LeptonException if there is no such column or it holds text
   */
  public float[] floats(String name) {
    Args.nonNull(name, "Table.floats", "name");
    float[] values = numbers.get(name);
    if (values == null) {
      throw new LeptonException(texts.containsKey(name)
          ? "column '" + name + "' holds text, not numbers; use strings(\"" + name + "\")"
          : "no column '" + name + "'; the columns are " + columns);
    }
    return values;
  }

  /**
   * The text column {@code name}.
   *
   * @throws LeptonException if there is no such column or it holds numbers
   */
  public String[] strings(String name) {
    Args.nonNull(name, "Table.strings", "name");
    String[] values = texts.get(name);
    if (values == null) {
      throw new LeptonException(numbers.containsKey(name)
          ? "column '" + name + "' holds numbers, not text; use floats(\"" + name + "\")"
          : "no column '" + name + "'; the columns are " + columns);
    }
    return values;
  }

  /**
   * The numeric columns {@code names} side by side, as a {@code [rows, names.length]} tensor.
   *
   * @throws LeptonException if a name is missing or names a text column, or the tensor would
   *     exceed {@code Integer.MAX_VALUE} values
   */
  public Tensor features(String... names) {
    Args.noNulls(names, "Table.features", "names");
    if (names.length == 0) {
      throw new LeptonException("features() needs at least one column name; the columns are "
          + columns);
    }
    if ((long) rows * names.length > Integer.MAX_VALUE) {
      throw new LeptonException("features: " + rows + " rows x " + names.length + " columns is "
          + "over the tensor limit of " + Integer.MAX_VALUE + " values; pick fewer rows or columns");
    }
    float[] out = new float[rows * names.length]; // (rows, features)
    for (int j = 0; j < names.length; j++) {
      float[] column = floats(names[j]);
      for (int i = 0; i < rows; i++) {
        out[i * names.length + j] = column[i];
      }
    }
    return Tensor.of(out, rows, names.length);
  }

  /**
   * The numeric column {@code name} as a {@code [rows]} tensor, for labels or targets.
   *
   * @throws LeptonException if the name is missing or names a text column
   */
  public Tensor label(String name) {
    Args.nonNull(name, "Table.label", "name");
    return Tensor.of(floats(name), rows);
  }

  /**
   * The rows at {@code indices}, in that order (repeats allowed), e.g. one side of a
   * {@link Splits.Split}.
   *
   * @throws LeptonException if an index is outside {@code 0..rows-1}
   */
  public Table select(int[] indices) {
    Args.nonNull(indices, "Table.select", "indices");
    for (int i : indices) {
      if (i < 0 || i >= rows) {
        throw new LeptonException("select: row index " + i + " is outside the table's " + rows
            + " rows; expected 0.." + (rows - 1));
      }
    }
    Map<String, float[]> n = new HashMap<>();
    numbers.forEach((name, values) -> {
      float[] out = new float[indices.length];
      for (int r = 0; r < indices.length; r++) {
        out[r] = values[indices[r]];
      }
      n.put(name, out);
    });
    Map<String, String[]> t = new HashMap<>();
    texts.forEach((name, values) -> {
      String[] out = new String[indices.length];
      for (int r = 0; r < indices.length; r++) {
        out[r] = values[indices[r]];
      }
      t.put(name, out);
    });
    return new Table(columns, indices.length, n, t);
  }

  /**
   * The rows with no missing value (NaN or {@code ""}) in {@code names}, or in any column when no
   * name is given, as pandas' {@code dropna(subset=...)}.
   *
   * @throws LeptonException if a name is not a column
   */
  public Table dropMissing(String... names) {
    Args.noNulls(names, "Table.dropMissing", "names");
    List<String> checked = names.length == 0 ? columns : List.of(names);
    for (String c : checked) {
      if (!columns.contains(c)) {
        throw new LeptonException("dropMissing: no column '" + c + "'; the columns are " + columns);
      }
    }
    int[] keep = new int[rows];
    int kept = 0;
    for (int r = 0; r < rows; r++) {
      boolean complete = true;
      for (String c : checked) {
        complete &= numbers.containsKey(c) ? !Float.isNaN(numbers.get(c)[r])
            : !texts.get(c)[r].isEmpty();
      }
      if (complete) {
        keep[kept++] = r;
      }
    }
    return select(Arrays.copyOf(keep, kept));
  }

  /**
   * The table without rows equal in every column to an earlier row, as pandas'
   * {@code drop_duplicates()}: the first copy stays, and missing values equal each other.
   */
  public Table dropDuplicates() {
    Set<List<Object>> seen = new HashSet<>();
    int[] keep = new int[rows];
    int kept = 0;
    for (int r = 0; r < rows; r++) {
      List<Object> row = new ArrayList<>(columns.size());
      for (String c : columns) {
        // Float.equals compares bits with NaN made canonical, so NaN rows match each other
        row.add(numbers.containsKey(c) ? (Object) numbers.get(c)[r] : texts.get(c)[r]);
      }
      if (seen.add(row)) {
        keep[kept++] = r;
      }
    }
    return select(Arrays.copyOf(keep, kept));
  }
}
