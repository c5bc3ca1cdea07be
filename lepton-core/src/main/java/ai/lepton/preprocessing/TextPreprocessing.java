package ai.lepton.preprocessing;

import ai.lepton.LeptonException;
import ai.lepton.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * Texts to word-index sequences of one length: {@link Tokenizer#textsToSequences}, then
 * {@link Sequences#padSequences} with Keras' options. The input of an Embedding model.
 *
 * <p>The record keeps its own copy of the tokenizer, taken when it is made, holding only the words
 * below {@code numWords}: fitting the caller's tokenizer afterwards does not change what this
 * pipeline (and so the saved model) does, and the saved vocabulary stays small. Do not fit the
 * copy {@link #tokenizer()} returns.
 *
 * @param tokenizer a fitted tokenizer
 * @param maxlen the length of every sequence, 1 to {@link #MAX_MAXLEN}
 * @param padding {@code "pre"} or {@code "post"}: where short sequences get {@code value}
 * @param truncating {@code "pre"} or {@code "post"}: which end of a long sequence is dropped
 * @param value the padding value, finite
 * @param maxChars the longest text {@link #transform} accepts, 1 to {@link #MAX_CHARS}
 */
public record TextPreprocessing(Tokenizer tokenizer, int maxlen, String padding,
    String truncating, float value, int maxChars) implements Preprocessing {
  /** The longest sequence a text pipeline may produce. */
  public static final int MAX_MAXLEN = 100_000;
  /** The highest {@code maxChars} a text pipeline may allow. */
  public static final int MAX_CHARS = 1 << 20;
  /** The {@code maxChars} of the short constructor: about a long article. */
  public static final int DEFAULT_MAX_CHARS = 100_000;

  public TextPreprocessing {
    if (tokenizer == null || tokenizer.wordCounts().isEmpty()) {
      throw new LeptonException("TextPreprocessing needs a fitted tokenizer; received "
          + (tokenizer == null ? "null" : "one with no words") + "; call fitOnTexts first");
    }
    if (maxlen < 1 || maxlen > MAX_MAXLEN || maxChars < 1 || maxChars > MAX_CHARS
        || !Float.isFinite(value)) {
      throw new LeptonException("TextPreprocessing: expected maxlen in 1.." + MAX_MAXLEN
          + ", maxChars in 1.." + MAX_CHARS + " and a finite padding value; received maxlen="
          + maxlen + ", maxChars=" + maxChars + ", value=" + value);
    }
    Sequences.padSequences(new int[0][], maxlen, padding, truncating, value); // checks the modes
    tokenizer = tokenizer.keptWordsCopy();
  }

  /** Keras' defaults: padding and truncating {@code "pre"} with 0; {@link #DEFAULT_MAX_CHARS}. */
  public TextPreprocessing(Tokenizer tokenizer, int maxlen) {
    this(tokenizer, maxlen, "pre", "pre", 0, DEFAULT_MAX_CHARS);
  }

  /**
   * Each text as a row of {@code maxlen} word indices: {@code [texts, maxlen]}.
   *
   * @throws LeptonException if an instance is not a string or is longer than {@code maxChars}, or
   *     there are no instances or more than {@link Preprocessing#MAX_INSTANCES}
   */
  @Override
  public Tensor transform(List<?> raw) {
    FeaturePreprocessing.checkCount(raw);
    List<String> texts = new ArrayList<>(raw.size());
    for (int i = 0; i < raw.size(); i++) {
      if (!(raw.get(i) instanceof String text)) {
        throw new LeptonException("text preprocessing: instance " + i + " must be a string; "
            + "received " + FeaturePreprocessing.describe(raw.get(i)));
      }
      if (text.length() > maxChars) {
        throw new LeptonException("text preprocessing: instance " + i + " has " + text.length()
            + " characters, over the limit of " + maxChars + "; send a shorter text (the model "
            + "reads only " + maxlen + " words of it)");
      }
      texts.add(text);
    }
    return Sequences.padSequences(tokenizer.textsToSequences(texts), maxlen, padding, truncating,
        value);
  }

  @Override
  public int[] outputShape() {
    return new int[] {maxlen};
  }

  @Override
  public String toJson() {
    return PreprocessingJson.text(this);
  }
}
