package ai.lepton.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.lepton.LeptonException;
import ai.lepton.data.Table;
import ai.lepton.layers.Dense;
import ai.lepton.layers.Embedding;
import ai.lepton.layers.Flatten;
import ai.lepton.preprocessing.FeaturePreprocessing;
import ai.lepton.preprocessing.Imputer;
import ai.lepton.preprocessing.MinMaxScaler;
import ai.lepton.preprocessing.Preprocessing;
import ai.lepton.preprocessing.TextPreprocessing;
import ai.lepton.preprocessing.Tokenizer;
import ai.lepton.tensor.Tensor;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A model's preprocessing travels in its file, so serving turns raw inputs into the same input. */
class PreprocessingFileTest {
  private static final List<String> TEXTS = List.of("The cat sat on the mat.",
      "A dog ate my homework!", "cat, cat, cat?", "Serving applies what training applied");

  @TempDir Path dir;

  static Sequential textModel() {
    Tokenizer tokenizer = new Tokenizer(8, "<oov>");
    tokenizer.fitOnTexts(TEXTS.subList(0, 3));
    Sequential model = new Sequential().add(new Embedding(8, 3)).add(new Flatten())
        .add(new Dense(2, "softmax"));
    model.build(7, 5);
    model.preprocessing(new TextPreprocessing(tokenizer, 5, "post", "pre", 0, 200));
    return model;
  }

  @Test
  void textPreprocessingRoundTripReproducesPredictionsOnRawTexts() {
    Sequential model = textModel();
    Path file = dir.resolve("text.lepton");
    model.save(file);
    Model loaded = Model.load(file);

    Preprocessing before = model.preprocessing().orElseThrow();
    Preprocessing after = loaded.preprocessing().orElseThrow();
    assertEquals(before.toJson(), after.toJson());
    Tensor x = after.transform(TEXTS);
    assertArrayEquals(before.transform(TEXTS).toFloatArray(), x.toFloatArray());
    // index: <oov> 1, cat 2, the 3, sat 4, on 5, mat 6, a 7; numWords 8 sends the rest to <oov>
    assertArrayEquals(new float[] {2, 4, 5, 3, 6, 7, 1, 1, 1, 1, 2, 2, 2, 0, 0},
        Arrays.copyOf(x.toFloatArray(), 15));
    assertArrayEquals(model.predict(before.transform(TEXTS)).toFloatArray(),
        loaded.predict(x).toFloatArray(), 0f);
  }

  @Test
  void featurePreprocessingRoundTripReproducesPredictionsOnRawRows() {
    Table train = new Table(List.of("age", "income"), 3,
        Map.of("age", new float[] {20, Float.NaN, 60}, "income", new float[] {1, 2, 6}), Map.of());
    Imputer imputer = Imputer.fit(train, "mean");
    MinMaxScaler scaler = MinMaxScaler.fit(imputer.transform(train).features("age", "income"));
    Sequential model = new Sequential().add(new Dense(3, "tanh")).add(new Dense(1));
    model.compile("adam", "mse");
    model.preprocessing(new FeaturePreprocessing(List.of("age", "income"), imputer, scaler));
    model.build(3, 2);
    Path file = dir.resolve("features.lepton");
    model.save(file);
    Model loaded = Model.load(file);

    List<List<Double>> rows = List.of(List.of(30.0, 2.5), Arrays.asList(null, 6.0));
    Tensor x = loaded.preprocessing().orElseThrow().transform(rows);
    assertArrayEquals(new float[] {0.25f, 0.3f, 0.5f, 1}, x.toFloatArray(), 1e-6f);
    assertArrayEquals(model.predict(model.preprocessing().orElseThrow().transform(rows))
        .toFloatArray(), loaded.predict(x).toFloatArray(), 0f);
  }

  @Test
  void filesWithoutPreprocessingStillLoadAndHaveNone() throws IOException {
    Sequential model = new Sequential().add(new Dense(1));
    model.build(1, 2);
    Path file = dir.resolve("plain.lepton");
    model.save(file);
    try (ZipFile zip = new ZipFile(file.toFile())) {
      assertEquals(null, zip.getEntry("preprocessing.json"));
    }
    assertFalse(Model.load(file).preprocessing().isPresent());
  }

  @Test
  void aPreprocessingThatDoesNotFitTheModelIsRefused() {
    Sequential model = textModel();
    Tokenizer tokenizer = new Tokenizer();
    tokenizer.fitOnTexts(TEXTS);
    assertEquals("preprocessing: it produces instances of shape [9] but the model takes [5]; "
        + "make them agree (maxlen, number of columns)", assertThrows(LeptonException.class,
            () -> model.preprocessing(new TextPreprocessing(tokenizer, 9))).getMessage());
  }

  @Test
  void hostilePreprocessingJsonIsRejectedWithClearErrors() throws IOException {
    Path file = dir.resolve("text.lepton");
    textModel().save(file);
    String json = entries(file).get("preprocessing.json");

    assertLoadFails(file, json.replace("\"kind\":\"text\"", "\"kind\":\"script\""),
        "preprocessing.json: preprocessing JSON must be an object with \"kind\" one of [text, "
            + "features]; received kind \"script\"");
    assertLoadFails(file, json.replace("\"maxlen\":5", "\"maxlen\":\"5\""),
        "preprocessing.json: preprocessing JSON: 'maxlen' must be an integer; received \"5\"");
    assertLoadFails(file, json.replace("\"maxlen\":5", "\"maxlen\":5,\"code\":\"x\""),
        "preprocessing.json: preprocessing JSON: expected exactly the fields [kind, max_chars, "
            + "maxlen, padding, tokenizer, truncating, value]; received [code, kind, max_chars, "
            + "maxlen, padding, tokenizer, truncating, value]");
    assertLoadFails(file, json.replace("\"maxlen\":5", "\"maxlen\":4"),
        "preprocessing.json: preprocessing: it produces instances of shape [4] but the model "
            + "takes [5]");
    assertLoadFails(file, json.replace("\"max_chars\":200", "\"max_chars\":2000000000"),
        "preprocessing.json: TextPreprocessing: expected maxlen in 1..100000, maxChars in "
            + "1..1048576");
    assertLoadFails(file, "[1, 2]", "preprocessing.json: preprocessing JSON must be an object "
        + "with \"kind\" one of [text, features]; received ARRAY");
    assertLoadFails(file, "{\"kind\":\"text\"} x", "preprocessing.json is not valid JSON");
  }

  @Test
  void aHugeVocabularyStopsAtTheJsonEntryLimit() throws IOException {
    Path file = dir.resolve("text.lepton");
    textModel().save(file);
    StringBuilder vocab = new StringBuilder("{\"kind\":\"text\",\"tokenizer\":{\"word_counts\":{");
    for (int i = 0; vocab.length() <= 17 << 20; i++) {
      vocab.append(i == 0 ? "" : ",").append("\"word").append(i).append("\":1");
    }
    vocab.append("}}}");
    assertLoadFails(file, vocab.toString(),
        "preprocessing.json declares 17825799 bytes, over the limit (maxJsonBytes=16777216)");
  }

  /** Replaces preprocessing.json in a copy of {@code file} and checks that loading it fails. */
  private void assertLoadFails(Path file, String preprocessing, String expected)
      throws IOException {
    Map<String, String> entries = entries(file);
    Path crafted = Files.createTempFile(dir, "crafted", ".lepton");
    try (ZipFile in = new ZipFile(file.toFile());
        OutputStream out = Files.newOutputStream(crafted);
        ZipOutputStream zip = new ZipOutputStream(out)) {
      for (ZipEntry e : in.stream().toList()) {
        byte[] bytes = e.getName().equals("preprocessing.json")
            ? preprocessing.getBytes(StandardCharsets.UTF_8) : in.getInputStream(e).readAllBytes();
        zip.putNextEntry(ModelFileTest.entry(e.getName(), bytes));
        zip.write(bytes);
        zip.closeEntry();
      }
    }
    assertTrue(entries.containsKey("preprocessing.json"));
    LeptonException e = assertThrows(LeptonException.class, () -> Model.load(crafted));
    assertTrue(e.getMessage().contains(expected), e.getMessage());
    assertTrue(e.getMessage().startsWith(crafted.toString()), e.getMessage());
  }

  private static Map<String, String> entries(Path file) throws IOException {
    Map<String, String> out = new LinkedHashMap<>();
    try (ZipFile zip = new ZipFile(file.toFile())) {
      for (ZipEntry e : zip.stream().toList()) {
        if (e.getName().endsWith(".json")) {
          out.put(e.getName(), new String(zip.getInputStream(e).readAllBytes(),
              StandardCharsets.UTF_8));
        }
      }
    }
    return out;
  }
}
