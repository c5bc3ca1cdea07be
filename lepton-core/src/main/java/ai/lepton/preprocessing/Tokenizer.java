package ai.lepton.preprocessing;

import ai.lepton.LeptonException;
import ai.lepton.internal.Args;
import ai.lepton.internal.Json;
import ai.lepton.internal.Messages;
import ai.lepton.tensor.Tensor;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Turns texts into sequences of word indices, as Keras' {@code Tokenizer} does: lower-case, replace
 * every {@link #DEFAULT_FILTERS} character by the split string, split on it, drop empty words.
 * {@link #fitOnTexts} counts words; {@link #wordIndex} numbers them from 1 by descending count,
 * ties in order of first appearance, with the OOV token (when set) first at 1.
 * {@link #textsToSequences} keeps only words with an index below {@code numWords} (when set) and
 * maps the others to the OOV index, or drops them when there is no OOV token.
 *
 * <p>Not thread-safe while fitting. {@link #toJson} and {@link #fromJson} save and restore the
 * configuration and word counts.
 */
public final class Tokenizer {
  /** Keras' default filters: punctuation, tab and newline. */
  public static final String DEFAULT_FILTERS = "!\"#$%&()*+,-./:;<=>?@[\\]^_`{|}~\t\n";
  /** The most distinct words a tokenizer keeps, and so the most a saved one may hold. */
  public static final int MAX_WORDS = 10_000_000;

  private final int numWords;
  private final String filters;
  private final boolean lower;
  private final String split;
  private final String oovToken;
  private final Map<String, Long> wordCounts = new LinkedHashMap<>(); // in order of first use
  private Map<String, Integer> wordIndex = Map.of();
  private long documentCount;

  /** Keras' defaults: all words, default filters, lower-casing, split on spaces, no OOV token. */
  public Tokenizer() {
    this(0, null);
  }

  /**
   * Keeps the {@code numWords - 1} most frequent words ({@code 0} keeps all) and maps other words
   * to {@code oovToken} ({@code null} drops them).
   */
  public Tokenizer(int numWords, String oovToken) {
    this(numWords, DEFAULT_FILTERS, true, " ", oovToken);
  }

  /**
   * Every Keras option.
   *
   * @throws LeptonException if {@code numWords} is negative or {@code split} is empty
   */
  public Tokenizer(int numWords, String filters, boolean lower, String split, String oovToken) {
    if (numWords < 0) {
      throw new LeptonException("numWords must be 0 (keep all words) or positive; received "
          + numWords);
    }
    if (split == null || split.isEmpty() || filters == null) {
      throw new LeptonException("split must be a non-empty string and filters a string (empty "
          + "for none); received split=" + split + ", filters=" + filters);
    }
    this.numWords = numWords;
    this.filters = filters;
    this.lower = lower;
    this.split = split;
    this.oovToken = oovToken;
  }

  /** The words of {@code text}, as Keras' {@code text_to_word_sequence}. */
  public List<String> words(String text) {
    Args.nonNull(text, "Tokenizer.words", "text");
    String t = lower ? text.toLowerCase(Locale.ROOT) : text;
    StringBuilder replaced = new StringBuilder(t.length());
    for (int i = 0; i < t.length(); i++) {
      char c = t.charAt(i);
      if (filters.indexOf(c) >= 0) {
        replaced.append(split);
      } else {
        replaced.append(c);
      }
    }
    List<String> words = new ArrayList<>();
    String s = replaced.toString();
    for (int start = 0; start <= s.length(); ) {
      int end = s.indexOf(split, start);
      if (end < 0) {
        end = s.length();
      }
      if (end > start) {
        words.add(s.substring(start, end));
      }
      start = end + split.length();
    }
    return words;
  }

  /**
   * Counts the words of {@code texts}, adding to earlier counts, and renumbers {@link #wordIndex}.
   *
   * @throws LeptonException if the vocabulary would grow past {@link #MAX_WORDS}
   */
  public void fitOnTexts(List<String> texts) {
    Args.noNulls(texts, "Tokenizer.fitOnTexts", "texts");
    Map<String, Long> counts = new LinkedHashMap<>(wordCounts); // all or nothing
    for (String text : texts) {
      for (String w : words(text)) {
        counts.merge(w, 1L, Long::sum);
        if (counts.size() > MAX_WORDS) {
          throw new LeptonException("tokenizer vocabulary exceeds " + MAX_WORDS + " distinct "
              + "words; clean the texts (filters, lower-casing) or fit on fewer of them");
        }
      }
    }
    wordCounts.putAll(counts);
    documentCount += texts.size();
    reindex();
  }

  private void reindex() {
    List<Map.Entry<String, Long>> sorted = new ArrayList<>(wordCounts.entrySet());
    sorted.sort(Collections.reverseOrder(Map.Entry.comparingByValue())); // stable: ties keep order
    Map<String, Integer> index = new LinkedHashMap<>();
    if (oovToken != null) {
      index.put(oovToken, 1);
    }
    int next = index.size() + 1;
    for (Map.Entry<String, Long> e : sorted) {
      index.put(e.getKey(), next++); // as Keras' dict(zip(...)): a word equal to the OOV token wins
    }
    wordIndex = Collections.unmodifiableMap(index);
  }

  /** Each text as word indices (see the class comment for which words are kept). */
  public int[][] textsToSequences(List<String> texts) {
    Args.noNulls(texts, "Tokenizer.textsToSequences", "texts");
    Integer oovIndex = oovToken == null ? null : wordIndex.get(oovToken);
    int[][] out = new int[texts.size()][];
    for (int t = 0; t < out.length; t++) {
      List<Integer> seq = new ArrayList<>();
      for (String w : words(texts.get(t))) {
        Integer i = wordIndex.get(w);
        if (i != null && (numWords == 0 || i < numWords)) {
          seq.add(i);
        } else if (oovIndex != null) {
          seq.add(oovIndex);
        }
      }
      out[t] = seq.stream().mapToInt(Integer::intValue).toArray();
    }
    return out;
  }

  /**
   * Each text as a bag of words, as Keras' {@code texts_to_matrix}: row {@code i}, column
   * {@code j} holds, for word index {@code j} in text {@code i}, {@code 1} ({@code "binary"}), its
   * count ({@code "count"}) or its count over the text's kept words ({@code "freq"}). There are
   * {@code numWords} columns, or one more than the word index holds when {@code numWords} is 0;
   * column 0 stays 0. The input of a bag-of-words model.
   *
   * @return a {@code [texts.size(), columns]} tensor
   * @throws LeptonException for another mode, an unfitted tokenizer without {@code numWords}, or
   *     more than {@code Integer.MAX_VALUE} values
   */
  public Tensor textsToMatrix(List<String> texts, String mode) {
    Args.noNulls(texts, "Tokenizer.textsToMatrix", "texts");
    Args.nonNull(mode, "Tokenizer.textsToMatrix", "mode");
    if (!List.of("binary", "count", "freq").contains(mode)) {
      throw new LeptonException("textsToMatrix: mode must be \"binary\", \"count\" or \"freq\"; "
          + "received " + mode);
    }
    int columns = numWords > 0 ? numWords : wordIndex.size() + 1;
    if (columns == 1 || (long) texts.size() * columns > Integer.MAX_VALUE) {
      throw new LeptonException("textsToMatrix: expected a fitted tokenizer or numWords, and at "
          + "most " + Integer.MAX_VALUE + " values; received " + texts.size() + " texts x "
          + columns + " columns; call fitOnTexts first, or set numWords lower");
    }
    float[] out = new float[texts.size() * columns]; // (texts, columns)
    int[][] sequences = textsToSequences(texts);
    for (int t = 0; t < sequences.length; t++) {
      int row = t * columns;
      for (int j : sequences[t]) { // every index is below columns: textsToSequences keeps those
        out[row + j]++;
      }
      if (!mode.equals("count")) {
        for (int j = row; j < row + columns; j++) {
          out[j] = out[j] == 0 ? 0 : mode.equals("binary") ? 1 : out[j] / sequences[t].length;
        }
      }
    }
    return Tensor.of(out, texts.size(), columns);
  }

  /**
   * A copy holding only the words {@link #textsToSequences} can emit (those with an index below
   * {@code numWords}), so it maps every text exactly as this one does with a state that stays
   * small however large the fitted vocabulary was. The kept words are the top of the ranking, and
   * re-ranking them alone, stably, gives each the same index. A word spelled like the OOV token
   * takes over the OOV index (as in Keras), so then nothing is dropped.
   */
  Tokenizer keptWordsCopy() {
    Tokenizer copy = new Tokenizer(numWords, filters, lower, split, oovToken);
    boolean trim = numWords > 0 && (oovToken == null || !wordCounts.containsKey(oovToken));
    wordCounts.forEach((w, c) -> {
      if (!trim || wordIndex.get(w) < numWords) {
        copy.wordCounts.put(w, c);
      }
    });
    copy.documentCount = documentCount;
    copy.reindex();
    return copy;
  }

  /** Word to index (1-based), most frequent first; unmodifiable. */
  public Map<String, Integer> wordIndex() {
    return wordIndex;
  }

  /** Word to count over all fitted texts, in order of first appearance; unmodifiable. */
  public Map<String, Long> wordCounts() {
    return Collections.unmodifiableMap(wordCounts);
  }

  /** The number of texts fitted so far. */
  public long documentCount() {
    return documentCount;
  }

  /** The configuration and word counts as JSON (Keras' option names); see {@link #fromJson}. */
  public String toJson() {
    return toTree().toString();
  }

  /** What {@link #toJson} writes, as a tree that {@link PreprocessingJson} nests in its own. */
  ObjectNode toTree() {
    ObjectNode root = Json.object();
    root.put("num_words", numWords);
    root.put("filters", filters);
    root.put("lower", lower);
    root.put("split", split);
    root.put("oov_token", oovToken);
    root.put("document_count", documentCount);
    ObjectNode counts = root.putObject("word_counts");
    wordCounts.forEach(counts::put);
    return root;
  }

  /**
   * Restores a tokenizer saved by {@link #toJson}; its word index is rebuilt from the counts.
   * Reading is strict, as the JSON may come from a hostile model file: every field must be there
   * with its type, and nothing else may.
   *
   * @throws LeptonException if the JSON is invalid, nested too deep, too long for the heap, lacks a
   *     field or has an unknown or mistyped one, holds more than {@link #MAX_WORDS} words, an empty
   *     word or a count that is not a positive integer, or counts words of no document
   */
  public static Tokenizer fromJson(String json) {
    return fromTree(PreprocessingJson.parse(json, "tokenizer JSON", "Tokenizer.toJson()"));
  }

  /** {@link #fromJson} on a parsed tree, such as the one nested in a preprocessing state. */
  static Tokenizer fromTree(JsonNode root) {
    List<String> expected = List.of("num_words", "filters", "lower", "split", "oov_token",
        "document_count", "word_counts");
    if (!root.isObject()) {
      throw new LeptonException("tokenizer JSON must be an object; received "
          + root.getNodeType() + "; pass the text Tokenizer.toJson() returned");
    }
    for (String field : expected) {
      if (!root.has(field)) {
        throw new LeptonException("tokenizer JSON lacks the field '" + field + "'; pass the text "
            + "Tokenizer.toJson() returned");
      }
    }
    root.fieldNames().forEachRemaining(field -> {
      if (!expected.contains(field)) {
        throw new LeptonException("tokenizer JSON has the unknown field '"
            + Messages.shorten(field) + "'; expected only " + expected);
      }
    });
    JsonNode oov = root.get("oov_token");
    if (!oov.isNull() && !oov.isTextual()) {
      throw mistyped("oov_token", "a string or null", oov);
    }
    Tokenizer t = new Tokenizer((int) integer(root, "num_words", Integer.MAX_VALUE),
        text(root, "filters"), bool(root, "lower"), text(root, "split"),
        oov.isNull() ? null : oov.asText());
    JsonNode counts = root.get("word_counts");
    if (!counts.isObject()) {
      throw mistyped("word_counts", "an object of word counts", counts);
    }
    if (counts.size() > MAX_WORDS) {
      throw new LeptonException("tokenizer JSON holds " + counts.size() + " words, over the "
          + "limit of " + MAX_WORDS + "; keep fewer words (a TextPreprocessing with numWords "
          + "saves only the words it uses)");
    }
    t.documentCount = integer(root, "document_count", Long.MAX_VALUE);
    if (t.documentCount == 0 && !counts.isEmpty()) {
      throw new LeptonException("tokenizer JSON counts " + counts.size() + " words but "
          + "document_count is 0; the state is inconsistent: save the tokenizer again");
    }
    for (Map.Entry<String, JsonNode> e : counts.properties()) {
      JsonNode count = e.getValue();
      if (e.getKey().isEmpty() || !count.isIntegralNumber() || !count.canConvertToLong()
          || count.asLong() < 1) {
        throw new LeptonException("tokenizer JSON: the count of word '"
            + Messages.shorten(e.getKey()) + "' must be a positive integer" + (e.getKey().isEmpty()
            ? " and the word not empty" : "") + "; received " + Messages.shorten(count.toString()));
      }
      t.wordCounts.put(e.getKey(), count.asLong());
    }
    t.reindex();
    return t;
  }

  /** The integer field {@code name}, 0 to {@code max}. */
  private static long integer(JsonNode root, String name, long max) {
    JsonNode v = root.get(name);
    if (!v.isIntegralNumber() || !v.canConvertToLong() || v.asLong() < 0 || v.asLong() > max) {
      throw mistyped(name, "an integer from 0 to " + max, v);
    }
    return v.asLong();
  }

  private static String text(JsonNode root, String name) {
    JsonNode v = root.get(name);
    if (!v.isTextual()) {
      throw mistyped(name, "a string", v);
    }
    return v.asText();
  }

  private static boolean bool(JsonNode root, String name) {
    JsonNode v = root.get(name);
    if (!v.isBoolean()) {
      throw mistyped(name, "true or false", v);
    }
    return v.asBoolean();
  }

  private static LeptonException mistyped(String name, String expected, JsonNode received) {
    return new LeptonException("tokenizer JSON: '" + name + "' must be " + expected
        + "; received " + Messages.shorten(received.toString()));
  }
}
