package ai.lepton.internal;

import ai.lepton.LeptonException;
import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The one JSON configuration of Lepton (not API: see the package). Everything Lepton reads comes
 * from files that may be hostile, so every mapper here is strict in the same way:
 *
 * <ul>
 *   <li>a repeated key is an error: parsers disagree on which copy wins, and a file that two readers
 *       see differently is an attack surface;
 *   <li>anything after the top-level value is an error;
 *   <li>no comments, no NaN or infinity literals, no single quotes (plain RFC 8259 JSON);
 *   <li>no coercion: {@code "8"} or {@code 2.5} is not the integer 8 or 2;
 *   <li>Jackson's {@link StreamReadConstraints} bound the input before it costs memory: nesting
 *       {@value #MAX_DEPTH} deep, numbers of {@value #MAX_NUMBER_CHARS} characters, strings and
 *       documents of {@value #MAX_STRING_CHARS} characters, keys of {@value #MAX_NAME_CHARS}, and
 *       {@value #MAX_TOKENS} tokens per document. Readers apply their own, usually smaller, byte
 *       limits before parsing; these are the backstop;
 *   <li>no polymorphic typing: a type is never chosen by a name read from input.
 * </ul>
 */
public final class Json {
  /** Deeper than any Lepton config (a Functional model's references are 6 levels deep). */
  public static final int MAX_DEPTH = 64;
  /** Longer numbers are not floats or 64-bit integers anyway, and big ones are slow to parse. */
  public static final int MAX_NUMBER_CHARS = 100;
  /** The longest string value, and the longest document. */
  public static final int MAX_STRING_CHARS = 64 << 20;
  /** The longest object key. */
  public static final int MAX_NAME_CHARS = 64 << 10;
  /** Tokens per document: a tokenizer at its limit of 10 million words has about 20 million. */
  public static final long MAX_TOKENS = 25_000_000;

  /**
   * Plain JSON, for trees ({@link JsonNode}) and maps. Private, as every mapper here: a mapper can
   * be reconfigured by whoever holds it, so outside this class only the operations below exist.
   */
  private static final ObjectMapper MAPPER = strict().build();

  /**
   * For config records, whose Java names are camelCase ({@code useBias}) and whose JSON keys are
   * Keras' snake_case ({@code use_bias}); otherwise exactly as strict as {@link #MAPPER}.
   */
  private static final ObjectMapper SNAKE_CASE = strict()
      .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
      .build();

  private Json() {}

  /**
   * Parses JSON trees as strictly as {@link #parse}, with nesting bounded at a reader's own depth.
   * Immutable, and it hands out nothing that could change how it parses.
   */
  public static final class TreeReader {
    private final ObjectMapper mapper;

    private TreeReader(int maxDepth) {
      this.mapper = strict(maxDepth).build();
    }

    /**
     * The tree of {@code text}, or null for text with no value.
     *
     * @throws StreamConstraintsException for text nested deeper than the reader's depth, or over
     *     another parser limit (a number too long)
     * @throws JacksonException for anything else that is not one valid JSON value
     */
    public JsonNode read(String text) throws JacksonException {
      return mapper.readTree(text);
    }
  }

  /**
   * A reader of documents whose real shape is shallow, such as a JSON-lines row or a preprocessing
   * state, so that hostile nesting fails early: as strict as {@link #parse}, with nesting bounded
   * at {@code maxDepth} (below {@value #MAX_DEPTH}).
   */
  public static TreeReader reader(int maxDepth) {
    return new TreeReader(maxDepth);
  }

  /** A new, empty JSON object, to fill and write. */
  public static ObjectNode object() {
    return MAPPER.createObjectNode();
  }

  /** A new, empty JSON array, to fill and write. */
  public static ArrayNode array() {
    return MAPPER.createArrayNode();
  }

  /** {@code value} (a map, list, string, number or boolean) as a JSON tree. */
  public static JsonNode tree(Object value) {
    return MAPPER.valueToTree(value);
  }

  /** A config record as a JSON tree with Keras' snake_case keys ({@code use_bias}). */
  public static JsonNode configTree(Record config) {
    return SNAKE_CASE.valueToTree(config);
  }

  /**
   * Reads a config record from a tree with snake_case keys, as {@link #configTree} writes it:
   * unknown keys and mistyped values are errors, and so is anything the record's constructor
   * refuses.
   *
   * @param what starts the error message, e.g. {@code "invalid config for layer Dense"}
   * @throws LeptonException starting with {@code what}, followed by the first line of the reason
   */
  public static <C extends Record> C configValue(JsonNode node, Class<C> type, String what) {
    try {
      return SNAKE_CASE.treeToValue(node, type);
    } catch (JacksonException | IllegalArgumentException e) {
      throw new LeptonException(what + ": " + e.getMessage().lines().findFirst().orElse(""), e);
    }
  }

  private static JsonMapper.Builder strict() {
    return strict(MAX_DEPTH);
  }

  private static JsonMapper.Builder strict(int maxDepth) {
    JsonFactory factory = JsonFactory.builder()
        .streamReadConstraints(StreamReadConstraints.builder()
            .maxNestingDepth(maxDepth)
            .maxNumberLength(MAX_NUMBER_CHARS)
            .maxStringLength(MAX_STRING_CHARS)
            .maxNameLength(MAX_NAME_CHARS)
            .maxDocumentLength(MAX_STRING_CHARS)
            .maxTokenCount(MAX_TOKENS)
            .build())
        .build();
    return JsonMapper.builder(factory)
        .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
        .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
        .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
        .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
        .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
        .disable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
        .disable(JsonReadFeature.ALLOW_JAVA_COMMENTS)
        .disable(JsonReadFeature.ALLOW_SINGLE_QUOTES);
  }

  /**
   * Parses {@code text}, or throws a {@link LeptonException} starting with {@code what} (which
   * names the file or argument) and saying what is wrong.
   */
  public static JsonNode parse(String text, String what) {
    try {
      JsonNode node = MAPPER.readTree(text);
      if (node == null || node.isMissingNode()) {
        throw new LeptonException(what + " is empty; expected a JSON value such as {}");
      }
      return node;
    } catch (JacksonException e) {
      throw new LeptonException(what + " is not valid JSON (" + e.getOriginalMessage() + ")", e);
    }
  }

  /**
   * Checks that {@code text} is one valid JSON value of at most {@code maxTokens} tokens, without
   * building it: a document's tree costs up to about 70 bytes per token, so a reader bounds the
   * tokens before it parses a tree. Tokens are counted as Jackson counts them: each bracket, key
   * and scalar is one.
   *
   * @param limitName names the limit in the error message, e.g. {@code "maxJsonTokens"}
   * @throws LeptonException starting with {@code what} if the text is not valid JSON, is empty,
   *     has anything after the value, or has more tokens than the limit
   */
  public static void validate(String text, String what, long maxTokens, String limitName) {
    try (JsonParser p = MAPPER.createParser(text)) {
      long tokens = 0;
      int depth = 0;
      for (JsonToken t = p.nextToken(); t != null; t = p.nextToken()) {
        if (tokens > 0 && depth == 0) {
          throw new LeptonException(what + " is not valid JSON (a " + t + " after the value; a "
              + "document holds one value)");
        }
        if (++tokens > maxTokens) {
          throw new LeptonException(what + " holds more than " + maxTokens + " JSON tokens, over "
              + "the limit (" + limitName + "=" + maxTokens + "); the file is damaged or hostile, "
              + "or, if it is genuine, raise " + limitName);
        }
        depth += t.isStructStart() ? 1 : t.isStructEnd() ? -1 : 0;
      }
      if (tokens == 0) {
        throw new LeptonException(what + " is empty; expected a JSON value such as {}");
      }
    } catch (JacksonException e) {
      throw new LeptonException(what + " is not valid JSON (" + e.getOriginalMessage() + ")", e);
    } catch (IOException e) {
      throw new UncheckedIOException("reading a String does not fail", e);
    }
  }

  /** Parses {@code json} as an object, naming {@code what} if it is something else. */
  public static JsonNode parseObject(String text, String what) {
    JsonNode node = parse(text, what);
    if (!node.isObject()) {
      throw new LeptonException(what + " must be a JSON object, received " + node.getNodeType());
    }
    return node;
  }

  /** Pretty-printed JSON text of {@code node}. */
  public static String pretty(JsonNode node) {
    try {
      return MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(node);
    } catch (JsonProcessingException e) {
      throw new LeptonException("cannot write JSON: " + e.getOriginalMessage(), e);
    }
  }

  /** An object node as a map of plain Java values (strings, numbers, lists, maps). */
  public static Map<String, Object> toMap(JsonNode node) {
    return MAPPER.convertValue(node, new TypeReference<Map<String, Object>>() {});
  }

  /**
   * Decodes UTF-8, rejecting malformed bytes instead of replacing them, so that the text kept is
   * exactly what the file holds.
   */
  public static String utf8(byte[] bytes, String what) {
    try {
      return StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes))
          .toString();
    } catch (CharacterCodingException e) {
      throw new LeptonException(what + " is not valid UTF-8 text (" + e + ")", e);
    }
  }

  /**
   * Reads all of {@code in}, refusing it as soon as it holds more than {@code maxBytes}: the buffer
   * grows only as bytes arrive, and never past the limit, whatever size the source claims.
   *
   * @param limitName names the limit in the error message, e.g. {@code "maxConfigBytes"}
   * @throws LeptonException starting with {@code what} if the input is longer than the limit
   */
  public static byte[] readBounded(InputStream in, long maxBytes, String what, String limitName)
      throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] chunk = new byte[8192];
    long total = 0;
    while (true) {
      // Ask for one byte past the limit, so that input of exactly maxBytes is not an error.
      long room = maxBytes - total;
      int n = in.read(chunk, 0, room >= chunk.length ? chunk.length : (int) room + 1);
      if (n < 0) {
        return out.toByteArray();
      }
      total += n;
      if (total > maxBytes) {
        throw new LeptonException(what + " holds more than " + maxBytes + " bytes, over the limit ("
            + limitName + "=" + maxBytes + "); the file is damaged or hostile, or, if it is "
            + "genuine, raise " + limitName);
      }
      out.write(chunk, 0, n);
    }
  }
}
