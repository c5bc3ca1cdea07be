package ai.lepton.models;

import static ai.lepton.LeptonAssertions.assertFailsWith;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.lepton.LeptonException;
import ai.lepton.layers.Concatenate;
import ai.lepton.layers.Conv2D;
import ai.lepton.layers.Dense;
import ai.lepton.layers.Flatten;
import ai.lepton.layers.Input;
import ai.lepton.layers.MaxPooling2D;
import ai.lepton.layers.Symbol;
import ai.lepton.models.ModelArchive.Limits;
import ai.lepton.models.ModelArchive.TensorSpec;
import ai.lepton.tensor.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

class ModelArchiveTest {
  @TempDir Path dir;

  private static Sequential mlp() {
    Sequential model = new Sequential().name("mlp").add(new Dense(3, "tanh"))
        .add(new Dense(1, "sigmoid"));
    model.build(1, 2);
    return model;
  }

  @Test
  void describesASequentialModelWithoutLoadingIt() throws Exception {
    Sequential model = mlp();
    model.compile("adam", "binary_crossentropy");
    Path file = dir.resolve("mlp.lepton");
    model.save(file);

    ModelArchive archive = ModelArchive.open(file);
    assertEquals(List.of(new TensorSpec("input", List.of(-1, 2), "float32")), archive.inputs());
    assertEquals(List.of(new TensorSpec("dense_1", List.of(-1, 1), "float32")),
        archive.outputs());
    assertEquals(1, archive.metadata().formatVersion());
    assertEquals("Sequential", archive.metadata().modelClass());
    assertEquals("mlp", archive.metadata().modelName());
    assertTrue(archive.configJson().contains("\"units\" : 3"), archive.configJson());
    assertTrue(archive.hasOptimizerState());
    assertTrue(archive.preprocessing().isEmpty());

    ModelArchive.Sizes sizes = archive.sizes();
    assertEquals(Files.size(file), sizes.fileBytes());
    assertEquals(13, sizes.parameterCount()); // 2*3 + 3 + 3*1 + 1
    assertEquals(52, sizes.weightBytes());
    assertEquals(List.of("metadata.json", "config.json", "model.safetensors", "optimizer.json",
        "optimizer.safetensors"), sizes.entries().stream().map(ModelArchive.EntrySize::name)
        .toList());

    String expected = HexFormat.of().formatHex(
        MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    assertEquals(expected, archive.sha256());
    assertEquals(expected, ModelArchive.open(file).sha256(), "the same bytes hash the same");
  }

  @Test
  void loadBuildsANewModelAtEachCallEqualToModelLoad() {
    Sequential model = mlp();
    Path file = dir.resolve("mlp.lepton");
    model.save(file);
    ModelArchive archive = ModelArchive.open(file);
    Model a = archive.load();
    Model b = archive.load();
    assertNotSame(a, b);
    Tensor x = Tensor.of(new float[] {0.5f, -1f, 2f, 0f}, 2, 2);
    float[] expected = model.predict(x).toFloatArray();
    assertArrayEquals(expected, a.predict(x).toFloatArray());
    assertArrayEquals(expected, b.predict(x).toFloatArray());
    assertArrayEquals(expected, Model.load(file).predict(x).toFloatArray());
  }

  /**
   * Load builds the layers without drawing random initial values (the file overwrites them all):
   * the loaded CNN still has every weight of the saved one, bit for bit, predicts the same, and a
   * model built afterwards on this thread is random again.
   */
  @Test
  void loadedCnnHasTheSavedWeightsAndLaterBuildsAreRandomAgain() {
    Sequential cnn = new Sequential()
        .add(new Conv2D(4, 3, 3, "relu").biasInitializer("he_uniform"))
        .add(new MaxPooling2D())
        .add(new Flatten())
        .add(new Dense(3, "softmax").kernelInitializer("orthogonal"));
    cnn.build(7, 8, 8, 1);
    Path file = dir.resolve("cnn.lepton");
    cnn.save(file);

    Model loaded = ModelArchive.open(file).load();
    assertEquals(cnn.weights().keySet(), loaded.weights().keySet());
    cnn.weights().forEach((name, w) -> {
      assertArrayEquals(w.shape(), loaded.weights().get(name).shape(), name);
      assertArrayEquals(w.toFloatArray(), loaded.weights().get(name).toFloatArray(), name);
    });
    Tensor x = Tensor.uniform(new java.util.SplittableRandom(3), 0, 1, 2, 8, 8, 1);
    assertArrayEquals(cnn.predict(x).toFloatArray(), loaded.predict(x).toFloatArray());

    Sequential fresh = new Sequential().add(new Dense(3, "linear"));
    fresh.build(7, 4);
    float[] kernel = fresh.weights().values().iterator().next().toFloatArray();
    assertTrue(kernel[0] != 0f && kernel[11] != 0f, "a build after a load must draw random values");
  }

  @Test
  void loadRefusesAFileThatLostItsOptimizerStateSinceOpen() throws Exception {
    Sequential compiled = mlp();
    compiled.compile("adam", "binary_crossentropy");
    Path file = dir.resolve("mlp.lepton");
    compiled.save(file);
    ModelArchive archive = ModelArchive.open(file);
    assertTrue(archive.hasOptimizerState());
    // the file is rewritten with every entry but the optimizer's, as they were
    Path bare = dir.resolve("bare.lepton");
    try (java.util.zip.ZipFile zip = new java.util.zip.ZipFile(file.toFile());
        java.util.zip.ZipOutputStream out = new java.util.zip.ZipOutputStream(
            Files.newOutputStream(bare))) {
      for (var entry : java.util.Collections.list(zip.entries())) {
        if (!entry.getName().startsWith("optimizer.")) {
          java.util.zip.ZipEntry copy = new java.util.zip.ZipEntry(entry);
          copy.setCompressedSize(-1);
          out.putNextEntry(copy);
          zip.getInputStream(entry).transferTo(out);
        }
      }
    }
    Files.move(bare, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    assertEquals(file + " has no entry optimizer.safetensors any more: the file changed since it "
        + "was opened; open it again", assertThrows(LeptonException.class, archive::load)
        .getMessage());
  }

  @Test
  void describesAFunctionalModelsInputsAndOutputs() {
    Symbol a = Input.of("a", 3);
    Symbol b = Input.of("b", 2);
    Symbol h = new Concatenate().on(new Dense(4, "relu").name("shared").on(a), b);
    Functional model = new Functional(List.of(a, b), List.of(
        new Dense(5, "softmax").name("kind").on(h), new Dense(1).name("sum").on(h)));
    Path file = dir.resolve("two.lepton");
    model.save(file);

    ModelArchive archive = ModelArchive.open(file);
    assertEquals(List.of(new TensorSpec("a", List.of(-1, 3), "float32"),
        new TensorSpec("b", List.of(-1, 2), "float32")), archive.inputs());
    assertEquals(List.of(new TensorSpec("kind", List.of(-1, 5), "float32"),
        new TensorSpec("sum", List.of(-1, 1), "float32")), archive.outputs());
    long params = model.weights().values().stream().mapToLong(Tensor::size).sum();
    assertEquals(params, archive.sizes().parameterCount());
    assertEquals(4 * params, archive.sizes().weightBytes());
    assertTrue(archive.metadata().modelClass().equals("Functional"));
  }

  @Test
  void carriesThePreprocessing() {
    Path file = dir.resolve("text.lepton");
    PreprocessingFileTest.textModel().save(file);
    ModelArchive archive = ModelArchive.open(file);
    assertArrayEquals(new int[] {5}, archive.preprocessing().orElseThrow().outputShape());
    assertEquals(List.of(-1, 5), archive.inputs().get(0).shape());
  }

  /**
   * The hash covers every byte, and the metadata records when the file was written, so two saves
   * of one model hash differently (and their metadata compresses differently); everything else
   * they hold is equal.
   */
  @Test
  void twoSavesOfOneModelDifferOnlyInTheirCreationTime() {
    Sequential model = mlp();
    Path first = dir.resolve("1.lepton");
    Path second = dir.resolve("2.lepton");
    model.save(first);
    model.save(second);
    ModelArchive a = ModelArchive.open(first);
    ModelArchive b = ModelArchive.open(second);
    assertEquals(a.configJson(), b.configJson());
    assertEquals(a.sizes().entries().subList(1, 3), b.sizes().entries().subList(1, 3));
    assertEquals(a.sizes().parameterCount(), b.sizes().parameterCount());
    Map<String, String> fieldsA = new HashMap<>(a.metadata().fields());
    Map<String, String> fieldsB = new HashMap<>(b.metadata().fields());
    fieldsA.remove("created");
    fieldsB.remove("created");
    assertEquals(fieldsA, fieldsB);
  }

  /**
   * The budget is checked when the archive opens, from the config alone: an over-budget model
   * cannot even be inspected under those limits, and the error names the layer and the count.
   */
  @Test
  void openRefusesAModelOverTheParameterBudgetNamingTheLayer() {
    Path file = dir.resolve("mlp.lepton");
    mlp().save(file);
    LeptonException e = assertThrows(LeptonException.class,
        () -> ModelArchive.open(file, ModelArchive.Limits.DEFAULT.withMaxParameters(10)));
    assertTrue(e.getMessage().contains("Dense 'dense_1' would bring the model to 13 parameters "
        + "(4 of its own), over the budget of 10 (maxParameters)"), e.getMessage());
  }

  @Test
  void everyLimitHasAWithMethodThatReplacesOnlyIt() {
    Limits d = Limits.DEFAULT;
    assertEquals(new Limits(7, d.maxEntries(), d.maxEntryBytes(), d.maxJsonBytes(),
        d.maxJsonTokens(), d.maxConfigBytes(), d.maxParameters(), d.maxTensors(), d.maxLayers()),
        d.withMaxFileBytes(7));
    Limits all = d.withMaxFileBytes(1).withMaxEntries(2).withMaxEntryBytes(3).withMaxJsonBytes(4)
        .withMaxJsonTokens(5).withMaxConfigBytes(6).withMaxParameters(7).withMaxTensors(8)
        .withMaxLayers(9);
    assertEquals(new Limits(1, 2, 3, 4, 5, 6, 7, 8, 9), all);
    assertEquals(Functional.MAX_NODES, d.maxLayers(), "the default is what a model can hold");
  }

  @Test
  void everyLimitMustBePositiveAndTheErrorNamesIt() {
    Map<String, Executable> withZero = new LinkedHashMap<>();
    Limits d = Limits.DEFAULT;
    withZero.put("maxFileBytes", () -> d.withMaxFileBytes(0));
    withZero.put("maxEntries", () -> d.withMaxEntries(0));
    withZero.put("maxEntryBytes", () -> d.withMaxEntryBytes(0));
    withZero.put("maxJsonBytes", () -> d.withMaxJsonBytes(0));
    withZero.put("maxJsonTokens", () -> d.withMaxJsonTokens(0));
    withZero.put("maxConfigBytes", () -> d.withMaxConfigBytes(0));
    withZero.put("maxParameters", () -> d.withMaxParameters(0));
    withZero.put("maxTensors", () -> d.withMaxTensors(0));
    withZero.put("maxLayers", () -> d.withMaxLayers(-1));
    withZero.forEach((name, call) -> assertFailsWith("ModelArchive.Limits: expected a positive "
        + name + ", received " + name + "=", call));
  }
}
