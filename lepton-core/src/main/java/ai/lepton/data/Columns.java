package ai.lepton.data;

import ai.lepton.LeptonException;
import ai.lepton.internal.Memory;
import ai.lepton.internal.Messages;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Collects rows into typed columns for {@link Csv} and {@link JsonLines}: numbers are parsed as
 * they arrive, so a bad value fails on its own line, and missing tokens become NaN. The memory the
 * columns hold is counted as they grow and refused over the heap budget: a short text field costs
 * far more as a {@code String} than in the file, so a file well under {@code maxFileBytes} could
 * otherwise fill the heap.
 */
final class Columns {
  /** Plain decimals; Float.parseFloat alone would also take "1f", "0x1p3" and "1d". */
  private static final Pattern DECIMAL =
      Pattern.compile("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?|NaN|[+-]?Infinity");
  /**
   * A text cell's heap besides its characters (2 bytes each at most): the String and its array's
   * headers, its slot in the column's list and in the final array.
   */
  private static final int TEXT_CELL_BYTES = 56;
  /** A number's heap: its float, twice while its column's array doubles, and the trimmed copy. */
  private static final int NUMBER_CELL_BYTES = 12;

  private final String file;
  private final List<String> names;
  private final Set<String> missing;
  private final int maxRows;
  private final float[][] numbers; // (column, row); null for a text column
  private final List<List<String>> texts; // (column, row); null for a numeric column
  private final long rowBytes; // the numbers of one row
  private int rows;
  private long heldBytes;

  Columns(String file, List<String> names, Set<String> textColumns, Set<String> missing,
      int maxRows) {
    this.file = file;
    this.names = List.copyOf(names);
    this.missing = missing;
    this.maxRows = maxRows;
    this.numbers = new float[names.size()][];
    this.texts = new ArrayList<>();
    for (int c = 0; c < names.size(); c++) {
      boolean text = textColumns.contains(names.get(c));
      numbers[c] = text ? null : new float[16];
      texts.add(text ? new ArrayList<>() : null);
    }
    rowBytes = (long) NUMBER_CELL_BYTES * Arrays.stream(numbers).filter(n -> n != null).count();
    for (String t : textColumns) {
      if (!names.contains(t)) {
        throw new LeptonException(file + ": text column '" + t + "' is not among the columns "
            + names + "; check the name passed to strings(...)");
      }
    }
  }

  boolean isText(int column) {
    return numbers[column] == null;
  }

  /** Starts a new row, read from {@code line}; every column must then be set once. */
  void startRow(long line) {
    if (rows == maxRows) {
      throw new LeptonException(file + " line " + line + ": more than " + maxRows + " rows; "
          + "raise maxRows in ReadLimits or split the file");
    }
    rows++;
    hold(rowBytes, line);
  }

  /** Counts {@code bytes} more held, refusing a table over the heap budget. */
  private void hold(long bytes, long line) {
    heldBytes += bytes;
    if (heldBytes > Memory.budget()) {
      throw new LeptonException(file + " line " + line + ": the " + rows + " rows read so far "
          + "take about " + heldBytes + " bytes of memory, over the budget of " + Memory.budget()
          + " (half the maximum heap); read fewer rows or columns (ReadLimits), or give the JVM "
          + "more heap with -Xmx");
    }
  }

  /** Sets the current row's value of {@code column} from its text in the file. */
  void set(int column, String value, long line) {
    if (isText(column)) {
      hold(TEXT_CELL_BYTES + 2L * value.length(), line);
      texts.get(column).add(value);
    } else {
      setNumber(column, parse(column, value, line));
    }
  }

  void setNumber(int column, float value) {
    float[] values = numbers[column];
    if (rows > values.length) {
      values = numbers[column] =
          Arrays.copyOf(values, (int) Math.min(2L * values.length, Integer.MAX_VALUE - 8));
    }
    values[rows - 1] = value;
  }

  private float parse(int column, String value, long line) {
    String v = value.strip();
    if (v.isEmpty() || missing.contains(v)) {
      return Float.NaN;
    }
    if (DECIMAL.matcher(v).matches()) {
      return Float.parseFloat(v);
    }
    throw new LeptonException(file + " line " + line + ", column '" + names.get(column)
        + "': expected a number, received '" + Messages.shorten(value) + "'; declare the column "
        + "with strings(\"" + names.get(column) + "\") to keep it as text, or list the token "
        + "with missing(...)");
  }

  Table table() {
    Map<String, float[]> numeric = new HashMap<>();
    Map<String, String[]> text = new HashMap<>();
    for (int c = 0; c < names.size(); c++) {
      if (isText(c)) {
        text.put(names.get(c), texts.get(c).toArray(new String[0]));
      } else {
        numeric.put(names.get(c), Arrays.copyOf(numbers[c], rows));
      }
    }
    return new Table(names, rows, numeric, text);
  }
}
