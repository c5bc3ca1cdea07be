package ai.lepton.data;

import ai.lepton.LeptonException;
import ai.lepton.tensor.Tensor;
import java.util.List;
import java.util.Map;

/**
 * Columns read from a file: each column holds either numbers ({@code float}, missing values as
 * NaN) or text. The arrays are shared, not copied: treat them as read-only.
 *
 * @param columns the column names in file order
 * @param rows the number of rows
 * @param numbers the numeric columns by name
 * @param texts the text columns by name
 */
public record Table(List<String> columns, int rows, Map<String, float[]> numbers,
    Map<String, String[]> texts) {
  public Table {
    columns = List.copyOf(columns);
    numbers = Map.copyOf(numbers);
    texts = Map.copyOf(texts);
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
    return Tensor.of(floats(name), rows);
  }
}
