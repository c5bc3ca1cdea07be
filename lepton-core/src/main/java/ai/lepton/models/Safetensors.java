package ai.lepton.models;

import ai.lepton.LeptonException;
import ai.lepton.internal.Json;
import ai.lepton.tensor.Tensor;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * Reads and writes float32 tensors in the <a href="https://github.com/huggingface/safetensors">
 * safetensors</a> layout, so that Python's {@code safetensors} and other tools read our weights:
 *
 * <pre>
 * 8 bytes   N, the header length, unsigned little-endian
 * N bytes   UTF-8 JSON: {"name": {"dtype": "F32", "shape": [..], "data_offsets": [begin, end]}, ..,
 *           "__metadata__": {"key": "value", ..}}, padded with spaces so that 8 + N is a multiple of 8
 * rest      the tensors' little-endian bytes; offsets count from the start of this section, and the
 *           tensors tile it exactly: no gaps, no overlaps, nothing after the last one
 * </pre>
 *
 * <p>The reader trusts nothing the file claims: every size and offset is checked against the limits
 * and the bytes actually present before anything is allocated.
 */
final class Safetensors {
  /** Largest header accepted (the reference implementation's cap is the same order: 100 MB). */
  static final long MAX_HEADER_BYTES = 100_000_000;
  /** Longest tensor name accepted, in chars. */
  static final int MAX_NAME_LENGTH = 1024;
  /** Highest tensor rank accepted. */
  static final int MAX_RANK = 64;

  private static final String METADATA_KEY = "__metadata__";
  private static final int CHUNK_BYTES = 1 << 16;

  private Safetensors() {}

  /** The tensors of one file, in data order, and its free-form string metadata. */
  record Contents(Map<String, Tensor> tensors, Map<String, String> metadata) {
    Contents {
      tensors = Collections.unmodifiableMap(new LinkedHashMap<>(tensors));
      metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
    }
  }

  // ---------------------------------------------------------------- writing

  /**
   * Writes {@code tensors} in the map's iteration order, followed by nothing else.
   *
   * @return the number of bytes written
   * @throws LeptonException if a tensor name is not valid (see {@link #checkName})
   */
  static long write(OutputStream out, Map<String, Tensor> tensors, Map<String, String> metadata)
      throws IOException {
    byte[] header = header(tensors, metadata);
    out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(header.length).array());
    out.write(header);
    long written = 8L + header.length;
    ByteBuffer chunk = ByteBuffer.allocate(CHUNK_BYTES).order(ByteOrder.LITTLE_ENDIAN);
    for (Tensor t : tensors.values()) {
      float[] data = t.toFloatArray();
      for (int from = 0; from < data.length; from += CHUNK_BYTES / 4) {
        int n = Math.min(CHUNK_BYTES / 4, data.length - from);
        // A bulk copy of the raw bits, so NaN payloads survive the round trip.
        chunk.clear().asFloatBuffer().put(data, from, n);
        out.write(chunk.array(), 0, n * 4);
      }
      written += 4L * data.length;
    }
    return written;
  }

  static byte[] toBytes(Map<String, Tensor> tensors, Map<String, String> metadata) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      write(out, tensors, metadata);
    } catch (IOException e) {
      throw new UncheckedIOException("a ByteArrayOutputStream does not throw", e);
    }
    return out.toByteArray();
  }

  /** The JSON header, padded with spaces to a multiple of 8 bytes so the data starts aligned. */
  private static byte[] header(Map<String, Tensor> tensors, Map<String, String> metadata) {
    ObjectNode root = Json.object();
    if (!metadata.isEmpty()) {
      ObjectNode meta = root.putObject(METADATA_KEY);
      metadata.forEach(meta::put);
    }
    long offset = 0;
    for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
      checkName(e.getKey(), "Safetensors.write");
      ObjectNode info = root.putObject(e.getKey());
      info.put("dtype", "F32");
      ArrayNode shape = info.putArray("shape");
      for (int d : e.getValue().shape()) {
        shape.add(d);
      }
      long end = offset + 4L * e.getValue().size();
      info.putArray("data_offsets").add(offset).add(end);
      offset = end;
    }
    byte[] json = root.toString().getBytes(StandardCharsets.UTF_8);
    int padded = (json.length + 7) & ~7;
    if (padded > MAX_HEADER_BYTES) {
      throw new LeptonException("Safetensors.write: the header would take " + padded
          + " bytes, over the " + MAX_HEADER_BYTES + "-byte limit readers apply; use fewer tensors, "
          + "shorter names or less metadata");
    }
    byte[] out = Arrays.copyOf(json, padded);
    Arrays.fill(out, json.length, padded, (byte) ' ');
    return out;
  }

  /**
   * Checks a tensor name: non-empty, at most {@link #MAX_NAME_LENGTH} chars, no control characters,
   * and not the reserved {@code __metadata__}.
   *
   * @param where names the caller in the error message
   */
  static void checkName(String name, String where) {
    String problem = nameProblem(name);
    if (problem != null) {
      throw new LeptonException(where + ": tensor name '" + abbreviate(name) + "' " + problem
          + "; use a short printable name such as 'dense/kernel'");
    }
  }

  private static String nameProblem(String name) {
    return name.isEmpty() ? "is empty"
        : name.length() > MAX_NAME_LENGTH ? "is longer than " + MAX_NAME_LENGTH + " characters"
        : name.chars().anyMatch(Character::isISOControl) ? "contains a control character"
        : name.equals(METADATA_KEY) ? "is reserved for the file's metadata"
        : null;
  }

  // ---------------------------------------------------------------- reading

  /** Reads a whole file held in memory; {@code source} names it in error messages. */
  static Contents read(byte[] bytes, String source) {
    try {
      return read(new ByteArrayInputStream(bytes), bytes.length, source);
    } catch (IOException e) {
      throw new UncheckedIOException("a ByteArrayInputStream does not throw", e);
    }
  }

  /**
   * Reads one file from {@code in}, which must end right after it.
   *
   * @param maxBytes the stream's exact size when known, otherwise the most it may hold; a header
   *     that claims more is rejected before anything is allocated
   * @param source names the file in error messages
   * @throws LeptonException if the file breaks any rule of the layout or a limit
   */
  static Contents read(InputStream in, long maxBytes, String source) throws IOException {
    Header header = readHeader(in, maxBytes, MAX_HEADER_BYTES, Json.MAX_TOKENS,
        Integer.MAX_VALUE, source);
    Map<String, Tensor> tensors = new LinkedHashMap<>();
    byte[] chunk = new byte[CHUNK_BYTES];
    for (Entry e : header.entries()) {
      tensors.put(e.name, Tensor.of(readFloats(in, e, chunk, source, false), e.shape));
    }
    requireEnd(in, source);
    return new Contents(tensors, header.metadata());
  }

  /**
   * A file's header: its tensors in data order, its metadata, how many bytes of tensor data follow
   * it, and the header's bytes as read (length prefix included), to recognise the same file later.
   */
  record Header(List<Entry> entries, Map<String, String> metadata, long dataBytes, byte[] raw) {}

  /**
   * {@link #readHeader(InputStream, long, long, long, int, String)} for an entry of a model file
   * of {@code entryBytes} bytes: the header within {@code maxJsonBytes} and {@code maxJsonTokens},
   * at most {@code maxTensors} tensors.
   */
  static Header readHeader(InputStream in, long entryBytes, ModelArchive.Limits limits,
      String source) throws IOException {
    return readHeader(in, entryBytes, limits.maxJsonBytes(), limits.maxJsonTokens(),
        limits.maxTensors(), source);
  }

  /**
   * Reads and checks the header at the start of {@code in}, leaving the stream at the first
   * tensor's data. Nothing is allocated from a size the file claims before it is checked: the
   * header length against {@code maxHeaderBytes} and {@code maxBytes}, and the tensors' layout
   * against the bytes that remain.
   *
   * @param maxBytes the file's exact size when known, otherwise the most it may hold
   * @param maxTokens the most JSON tokens the header may hold, counted before it is parsed
   * @param maxTensors the most tensors the header may describe
   * @throws LeptonException naming {@code source} if the header breaks the layout or a limit
   */
  static Header readHeader(InputStream in, long maxBytes, long maxHeaderBytes, long maxTokens,
      int maxTensors, String source) throws IOException {
    byte[] prefix = in.readNBytes(8);
    if (prefix.length < 8) {
      throw bad(source, "it holds " + prefix.length + " bytes, fewer than the 8-byte header length; "
          + "the file is truncated");
    }
    long headerLength = ByteBuffer.wrap(prefix).order(ByteOrder.LITTLE_ENDIAN).getLong();
    long cap = Math.min(MAX_HEADER_BYTES, maxHeaderBytes);
    if (headerLength < 2 || headerLength > cap) {
      throw bad(source, "it declares a header of " + Long.toUnsignedString(headerLength)
          + " bytes; expected 2 to " + cap);
    }
    if (headerLength > maxBytes - 8) {
      throw bad(source, "it declares a header of " + headerLength + " bytes, past the end of the "
          + "file (at most " + maxBytes + " bytes in all); the file is truncated or corrupt");
    }
    // readNBytes grows its buffer as bytes arrive, so a short stream costs only what it holds.
    byte[] header = in.readNBytes((int) headerLength);
    if (header.length < headerLength) {
      throw bad(source, "the file ends " + header.length + " bytes into its " + headerLength
          + "-byte header; the file is truncated");
    }
    List<Entry> entries = new ArrayList<>();
    Map<String, String> metadata = parseHeader(header, source, entries, maxTokens, maxTensors);

    // The safetensors rule: sorted by offsets, the tensors tile the data section exactly.
    entries.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
    long expected = 0;
    Entry previous = null;
    for (Entry e : entries) {
      if (e.begin < expected) {
        throw bad(source, "tensor '" + e.name + "' at data_offsets [" + e.begin + ", " + e.end
            + "] overlaps tensor '" + previous.name + "' at [" + previous.begin + ", "
            + previous.end + "]");
      }
      if (e.begin > expected) {
        throw bad(source, "bytes [" + expected + ", " + e.begin + ") of the data belong to no "
            + "tensor (a gap before tensor '" + e.name + "'); tensors must be contiguous");
      }
      expected = e.end;
      previous = e;
    }
    long available = maxBytes - 8 - headerLength;
    if (expected > available) {
      throw bad(source, "its header describes " + expected + " bytes of tensor data but at most "
          + available + " bytes follow the header; the file is truncated or corrupt");
    }

    byte[] raw = new byte[8 + header.length];
    System.arraycopy(prefix, 0, raw, 0, 8);
    System.arraycopy(header, 0, raw, 8, header.length);
    return new Header(List.copyOf(entries), metadata, expected, raw);
  }

  /**
   * Reads the tensors {@code header} describes from {@code in}, which is positioned after the
   * header, handing each one's values to {@code sink} in data order, then checks that nothing
   * follows. Each array is allocated once, at its final size: the caller has checked the header
   * against the bytes the file really holds.
   */
  static void readTensors(InputStream in, Header header, String source,
      BiConsumer<Entry, float[]> sink) throws IOException {
    byte[] chunk = new byte[CHUNK_BYTES];
    for (Entry e : header.entries()) {
      sink.accept(e, readFloats(in, e, chunk, source, true));
    }
    requireEnd(in, source);
  }

  private static void requireEnd(InputStream in, String source) throws IOException {
    if (in.read() != -1) {
      throw bad(source, "it has bytes after the last tensor's data; the tensors must end the file");
    }
  }

  /** One tensor as the header describes it: {@code [begin, end)} within the data section. */
  record Entry(String name, int[] shape, long begin, long end) {}

  /** Fills {@code entries} from the header JSON and returns its metadata. */
  private static Map<String, String> parseHeader(byte[] header, String source, List<Entry> entries,
      long maxTokens, int maxTensors) {
    if (header[0] != '{') {
      throw bad(source, "its header does not start with '{'; it is not a safetensors file");
    }
    String what = source + " is not a valid safetensors file: its header";
    String text = Json.utf8(header, what);
    Json.validate(text, what, maxTokens, "maxJsonTokens");
    JsonNode root = Json.parse(text, what);
    Map<String, String> metadata = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> field : root.properties()) {
      if (field.getKey().equals(METADATA_KEY)) {
        readMetadata(field.getValue(), source, metadata);
      } else {
        if (entries.size() == maxTensors) {
          throw bad(source, "its header describes more than " + maxTensors + " tensors, over the "
              + "limit (maxTensors=" + maxTensors + "); the file is damaged or hostile, or, if it "
              + "is genuine, raise maxTensors");
        }
        entries.add(entry(field.getKey(), field.getValue(), source));
      }
    }
    return metadata;
  }

  private static void readMetadata(JsonNode node, String source, Map<String, String> metadata) {
    if (!node.isObject()) {
      throw bad(source, "__metadata__ must be an object of strings, received " + node.getNodeType());
    }
    for (Map.Entry<String, JsonNode> field : node.properties()) {
      if (!field.getValue().isTextual()) {
        throw bad(source, "__metadata__ value '" + abbreviate(field.getKey()) + "' must be a "
            + "string, received " + field.getValue().getNodeType());
      }
      metadata.put(field.getKey(), field.getValue().textValue());
    }
  }

  private static Entry entry(String name, JsonNode info, String source) {
    String problem = nameProblem(name);
    if (problem != null) {
      throw bad(source, "tensor name '" + abbreviate(name) + "' " + problem);
    }
    String what = "tensor '" + name + "'";
    if (!info.isObject() || info.size() != 3 || !info.has("dtype") || !info.has("shape")
        || !info.has("data_offsets")) {
      throw bad(source, what + " must be described by exactly dtype, shape and data_offsets, "
          + "received " + abbreviate(info.toString()));
    }
    String dtype = info.get("dtype").asText();
    if (!dtype.equals("F32")) {
      throw bad(source, what + " has dtype " + abbreviate(dtype) + " but Lepton reads only F32 "
          + "(float32) tensors; convert the weights to float32 before saving them "
          + "(in PyTorch: tensor.float())");
    }
    JsonNode shapeNode = info.get("shape");
    if (!shapeNode.isArray() || shapeNode.size() > MAX_RANK) {
      throw bad(source, what + " needs a shape that is an array of at most " + MAX_RANK
          + " dimensions, received " + abbreviate(shapeNode.toString()));
    }
    int[] shape = new int[shapeNode.size()];
    long elements = 1;
    for (int i = 0; i < shape.length; i++) {
      JsonNode d = shapeNode.get(i);
      if (!d.isIntegralNumber() || !d.canConvertToInt() || d.intValue() < 0) {
        throw bad(source, what + " has shape " + abbreviate(shapeNode.toString()) + "; expected "
            + "dimensions that are integers from 0 to " + Integer.MAX_VALUE);
      }
      shape[i] = d.intValue();
      // Both factors are below 2^31, so the product cannot overflow a long before this check.
      elements *= shape[i];
      if (elements > Tensor.MAX_SIZE) {
        throw bad(source, what + " has shape " + abbreviate(shapeNode.toString())
            + " with more than " + Tensor.MAX_SIZE + " elements, more than one tensor can hold");
      }
    }
    JsonNode offsets = info.get("data_offsets");
    if (!offsets.isArray() || offsets.size() != 2
        || !isOffset(offsets.get(0)) || !isOffset(offsets.get(1))
        || offsets.get(0).longValue() > offsets.get(1).longValue()) {
      throw bad(source, what + " has data_offsets " + abbreviate(offsets.toString())
          + "; expected [begin, end] with 0 <= begin <= end");
    }
    long begin = offsets.get(0).longValue();
    long end = offsets.get(1).longValue();
    if (end - begin != 4 * elements) {
      throw bad(source, what + " has shape " + Arrays.toString(shape) + ", which needs "
          + 4 * elements + " bytes of F32 data, but its data_offsets [" + begin + ", " + end
          + "] span " + (end - begin) + " bytes");
    }
    return new Entry(name, shape, begin, end);
  }

  private static boolean isOffset(JsonNode n) {
    return n.isIntegralNumber() && n.canConvertToLong() && n.longValue() >= 0;
  }

  /**
   * Reads one tensor's little-endian floats. With {@code sized} the caller has checked that the
   * bytes are really there, and the array is allocated once at its final size; otherwise it grows
   * as bytes actually arrive, so a stream that ends early never makes us hold more than twice what
   * it really contained.
   */
  private static float[] readFloats(InputStream in, Entry e, byte[] chunk, String source,
      boolean sized) throws IOException {
    int count = (int) ((e.end - e.begin) / 4);
    float[] values = new float[sized ? count : Math.min(count, chunk.length / 4)];
    for (int done = 0; done < count; ) {
      int n = Math.min(count - done, chunk.length / 4);
      int got = in.readNBytes(chunk, 0, n * 4);
      if (got < n * 4) {
        throw bad(source, "the file ends " + (4L * done + got) + " bytes into the "
            + (e.end - e.begin) + " bytes of tensor '" + e.name + "'; the file is truncated");
      }
      if (done + n > values.length) {
        values = Arrays.copyOf(values, (int) Math.min(count, Math.max(done + n, 2L * values.length)));
      }
      ByteBuffer.wrap(chunk, 0, n * 4).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer()
          .get(values, done, n);
      done += n;
    }
    return values;
  }

  private static String abbreviate(String s) {
    return s.length() <= 80 ? s : s.substring(0, 77) + "...";
  }

  private static LeptonException bad(String source, String problem) {
    return new LeptonException(source + " is not a valid safetensors file: " + problem);
  }
}
