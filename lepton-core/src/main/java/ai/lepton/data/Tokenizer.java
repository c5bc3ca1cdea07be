package ai.lepton.data;

import ai.lepton.LeptonException;
import ai.lepton.internal.Json;
import ai.lepton.tensor.Tensor;
import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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

  private static final ObjectMapper JSON = Json.MAPPER;

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
    ObjectNode root = JSON.createObjectNode();
    root.put("num_words", numWords);
    root.put("filters", filters);
    root.put("lower", lower);
    root.put("split", split);
    root.put("oov_token", oovToken);
    root.put("document_count", documentCount);
    ObjectNode counts = root.putObject("word_counts");
    wordCounts.forEach(counts::put);
    return root.toString();
  }

  /**
   * Restores a tokenizer saved by {@link #toJson}; its word index is rebuilt from the counts.
   *
   * @throws LeptonException if the JSON is invalid, lacks a field, or holds a negative count
   */
  public static Tokenizer fromJson(String json) {
    JsonNode root;
    try {
      root = JSON.readTree(json);
    } catch (JacksonException e) {
      throw new LeptonException("tokenizer JSON is not valid JSON (" + e.getOriginalMessage()
          + "); pass the text Tokenizer.toJson() returned", e);
    }
    for (String field : List.of("num_words", "filters", "lower", "split", "document_count",
        "word_counts")) {
      if (root == null || !root.hasNonNull(field)) {
        throw new LeptonException("tokenizer JSON lacks the field '" + field + "'; pass the text "
            + "Tokenizer.toJson() returned");
      }
    }
    JsonNode oov = root.get("oov_token");
    Tokenizer t = new Tokenizer(root.get("num_words").asInt(), root.get("filters").asText(),
        root.get("lower").asBoolean(), root.get("split").asText(),
        oov == null || oov.isNull() ? null : oov.asText());
    JsonNode counts = root.get("word_counts");
    if (counts.size() > MAX_WORDS) {
      throw new LeptonException("tokenizer JSON holds " + counts.size() + " words, over the "
          + "limit of " + MAX_WORDS);
    }
    for (Map.Entry<String, JsonNode> e : counts.properties()) {
      if (!e.getValue().canConvertToLong() || e.getValue().asLong() < 1) {
        throw new LeptonException("tokenizer JSON: the count of word '" + e.getKey()
            + "' must be a positive integer; received " + e.getValue());
      }
      t.wordCounts.put(e.getKey(), e.getValue().asLong());
    }
    t.documentCount = root.get("document_count").asLong();
    t.reindex();
    return t;
  }
}
