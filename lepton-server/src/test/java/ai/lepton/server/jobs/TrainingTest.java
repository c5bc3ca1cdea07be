package ai.lepton.server.jobs;

import static ai.lepton.server.jobs.TrainingDataFixtures.bytes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.lepton.api.DatasetFormat;
import ai.lepton.api.ErrorCode;
import ai.lepton.api.TrainingSpec;
import ai.lepton.api.TrainingSpec.Hyperparameters;
import ai.lepton.api.TrainingSpec.ModelChoice;
import ai.lepton.api.TrainingSpec.TrainingPreprocessing;
import ai.lepton.data.Dataset;
import ai.lepton.models.Fit;
import ai.lepton.models.History;
import ai.lepton.models.Model;
import ai.lepton.models.ModelArchive;
import ai.lepton.preprocessing.FeaturePreprocessing;
import ai.lepton.preprocessing.TextPreprocessing;
import ai.lepton.server.http.ApiException;
import ai.lepton.tensor.Tensor;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainingTest {
  @TempDir Path dir;

  static TrainingSpec spec(String template, String target, Hyperparameters hp) {
    return new TrainingSpec("data", null, new ModelChoice(template, null, null), target, null,
        hp, null, null, null);
  }

  /** {@code spec} with the names of the labels 0, 1, 2... */
  static TrainingSpec named(TrainingSpec spec, List<String> classNames) {
    return new TrainingSpec(spec.dataset(), spec.version(), spec.model(), spec.target(),
        spec.preprocessing(), spec.hyperparameters(), spec.checkpointEvery(), spec.registerAs(),
        classNames);
  }

  static Hyperparameters hp(int epochs, int batchSize, double learningRate) {
    return new Hyperparameters(epochs, batchSize, learningRate, null, 64, 0.1, 0.1, 0.2, 7L);
  }

  /** Fits as a worker would, on the training split with the validation split watched. */
  static History fit(PreparedTraining p) {
    Fit fit = Fit.epochs(p.epochs()).seed(p.seed()).verbose(0);
    return p.model().fit(p.train(), p.validation() == null ? fit
        : fit.validationData(p.validation()));
  }

  static void assertLossFell(History history) {
    List<Double> loss = history.get("loss");
    assertTrue(loss.get(loss.size() - 1) < loss.get(0) * 0.9, "loss fell: " + loss);
  }

  /**
   * Saves the trained model, loads it back, and checks that its saved preprocessing turns each
   * raw instance into the same input tensor, and so the same prediction, as training's tensors
   * of the test split.
   */
  void assertServesLikeTensors(PreparedTraining p, List<?> raw) {
    Path file = dir.resolve("model.lepton");
    p.model().save(file);
    Model served = Model.load(file);
    Tensor fromRaw = served.preprocessing().orElseThrow().transform(raw);
    int width = fromRaw.size() / fromRaw.shape()[0];
    float[] all = fromRaw.toFloatArray();
    Map<Integer, List<Integer>> byHash = new HashMap<>();
    for (int r = 0; r < fromRaw.shape()[0]; r++) {
      byHash.computeIfAbsent(Arrays.hashCode(Arrays.copyOfRange(all, r * width, (r + 1) * width)),
          k -> new ArrayList<>()).add(r);
    }
    int checked = 0;
    try (Dataset.Batches batches = p.test().epoch(0)) {
      while (batches.hasNext()) {
        Tensor x = batches.next().x();
        float[] rows = x.toFloatArray();
        int[] match = new int[x.shape()[0]];
        for (int i = 0; i < match.length; i++) {
          float[] row = Arrays.copyOfRange(rows, i * width, (i + 1) * width);
          match[i] = byHash.getOrDefault(Arrays.hashCode(row), List.of()).stream()
              .filter(r -> Arrays.equals(row, Arrays.copyOfRange(all, r * width, (r + 1) * width)))
              .findFirst().orElseThrow(() -> new AssertionError("a test tensor row that no raw "
                  + "instance becomes through the saved preprocessing"));
        }
        float[] expected = p.model().predict(x).toFloatArray();
        float[] actual = served.predict(fromRaw.gather(0, match)).toFloatArray();
        for (int i = 0; i < expected.length; i++) {
          assertEquals(expected[i], actual[i], 1e-5, "prediction " + i);
        }
        checked += match.length;
      }
    }
    assertTrue(checked > 0);
  }

  static double accuracy(PreparedTraining p) {
    return p.model().evaluate(p.test()).get("accuracy");
  }

  // ---- tables ---------------------------------------------------------------------------------

  @Test
  void mlpClassifiesAnIrisLikeCsvByItsTextLabel() {
    String csv = TrainingDataFixtures.irisCsv(60, 1);
    PreparedTraining p = Training.prepare(spec("mlp", "species", hp(40, 16, 0.01)),
        bytes(DatasetFormat.CSV, "iris.csv", csv), null);
    assertEquals("classification", p.task());
    assertEquals(List.of("setosa", "versicolor", "virginica"), p.classes());
    assertEquals(p.classes(), p.model().classNames().orElseThrow(), "saved in the model");
    assertEquals(36, p.test().size()); // 20% of 180, stratified
    assertEquals(18, p.validation().size());
    assertEquals(126, p.train().size());
    FeaturePreprocessing pre = assertInstanceOf(FeaturePreprocessing.class,
        p.model().preprocessing().orElseThrow());
    assertEquals(List.of("sepal_length", "sepal_width", "petal_length", "petal_width"),
        pre.columns());
    assertNotNull(pre.imputer(), "the CSV misses values, so the median fills them");

    assertLossFell(fit(p));
    assertTrue(accuracy(p) > 0.8, "accuracy " + accuracy(p) + " against 0.33 by chance");
    List<List<Float>> raw = new ArrayList<>();
    for (String line : csv.split("\n")) {
      if (!line.startsWith("sepal")) {
        String[] f = line.split(",", -1);
        List<Float> row = new ArrayList<>();
        for (int j = 0; j < 4; j++) {
          row.add(f[j].isEmpty() ? null : Float.parseFloat(f[j]));
        }
        raw.add(row);
      }
    }
    assertServesLikeTensors(p, raw);
  }

  @Test
  void linearRegressionAndMlpLearnANumericTarget() {
    String csv = TrainingDataFixtures.regressionCsv(400, 2);
    double variance = 9 + 4 + 0.5 * 0.5 * 16 / 12.0; // of y around its mean
    for (String template : List.of("linear-regression", "mlp")) {
      PreparedTraining p = Training.prepare(spec(template, "y", hp(60, 32, 0.01)),
          bytes(DatasetFormat.CSV, "y.csv", csv), null);
      assertEquals("regression", p.task());
      assertEquals(List.of(), p.classes());
      assertLossFell(fit(p));
      double mse = p.model().evaluate(p.test()).get("loss");
      assertTrue(mse < variance / 10, template + ": test MSE " + mse + " against the target's "
          + "variance " + variance);
      List<List<Float>> raw = new ArrayList<>();
      for (String line : csv.split("\n")) {
        if (!line.startsWith("a,")) {
          String[] f = line.split(",");
          raw.add(List.of(Float.parseFloat(f[0]), Float.parseFloat(f[1]),
              Float.parseFloat(f[2])));
        }
      }
      assertServesLikeTensors(p, raw);
    }
  }

  @Test
  void aNumericTargetIsRegressionForMlpButClassesForAModelEndingInSoftmax() {
    StringBuilder csv = new StringBuilder("x,label\n");
    for (int i = 0; i < 60; i++) {
      csv.append(i % 3 + i * 0.001).append(',').append(i % 3 * 10).append('\n');
    }
    TrainingData data = bytes(DatasetFormat.CSV, "codes.csv", csv.toString());
    assertEquals("regression", Training.prepare(spec("mlp", "label", hp(1, 8, 0.01)), data,
        null).task());
    String config = configOf(new ai.lepton.models.Sequential()
        .add(new ai.lepton.layers.Dense(8, "relu"))
        .add(new ai.lepton.layers.Dense(3, "softmax")), 1);
    PreparedTraining p = Training.prepare(new TrainingSpec("data", null,
        new ModelChoice(null, config, null), "label", null, hp(1, 8, 0.01), null, null, null), data,
        null);
    assertEquals("classification", p.task());
    assertEquals(List.of("0", "10", "20"), p.classes());
    assertEquals(List.of("0", "10", "20"), p.model().classNames().orElseThrow());
  }

  /** A model's config JSON as a .lepton file holds it. */
  String configOf(ai.lepton.models.Sequential model, int inputs) {
    model.build(1, inputs);
    Path file = dir.resolve("config.lepton");
    model.save(file);
    return ModelArchive.open(file).configJson();
  }

  @Test
  void aConfigIsTrainedFromFreshWeightsAndABaseModelIsFineTunedKeepingItsPreprocessing() {
    String csv = TrainingDataFixtures.irisCsv(40, 3);
    String config = configOf(new ai.lepton.models.Sequential()
        .add(new ai.lepton.layers.Dense(16, "relu"))
        .add(new ai.lepton.layers.Dense(3, "softmax")), 4);
    PreparedTraining first = Training.prepare(new TrainingSpec("data", null,
        new ModelChoice(null, config, null), "species", null, hp(30, 16, 0.01), null, null, null),
        bytes(DatasetFormat.CSV, "iris.csv", csv), null);
    fit(first);
    double before = accuracy(first);
    assertTrue(before > 0.8, "accuracy " + before);
    Path file = dir.resolve("base.lepton");
    first.model().save(file);
    Model base = Model.load(file);
    String saved = base.preprocessing().orElseThrow().toJson();

    PreparedTraining tuned = Training.prepare(new TrainingSpec("data", null,
        new ModelChoice(null, null, "iris@1"), "species", null, hp(5, 16, 0.001), null, null, null),
        bytes(DatasetFormat.CSV, "iris-2.csv", TrainingDataFixtures.irisCsv(40, 4)), base);
    assertEquals(saved, tuned.model().preprocessing().orElseThrow().toJson());
    assertTrue(accuracy(tuned) > 0.8, "the base model's weights were kept");
    assertLossFell(fit(tuned));
  }

  // ---- images and texts ------------------------------------------------------------------------

  @Test
  void mlpAndCnnLearnFashionMnistFromIdxFiles() {
    TrainingData data = TrainingDataFixtures.fashion("train", 3000);
    for (String template : List.of("mlp", "cnn")) {
      List<String> fashion = List.of("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
          "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");
      PreparedTraining p = Training.prepare(named(spec(template, "labels@1",
          new Hyperparameters(template.equals("cnn") ? 2 : 4, 32, 0.001, null, 128, 0.2, 0.1,
          0.2, 1L)), fashion), data, null);
      assertEquals(fashion, p.model().classNames().orElseThrow(),
          "the spec's names of the labels 0 to 9");
      assertEquals(p.model().classNames().get(), p.classes());
      assertTrue(Math.abs(p.test().size() - 600) <= 5, "20% of 3000, by class: " + p.test().size());
      assertEquals(List.of(784), p.model().preprocessing().orElseThrow().outputShape().length == 1
          ? List.of(p.model().preprocessing().get().outputShape()[0]) : List.of());
      assertLossFell(fit(p));
      double accuracy = accuracy(p);
      assertTrue(accuracy > 0.65, template + ": accuracy " + accuracy + " against 0.1 by chance");
      // raw instances: each image as a row of 784 pixels 0..255, as a client sends it
      byte[] v = TrainingDataReader.images(data).pixels();
      List<List<Float>> raw = new ArrayList<>();
      for (int i = 0; i < 3000; i++) {
        List<Float> row = new ArrayList<>(784);
        for (int j = 0; j < 784; j++) {
          row.add((float) (v[i * 784 + j] & 0xff));
        }
        raw.add(row);
      }
      assertServesLikeTensors(p, raw);
    }
  }

  @Test
  void idxLabelsOfAnotherDatasetAreNamedByTheirDigits() {
    PreparedTraining p = Training.prepare(spec("mlp", "digits-labels", hp(1, 8, 0.01)),
        TrainingDataFixtures.fashion("train", 300), null);
    assertEquals(List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9"),
        p.model().classNames().orElseThrow());
  }

  @Test
  void textLstmClassifiesFortunesByCategory() {
    String jsonl = TrainingDataFixtures.fortunesJsonl();
    TrainingSpec spec = new TrainingSpec("fortunes", null, new ModelChoice("text-lstm", null,
        null), "category", new TrainingPreprocessing(null, 2000, 40),
        new Hyperparameters(8, 16, 0.005, null, 32, 0.0, 0.1, 0.2, 5L), null, null, null);
    PreparedTraining p = Training.prepare(spec, bytes(DatasetFormat.JSONL, "fortunes.jsonl",
        jsonl), null);
    assertEquals(TrainingDataFixtures.FORTUNE_CATEGORIES, p.classes());
    assertEquals(p.classes(), p.model().classNames().orElseThrow());
    TextPreprocessing text = assertInstanceOf(TextPreprocessing.class,
        p.model().preprocessing().orElseThrow());
    assertEquals(40, text.maxlen());
    assertLossFell(fit(p));
    double majority = 431.0 / 821;
    double accuracy = accuracy(p);
    assertTrue(accuracy > majority + 0.1, "accuracy " + accuracy + " against " + majority
        + " for always answering the largest category");
    List<String> raw = new ArrayList<>();
    for (String category : TrainingDataFixtures.FORTUNE_CATEGORIES) {
      raw.addAll(TrainingDataFixtures.fortunes(category));
    }
    assertServesLikeTensors(p, raw);
  }

  /** Stripes across or down, drawn at 40 x 30 pixels in colour, zipped in class folders. */
  static byte[] stripesZip(int perClass) throws java.io.IOException {
    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
    java.util.Random random = new java.util.Random(3);
    try (java.util.zip.ZipOutputStream zip = new java.util.zip.ZipOutputStream(bytes)) {
      for (String kind : List.of("across", "down")) {
        for (int i = 0; i < perClass; i++) {
          java.awt.image.BufferedImage image = new java.awt.image.BufferedImage(40, 30,
              java.awt.image.BufferedImage.TYPE_INT_RGB);
          int phase = random.nextInt(8);
          for (int y = 0; y < 30; y++) {
            for (int x = 0; x < 40; x++) {
              boolean on = ((kind.equals("across") ? y : x) + phase) / 4 % 2 == 0;
              int noise = random.nextInt(60);
              int v = on ? 195 + noise : noise;
              image.setRGB(x, y, v << 16 | (v / 2) << 8 | v);
            }
          }
          zip.putNextEntry(new java.util.zip.ZipEntry(kind + "/" + i + ".png"));
          javax.imageio.ImageIO.write(image, "png", zip);
          zip.closeEntry();
        }
      }
    }
    return bytes.toByteArray();
  }

  @Test
  void anImageZipIsReadAsGray28By28PixelsLabelledByItsFolders() throws Exception {
    byte[] zip = stripesZip(60);
    TrainingData data = TrainingData.of(DatasetFormat.IMAGE_ZIP, "stripes.zip", null,
        () -> new java.io.ByteArrayInputStream(zip));
    PreparedTraining p = Training.prepare(spec("mlp", null, hp(10, 16, 0.001)), data, null);
    assertEquals(List.of("across", "down"), p.classes());
    assertEquals("[784]", p.parameters().get("inputShape"));
    assertLossFell(fit(p));
    assertTrue(accuracy(p) > 0.9, "accuracy " + accuracy(p) + " against 0.5 by chance");
    String m = refusal(ErrorCode.UNPROCESSABLE, spec("mlp", "label", null), data);
    assertTrue(m.contains("an image zip's labels are its class folders"), m);
  }

  @Test
  void theSpecReadsFromItsWireForm() throws Exception {
    TrainingSpec spec = ai.lepton.server.http.Json.mapper().readValue("""
        {"dataset": "iris", "version": 2, "model": {"template": "mlp"}, "target": "species",
         "preprocessing": {"scaling": "minmax"},
         "hyperparameters": {"epochs": 20, "batchSize": 32, "learningRate": 0.001, "seed": 42},
         "checkpointEvery": 1, "registerAs": "iris-classifier"}""", TrainingSpec.class);
    assertEquals("minmax", spec.preprocessing().scaling());
    assertEquals(100, spec.preprocessing().sequenceLength());
    assertEquals(20, spec.hyperparameters().epochs());
    assertEquals(0.2, spec.hyperparameters().dropout());
    assertEquals("iris-classifier", spec.registerAs());
  }

  // ---- refusals --------------------------------------------------------------------------------

  static String refusal(ErrorCode code, TrainingSpec spec, TrainingData data) {
    ApiException e = assertThrows(ApiException.class, () -> Training.prepare(spec, data, null));
    assertEquals(code, e.code(), e.getMessage());
    return e.getMessage();
  }

  @Test
  void eachModelRefusesDataItCannotFitSayingWhatToUse() {
    TrainingData iris = bytes(DatasetFormat.CSV, "iris.csv", TrainingDataFixtures.irisCsv(10, 1));
    String m = refusal(ErrorCode.UNPROCESSABLE, spec("cnn", "species", null), iris);
    assertTrue(m.contains("template cnn takes images") && m.contains("use mlp"), m);
    m = refusal(ErrorCode.UNPROCESSABLE, spec("mlp", "colour", null), iris);
    assertTrue(m.contains("no column 'colour'") && m.contains("petal_width"), m);
    m = refusal(ErrorCode.UNPROCESSABLE, spec("mlp", null, null), iris);
    assertTrue(m.contains("name the target column"), m);
    m = refusal(ErrorCode.UNPROCESSABLE, spec("text-lstm", "species", null), iris);
    assertTrue(m.contains("text-lstm takes one text column"), m);
    m = refusal(ErrorCode.UNPROCESSABLE, spec("linear-regression", "species", null), iris);
    assertTrue(m.contains("holds text; use mlp"), m);

    TrainingData images = TrainingDataFixtures.fashion("t10k", 50);
    m = refusal(ErrorCode.UNPROCESSABLE, spec("text-lstm", null, null), images);
    assertTrue(m.contains("holds images; use cnn or mlp"), m);
    TrainingData unlabelled = TrainingData.of(DatasetFormat.IDX, "t10k-images.gz", null,
        images.content());
    m = refusal(ErrorCode.UNPROCESSABLE, spec("cnn", null, null), unlabelled);
    assertTrue(m.contains("without labels"), m);
    TrainingData fewer = TrainingData.idx("t10k-images.gz", images.content(), "train-labels.gz",
        TrainingDataFixtures.fashion("train", 40).labels());
    m = refusal(ErrorCode.UNPROCESSABLE, spec("cnn", null, null), fewer);
    assertTrue(m.contains("holds 50 images but train-labels.gz holds 40 labels"), m);
    // a header declaring 10,000 images over ten bytes of data allocates only for what arrives
    byte[] lying = java.nio.ByteBuffer.allocate(26).putInt(0x0803).putInt(10_000).putInt(28)
        .putInt(28).array();
    m = refusal(ErrorCode.UNPROCESSABLE, spec("cnn", null, null), TrainingData.idx("lying",
        () -> new java.io.ByteArrayInputStream(lying), "labels", images.labels()));
    assertTrue(m.contains("IDX file lying is truncated"), m);
    byte[] huge = java.nio.ByteBuffer.allocate(26).putInt(0x0803).putInt(1 << 30).putInt(1 << 30)
        .putInt(3).array();
    m = refusal(ErrorCode.UNPROCESSABLE, spec("cnn", null, null), TrainingData.idx("huge",
        () -> new java.io.ByteArrayInputStream(huge), "labels", images.labels()));
    assertTrue(m.contains("IDX file huge declares shape [1073741824, 1073741824, 3]")
        && m.contains("train on a slice of the file"), m);
    m = refusal(ErrorCode.UNPROCESSABLE, spec("cnn", null, null), TrainingData.idx("notes.txt",
        () -> new java.io.ByteArrayInputStream("hello, world".getBytes()), "labels",
        images.labels()));
    assertTrue(m.contains("notes.txt is not an IDX file"), m);

    TrainingData fortunes = bytes(DatasetFormat.JSONL, "f.jsonl",
        TrainingDataFixtures.fortunesJsonl());
    m = refusal(ErrorCode.UNPROCESSABLE, spec("mlp", "category", null), fortunes);
    assertTrue(m.contains("use text-lstm"), m);
    m = refusal(ErrorCode.UNPROCESSABLE, spec("mlp", null, null),
        bytes(DatasetFormat.TEXT, "lines.txt", "one\ntwo\n"));
    assertTrue(m.contains("upload JSON lines with a text field and a label field"), m);
    m = refusal(ErrorCode.UNPROCESSABLE, spec("mlp", "species", null),
        bytes(DatasetFormat.CSV, "mixed.csv", "city,size,species\nOslo,1,a\nRome,2,b\n"));
    assertTrue(m.contains("[city]") && m.contains("takes numbers only"), m);
    StringBuilder ids = new StringBuilder("x,id\n");
    for (int i = 0; i < Training.MAX_CLASSES + 1; i++) {
      ids.append(i % 7).append(",u").append(i).append('\n');
    }
    m = refusal(ErrorCode.UNPROCESSABLE, spec("mlp", "id", null),
        bytes(DatasetFormat.CSV, "ids.csv", ids.toString()));
    assertTrue(m.contains("holds 10001 distinct values, more than the 10000 classes"), m);
    m = refusal(ErrorCode.UNPROCESSABLE, spec("mlp", "species", null),
        bytes(DatasetFormat.CSV, "tiny.csv", "x,species\n1,a\n2,b\n"));
    assertTrue(m.contains("cannot split 2 samples"), m);
  }

  @Test
  void aConfigThatIsNotASequentialModelOrDoesNotFitTheDataIsRefused() {
    TrainingData iris = bytes(DatasetFormat.CSV, "iris.csv", TrainingDataFixtures.irisCsv(10, 1));
    String m = refusal(ErrorCode.INVALID_ARGUMENT, configSpec("{not json"), iris);
    assertTrue(m.contains("not valid JSON"), m);
    m = refusal(ErrorCode.INVALID_ARGUMENT, configSpec("{\"class_name\": \"Functional\"}"), iris);
    assertTrue(m.contains("must be a Sequential model config"), m);
    m = refusal(ErrorCode.INVALID_ARGUMENT, configSpec("{\"class_name\": \"Sequential\", "
        + "\"config\": {\"layers\": [{\"class_name\": \"Warp\", \"config\": {}}]}}"), iris);
    assertTrue(m.contains("unknown layer class \"Warp\""), m);
    String twoClasses = configOf(new ai.lepton.models.Sequential()
        .add(new ai.lepton.layers.Dense(2, "softmax")), 4);
    m = refusal(ErrorCode.UNPROCESSABLE, configSpec(twoClasses), iris);
    assertTrue(m.contains("3 classes") && m.contains("Dense(3, softmax)"), m);
    String regression = configOf(new ai.lepton.models.Sequential()
        .add(new ai.lepton.layers.Dense(1)), 4);
    m = refusal(ErrorCode.UNPROCESSABLE, configSpec(regression), iris);
    assertTrue(m.contains("ends in a regression output") && m.contains("holds text"), m);
  }

  static TrainingSpec configSpec(String config) {
    return new TrainingSpec("data", null, new ModelChoice(null, config, null), "species", null,
        null, null, null, null);
  }

  @Test
  void theSameSpecAndDataPrepareTheSameSplitsAndWeights() {
    String csv = TrainingDataFixtures.irisCsv(20, 9);
    PreparedTraining a = Training.prepare(spec("mlp", "species", null),
        bytes(DatasetFormat.CSV, "iris.csv", csv), null);
    PreparedTraining b = Training.prepare(spec("mlp", "species", null),
        bytes(DatasetFormat.CSV, "iris.csv", csv), null);
    assertEquals(a.parameters(), b.parameters());
    assertEquals(a.model().preprocessing().get().toJson(), b.model().preprocessing().get()
        .toJson());
    a.model().weights().forEach((name, w) -> assertTrue(Arrays.equals(w.toFloatArray(),
        b.model().weights().get(name).toFloatArray()), name));
    assertEquals("42", a.parameters().get("seed"));
    assertEquals("template:mlp", a.parameters().get("model"));
    assertEquals("classification", a.parameters().get("task"));
  }

  // ---- the spec's validation and defaults ------------------------------------------------------

  @Test
  void aSpecFillsItsDefaults() {
    TrainingSpec spec = spec("mlp", "y", null);
    Hyperparameters hp = spec.hyperparameters();
    assertEquals(List.of(10, 32, 128), List.of(hp.epochs(), hp.batchSize(), hp.units()));
    assertEquals(List.of(0.001, 0.2, 0.1, 0.2), List.of(hp.learningRate(), hp.dropout(),
        hp.validationSplit(), hp.testSplit()));
    assertEquals("adam", hp.optimizer());
    assertEquals(42L, hp.seed());
    assertEquals(0.01, new Hyperparameters(null, null, null, "sgd", null, null, null, null, null)
        .learningRate());
    assertEquals(new TrainingPreprocessing("standard", 10_000, 100), spec.preprocessing());
    assertEquals(1, spec.checkpointEvery());
    assertNull(spec.registerAs());
  }

  static String invalid(Runnable make) {
    return assertThrows(IllegalArgumentException.class, make::run).getMessage();
  }

  @Test
  void aSpecRefusesValuesOutOfRangeSayingWhatToSend() {
    assertTrue(invalid(() -> spec("mlp", "y", new Hyperparameters(0, null, null, null, null,
        null, null, null, null))).contains("'epochs' must be 1 to 100000; received 0"));
    assertTrue(invalid(() -> new Hyperparameters(null, null, -1.0, null, null, null, null, null,
        null)).contains("'learningRate' must be above 0"));
    assertTrue(invalid(() -> new Hyperparameters(null, null, null, "lbfgs", null, null, null,
        null, null)).contains("the optimizers are adam, sgd, rmsprop, adamw"));
    assertTrue(invalid(() -> new Hyperparameters(null, null, null, null, null, 1.0, null, null,
        null)).contains("'dropout' is a rate"));
    assertTrue(invalid(() -> new Hyperparameters(null, null, null, null, null, null, 0.5, 0.5,
        null)).contains("leave at least 10% of the data to train on"));
    assertTrue(invalid(() -> new Hyperparameters(null, null, null, null, null, null, null, 0.0,
        null)).contains("'testSplit' is a fraction above 0"));
    assertTrue(invalid(() -> new ModelChoice("mlp", "{}", null))
        .contains("exactly one of 'template', 'config' or 'baseModel'; received 2"));
    assertTrue(invalid(() -> new ModelChoice("resnet", null, null))
        .contains("the templates are mlp, linear-regression, cnn, text-lstm"));
    assertTrue(invalid(() -> new ModelChoice(null, null, "iris"))
        .contains("name@version or name@alias"));
    assertTrue(invalid(() -> new TrainingPreprocessing("robust", null, null))
        .contains("standard, minmax or none"));
    assertTrue(invalid(() -> new TrainingPreprocessing(null, 1, null)).contains("'maxTokens'"));
    assertTrue(invalid(() -> new TrainingSpec(" ", null, new ModelChoice("mlp", null, null),
        null, null, null, null, null, null)).contains("needs 'dataset'"));
    assertTrue(invalid(() -> new TrainingSpec("d", 0, new ModelChoice("mlp", null, null),
        null, null, null, null, null, null)).contains("'version' is a dataset version number"));
    assertTrue(invalid(() -> new TrainingSpec("d", null, null, null, null, null, null, null, null))
        .contains("needs 'model'"));
    assertTrue(invalid(() -> new TrainingSpec("d", null, new ModelChoice("mlp", null, null),
        null, null, null, 0, null, null)).contains("'checkpointEvery'"));
    TrainingSpec base = spec("mlp", "labels", null);
    assertTrue(invalid(() -> named(base, List.of("cat", "dog", "cat")))
        .contains("names 'cat' twice (entries 0 and 2)"));
    assertTrue(invalid(() -> named(base, List.of("cat", " "))).contains("entry 1"));
    assertTrue(invalid(() -> named(base, List.of("line\nbreak"))).contains("control"));
    assertTrue(invalid(() -> named(base, List.of())).contains("1 to 10000 names"));
  }

  @Test
  void classNamesNameNumberedLabelsAndRefuseLabelsTheyDoNotCover() {
    TrainingData data = TrainingDataFixtures.fashion("train", 600);
    Hyperparameters one = new Hyperparameters(1, 32, 0.001, null, 16, 0.0, 0.1, 0.2, 1L);
    PreparedTraining plain = Training.prepare(spec("mlp", "labels@1", one), data, null);
    assertEquals(List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9"),
        plain.model().classNames().orElseThrow(), "without names, the labels as the file has them");
    String m = refusal(ErrorCode.UNPROCESSABLE, named(spec("mlp", "labels@1", one),
        List.of("T-shirt/top", "Trouser", "Pullover")), data);
    assertTrue(m.contains("names the labels 0 to 2, but the data has the class '3'"), m);
    TrainingData iris = bytes(DatasetFormat.CSV, "iris.csv", TrainingDataFixtures.irisCsv(10, 1));
    m = refusal(ErrorCode.UNPROCESSABLE, named(spec("mlp", "species", one), List.of("a", "b",
        "c")), iris);
    assertTrue(m.contains("the data has the class 'setosa'"), m);
    StringBuilder line = new StringBuilder("x,y\n");
    for (int i = 0; i < 20; i++) {
      line.append(i).append(',').append(2 * i).append('\n');
    }
    m = refusal(ErrorCode.UNPROCESSABLE, named(spec("linear-regression", "y", one),
        List.of("a", "b")), bytes(DatasetFormat.CSV, "line.csv", line.toString()));
    assertTrue(m.contains("'classNames' names a classifier's labels, but"), m);
  }
}
