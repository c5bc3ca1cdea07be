package ai.lepton.preprocessing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.lepton.LeptonAssertions;
import ai.lepton.LeptonException;
import ai.lepton.internal.Memory;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * Saved preprocessing states (tokenizer, scalers, imputer, label encoder, the serving pipelines'
 * JSON) against hostile input, under {@code -Xmx256m}: deep nesting, documents too large for the
 * heap, inconsistent or mistyped fields, NaN and infinities, nulls. Each must end quickly in a
 * {@link LeptonException} that says what was wrong.
 */
class PreprocessingStateHostileTest {
  private static final String TOKENIZER = "{\"num_words\":0,\"filters\":\"\",\"lower\":true,"
      + "\"split\":\" \",\"oov_token\":null,\"document_count\":1,\"word_counts\":%s}";

  @BeforeAll
  static void warmUp() {
    Tokenizer.fromJson(TOKENIZER.formatted("{\"a\":1}"));
  }

  /** The message of the error {@code read} ends in, quickly ({@link LeptonAssertions#refusedQuickly}). */
  private static String refused(Executable read) {
    return LeptonAssertions.refusedQuickly(read).getMessage();
  }

  /** A feature pipeline's JSON over two columns with this scaler config and imputer. */
  private static String features(String scalerConfig, String imputer) {
    return "{\"kind\":\"features\",\"columns\":[\"a\",\"b\"],\"imputer\":" + imputer
        + ",\"scaler\":{\"class_name\":\"StandardScaler\",\"config\":" + scalerConfig + "}}";
  }

  @Test
  void deepNestingIsRefusedByTheParser() {
    String deep = "[".repeat(100_000);
    assertTrue(refused(() -> Tokenizer.fromJson(TOKENIZER.formatted(deep)))
        .startsWith("tokenizer JSON is over a JSON parser limit (Document nesting depth (17) "
            + "exceeds the maximum allowed (16"));
    assertTrue(refused(() -> Preprocessing.fromJson("{\"kind\":" + deep))
        .startsWith("preprocessing JSON is over a JSON parser limit (Document nesting depth"));
  }

  @Test
  void aStateTooLargeForTheHeapIsRefusedFromItsLength() {
    // Real word counts up to one character past what the heap budget allows.
    long limit = Memory.budget() / PreprocessingJson.BYTES_PER_CHAR;
    StringBuilder counts = new StringBuilder("{");
    for (int i = 0; counts.length() <= limit; i++) {
      counts.append("\"w").append(i).append("\":1,");
    }
    counts.append("\"w\":1}");
    String json = TOKENIZER.formatted(counts);
    assertEquals("tokenizer JSON of " + json.length() + " characters, once read, needs "
        + 32L * json.length() + " bytes of memory, over the budget of " + Memory.budget()
        + " (half the maximum heap); save a smaller state (fewer words or features), or give the "
        + "JVM more heap with -Xmx", refused(() -> Tokenizer.fromJson(json)));
  }

  @Test
  void inconsistentOrMistypedTokenizerStatesAreRefused() {
    assertEquals("tokenizer JSON counts 1 words but document_count is 0; the state is "
        + "inconsistent: save the tokenizer again", refused(() -> Tokenizer.fromJson(
            TOKENIZER.replace("\"document_count\":1", "\"document_count\":0")
                .formatted("{\"a\":1}"))));
    assertEquals("tokenizer JSON: the count of word 'a' must be a positive integer; received 1.5",
        refused(() -> Tokenizer.fromJson(TOKENIZER.formatted("{\"a\":1.5}"))));
    assertEquals("tokenizer JSON: the count of word '' must be a positive integer and the word "
        + "not empty; received 1", refused(() -> Tokenizer.fromJson(TOKENIZER.formatted(
            "{\"\":1}"))));
    assertEquals("tokenizer JSON: the count of word 'a' must be a positive integer; received "
        + "null", refused(() -> Tokenizer.fromJson(TOKENIZER.formatted("{\"a\":null}"))));
    assertEquals("tokenizer JSON: 'num_words' must be an integer from 0 to 2147483647; received "
        + "\"all\"", refused(() -> Tokenizer.fromJson(TOKENIZER.replace("\"num_words\":0",
            "\"num_words\":\"all\"").formatted("{}"))));
    assertEquals("tokenizer JSON: 'num_words' must be an integer from 0 to 2147483647; received "
        + "4294967296", refused(() -> Tokenizer.fromJson(TOKENIZER.replace("\"num_words\":0",
            "\"num_words\":4294967296").formatted("{}"))));
    assertEquals("tokenizer JSON: 'filters' must be a string; received null",
        refused(() -> Tokenizer.fromJson(TOKENIZER.replace("\"filters\":\"\"",
            "\"filters\":null").formatted("{}"))));
    assertEquals("tokenizer JSON: 'word_counts' must be an object of word counts; received [1]",
        refused(() -> Tokenizer.fromJson(TOKENIZER.formatted("[1]"))));
    assertEquals("tokenizer JSON has the unknown field 'word_index'; expected only [num_words, "
        + "filters, lower, split, oov_token, document_count, word_counts]",
        refused(() -> Tokenizer.fromJson(TOKENIZER.replace("}", ",\"word_index\":{}}")
            .formatted("{}"))));
    assertTrue(refused(() -> Tokenizer.fromJson(TOKENIZER.formatted("{\"a\":1,\"a\":2}")))
        .startsWith("tokenizer JSON is not valid JSON (Duplicate field 'a')"));
  }

  @Test
  void scalerStatesWithMismatchedLengthsNanOrInfinityAreRefused() {
    assertEquals("StandardScaler needs one mean and one scale per feature; received 2 means and "
        + "1 scales", refused(() -> Preprocessing.fromJson(features(
            "{\"mean\":[0,1],\"scale\":[1]}", "null"))));
    assertEquals("StandardScaler state: 'mean' holds Infinity at position 1; a fitted scaler "
        + "holds finite numbers: fit it on columns that have values", refused(() ->
            Preprocessing.fromJson(features("{\"mean\":[0,1e999],\"scale\":[1,1]}", "null"))));
    assertTrue(refused(() -> Preprocessing.fromJson(features("{\"mean\":[NaN,0],\"scale\":[1,1]}",
        "null"))).startsWith("preprocessing JSON is not valid JSON (Non-standard token 'NaN'"));
    assertEquals("StandardScaler state: 'mean' must hold numbers; received NaN at position 0",
        refused(() -> Preprocessing.fromJson(features("{\"mean\":[\"NaN\",0],\"scale\":[1,1]}",
            "null"))));
    assertEquals("StandardScaler state: 'scale' holds 0.0 at position 0; scales must be positive",
        refused(() -> Preprocessing.fromJson(features("{\"mean\":[0,0],\"scale\":[0,1]}",
            "null"))));
    assertEquals("StandardScaler state: 'mean' must hold numbers; received null at position 0",
        refused(() -> Preprocessing.fromJson(features("{\"mean\":[null,0],\"scale\":[1,1]}",
            "null"))));
    assertEquals("MinMaxScaler state: feature 0 has data_min 2.0 above data_max 1.0; a fitted "
        + "minimum is at most the maximum", refused(() -> MinMaxScaler.fromState(Map.of(
            "feature_range", List.of(0, 1), "data_min", List.of(2), "data_max", List.of(1)))));
    // Lists that declare more features than any pipeline holds are refused before copying.
    List<Double> many = Collections.nCopies(FeaturePreprocessing.MAX_FEATURES + 1, 1.0);
    assertEquals("StandardScaler state: 'scale' holds 100001 numbers, over the limit of 100000 "
        + "features", refused(() -> StandardScaler.fromState(Map.of("mean", many, "scale",
            many))));
  }

  @Test
  void nullsAndOversizedListsInOtherStatesAreRefused() {
    assertEquals("Imputer state: the fill of numeric column 'a' must be a number; received null",
        refused(() -> Preprocessing.fromJson(features("{\"mean\":[0,0],\"scale\":[1,1]}",
            "{\"strategy\":\"mean\",\"numbers\":{\"a\":null},\"texts\":{}}"))));
    assertEquals("Imputer: strategy must be one of [mean, median, most_frequent, constant]; "
        + "received null", refused(() -> new Imputer(null, Map.of("a", 1f), Map.of())));
    assertEquals("preprocessing JSON: 'columns' must hold strings; received null",
        refused(() -> Preprocessing.fromJson(features("{\"mean\":[0,0],\"scale\":[1,1]}", "null")
            .replace("[\"a\",\"b\"]", "[null,\"b\"]"))));
    assertEquals("preprocessing JSON: 'maxlen' must be an integer; received null",
        refused(() -> Preprocessing.fromJson("{\"kind\":\"text\",\"tokenizer\":"
            + TOKENIZER.formatted("{\"a\":1}") + ",\"maxlen\":null,\"padding\":\"pre\","
            + "\"truncating\":\"pre\",\"value\":0,\"max_chars\":10}")));
    assertEquals("LabelEncoder state: 'classes' holds 1000001 classes, over the limit of 1000000",
        refused(() -> LabelEncoder.fromState(Map.of("classes",
            Collections.nCopies(LabelEncoder.MAX_CLASSES + 1, "a")))));
    assertEquals("LabelEncoder state: 'classes' must hold strings; received null at position 1",
        refused(() -> LabelEncoder.fromState(Map.of("classes", java.util.Arrays.asList("a",
            null)))));
  }
}
