package ai.lepton.preprocessing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.lepton.LeptonException;
import ai.lepton.tensor.Tensor;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** Raw serving inputs through {@link Preprocessing}, and its JSON form. */
class PreprocessingPipelineTest {
  private static final StandardScaler SCALER =
      new StandardScaler(new float[] {10, 0}, new float[] {2, 4});
  private static final FeaturePreprocessing FEATURES = new FeaturePreprocessing(
      List.of("age", "income"), new Imputer("constant", Map.of("income", 8f), Map.of()), SCALER);

  private static TextPreprocessing text() {
    Tokenizer tokenizer = new Tokenizer();
    tokenizer.fitOnTexts(List.of("one two two", "three"));
    return new TextPreprocessing(tokenizer, 3, "pre", "post", -1, 20);
  }

  private static void assertFails(String expected, Executable call) {
    assertEquals(expected, assertThrows(LeptonException.class, call).getMessage());
  }

  @Test
  void textsBecomePaddedIndexRows() {
    Tensor x = text().transform(List.of("Two one THREE two", "one"));
    assertArrayEquals(new int[] {2, 3}, x.shape());
    // two 1, one 2, three 3; truncating "post" keeps the start
    assertArrayEquals(new float[] {1, 2, 3, -1, -1, 2}, x.toFloatArray());
  }

  @Test
  void badTextsAreNamedWithWhatToSend() {
    TextPreprocessing p = text();
    assertFails("text preprocessing: instance 1 must be a string; received Integer 5",
        () -> p.transform(List.of("one", 5)));
    assertFails("text preprocessing: instance 0 must be a string; received null",
        () -> p.transform(Collections.singletonList(null)));
    assertFails("text preprocessing: instance 0 has 21 characters, over the limit of 20; send a "
        + "shorter text (the model reads only 3 words of it)",
        () -> p.transform(List.of("one two one two three")));
    assertFails("preprocessing: expected raw, a list of 1 to 100000 instances; received 0; send "
        + "instances in batches", () -> p.transform(List.of()));
    assertFails("TextPreprocessing needs a fitted tokenizer; received one with no words; call "
        + "fitOnTexts first", () -> new TextPreprocessing(new Tokenizer(), 3));
  }

  @Test
  void rowsAreImputedThenScaled() {
    Tensor x = FEATURES.transform(List.of(List.of(12, 4.0), Arrays.asList(8f, null),
        List.of(10L, Double.NaN)));
    assertArrayEquals(new float[] {1, 1, -1, 2, 0, 2}, x.toFloatArray());
  }

  @Test
  void badRowsAreNamedWithWhatToSend() {
    assertFails("feature preprocessing: instance 1 must be a list of 2 numbers [age, income]; "
        + "received a list of 3 values",
        () -> FEATURES.transform(List.of(List.of(1, 2), List.of(1, 2, 3))));
    assertFails("feature preprocessing: instance 0 must be a list of 2 numbers [age, income]; "
        + "received String 1,2", () -> FEATURES.transform(List.of("1,2")));
    assertFails("feature preprocessing: instance 0, feature 'income' must be a number or null; "
        + "received String 3", () -> FEATURES.transform(List.of(List.of(1, "3"))));
    assertFails("feature preprocessing: instance 0, feature 'age' is missing, and this model has "
        + "no imputation for it; send a number",
        () -> FEATURES.transform(List.of(List.of(Float.NaN, 1))));
    assertFails("feature preprocessing: instance 0, feature 'age' is 1.0E300, outside the float "
        + "range; send a finite number", () -> FEATURES.transform(List.of(List.of(1e300, 1))));
  }

  @Test
  void featurePipelinesCheckTheirParts() {
    assertFails("FeaturePreprocessing needs a scaler fitted on its 3 columns; received one "
        + "fitted on 2 features",
        () -> new FeaturePreprocessing(List.of("a", "b", "c"), null, SCALER));
    assertFails("FeaturePreprocessing needs 1 to 100000 distinct column names; received 2 names "
        + "with 1 repeats", () -> new FeaturePreprocessing(List.of("a", "a"), null, SCALER));
    LeptonException zeroScale = assertThrows(LeptonException.class,
        () -> new FeaturePreprocessing(List.of("a"), null,
            new StandardScaler(new float[] {0}, new float[] {0})));
    assertTrue(zeroScale.getMessage().startsWith("FeaturePreprocessing: the scaler holds NaN, "
        + "infinite or zero parameters"), zeroScale.getMessage());
    assertFails("FeaturePreprocessing: the imputer must fill only numeric columns among [age, "
        + "income]; received one for [weight] and text columns []",
        () -> new FeaturePreprocessing(List.of("age", "income"),
            new Imputer("constant", Map.of("weight", 1f), Map.of()), SCALER));
  }

  @Test
  void bothKindsRoundTripThroughJson() {
    List<List<Object>> rows = List.of(List.of(12, 4.0), Arrays.asList(8f, null));
    Preprocessing features = Preprocessing.fromJson(FEATURES.toJson());
    assertArrayEquals(FEATURES.transform(rows).toFloatArray(),
        features.transform(rows).toFloatArray());
    assertEquals(FEATURES.toJson(), features.toJson());

    MinMaxScaler minMax = MinMaxScaler.fit(Tensor.of(new float[] {0, 4}, 2, 1), -1, 1);
    FeaturePreprocessing unimputed = new FeaturePreprocessing(List.of("x"), null, minMax);
    assertEquals(unimputed.toJson(), Preprocessing.fromJson(unimputed.toJson()).toJson());

    List<String> texts = List.of("three two one", "four");
    Preprocessing text = Preprocessing.fromJson(text().toJson());
    assertArrayEquals(text().transform(texts).toFloatArray(), text.transform(texts).toFloatArray());
    assertEquals(text().toJson(), text.toJson());
  }

  @Test
  void hostileFeatureJsonIsRejected() {
    String json = FEATURES.toJson();
    assertFails("preprocessing JSON: the scaler's class_name must be one of [StandardScaler, "
        + "MinMaxScaler] and its config an object; received \"java.lang.Runtime\"",
        () -> Preprocessing.fromJson(json.replace("\"StandardScaler\"", "\"java.lang.Runtime\"")));
    assertFails("preprocessing JSON: 'columns' must hold strings; received 7",
        () -> Preprocessing.fromJson(json.replace("\"age\",", "7,")));
    assertFails("preprocessing JSON: 'imputer' must be an object or null and 'scaler' an object; "
        + "received STRING and OBJECT",
        () -> Preprocessing.fromJson(json.replace("{\"numbers\":{\"income\":8.0},\"strategy\":\"constant\",\"texts\":{}}",
            "\"x\"")));
    assertFails("StandardScaler needs one mean and one scale per feature; received 2 means and 1 "
        + "scales", () -> Preprocessing.fromJson(json.replace("\"scale\":[2.0,4.0]",
            "\"scale\":[2.0]")));
    assertFails("preprocessing JSON is not valid JSON (Duplicate field 'kind'); pass the text "
        + "Preprocessing.toJson() returned",
        () -> Preprocessing.fromJson(json.replace("{\"kind\":\"features\"",
            "{\"kind\":\"features\",\"kind\":\"text\"")));
  }
}
