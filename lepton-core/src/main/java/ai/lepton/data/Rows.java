package ai.lepton.data;

import java.util.List;

/**
 * Receives a tabular file row by row as text, for callers that look at every row once (profiling,
 * validation) and must not hold the file: {@link Csv#forEachRow} and {@link JsonLines#forEachRow}
 * call {@link #columns} once, then {@link #row} for every row, with the same checks and limits as
 * their {@code read}. An exception thrown here stops the reading and reaches the caller unchanged.
 */
public interface Rows {
  /** The column names, in file order, before the first row. */
  void columns(List<String> names);

  /**
   * One row's values as text, one per column ({@code ""} for an empty field or an absent or null
   * JSON value).
   *
   * @param line the line the row starts on (1 is the first line of the file)
   */
  void row(long line, List<String> values);
}
