package ai.lepton.data;

import ai.lepton.LeptonException;
import ai.lepton.internal.Args;
import ai.lepton.internal.Json;
import ai.lepton.internal.Messages;
import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Reads a JSON lines file (one JSON object per line, UTF-8) into a {@link Table}, streaming. The
 * columns are the {@link #fields} asked for, or else the fields of the first object in its order;
 * other fields are ignored. A field is numeric unless named in {@link #strings}: a JSON number, or
 * a string holding one. An absent or null field, or a {@link #missing} token, is NaN in a numeric
 * column and {@code ""} in a text column. Blank lines are skipped.
 *
 * <p>Instances are immutable; each option returns a new reader.
 */
public final class JsonLines {
  /** The deepest nesting a line may have: rows are flat objects, so only hostile input nests. */
  static final int MAX_DEPTH = 32;
  /**
   * Strict ({@link Json}): a repeated key or anything after the object is an error, not a silent choice; and
   * nesting is bounded, so that a line of brackets cannot exhaust the parser's stack or memory.
   */
  private static final Json.TreeReader JSON = Json.reader(MAX_DEPTH);

  private final List<String> fields;
  private final Set<String> strings;
  private final Set<String> missing;
  private final ReadLimits limits;

  private JsonLines(List<String> fields, Set<String> strings, Set<String> missing,
      ReadLimits limits) {
    this.fields = List.copyOf(fields);
    this.strings = Set.copyOf(strings);
    this.missing = Set.copyOf(missing);
    this.limits = limits;
  }

  /** A reader taking the first object's fields, all numeric, with default limits. */
  public static JsonLines reader() {
    return new JsonLines(List.of(), Set.of(), Set.of(), ReadLimits.DEFAULT);
  }

  /** Reads only these fields, as columns in this order. */
  public JsonLines fields(String... fields) {
    Args.noNulls(fields, "JsonLines.fields", "fields");
    return new JsonLines(List.of(fields), strings, missing, limits);
  }

  /** Keeps these fields as text (categorical or free text) instead of numbers. */
  public JsonLines strings(String... fields) {
    Args.noNulls(fields, "JsonLines.strings", "fields");
    return new JsonLines(this.fields, Set.of(fields), missing, limits);
  }

  /** String values that mean "missing" in numeric fields (such as {@code "NA"}). */
  public JsonLines missing(String... tokens) {
    Args.noNulls(tokens, "JsonLines.missing", "tokens");
    return new JsonLines(fields, strings, Set.of(tokens), limits);
  }

  /** Replaces the default {@link ReadLimits}. */
  public JsonLines limits(ReadLimits limits) {
    Args.nonNull(limits, "JsonLines.limits", "limits");
    return new JsonLines(fields, strings, missing, limits);
  }

  /**
   * Reads the whole file.
   *
   * @throws LeptonException naming the file and line for invalid JSON, a line that is not an
   *     object, a value of the wrong type, or a file, line, field count or row count over the limits
   */
  public Table read(Path file) {
    Args.nonNull(file, "JsonLines.read", "file");
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
    Args.nonNull(in, "JsonLines.read", "in");
    Args.nonNull(name, "JsonLines.read", "name");
    return table(name, rows -> scan(in, name, rows));
  }

  /** The table of the objects {@code scan} gives. */
  private Table table(String name, Consumer<ObjectRows> scan) {
    Columns[] columns = new Columns[1];
    scan.accept((names, number, row) -> {
      if (columns[0] == null) {
        columns[0] = new Columns(name, names, strings, missing, limits.maxRows());
      }
      columns[0].startRow(number);
      for (int c = 0; c < names.size(); c++) {
        set(columns[0], c, names.get(c), row.get(names.get(c)), name, number);
      }
    });
    return columns[0].table();
  }

  /**
   * Reads the file row by row as text, holding one row at a time: a JSON value becomes its text
   * ({@code 1.5}, {@code true}), an absent or null field {@code ""}; {@link #strings} and
   * {@link #missing} do not apply, the other checks and limits of {@link #read} do,
   * {@code maxRows} included.
   *
   * @throws LeptonException as {@link #read}; also for a field holding an array or object
   */
  public void forEachRow(Path file, Rows rows) {
    Args.nonNull(file, "JsonLines.forEachRow", "file");
    Args.nonNull(rows, "JsonLines.forEachRow", "rows");
    scan(file, asText(file.toString(), rows));
  }

  /**
   * Reads {@code in} (UTF-8) row by row as {@link #forEachRow(Path, Rows)} reads a file, naming it
   * {@code name} in messages: for bytes that are not in a file (decrypted as they are read).
   * {@code maxFileBytes} does not apply; the caller closes {@code in}.
   *
   * @throws LeptonException as {@link #forEachRow(Path, Rows)}
   */
  public void forEachRow(InputStream in, String name, Rows rows) {
    Args.nonNull(in, "JsonLines.forEachRow", "in");
    Args.nonNull(name, "JsonLines.forEachRow", "name");
    Args.nonNull(rows, "JsonLines.forEachRow", "rows");
    scan(in, name, asText(name, rows));
  }

  /** Each object as text values to {@code rows}, refusing a row over {@code maxRows}. */
  private ObjectRows asText(String name, Rows rows) {
    long[] count = new long[1];
    return (names, number, row) -> {
      if (count[0] == 0) {
        rows.columns(List.copyOf(names));
      }
      if (++count[0] > limits.maxRows()) {
        throw new LeptonException(name + " line " + number + ": more than " + limits.maxRows()
            + " rows; raise maxRows in ReadLimits or split the file");
      }
      List<String> values = new ArrayList<>(names.size());
      for (String field : names) {
        JsonNode value = row.get(field);
        if (value != null && !value.isNull() && !value.isValueNode()) {
          throw new LeptonException(name + " line " + number + ", field '" + field + "': "
              + "expected a string, number or boolean, received "
              + Messages.shorten(value.toString()));
        }
        values.add(value == null || value.isNull() ? "" : value.asText());
      }
      rows.row(number, values);
    };
  }

  /** One parsed object with the columns chosen from the first. */
  private interface ObjectRows {
    void row(List<String> names, long number, JsonNode row);
  }

  private void scan(InputStream in, String name, ObjectRows rows) {
    try {
      scan(new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8.newDecoder()),
          1 << 16), name, rows);
    } catch (CharacterCodingException e) {
      throw new LeptonException("JSON lines file " + name + " is not valid UTF-8; save it as "
          + "UTF-8", e);
    } catch (IOException e) {
      throw new LeptonException("cannot read JSON lines file " + name + ": " + e, e);
    }
  }

  private void scan(Path file, ObjectRows rows) {
    try {
      long size = Files.size(file);
      if (size > limits.maxFileBytes()) {
        throw new LeptonException("JSON lines file " + file + " has " + size + " bytes, over the "
            + "limit of " + limits.maxFileBytes() + "; raise maxFileBytes in ReadLimits or split "
            + "the file");
      }
      try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
        scan(in, file.toString(), rows);
      }
    } catch (CharacterCodingException e) {
      throw new LeptonException("JSON lines file " + file + " is not valid UTF-8; save it as UTF-8", e);
    } catch (IOException e) {
      throw new LeptonException("cannot read JSON lines file " + file + ": " + e, e);
    }
  }

  private void scan(BufferedReader in, String name, ObjectRows rows) throws IOException {
    boolean any = false;
    List<String> names = fields;
    StringBuilder line = new StringBuilder();
    for (long number = 1; readLine(in, line, name, number); number++) {
      String text = line.toString();
      if (text.isBlank()) {
        continue;
      }
      JsonNode row = parse(text, name, number);
      if (row.size() > limits.maxColumns()) { // every row, though only some fields are kept
        throw tooWide(name, number, row.size());
      }
      if (!any) {
        if (names.isEmpty()) {
          names = new ArrayList<>();
          row.fieldNames().forEachRemaining(names::add);
        } else if (names.size() > limits.maxColumns()) {
          throw tooWide(name, number, names.size());
        }
        any = true;
      }
      rows.row(names, number, row);
    }
    if (!any) {
      throw new LeptonException("JSON lines file " + name + " has no rows; expected one JSON "
          + "object per line");
    }
  }

  private LeptonException tooWide(String name, long number, int fields) {
    return new LeptonException(name + " line " + number + ": " + fields + " fields, more than "
        + limits.maxColumns() + " columns; pick fewer with fields(...) or raise maxColumns in "
        + "ReadLimits");
  }

  private static void set(Columns columns, int c, String field, JsonNode value, String name,
      long number) {
    if (value == null || value.isNull()) {
      columns.set(c, "", number); // missing: "" is text, NaN as a number
    } else if (value.isNumber() && !columns.isText(c)) {
      columns.setNumber(c, value.floatValue());
    } else if (value.isValueNode()) {
      columns.set(c, value.asText(), number);
    } else {
      throw new LeptonException(name + " line " + number + ", field '" + field + "': expected a "
          + (columns.isText(c) ? "string" : "number") + ", received "
          + Messages.shorten(value.toString()));
    }
  }

  /** Reads one line into {@code line} (without its break); false at the end of the file. */
  private boolean readLine(BufferedReader in, StringBuilder line, String name, long number)
      throws IOException {
    line.setLength(0);
    int c = in.read();
    if (c == -1) {
      return false;
    }
    for (; c != -1 && c != '\n'; c = in.read()) {
      if (c == '\r') {
        continue; // JSON allows a bare CR only as whitespace, so dropping it changes nothing
      }
      if (line.length() == limits.maxLineChars()) {
        throw new LeptonException(name + " line " + number + ": longer than "
            + limits.maxLineChars() + " characters; raise maxLineChars in ReadLimits");
      }
      line.append((char) c);
    }
    return true;
  }

  private static JsonNode parse(String line, String name, long number) {
    JsonNode row;
    try {
      row = JSON.read(line);
    } catch (StreamConstraintsException e) { // nesting over MAX_DEPTH, a number too long
      throw new LeptonException(name + " line " + number + ": over a JSON parser limit ("
          + e.getOriginalMessage() + "); expected one flat JSON object per line", e);
    } catch (JacksonException e) {
      throw new LeptonException(name + " line " + number + ": invalid JSON ("
          + e.getOriginalMessage() + "); expected one JSON object per line", e);
    }
    if (!row.isObject()) {
      throw new LeptonException(name + " line " + number + ": expected a JSON object, received "
          + Messages.shorten(row.toString()));
    }
    return row;
  }
}
