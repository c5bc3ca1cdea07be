package ai.lepton.server.datasets;

import ai.lepton.LeptonException;
import ai.lepton.api.ColumnProfile;
import ai.lepton.api.ColumnType;
import ai.lepton.api.DatasetFormat;
import ai.lepton.api.DatasetProfile;
import ai.lepton.api.Recipe;
import ai.lepton.data.Csv;
import ai.lepton.data.JsonLines;
import ai.lepton.data.ReadLimits;
import ai.lepton.data.Splits;
import ai.lepton.data.Table;
import ai.lepton.preprocessing.Imputer;
import ai.lepton.preprocessing.MinMaxScaler;
import ai.lepton.preprocessing.Scaler;
import ai.lepton.preprocessing.StandardScaler;
import ai.lepton.server.http.ApiException;
import ai.lepton.server.http.Json;
import ai.lepton.tensor.Tensor;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.IntFunction;
import java.util.function.Supplier;

/**
 * Derives new dataset files from a tabular one (CSV or JSON lines) by a {@link Recipe}, with Lepton
 * Core doing the work: the file is read into a {@link Table} with the column types its profile
 * inferred, then cleaned ({@link Table#dropMissing}, {@link Imputer}, {@link
 * Table#dropDuplicates}), scaled ({@link StandardScaler}, {@link MinMaxScaler}) or split
 * ({@link Splits}), and rendered back in the input's format. The input is read from a {@link
 * Profiler.Source} (a blob, decrypted as it streams) and each result is rendered as it is read
 * (into a new encrypted blob, by {@link DatasetService}): no plaintext of either reaches the disk.
 *
 * <p>A derivation is repeatable: the same recipe on the same input makes byte-identical files,
 * and the parameters it learned (fill values, means and scales, minima and maxima, part sizes) are
 * returned to be stored with the new version as its lineage. Missing values (empty fields, JSON
 * nulls, {@code NA}, {@code N/A}, {@code NaN}, {@code null}) are written as empty CSV fields or JSON
 * nulls. Numbers are single precision, as Core reads them; integer columns beyond 2^24 (such as
 * ids) are kept as text and copied unchanged, so they cannot be scaled or filled with a mean.
 *
 * <p>Only tabular files are derived; splitting image archives and IDX files is not supported yet.
 */
final class Recipes {
  /** The largest integer every float holds exactly: larger integer columns stay text. */
  private static final double EXACT_FLOAT_INTEGER = 1 << 24;

  /**
   * One file a derivation made. Its bytes are never written to a file here: {@code content}
   * renders them from the table in memory as they are read (so that they can go straight into an
   * encrypted blob), the same bytes on every call.
   *
   * @param name {@code data} for a single output, else the split's part ({@code train},
   *     {@code validation}, {@code test})
   * @param fileName {@code data.csv}, or the part's, such as {@code train.jsonl}
   * @param rows its rows
   * @param content a new stream of its bytes (UTF-8) on each call; the caller closes it
   */
  record Part(String name, String fileName, int rows, Supplier<InputStream> content) {}

  /**
   * What a derivation wrote and the parameters it used, in a fixed order (so their JSON is
   * repeatable too).
   */
  record Derivation(List<Part> parts, Map<String, Object> parameters) {
    Derivation {
      parts = List.copyOf(parts);
    }
  }

  /** The wire form of a recipe: its {@code "op"} names the record. */
  @JsonTypeInfo(use = JsonTypeInfo.Id.NAME, include = JsonTypeInfo.As.PROPERTY, property = "op")
  @JsonSubTypes({
      @JsonSubTypes.Type(value = Recipe.DropMissing.class, name = "drop_missing"),
      @JsonSubTypes.Type(value = Recipe.FillMissing.class, name = "fill_missing"),
      @JsonSubTypes.Type(value = Recipe.DropDuplicates.class, name = "drop_duplicates"),
      @JsonSubTypes.Type(value = Recipe.Scale.class, name = "scale"),
      @JsonSubTypes.Type(value = Recipe.Split.class, name = "split")})
  private interface RecipeJson {}

  private static final ObjectMapper JSON = Json.mapper().addMixIn(Recipe.class, RecipeJson.class)
      .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);

  private final Profiler profiler;

  Recipes(Profiler profiler) {
    this.profiler = profiler;
  }

  /**
   * The recipe a JSON body describes.
   *
   * @throws ApiException INVALID_ARGUMENT naming what is wrong: no or an unknown {@code "op"}, an
   *     unknown field, a value out of range
   */
  static Recipe parse(String json) {
    String why;
    try {
      Recipe recipe = JSON.readValue(json, Recipe.class);
      if (recipe != null) {
        return recipe;
      }
      why = "received null";
    } catch (JacksonException e) {
      Throwable cause = e.getCause();
      why = cause instanceof IllegalArgumentException ? cause.getMessage()
          : e.getOriginalMessage();
    }
    throw ApiException.invalid("the recipe is not valid: " + why + "; expected an object "
        + "whose \"op\" is drop_missing, fill_missing, drop_duplicates, scale or split");
  }

  /** The recipe as JSON, {@code "op"} first. */
  static String json(Object recipeOrParameters) {
    try {
      Object value = recipeOrParameters;
      return recipeOrParameters instanceof Recipe r
          ? JSON.writerFor(Recipe.class).writeValueAsString(r) : JSON.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a recipe always has a JSON form", e);
    }
  }

  /**
   * Applies {@code recipe} to {@code input}: the result is one part ({@code data.csv}), or one per
   * split part (such as {@code train.jsonl}). The input is read from its start several times (as
   * its profile reads it, to infer its column types, then into a table), never copied to a file.
   *
   * @param name the input's name as its owner knows it, for messages
   * @throws ApiException UNPROCESSABLE if the input is not tabular or not valid, the recipe names a
   *     column the input lacks or of the wrong type, or a split leaves a part empty;
   *     PAYLOAD_TOO_LARGE over a limit
   */
  Derivation apply(Profiler.Source input, DatasetFormat format, String name, Recipe recipe) {
    checkTabular(format, name);
    DatasetProfile profile = profiler.profile(input, format, name, null);
    Map<String, ColumnType> types = new LinkedHashMap<>();
    List<String> texts = new ArrayList<>();
    for (ColumnProfile c : profile.columns()) {
      boolean number = c.type() == ColumnType.NUMBER || (c.type() == ColumnType.INTEGER
          && Math.max(Math.abs(c.min()), Math.abs(c.max())) <= EXACT_FLOAT_INTEGER);
      types.put(c.name(), number ? c.type() : c.type() == ColumnType.INTEGER ? ColumnType.TEXT
          : c.type());
      if (!number) {
        texts.add(c.name());
      }
    }
    try {
      Table table = withoutMissingTokens(read(input, format, name, texts));
      Map<String, Object> parameters = new LinkedHashMap<>();
      parameters.put("op", op(recipe));
      parameters.put("rowsIn", table.rows());
      Map<String, Table> parts = new LinkedHashMap<>();
      if (recipe instanceof Recipe.DropMissing r) {
        checkColumns(name, types, r.columns(), false);
        parts.put("data", table.dropMissing(r.columns().toArray(String[]::new)));
      } else if (recipe instanceof Recipe.FillMissing r) {
        parts.put("data", fill(name, table, types, r, parameters));
      } else if (recipe instanceof Recipe.DropDuplicates) {
        parts.put("data", table.dropDuplicates());
      } else if (recipe instanceof Recipe.Scale r) {
        parts.put("data", scale(name, table, types, r, parameters));
      } else {
        split(name, table, (Recipe.Split) recipe, parts, parameters);
      }
      Map<String, Integer> rows = new LinkedHashMap<>();
      List<Part> out = new ArrayList<>();
      for (Map.Entry<String, Table> part : parts.entrySet()) {
        Table t = part.getValue();
        String fileName = part.getKey() + (format == DatasetFormat.CSV ? ".csv" : ".jsonl");
        rows.put(part.getKey(), t.rows());
        out.add(new Part(part.getKey(), fileName, t.rows(), () -> format == DatasetFormat.CSV
            ? new Lines(t.rows() + 1, i -> csvLine(t, i - 1))
            : new Lines(t.rows(), i -> jsonLine(t, types, i))));
      }
      parameters.put("rowsOut", rows);
      return new Derivation(out, parameters);
    } catch (LeptonException e) {
      throw DatasetErrors.fromCore(e, name);
    }
  }

  /**
   * Refuses a format recipes do not apply to, before any work on the file.
   *
   * @throws ApiException UNPROCESSABLE unless {@code format} is CSV or JSON lines
   */
  static void checkTabular(DatasetFormat format, String name) {
    if (format != DatasetFormat.CSV && format != DatasetFormat.JSONL) {
      throw DatasetErrors.unprocessable("recipes apply to CSV and JSON lines datasets; " + name
          + " is " + format + "; derive from a tabular dataset");
    }
  }

  /** The recipe's {@code "op"}, as its JSON names it. */
  static String op(Recipe recipe) {
    return JSON.valueToTree(recipe).get("op").asText();
  }

  private Table read(Profiler.Source input, DatasetFormat format, String name,
      List<String> texts) {
    ProfileLimits l = profiler.limits();
    ReadLimits limits = new ReadLimits(Long.MAX_VALUE, l.maxLineChars(), l.maxColumns(),
        l.maxRows());
    String[] missing = ColumnStats.MISSING.stream().sorted().toArray(String[]::new);
    String[] strings = texts.toArray(String[]::new);
    try (InputStream in = input.open()) {
      return format == DatasetFormat.CSV
          ? Csv.reader().strings(strings).missing(missing).limits(limits).read(in, name)
          : JsonLines.reader().strings(strings).missing(missing).limits(limits).read(in, name);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + name + " to derive from it", e);
    }
  }

  /** Text cells holding a missing token become {@code ""}, as Core reads missing text. */
  private static Table withoutMissingTokens(Table table) {
    Map<String, String[]> texts = new HashMap<>();
    table.texts().forEach((column, values) -> {
      String[] out = values.clone();
      for (int i = 0; i < out.length; i++) {
        out[i] = ColumnStats.isMissing(out[i]) ? "" : out[i];
      }
      texts.put(column, out);
    });
    return new Table(table.columns(), table.rows(), table.numbers(), texts);
  }

  /** Refuses a column the input lacks, or (when {@code numeric}) one that is not numeric. */
  private static void checkColumns(String name, Map<String, ColumnType> types,
      Iterable<String> columns, boolean numeric) {
    for (String c : columns) {
      ColumnType type = types.get(c);
      if (type == null) {
        throw DatasetErrors.unprocessable(name + " has no column '" + Profiler.shorten(c)
            + "'; its columns are " + Profiler.shorten(types.keySet().toString()));
      }
      if (numeric && type != ColumnType.INTEGER && type != ColumnType.NUMBER) {
        throw DatasetErrors.unprocessable("column '" + c + "' of " + name + " is " + type
            + (type == ColumnType.TEXT ? " (or integers too large for single precision)" : "")
            + ", not numeric; name numeric columns only");
      }
    }
  }

  private static Table fill(String name, Table table, Map<String, ColumnType> types,
      Recipe.FillMissing recipe, Map<String, Object> parameters) {
    checkColumns(name, types, recipe.columns().keySet(), false);
    Map<String, Object> fills = new LinkedHashMap<>();
    for (Map.Entry<String, Recipe.Fill> e : recipe.columns().entrySet()) { // sorted by column
      String column = e.getKey();
      Recipe.Fill fill = e.getValue();
      boolean numeric = table.numbers().containsKey(column);
      Imputer imputer;
      if (fill.strategy().equals("constant")) {
        imputer = numeric
            ? new Imputer("constant", Map.of(column, number(name, column, fill.value())), Map.of())
            : new Imputer("constant", Map.of(), Map.of(column, fill.value()));
      } else if (fill.strategy().equals("mode")) {
        imputer = Imputer.fit(table, "most_frequent", column);
      } else {
        checkColumns(name, types, List.of(column), true);
        imputer = Imputer.fit(table, fill.strategy(), column);
      }
      table = imputer.transform(table);
      Map<String, Object> used = new LinkedHashMap<>();
      used.put("strategy", fill.strategy());
      used.put("value", numeric ? (Object) decimal(imputer.numbers().get(column))
          : imputer.texts().get(column));
      fills.put(column, used);
    }
    parameters.put("fills", fills);
    return table;
  }

  private static float number(String name, String column, String value) {
    try {
      float f = Float.parseFloat(value.strip());
      if (Float.isFinite(f)) {
        return f;
      }
    } catch (NumberFormatException e) {
      // answered below
    }
    throw DatasetErrors.unprocessable("column '" + column + "' of " + name + " is numeric, so "
        + "its constant fill must be a finite number; received '" + Profiler.shorten(value) + "'");
  }

  private static Table scale(String name, Table table, Map<String, ColumnType> types,
      Recipe.Scale recipe, Map<String, Object> parameters) {
    List<String> columns = recipe.columns().isEmpty() ? table.columns().stream()
        .filter(table.numbers()::containsKey).toList() : recipe.columns();
    if (columns.isEmpty()) {
      throw DatasetErrors.unprocessable(name + " has no numeric column to scale");
    }
    checkColumns(name, types, columns, true);
    for (String c : columns) {
      boolean any = false;
      for (float v : table.floats(c)) {
        any |= !Float.isNaN(v);
      }
      if (!any) {
        throw DatasetErrors.unprocessable("column '" + c + "' of " + name + " has no value to "
            + "scale (all are missing); fill or drop it first");
      }
    }
    Tensor x = table.features(columns.toArray(String[]::new)); // (rows, columns)
    Scaler scaler = recipe.method().equals("standard") ? StandardScaler.fit(x)
        : MinMaxScaler.fit(x);
    float[] scaled = scaler.transform(x).toFloatArray();
    Map<String, float[]> numbers = new HashMap<>(table.numbers());
    for (int j = 0; j < columns.size(); j++) {
      float[] column = new float[table.rows()];
      for (int i = 0; i < column.length; i++) {
        column[i] = scaled[i * columns.size() + j];
      }
      numbers.put(columns.get(j), column);
    }
    parameters.put("method", recipe.method());
    parameters.put("columns", columns);
    if (scaler instanceof StandardScaler s) {
      parameters.put("mean", decimals(s.mean()));
      parameters.put("scale", decimals(s.scale()));
    } else if (scaler instanceof MinMaxScaler m) {
      parameters.put("min", decimals(m.dataMin()));
      parameters.put("max", decimals(m.dataMax()));
    }
    return new Table(table.columns(), table.rows(), numbers, table.texts());
  }

  /**
   * Core's seeded shuffle twice: train against the rest, then the rest into validation and test.
   * Part sizes are {@code round(rows * fraction)} for validation and test, the rest for train; each
   * part keeps the input's row order.
   */
  private static void split(String name, Table table, Recipe.Split recipe,
      Map<String, Table> parts, Map<String, Object> parameters) {
    int n = table.rows();
    int validationRows = (int) Math.round(n * recipe.validation());
    int testRows = (int) Math.round(n * recipe.test());
    int held = validationRows + testRows;
    String empty = n - held < 1 ? "train" : recipe.validation() > 0 && validationRows == 0
        ? "validation" : recipe.test() > 0 && testRows == 0 ? "test" : null;
    if (empty != null) {
      throw DatasetErrors.unprocessable("splitting the " + n + " rows of " + name + " with "
          + "fractions train=" + recipe.train() + ", validation=" + recipe.validation() + ", test="
          + recipe.test() + " leaves the " + empty + " part empty; use more rows or change the "
          + "fractions");
    }
    // Core puts ceil(count * fraction) rows on the test side: (k - 0.5) / count gives exactly k.
    Splits.Split first = Splits.trainTestSplit(n, (held - 0.5) / n, recipe.seed());
    int[] validation = new int[0];
    int[] test = new int[0];
    if (validationRows == 0) {
      test = first.test();
    } else if (testRows == 0) {
      validation = first.test();
    } else {
      Splits.Split second = Splits.trainTestSplit(held, (testRows - 0.5) / held,
          recipe.seed() + 1);
      validation = Arrays.stream(second.train()).map(i -> first.test()[i]).toArray();
      test = Arrays.stream(second.test()).map(i -> first.test()[i]).toArray();
    }
    parts.put("train", table.select(sorted(first.train())));
    if (validation.length > 0) {
      parts.put("validation", table.select(sorted(validation)));
    }
    if (test.length > 0) {
      parts.put("test", table.select(sorted(test)));
    }
    parameters.put("seed", recipe.seed());
    Map<String, Object> fractions = new LinkedHashMap<>();
    fractions.put("train", recipe.train());
    fractions.put("validation", recipe.validation());
    fractions.put("test", recipe.test());
    parameters.put("fractions", fractions);
  }

  private static int[] sorted(int[] indices) {
    int[] out = indices.clone();
    Arrays.sort(out);
    return out;
  }

  // ---- writing --------------------------------------------------------------------------------

  /** Line {@code r} of a CSV file of {@code table}: its header for -1, else row {@code r}. */
  private static String csvLine(Table table, int r) {
    List<String> columns = table.columns();
    StringBuilder line = new StringBuilder();
    for (int c = 0; c < columns.size(); c++) {
      String column = columns.get(c);
      float[] numbers = r < 0 ? null : table.numbers().get(column);
      String value = r < 0 ? csvField(column) : numbers != null
          ? (Float.isNaN(numbers[r]) ? "" : format(numbers[r]))
          : csvField(table.texts().get(column)[r]);
      line.append(c > 0 ? "," : "").append(value);
    }
    return line.toString();
  }

  private static String csvField(String text) {
    boolean quote = text.indexOf(',') >= 0 || text.indexOf('"') >= 0 || text.indexOf('\n') >= 0
        || text.indexOf('\r') >= 0;
    return quote ? '"' + text.replace("\"", "\"\"") + '"' : text;
  }

  /** Row {@code r} of {@code table} as a JSON object on one line. */
  private static String jsonLine(Table table, Map<String, ColumnType> types, int r) {
    StringWriter line = new StringWriter();
    try (JsonGenerator json = JSON.getFactory().createGenerator(line)) {
      json.writeStartObject();
      for (String column : table.columns()) {
        json.writeFieldName(column);
        float[] numbers = table.numbers().get(column);
        String text = numbers == null ? table.texts().get(column)[r] : null;
        if (numbers != null && Float.isNaN(numbers[r]) || text != null && text.isEmpty()) {
          json.writeNull();
        } else if (numbers != null) {
          json.writeRawValue(format(numbers[r]));
        } else if (types.get(column) == ColumnType.BOOLEAN) {
          json.writeBoolean(Boolean.parseBoolean(text.strip()));
        } else {
          json.writeString(text);
        }
      }
      json.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException("a JSON line is written to memory and cannot fail", e);
    }
    return line.toString();
  }

  /**
   * The UTF-8 bytes of {@code count} lines, each ended by {@code \n}, made by {@code line} as
   * they are read, about 64 KiB at a time.
   */
  private static final class Lines extends InputStream {
    private static final int CHUNK = 1 << 16;
    private final int count;
    private final IntFunction<String> line;
    private final StringBuilder text = new StringBuilder();
    private int next;
    private byte[] bytes = new byte[0];
    private int position;

    Lines(int count, IntFunction<String> line) {
      this.count = count;
      this.line = line;
    }

    @Override
    public int read() {
      return fill() ? bytes[position++] & 0xff : -1;
    }

    @Override
    public int read(byte[] b, int off, int len) {
      Objects.checkFromIndexSize(off, len, b.length);
      if (len == 0) {
        return 0;
      }
      if (!fill()) {
        return -1;
      }
      int n = Math.min(len, bytes.length - position);
      System.arraycopy(bytes, position, b, off, n);
      position += n;
      return n;
    }

    /** Whether a byte is left, rendering the next lines when the last ones are read. */
    private boolean fill() {
      if (position < bytes.length) {
        return true;
      }
      text.setLength(0);
      while (next < count && text.length() < CHUNK) {
        text.append(line.apply(next++)).append('\n');
      }
      bytes = text.toString().getBytes(StandardCharsets.UTF_8);
      position = 0;
      return bytes.length > 0;
    }
  }

  /** A float as written: integers without a fraction, others in Java's shortest form. */
  private static String format(float v) {
    return v == Math.rint(v) && Math.abs(v) < 1e7 ? Long.toString((long) v) : Float.toString(v);
  }

  private static double decimal(float v) {
    return Double.parseDouble(Float.toString(v)); // 0.1f as 0.1, not 0.10000000149011612
  }

  private static List<Double> decimals(float[] values) {
    List<Double> out = new ArrayList<>(values.length);
    for (float v : values) {
      out.add(decimal(v));
    }
    return out;
  }
}
