package ai.lepton.preprocessing;

import ai.lepton.LeptonException;
import ai.lepton.internal.Json;
import ai.lepton.internal.Memory;
import ai.lepton.internal.Messages;
import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The JSON form of {@link Preprocessing}: {@code {"kind": "text", ...}} or
 * {@code {"kind": "features", ...}}. Reading is strict, because the JSON comes from model files
 * that may be hostile: repeated keys, unknown fields and mistyped values are errors.
 */
final class PreprocessingJson {
  /** The deepest nesting a state may have; the deepest real one (a scaler's array) has 4. */
  static final int MAX_DEPTH = 16;
  /**
   * The heap one character of a state may take once read: the parsed tree, then the objects built
   * from it. The densest large state, a tokenizer of four-character words ({@code "a1b2":3,}),
   * measured 24 bytes a character on JDK 17 (11 for the tree, 13 for the count and index maps);
   * 32 leaves a margin.
   */
  static final int BYTES_PER_CHAR = 32;
  private static final Json.TreeReader READER = Json.reader(MAX_DEPTH);
  private static final List<String> KINDS = List.of("text", "features");
  private static final List<String> SCALERS = List.of("StandardScaler", "MinMaxScaler");

  private PreprocessingJson() {}

  static String text(TextPreprocessing p) {
    ObjectNode root = Json.object();
    root.put("kind", "text");
    root.set("tokenizer", p.tokenizer().toTree());
    root.put("maxlen", p.maxlen());
    root.put("padding", p.padding());
    root.put("truncating", p.truncating());
    root.put("value", p.value());
    root.put("max_chars", p.maxChars());
    return root.toString();
  }

  static String features(FeaturePreprocessing p) {
    ObjectNode root = Json.object();
    root.put("kind", "features");
    root.set("columns", Json.tree(p.columns()));
    // sorted keys: the states are Map.of, whose order changes from run to run
    root.set("imputer", p.imputer() == null ? null
        : Json.tree(new TreeMap<>(p.imputer().state())));
    ObjectNode scaler = root.putObject("scaler");
    scaler.put("class_name", p.scaler().getClass().getSimpleName());
    scaler.set("config", Json.tree(new TreeMap<>(p.scaler().state())));
    return root.toString();
  }

  static Preprocessing read(String json) {
    JsonNode root = parse(json, "preprocessing JSON", "Preprocessing.toJson()");
    if (!root.isObject() || !root.path("kind").isTextual()
        || !KINDS.contains(root.get("kind").asText())) {
      throw new LeptonException("preprocessing JSON must be an object with \"kind\" one of " + KINDS
          + "; received " + (root.isObject() ? "kind " + Messages.shorten(String.valueOf(
              root.get("kind"))) : root.getNodeType()));
    }
    if (root.get("kind").asText().equals("text")) {
      fields(root, "kind", "tokenizer", "maxlen", "padding", "truncating", "value", "max_chars");
      if (!root.get("tokenizer").isObject()) {
        throw new LeptonException("preprocessing JSON: 'tokenizer' must be an object (the "
            + "Tokenizer's JSON); received " + root.get("tokenizer").getNodeType());
      }
      return new TextPreprocessing(Tokenizer.fromTree(root.get("tokenizer")),
          integer(root, "maxlen"), string(root, "padding"), string(root, "truncating"),
          (float) number(root, "value"), integer(root, "max_chars"));
    }
    fields(root, "kind", "columns", "imputer", "scaler");
    JsonNode columns = root.get("columns");
    if (!columns.isArray() || columns.size() > FeaturePreprocessing.MAX_FEATURES) {
      throw new LeptonException("preprocessing JSON: 'columns' must be an array of at most "
          + FeaturePreprocessing.MAX_FEATURES + " names; received " + columns.getNodeType()
          + (columns.isArray() ? " of " + columns.size() : ""));
    }
    List<String> names = new ArrayList<>();
    for (JsonNode c : columns) {
      if (!c.isTextual()) {
        throw new LeptonException("preprocessing JSON: 'columns' must hold strings; received "
            + Messages.shorten(c.toString()));
      }
      names.add(c.asText());
    }
    JsonNode imputer = root.get("imputer");
    JsonNode scaler = root.get("scaler");
    if (!(imputer.isNull() || imputer.isObject()) || !scaler.isObject()) {
      throw new LeptonException("preprocessing JSON: 'imputer' must be an object or null and "
          + "'scaler' an object; received " + imputer.getNodeType() + " and "
          + scaler.getNodeType());
    }
    fields(scaler, "class_name", "config");
    String className = scaler.get("class_name").asText();
    if (!SCALERS.contains(className) || !scaler.get("config").isObject()) {
      throw new LeptonException("preprocessing JSON: the scaler's class_name must be one of "
          + SCALERS + " and its config an object; received "
          + Messages.shorten(scaler.get("class_name").toString()));
    }
    Map<String, Object> state = Json.toMap(scaler.get("config"));
    return new FeaturePreprocessing(names,
        imputer.isNull() ? null : Imputer.fromState(Json.toMap(imputer)),
        className.equals("StandardScaler") ? StandardScaler.fromState(state)
            : MinMaxScaler.fromState(state));
  }

  /**
   * Parses a saved state, after checking from its length that what it holds fits the heap.
   *
   * @param what names the state in errors, such as "tokenizer JSON"
   * @param writer the method whose output is expected, for errors
   */
  static JsonNode parse(String json, String what, String writer) {
    if (json == null) {
      throw new LeptonException(what + " is null; pass json, the text " + writer + " returned");
    }
    Memory.check((long) json.length() * BYTES_PER_CHAR, what + " of " + json.length()
        + " characters, once read,", "save a smaller state (fewer words or features)");
    try {
      JsonNode node = READER.read(json);
      if (node == null || node.isMissingNode()) {
        throw new LeptonException(what + " is empty; expected a JSON object");
      }
      return node;
    } catch (StreamConstraintsException e) { // nested deeper than MAX_DEPTH, a number too long
      throw new LeptonException(what + " is over a JSON parser limit (" + e.getOriginalMessage()
          + "); pass the text " + writer + " returned", e);
    } catch (JacksonException e) {
      throw new LeptonException(what + " is not valid JSON (" + e.getOriginalMessage()
          + "); pass the text " + writer + " returned", e);
    }
  }

  /** Exactly these fields: a missing one is an error, and so is an unknown one (a typo). */
  private static void fields(JsonNode node, String... expected) {
    Set<String> actual = new TreeSet<>();
    node.fieldNames().forEachRemaining(actual::add);
    if (!actual.equals(new TreeSet<>(List.of(expected)))) {
      throw new LeptonException("preprocessing JSON: expected exactly the fields "
          + new TreeSet<>(List.of(expected)) + "; received " + Messages.shorten(actual.toString()));
    }
  }

  private static int integer(JsonNode root, String field) {
    JsonNode v = root.get(field);
    if (!v.isIntegralNumber() || !v.canConvertToInt()) {
      throw new LeptonException("preprocessing JSON: '" + field + "' must be an integer; received "
          + Messages.shorten(v.toString()));
    }
    return v.intValue();
  }

  private static double number(JsonNode root, String field) {
    JsonNode v = root.get(field);
    if (!v.isNumber()) {
      throw new LeptonException("preprocessing JSON: '" + field + "' must be a number; received "
          + Messages.shorten(v.toString()));
    }
    return v.doubleValue();
  }

  private static String string(JsonNode root, String field) {
    JsonNode v = root.get(field);
    if (!v.isTextual()) {
      throw new LeptonException("preprocessing JSON: '" + field + "' must be a string; received "
          + Messages.shorten(v.toString()));
    }
    return v.asText();
  }
}
