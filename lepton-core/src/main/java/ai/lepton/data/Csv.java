package ai.lepton.data;

import ai.lepton.LeptonException;
import ai.lepton.internal.Args;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Reads a CSV file (RFC 4180: fields in double quotes may hold the delimiter, newlines and doubled
 * quotes {@code ""}) into a {@link Table}, streaming: memory holds the columns, never the file.
 * Every column is numeric unless named in {@link #strings}; an empty field or a
 * {@link #missing} token in a numeric column becomes NaN. Blank lines are skipped.
 *
 * <pre>{@code
 * Table t = Csv.reader().strings("city").missing("NA").read(Path.of("data.csv"));
 * Tensor x = t.features("age", "income");
 * }</pre>
 *
 * <p>Instances are immutable; each option returns a new reader.
 */
public final class Csv {
  private final char delimiter;
  private final boolean header;
  private final Set<String> missing;
  private final Set<String> strings;
  private final ReadLimits limits;

  private Csv(char delimiter, boolean header, Set<String> missing, Set<String> strings,
      ReadLimits limits) {
    this.delimiter = delimiter;
    this.header = header;
    this.missing = Set.copyOf(missing);
    this.strings = Set.copyOf(strings);
    this.limits = limits;
  }

  /** A reader for comma-separated files with a header row, no missing tokens, default limits. */
  public static Csv reader() {
    return new Csv(',', true, Set.of(), Set.of(), ReadLimits.DEFAULT);
  }

  /** Separates fields with {@code delimiter} (such as {@code ';'} or {@code '\t'}). */
  public Csv delimiter(char delimiter) {
    if (delimiter == '"' || delimiter == '\n' || delimiter == '\r') {
      throw new LeptonException("CSV delimiter cannot be a quote or a line break; received "
          + (int) delimiter + "; use ',', ';' or '\\t'");
    }
    return new Csv(delimiter, header, missing, strings, limits);
  }

  /**
   * Whether the first row names the columns (the default); without one the columns are named
   * {@code column0}, {@code column1}, ...
   */
  public Csv header(boolean header) {
    return new Csv(delimiter, header, missing, strings, limits);
  }

  /** Tokens that mean "missing" in numeric columns (such as {@code "NA"}), besides empty fields. */
  public Csv missing(String... tokens) {
    Args.noNulls(tokens, "Csv.missing", "tokens");
    return new Csv(delimiter, header, Set.of(tokens), strings, limits);
  }

  /** Keeps these columns as text (categorical or free text) instead of parsing numbers. */
  public Csv strings(String... columns) {
    Args.noNulls(columns, "Csv.strings", "columns");
    return new Csv(delimiter, header, missing, Set.of(columns), limits);
  }

  /** Replaces the default {@link ReadLimits}. */
  public Csv limits(ReadLimits limits) {
    Args.nonNull(limits, "Csv.limits", "limits");
    return new Csv(delimiter, header, missing, strings, limits);
  }

  /**
   * Reads the whole file (UTF-8).
   *
   * @throws LeptonException naming the file, line and column for an unterminated quote, a row with
   *     a different number of fields than the first, text in a numeric column, or a file, line,
   *     column count or row count over the limits
   */
  public Table read(Path file) {
    Args.nonNull(file, "Csv.read", "file");
    return table(file.toString(), rows -> scan(file, rows));
  }

  /**
   * Reads {@code in} (UTF-8) whole as {@link #read(Path)} reads a file, naming it {@code name} in
   * messages: for bytes that are not in a file (decrypted as they are read). {@code maxFileBytes}
   * does not apply; the caller closes {@code in}.
   *
   * @throws LeptonException as {@link #read(Path)}
   */
  public Table read(InputStream in, String name) {
    Args.nonNull(in, "Csv.read", "in");
    Args.nonNull(name, "Csv.read", "name");
    return table(name, rows -> scan(in, name, rows));
  }

  /** The table of the rows {@code scan} gives. */
  private Table table(String name, Consumer<Rows> scan) {
    Columns[] columns = new Columns[1];
    scan.accept(new Rows() {
      @Override
      public void columns(List<String> names) {
        columns[0] = new Columns(name, names, strings, missing, limits.maxRows());
      }

      @Override
      public void row(long line, List<String> values) {
        columns[0].startRow(line);
        for (int c = 0; c < values.size(); c++) {
          columns[0].set(c, values.get(c), line);
        }
      }
    });
    return columns[0].table();
  }

  /**
   * Reads the file row by row as text (UTF-8), holding one row at a time: numbers are not parsed,
   * so {@link #strings} and {@link #missing} do not apply; the other checks and limits of
   * {@link #read} do, {@code maxRows} included.
   *
   * @throws LeptonException as {@link #read}, except for text in numeric columns
   */
  public void forEachRow(Path file, Rows rows) {
    Args.nonNull(file, "Csv.forEachRow", "file");
    Args.nonNull(rows, "Csv.forEachRow", "rows");
    scan(file, counted(file.toString(), rows));
  }

  /**
   * Reads {@code in} (UTF-8) row by row as {@link #forEachRow(Path, Rows)} reads a file, naming it
   * {@code name} in messages: for bytes that are not in a file (decrypted as they are read).
   * {@code maxFileBytes} does not apply; the caller closes {@code in}.
   *
   * @throws LeptonException as {@link #forEachRow(Path, Rows)}
   */
  public void forEachRow(InputStream in, String name, Rows rows) {
    Args.nonNull(in, "Csv.forEachRow", "in");
    Args.nonNull(name, "Csv.forEachRow", "name");
    Args.nonNull(rows, "Csv.forEachRow", "rows");
    scan(in, name, counted(name, rows));
  }

  /** {@code rows}, refusing a row over {@code maxRows}. */
  private Rows counted(String name, Rows rows) {
    long[] count = new long[1];
    return new Rows() {
      @Override
      public void columns(List<String> names) {
        rows.columns(names);
      }

      @Override
      public void row(long line, List<String> values) {
        if (++count[0] > limits.maxRows()) {
          throw new LeptonException(name + " line " + line + ": more than " + limits.maxRows()
              + " rows; raise maxRows in ReadLimits or split the file");
        }
        rows.row(line, values);
      }
    };
  }

  private void scan(InputStream in, String name, Rows rows) {
    try {
      scan(new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8.newDecoder()),
          1 << 16), name, rows);
    } catch (IOException e) {
      throw new LeptonException("cannot read CSV file " + name + ": " + e, e);
    }
  }

  private void scan(Path file, Rows rows) {
    try {
      long size = Files.size(file);
      if (size > limits.maxFileBytes()) {
        throw new LeptonException("CSV file " + file + " has " + size + " bytes, over the limit of "
            + limits.maxFileBytes() + "; raise maxFileBytes in ReadLimits or split the file");
      }
      try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
        scan(in, file.toString(), rows);
      }
    } catch (IOException e) {
      throw new LeptonException("cannot read CSV file " + file + ": " + e, e);
    }
  }

  /** Scans a reader whose decoder reports malformed input (as Files.newBufferedReader's does). */
  private void scan(BufferedReader in, String name, Rows rows) throws IOException {
    try {
      in.mark(1);
      if (in.read() != '\uFEFF') { // skip the byte order mark spreadsheets often write
        in.reset();
      }
      scan(new Records(in, name), name, rows);
    } catch (CharacterCodingException e) {
      throw new LeptonException("CSV file " + name + " is not valid UTF-8; save it as UTF-8", e);
    }
  }

  private void scan(Records records, String name, Rows rows) throws IOException {
    List<String> first = records.next();
    if (first == null) {
      throw new LeptonException("CSV file " + name + " is empty; expected "
          + (header ? "a header row" : "at least one row"));
    }
    List<String> names = new ArrayList<>();
    for (int c = 0; c < first.size(); c++) {
      String n = header ? first.get(c).strip() : "column" + c;
      if (names.contains(n)) {
        throw new LeptonException(name + " line 1: column name '" + n + "' appears twice; "
            + "column names must be unique");
      }
      names.add(n);
    }
    rows.columns(List.copyOf(names));
    for (List<String> row = header ? records.next() : first; row != null; row = records.next()) {
      if (row.size() != names.size()) {
        throw new LeptonException(name + " line " + records.line + ": expected " + names.size()
            + " fields as in the first row, received " + row.size() + "; quote fields that "
            + "contain the delimiter '" + delimiter + "'");
      }
      rows.row(records.line, row);
    }
  }

  /** Splits the character stream into records, tracking the line each one starts on. */
  private final class Records {
    private final Reader in;
    private final String name;
    private long nextLine = 1;
    long line; // where the last record returned starts
    private int peeked = -2;
    private long chars; // in the current record, counting only line breaks inside quotes


    Records(Reader in, String name) {
      this.in = in;
      this.name = name;
    }

    /** The next character, or -1 at the end; counts it unless it is a line break. */
    private int read() throws IOException {
      int c = peeked != -2 ? peeked : in.read();
      peeked = -2;
      if (c != '\n' && c != '\r' && c != -1) {
        count();
      }
      return c;
    }

    /** Counts one more character of the record, refusing a record over the line limit. */
    private void count() {
      if (++chars > limits.maxLineChars()) {
        throw new LeptonException(name + " line " + line + ": longer than "
            + limits.maxLineChars() + " characters; raise maxLineChars in ReadLimits or check "
            + "for an unterminated quote");
      }
    }

    private int peek() throws IOException {
      if (peeked == -2) {
        peeked = in.read();
      }
      return peeked;
    }

    /** The next non-blank record's fields, or null at the end of the file. */
    List<String> next() throws IOException {
      while (true) {
        line = nextLine;
        List<String> fields = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        chars = 0;
        boolean any = false; // whether this record has any character besides its line break
        while (true) {
          int c = read();
          if (c == -1 || c == '\n' || c == '\r') {
            if (c == '\r' && peek() == '\n') {
              read();
            }
            if (c != -1) {
              nextLine++;
            }
            if (!any) {
              if (c == -1) {
                return null;
              }
              break; // a blank line: skip it
            }
            addField(fields, field);
            return fields;
          }
          any = true;
          if (c == delimiter) {
            addField(fields, field);
          } else if (c == '"' && field.isEmpty()) {
            readQuoted(field);
            int after = peek();
            if (after != delimiter && after != '\n' && after != '\r' && after != -1) {
              throw new LeptonException(name + " line " + nextLine + ": unexpected character '"
                  + (char) after + "' after a closing quote; expected the delimiter or the end "
                  + "of the line; double quotes inside a quoted field as \"\"");
            }
          } else {
            field.append((char) c);
          }
        }
      }
    }

    private void addField(List<String> fields, StringBuilder field) {
      if (fields.size() == limits.maxColumns()) {
        throw new LeptonException(name + " line " + line + ": more than " + limits.maxColumns()
            + " columns; raise maxColumns in ReadLimits or check the delimiter");
      }
      fields.add(field.isEmpty() ? "" : field.toString()); // one shared "" for empty fields
      field.setLength(0);
    }

    /** Reads a quoted field's content after its opening quote, up to its closing quote. */
    private void readQuoted(StringBuilder field) throws IOException {
      while (true) {
        int c = read();
        if (c == -1) {
          throw new LeptonException(name + " line " + line + ": unterminated quote; the file "
              + "ends inside a quoted field; close the quote or double quotes inside it as \"\"");
        }
        if (c == '"') {
          if (peek() != '"') {
            return;
          }
          read();
        } else if (c == '\n' || c == '\r') {
          count(); // a line break inside quotes is content
          if (c == '\n' || peek() != '\n') {
            nextLine++;
          }
        }
        field.append((char) c);
      }
    }
  }
}
