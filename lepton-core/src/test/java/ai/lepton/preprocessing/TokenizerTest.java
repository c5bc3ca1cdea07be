package ai.lepton.preprocessing;

import static ai.lepton.LeptonAssertions.assertFailsWith;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.lepton.LeptonException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Expected values worked out by hand from Keras' Tokenizer source (keras/preprocessing/text.py). */
class TokenizerTest {
  private static final List<String> TEXTS =
      List.of("The cat sat on the mat.", "The dog ate my homework!", "Cat, cat, cat?");

  @Test
  void splitsLowerCasesAndDropsFilteredCharacters() {
    assertEquals(List.of("hello", "world", "it's", "a", "b"),
        new Tokenizer().words("Hello,  WORLD!\tit's\na-b"));
  }

  @Test
  void numbersWordsByDescendingCountThenFirstAppearance() {
    Tokenizer t = new Tokenizer();
    t.fitOnTexts(TEXTS);
    // counts: cat 4, the 3, then the count-1 words in order of first appearance
    assertEquals(List.of("cat", "the", "sat", "on", "mat", "dog", "ate", "my", "homework"),
        List.copyOf(t.wordIndex().keySet()));
    assertEquals(1, t.wordIndex().get("cat"));
    assertEquals(9, t.wordIndex().get("homework"));
    assertEquals(4L, t.wordCounts().get("cat"));
    assertEquals(3, t.documentCount());
    // unknown words are dropped without an OOV token
    assertArrayEquals(new int[][] {{2, 1, 7}}, t.textsToSequences(List.of("the cat ate a fish")));
  }

  @Test
  void numWordsKeepsIndicesBelowItAndDropsTheRest() {
    Tokenizer t = new Tokenizer(3, null);
    t.fitOnTexts(TEXTS);
    assertEquals(9, t.wordIndex().size()); // as Keras, the index keeps every word
    assertArrayEquals(new int[][] {{2, 1}}, t.textsToSequences(List.of("the cat ate a fish")));
  }

  @Test
  void keptWordsCopyMapsTextsAlikeWithOnlyTheWordsBelowNumWords() {
    List<String> probe = List.of("the cat ate my homework", "a mat and a dog");
    for (String oov : new String[] {null, "<OOV>"}) {
      Tokenizer t = new Tokenizer(4, oov);
      t.fitOnTexts(TEXTS);
      Tokenizer copy = t.keptWordsCopy();
      assertArrayEquals(t.textsToSequences(probe), copy.textsToSequences(probe));
      assertEquals(oov == null ? List.of("the", "cat", "sat") : List.of("the", "cat"),
          List.copyOf(copy.wordCounts().keySet()));
      assertEquals(t.documentCount(), copy.documentCount());
    }
    Tokenizer spelled = new Tokenizer(3, "cat"); // a word spelled like the OOV token: keep all
    spelled.fitOnTexts(TEXTS);
    assertEquals(spelled.wordCounts(), spelled.keptWordsCopy().wordCounts());
    assertArrayEquals(spelled.textsToSequences(probe),
        spelled.keptWordsCopy().textsToSequences(probe));
  }

  @Test
  void textsToMatrixCountsWordsAsKeras() {
    Tokenizer t = new Tokenizer(4, null); // columns 0..3: cat 1, the 2, sat 3
    t.fitOnTexts(TEXTS);
    List<String> texts = List.of("the cat, the cat and the dog", "");
    assertArrayEquals(new float[] {0, 2, 3, 0, 0, 0, 0, 0},
        t.textsToMatrix(texts, "count").toFloatArray());
    assertArrayEquals(new float[] {0, 1, 1, 0, 0, 0, 0, 0},
        t.textsToMatrix(texts, "binary").toFloatArray());
    assertArrayEquals(new float[] {0, 0.4f, 0.6f, 0, 0, 0, 0, 0},
        t.textsToMatrix(texts, "freq").toFloatArray());
    Tokenizer all = new Tokenizer();
    all.fitOnTexts(TEXTS);
    assertArrayEquals(new int[] {1, 10}, all.textsToMatrix(List.of("cat"), "binary").shape());
    assertEquals("textsToMatrix: mode must be \"binary\", \"count\" or \"freq\"; received tfidf",
        assertThrows(LeptonException.class, () -> t.textsToMatrix(texts, "tfidf")).getMessage());
  }

  @Test
  void oovTokenTakesIndexOneAndReplacesUnknownAndRareWords() {
    Tokenizer t = new Tokenizer(3, "<OOV>");
    t.fitOnTexts(TEXTS);
    assertEquals(Map.of("<OOV>", 1, "cat", 2, "the", 3), Map.of("<OOV>",
        t.wordIndex().get("<OOV>"), "cat", t.wordIndex().get("cat"), "the",
        t.wordIndex().get("the")));
    // the (3) is not below numWords=3, ate and the unknown words become <OOV>
    assertArrayEquals(new int[][] {{1, 2, 1, 1, 1}, {}},
        t.textsToSequences(List.of("the cat ate a fish", "")));
  }

  /** Output of tf.keras 2 (Tokenizer(num_words=100, oov_token="<OOV>") and pad_sequences). */
  @Test
  void matchesOutputRecordedFromKeras() {
    Tokenizer t = new Tokenizer(100, "<OOV>");
    List<String> sentences = List.of("Today is a sunny day", "Today is a rainy day",
        "Is it sunny today?", "I really enjoyed walking in the snow today");
    t.fitOnTexts(sentences);
    assertEquals(List.of("<OOV>", "today", "is", "a", "sunny", "day", "rainy", "it"),
        List.copyOf(t.wordIndex().keySet()).subList(0, 8));
    assertArrayEquals(new float[] {
        0, 0, 0, 2, 3, 4, 5, 6,
        0, 0, 0, 2, 3, 4, 7, 6,
        0, 0, 0, 0, 3, 8, 5, 2,
        9, 10, 11, 12, 13, 14, 15, 2},
        Sequences.padSequences(t.textsToSequences(sentences)).toFloatArray());
    assertArrayEquals(new int[][] {{2, 3, 4, 1, 6}, {1, 8, 1, 7, 1}},
        t.textsToSequences(List.of("Today is a snowy day", "Will it be rainy tomorrow?")));
  }

  @Test
  void refittingAddsToTheCounts() {
    Tokenizer t = new Tokenizer();
    t.fitOnTexts(List.of("b a"));
    t.fitOnTexts(List.of("a"));
    assertEquals(List.of("a", "b"), List.copyOf(t.wordIndex().keySet()));
  }

  @Test
  void roundTripsThroughJson() {
    Tokenizer t = new Tokenizer(5, "!", false, " ", "<unk>");
    t.fitOnTexts(TEXTS);
    Tokenizer back = Tokenizer.fromJson(t.toJson());
    assertEquals(t.wordIndex(), back.wordIndex());
    assertEquals(List.copyOf(t.wordIndex().keySet()), List.copyOf(back.wordIndex().keySet()));
    assertEquals(t.documentCount(), back.documentCount());
    List<String> probe = List.of("The cat, sat on The mat!");
    assertArrayEquals(t.textsToSequences(probe), back.textsToSequences(probe));
  }

  @Test
  void refusesBrokenJson() {
    assertEquals("tokenizer JSON lacks the field 'filters'; pass the text Tokenizer.toJson() "
        + "returned", assertThrows(LeptonException.class,
            () -> Tokenizer.fromJson("{\"num_words\": 0}")).getMessage());
    assertEquals("tokenizer JSON: the count of word 'a' must be a positive integer; received -1",
        assertThrows(LeptonException.class, () -> Tokenizer.fromJson("{\"num_words\":0,"
            + "\"filters\":\"\",\"lower\":true,\"split\":\" \",\"oov_token\":null,"
            + "\"document_count\":1,\"word_counts\":{\"a\":-1}}")).getMessage());
    assertFailsWith("tokenizer JSON is not valid JSON", () -> Tokenizer.fromJson("{not json"));
    assertEquals("numWords must be 0 (keep all words) or positive; received -1",
        assertThrows(LeptonException.class, () -> new Tokenizer(-1, null)).getMessage());
  }
}
