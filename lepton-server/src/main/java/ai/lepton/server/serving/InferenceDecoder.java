package ai.lepton.server.serving;

import ai.lepton.LeptonException;
import ai.lepton.models.ModelArchive.TensorSpec;
import ai.lepton.preprocessing.FeaturePreprocessing;
import ai.lepton.preprocessing.Preprocessing;
import ai.lepton.preprocessing.TextPreprocessing;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads an Open Inference Protocol v2 inference request with a {@link JsonCursor} straight into
 * one float array per model input (no tree, no tokens, no boxed numbers), and checks it against the
 * model: every input present and known, datatype, shape against the element count and the
 * model's sample shape, finite values, and the limits. Raw instances ({@code BYTES}) go through
 * the model's saved preprocessing here, so a bad request fails before it reaches a batch.
 */
final class InferenceDecoder {
  /** The longest string a request may hold: one text for a text model. */
  static final int MAX_STRING = TextPreprocessing.MAX_CHARS;
  /** The most inputs a request may name. */
  static final int MAX_INPUTS = 64;
  /** The deepest nesting of a request: the object, inputs, an input, and its data's dimensions. */
  static final int MAX_DEPTH = 16;
  /** The most elements allocated before they arrive, whatever the shape claims. */
  private static final int PREALLOCATE = 1 << 16;
  /** The most bytes of a body allocated before they arrive, whatever its Content-Length says. */
  private static final int PREALLOCATE_BODY = 1 << 18;
  /**
   * Each request thread's array for bodies up to its 16 KB (a Fashion-MNIST image is 6 KB), read
   * again by its next request instead of a new array per request: nothing holds the bytes after
   * decode, whose strings and numbers are copies.
   */
  private static final ThreadLocal<byte[]> BODY = ThreadLocal.withInitial(() -> new byte[1 << 14]);

  /** Reads the JSON rows of raw tabular input, within the same bounds. */
  private static final JsonFactory ROW_FACTORY = JsonFactory.builder()
      .streamReadConstraints(StreamReadConstraints.builder()
          .maxNestingDepth(MAX_DEPTH)
          .maxStringLength(MAX_STRING)
          .maxNumberLength(64)
          .build())
      .build();
  private static final ObjectMapper ROWS = new ObjectMapper(ROW_FACTORY);
  private static final Set<String> OIP_DATATYPES = Set.of("BOOL", "UINT8", "UINT16", "UINT32",
      "UINT64", "INT8", "INT16", "INT32", "INT64", "FP16", "FP32", "FP64", "BYTES");

  /**
   * A request read and checked.
   *
   * @param id the request's id, or null
   * @param inputs one array per model input, in the model's order: {@code rows} samples,
   *     row-major
   * @param rows the samples
   * @param outputs the outputs asked for, or null for all
   * @param rawRows the raw rows sent as {@code BYTES} to a model with feature preprocessing, each
   *     cell a number or null, in its columns' order (what the prediction log records); null
   *     when the request sent tensors or texts
   */
  record Decoded(String id, List<float[]> inputs, int rows, List<String> outputs,
      List<List<Double>> rawRows) {}

  private InferenceDecoder() {}

  /**
   * Reads {@code body} for the model of {@code signature}: its {@code length} bytes (the
   * request's {@code Content-Length}, -1 when unknown) into one array of that size when it is at
   * most {@link #PREALLOCATE_BODY}, else into one that grows as the bytes arrive, so that a
   * request declaring megabytes and sending few holds no more than it sent.
   *
   * @throws OipException 400 for a request that is not valid JSON or does not fit the model, or
   *     sends more samples than {@code limits} allow; 413 for one over their elements (the
   *     body's bytes are limited by the caller's stream)
   */
  static Decoded decode(InputStream body, long length, Signature signature,
      ServingLimits limits) {
    byte[] bytes;
    int read;
    try {
      if (length >= 0 && length <= PREALLOCATE_BODY) {
        byte[] own = BODY.get();
        bytes = length <= own.length ? own : new byte[(int) length];
        read = body.readNBytes(bytes, 0, (int) length);
      } else {
        bytes = body.readAllBytes();
        read = bytes.length;
      }
      if (read < length) {
        throw OipException.invalid("the request body ended before its Content-Length of "
            + length + " bytes; send the whole body, with a Content-Length that counts it");
      }
    } catch (IOException e) {
      throw OipException.invalid("the request body could not be read: " + e.getMessage());
    }
    JsonCursor c = new JsonCursor(bytes, read, MAX_DEPTH, MAX_STRING);
    Request request = new Request(limits);
    if (c.peek() != '{') {
      throw OipException.invalid("the body must be a JSON object: {\"inputs\": [{\"name\", "
          + "\"shape\", \"datatype\", \"data\"}]}");
    }
    c.enter('{');
    if (c.consume('}')) {
      c.leave();
    } else {
      do {
        String field = c.string();
        c.expect(':');
        switch (field) {
          case "id" -> request.id = string(c, "id");
          case "parameters" -> skipObject(c, "parameters");
          case "inputs" -> readInputs(c, request);
          case "outputs" -> request.outputs = readOutputs(c);
          default -> throw OipException.invalid("unknown field '" + field + "' in the inference "
              + "request; its fields are id, parameters, inputs and outputs");
        }
      } while (c.more('}'));
    }
    if (c.peek() != -1) {
      throw OipException.invalid("the body holds more after the request's JSON object; send "
          + "one object");
    }
    return check(request, signature, limits);
  }

  /** One input as read, before it is checked against the model. */
  private static final class Input {
    String name;
    long[] shape;
    String datatype;
    boolean hasData;
    float[] numbers = new float[0];
    int count;
    List<String> strings;
    /** The first element that is NaN or infinite, or -1. */
    int nonFinite = -1;

    void add(float v) {
      if (count == numbers.length) {
        numbers = Arrays.copyOf(numbers, Math.max(256, count * 2));
      }
      if (nonFinite < 0 && !Float.isFinite(v)) {
        nonFinite = count;
      }
      numbers[count++] = v;
    }

    long elements() {
      return count + (strings == null ? 0 : strings.size());
    }
  }

  private static final class Request {
    final ServingLimits limits;
    String id;
    List<Input> inputs;
    List<String> outputs;
    long elements;

    Request(ServingLimits limits) {
      this.limits = limits;
    }

    void count(int n) {
      if ((elements += n) > limits.maxElements()) {
        throw OipException.tooLarge("the request holds more than " + limits.maxElements()
            + " elements; send fewer samples per request");
      }
    }
  }

  private static void readInputs(JsonCursor c, Request request) {
    if (c.peek() != '[') {
      throw OipException.invalid("'inputs' must be an array of tensors {\"name\", \"shape\", "
          + "\"datatype\", \"data\"}");
    }
    request.inputs = new ArrayList<>();
    c.enter('[');
    if (c.consume(']')) {
      c.leave();
      return;
    }
    do {
      if (c.peek() != '{') {
        throw OipException.invalid("each of 'inputs' must be an object {\"name\", \"shape\", "
            + "\"datatype\", \"data\"}");
      }
      if (request.inputs.size() == MAX_INPUTS) {
        throw OipException.invalid("the request has more than " + MAX_INPUTS + " inputs");
      }
      request.inputs.add(readInput(c, request));
    } while (c.more(']'));
  }

  private static Input readInput(JsonCursor c, Request request) {
    Input in = new Input();
    c.enter('{');
    if (c.consume('}')) {
      c.leave();
      return in;
    }
    do {
      String field = c.string();
      c.expect(':');
      switch (field) {
        case "name" -> in.name = string(c, "an input's name");
        case "shape" -> in.shape = readShape(c, in.name);
        case "datatype" -> in.datatype = string(c, "an input's datatype");
        case "parameters" -> skipObject(c, "an input's parameters");
        case "data" -> {
          if (c.peek() != '[') {
            throw OipException.invalid(what(in) + "'s data must be an array (flat, or nested "
                + "by its shape)");
          }
          if (in.shape != null) { // the usual order: size the array once (a shape may lie)
            in.numbers = new float[(int) Math.min(product(in.shape), PREALLOCATE)];
          }
          readData(c, in, request);
          in.hasData = true;
        }
        default -> throw OipException.invalid("unknown field '" + field + "' in " + what(in)
            + "; an input's fields are name, shape, datatype, parameters and data");
      }
    } while (c.more('}'));
    return in;
  }

  /** The elements of an array, at any nesting, in row-major order. */
  private static void readData(JsonCursor c, Input in, Request request) {
    c.enter('[');
    if (c.consume(']')) {
      c.leave();
      return;
    }
    do {
      int t = c.peek();
      if (t == '[') {
        readData(c, in, request);
      } else if (t == '"') {
        request.count(1);
        if (in.strings == null) {
          in.strings = new ArrayList<>();
        }
        in.strings.add(c.string());
      } else if (t == 'n' && c.matches("null")) {
        throw OipException.invalid(what(in) + " holds null at element " + in.elements()
            + "; tensors have no missing values (send raw rows as BYTES to a model whose "
            + "preprocessing imputes them)");
      } else if (t == '-' || t == 'N' || t == 'I' || (t >= '0' && t <= '9')) {
        int read = c.plainNumbers(in.numbers, in.count);
        if (read > 0) {
          in.count += read;
          request.count(read);
        } else {
          request.count(1);
          in.add(c.number());
        }
      } else {
        throw OipException.invalid(what(in) + "'s data must hold numbers (FP32) or strings "
            + "(BYTES); element " + in.elements() + " at byte " + c.offset() + " is neither");
      }
    } while (c.more(']'));
  }

  private static long[] readShape(JsonCursor c, String name) {
    if (c.peek() != '[') {
      throw OipException.invalid("the shape of input '" + name + "' must be an array of "
          + "non-negative integers");
    }
    long[] shape = new long[0];
    c.enter('[');
    if (c.consume(']')) {
      c.leave();
      return shape;
    }
    do {
      if (shape.length == 8) {
        throw OipException.invalid("the shape of input '" + name + "' has more than 8 "
            + "dimensions");
      }
      shape = Arrays.copyOf(shape, shape.length + 1);
      shape[shape.length - 1] = c.integer();
    } while (c.more(']'));
    return shape;
  }

  private static List<String> readOutputs(JsonCursor c) {
    if (c.peek() != '[') {
      throw OipException.invalid("'outputs' must be an array of {\"name\"} objects");
    }
    List<String> names = new ArrayList<>();
    c.enter('[');
    if (c.consume(']')) {
      c.leave();
      return names;
    }
    do {
      if (c.peek() != '{') {
        throw OipException.invalid("each of 'outputs' must be an object {\"name\"}");
      }
      String name = null;
      c.enter('{');
      if (c.consume('}')) {
        c.leave();
      } else {
        do {
          String field = c.string();
          c.expect(':');
          switch (field) {
            case "name" -> name = string(c, "an output's name");
            case "parameters" -> skipObject(c, "an output's parameters");
            default -> throw OipException.invalid("unknown field '" + field + "' in an output; "
                + "its fields are name and parameters");
          }
        } while (c.more('}'));
      }
      if (name == null) {
        throw OipException.invalid("each of 'outputs' needs a name");
      }
      if (names.size() == MAX_INPUTS) {
        throw OipException.invalid("the request asks for more than " + MAX_INPUTS + " outputs");
      }
      names.add(name);
    } while (c.more(']'));
    return names;
  }

  // ---------------------------------------------------------------- checks against the model

  private static Decoded check(Request request, Signature sig, ServingLimits limits) {
    if (request.inputs == null || request.inputs.isEmpty()) {
      throw OipException.invalid("the request has no inputs; the model takes " + describe(sig));
    }
    Map<String, Input> byName = new LinkedHashMap<>();
    for (Input in : request.inputs) {
      if (in.name == null) {
        throw OipException.invalid("every input needs a name; the model takes "
            + describe(sig));
      }
      if (!sig.inputNames().contains(in.name)) {
        throw OipException.invalid("the model has no input '" + in.name + "'; it takes "
            + describe(sig));
      }
      if (byName.put(in.name, in) != null) {
        throw OipException.invalid("input '" + in.name + "' is given twice; send it once");
      }
    }
    List<float[]> arrays = new ArrayList<>();
    int rows = -1;
    List<List<Double>> rawRows = null;
    for (int i = 0; i < sig.inputs().size(); i++) {
      TensorSpec spec = sig.inputs().get(i);
      Input in = byName.get(spec.name());
      if (in == null) {
        throw OipException.invalid("input '" + spec.name() + "' is missing; the model takes "
            + describe(sig));
      }
      if (in.datatype == null || in.shape == null || !in.hasData) {
        throw OipException.invalid("input '" + in.name + "' needs a shape, a datatype and data");
      }
      if (product(in.shape) != in.elements()) {
        throw OipException.invalid("input '" + in.name + "' has shape "
            + Arrays.toString(in.shape) + ", which holds " + product(in.shape)
            + " elements, but its data holds " + in.elements() + "; send as many values as "
            + "the shape's dimensions multiply to");
      }
      int n = in.shape.length == 0 ? 0 : (int) Math.min(in.shape[0], Integer.MAX_VALUE);
      if (n > limits.maxRows()) {
        throw OipException.invalid("input '" + in.name + "' holds " + in.shape[0]
            + " samples; this deployment takes at most " + limits.maxRows() + " samples per "
            + "request: split it into requests of " + limits.maxRows() + " or fewer");
      }
      if (rows >= 0 && n != rows) {
        throw OipException.invalid("input '" + in.name + "' holds " + n + " samples but '"
            + sig.inputs().get(0).name() + "' holds " + rows + "; every input needs the same"
            + " samples");
      }
      rows = n;
      if ("BYTES".equals(in.datatype)) {
        List<?> instances = instances(in, sig);
        if (sig.preprocessing() instanceof FeaturePreprocessing) {
          @SuppressWarnings("unchecked") // rows(...) made them
          List<List<Double>> cells = (List<List<Double>>) instances;
          rawRows = cells;
        }
        arrays.add(transform(in, sig, instances));
        continue;
      }
      String datatype = Signature.datatype(spec);
      if (!in.datatype.equals(datatype)) {
        throw OipException.invalid(OIP_DATATYPES.contains(in.datatype)
            ? "input '" + in.name + "' is " + in.datatype + " but the model takes " + datatype
                + "; send its values as " + datatype
            : "'" + in.datatype + "' is not an Open Inference Protocol datatype; send "
                + datatype + " (numbers) or BYTES (raw rows or texts, for a model with saved "
                + "preprocessing)");
      }
      float[] values = numbers(in, spec, sig.sampleShape(i));
      if (datatype.equals("INT64")) {
        wholeNumbers(in, values, sig.sampleSize(i));
      }
      arrays.add(values);
    }
    if (rows == 0) {
      throw OipException.invalid("the request holds no samples; send at least one");
    }
    if (request.outputs != null) {
      for (String name : request.outputs) {
        if (!sig.outputNames().contains(name)) {
          throw OipException.invalid("the model has no output '" + name + "'; its outputs are "
              + sig.outputNames());
        }
      }
    }
    return new Decoded(request.id, arrays, rows, request.outputs, rawRows);
  }

  private static float[] numbers(Input in, TensorSpec spec, int[] sample) {
    if (in.strings != null) {
      throw OipException.invalid("input '" + in.name + "' is " + in.datatype + " but its data "
          + "holds strings; send numbers, or datatype BYTES for raw rows or texts");
    }
    boolean fits = in.shape.length == sample.length + 1;
    for (int d = 0; fits && d < sample.length; d++) {
      fits = in.shape[d + 1] == sample[d];
    }
    if (!fits) {
      long[] want = new long[sample.length + 1];
      want[0] = -1;
      for (int d = 0; d < sample.length; d++) {
        want[d + 1] = sample[d];
      }
      throw OipException.invalid("input '" + in.name + "' has shape "
          + Arrays.toString(in.shape) + " but the model takes " + Arrays.toString(want)
          + " (samples first); reshape the data to [n" + Arrays.toString(sample)
          .replace("[", sample.length == 0 ? "" : ", ").replace("]", "") + "]");
    }
    if (in.nonFinite >= 0) {
      int perSample = Signature.size(sample);
      throw OipException.invalid("input '" + in.name + "' holds " + in.numbers[in.nonFinite]
          + " at sample " + in.nonFinite / perSample + ", element " + in.nonFinite % perSample
          + "; the model would turn it into a meaningless output: send finite numbers");
    }
    return in.numbers.length == in.count ? in.numbers : Arrays.copyOf(in.numbers, in.count);
  }

  /**
   * INT64 values (token ids) are read as float32, exact for whole numbers below 2^24 in
   * magnitude: anything else would reach the model changed, so it is refused.
   */
  private static void wholeNumbers(Input in, float[] values, int perSample) {
    for (int e = 0; e < values.length; e++) {
      float v = values[e];
      if (v != Math.rint(v) || Math.abs(v) >= 1 << 24) {
        throw OipException.invalid("input '" + in.name + "' is INT64 but holds " + v
            + " at sample " + e / perSample + ", element " + e % perSample + "; send whole "
            + "numbers below 16777216 (2^24) in magnitude");
      }
    }
  }

  /** A BYTES input's instances: rows of numbers for feature preprocessing, else the strings. */
  private static List<?> instances(Input in, Signature sig) {
    Preprocessing prep = sig.preprocessing();
    if (prep == null || sig.inputs().size() != 1) {
      throw OipException.invalid("input '" + in.name + "' is BYTES (raw instances) but the "
          + "model has no saved preprocessing to turn them into numbers; send FP32 tensors of "
          + "shape " + sig.inputs().get(0).shape());
    }
    if (in.count > 0 || in.shape.length < 1 || in.shape.length > 2
        || (in.shape.length == 2 && in.shape[1] != 1)) {
      throw OipException.invalid("input '" + in.name + "' is BYTES: send one string per "
          + "instance, shape [n] or [n, 1]");
    }
    return prep instanceof FeaturePreprocessing f ? rows(in, f.columns()) : in.strings;
  }

  private static float[] transform(Input in, Signature sig, List<?> instances) {
    try {
      return sig.preprocessing().transform(instances).toFloatArray();
    } catch (LeptonException e) {
      throw OipException.invalid("input '" + in.name + "': " + e.getMessage());
    }
  }

  /** Each string as a row of numbers: a JSON array, or a JSON object keyed by column. */
  private static List<List<Double>> rows(Input in, List<String> columns) {
    List<List<Double>> rows = new ArrayList<>();
    for (int r = 0; r < in.strings.size(); r++) {
      JsonNode node;
      try {
        node = ROWS.readTree(in.strings.get(r));
      } catch (JsonProcessingException e) {
        throw OipException.invalid(rowHelp(in, r, columns, "is not JSON ("
            + e.getOriginalMessage() + ")"));
      }
      List<Double> row = new ArrayList<>();
      if (node != null && node.isArray()) {
        for (JsonNode v : node) {
          row.add(number(in, r, columns, v));
        }
      } else if (node != null && node.isObject()) {
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
          String key = it.next();
          if (!columns.contains(key)) {
            throw OipException.invalid(rowHelp(in, r, columns, "names column '" + key
                + "', which the model does not take"));
          }
        }
        for (String c : columns) {
          row.add(node.has(c) ? number(in, r, columns, node.get(c)) : null);
        }
      } else {
        throw OipException.invalid(rowHelp(in, r, columns, "is neither a JSON array nor an "
            + "object"));
      }
      rows.add(row);
    }
    return rows;
  }

  private static Double number(Input in, int r, List<String> columns, JsonNode v) {
    if (v.isNull()) {
      return null;
    }
    if (!v.isNumber()) {
      throw OipException.invalid(rowHelp(in, r, columns, "holds " + v + ", not a number"));
    }
    return v.doubleValue();
  }

  private static String rowHelp(Input in, int r, List<String> columns, String problem) {
    return "input '" + in.name + "', row " + r + " " + problem + "; send each row as a string"
        + " holding a JSON array of " + columns.size() + " numbers (null for a missing value)"
        + " or an object keyed by " + columns;
  }

  // ---------------------------------------------------------------- helpers

  private static String string(JsonCursor c, String what) {
    if (c.peek() != '"') {
      throw OipException.invalid(what + " must be a string");
    }
    return c.string();
  }

  private static void skipObject(JsonCursor c, String what) {
    if (c.peek() != '{') {
      throw OipException.invalid(what + " must be an object");
    }
    c.skipValue();
  }

  private static long product(long[] shape) {
    long n = 1;
    for (long d : shape) {
      n = d == 0 ? 0 : n > Long.MAX_VALUE / d ? Long.MAX_VALUE : n * d;
    }
    return n;
  }

  private static String what(Input in) {
    return in.name == null ? "an input" : "input '" + in.name + "'";
  }

  /** The model's inputs as a client should send them, for messages. */
  static String describe(Signature sig) {
    StringBuilder sb = new StringBuilder();
    for (TensorSpec s : sig.inputs()) {
      sb.append(sb.length() == 0 ? "" : ", ").append('\'').append(s.name()).append("' ")
          .append(Signature.datatype(s)).append(' ')
          .append(s.shape());
    }
    return sb.append(sig.preprocessing() == null ? ""
        : " (or BYTES: one raw instance per string)").toString();
  }
}
