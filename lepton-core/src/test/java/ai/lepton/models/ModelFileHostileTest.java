package ai.lepton.models;

import static ai.lepton.LeptonAssertions.refusedQuickly;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.lepton.LeptonException;
import ai.lepton.layers.Activation;
import ai.lepton.layers.Conv2D;
import ai.lepton.layers.Dense;
import ai.lepton.layers.Input;
import ai.lepton.layers.LSTM;
import ai.lepton.layers.Layers;
import ai.lepton.layers.Symbol;
import ai.lepton.tensor.Tensor;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every reader of a model file, from a file and from bytes in memory, against crafted hostile
 * files, in a JVM with a 256 MiB heap (the surefire execution for {@code *HostileTest}): each must
 * fail with a clear {@link LeptonException} quickly, never run out of memory. The files are tiny;
 * what they claim is not.
 */
class ModelFileHostileTest {
  @TempDir Path dir;
  private Map<String, byte[]> valid;
  private String config;

  /** A small compiled model, saved and taken apart into its entries. */
  @BeforeEach
  void saveAValidModel() throws IOException {
    Sequential model = new Sequential().add(new Dense(3, "tanh")).add(new Dense(1, "sigmoid"));
    model.build(1, 2);
    model.compile("adam", "binary_crossentropy");
    Path file = dir.resolve("valid.lepton");
    model.save(file);
    valid = new LinkedHashMap<>();
    try (ZipFile zip = new ZipFile(file.toFile())) {
      for (ZipEntry e : zip.stream().toList()) {
        valid.put(e.getName(), zip.getInputStream(e).readAllBytes());
      }
    }
    config = new String(valid.get("config.json"), StandardCharsets.UTF_8);
    ModelArchive.open(file); // warms the classes up, so the timing guard measures the refusal
  }

  // ---------------------------------------------------------------- the zip

  @Test
  void aConfigZipBombIsRefusedByItsDeclaredSize() throws IOException {
    // 64 MiB of spaces deflate to about 64 KiB; never held in memory, here or by the reader.
    Path file = dir.resolve("bomb.lepton");
    try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(file))) {
      for (var e : valid.entrySet()) {
        zip.putNextEntry(ModelFileTest.entry(e.getKey(), e.getValue()));
        if (e.getKey().equals("config.json")) {
          byte[] spaces = " ".repeat(1 << 20).getBytes(StandardCharsets.US_ASCII);
          for (int i = 0; i < 64; i++) {
            zip.write(spaces);
          }
        }
        zip.write(e.getValue());
        zip.closeEntry();
      }
    }
    assertTrue(Files.size(file) < 1 << 20);
    assertRefused(file, "config.json declares 671", "over the limit (maxConfigBytes=4194304)");
  }

  @Test
  void anEntryThatInflatesPastWhatItsHeaderDeclaresIsStoppedByCounting() throws IOException {
    Map<String, byte[]> entries = new LinkedHashMap<>(valid);
    entries.put("config.json", (" ".repeat(2 << 20) + config).getBytes(StandardCharsets.UTF_8));
    Path file = zip(entries);
    patchDeclaredSize(file, "config.json", 1000);
    assertRefused(file, "entry config.json inflates to more than the 1000 bytes its zip header "
        + "declares");
  }

  @Test
  void anEntryDeclaringGigabytesIsRefusedBeforeReading() throws IOException {
    Path file = zip(valid);
    patchDeclaredSize(file, "optimizer.json", 4_000_000_000L);
    assertRefused(file, "optimizer.json declares 4000000000 bytes, over the limit (the "
        + "format's limit for optimizer.json=1048576)");
  }

  @Test
  void storedWeightsClaimingMoreBytesThanTheFileHoldsAreRefused() throws IOException {
    Path file = zip(valid);
    patchDeclaredSize(file, "model.safetensors", 100_000_000);
    patchDeclaredSize(file, "model.safetensors", 100_000_000, 20); // the compressed size
    assertRefused(file, "entry model.safetensors declares 100000000 compressed bytes in a file "
        + "of " + Files.size(file));
  }

  @Test
  void compressedWeightsAreRefused() throws IOException {
    // A deflated tensor entry could claim any size; stored ones are bounded by the file.
    Path file = dir.resolve("deflated.lepton");
    try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(file))) {
      for (var e : valid.entrySet()) {
        zip.putNextEntry(new ZipEntry(e.getKey()));
        zip.write(e.getValue());
        zip.closeEntry();
      }
    }
    assertRefused(file, "entry model.safetensors is compressed; tensor entries must be stored "
        + "uncompressed");
  }

  @Test
  void aDeflatedEntryCutShortIsRefused() throws IOException {
    Path file = zip(valid);
    patchDeclaredSize(file, "config.json", 10, 20); // the compressed size
    assertRefused(file, "is not a readable model file", "entry config.json is truncated: its 10 "
        + "compressed bytes end before its");
  }

  @Test
  void anUnknownCompressionMethodIsRefused() throws IOException {
    Path file = zip(valid);
    patchCentral(file, "config.json", 10, 2, 12); // bzip2
    assertRefused(file, "entry config.json uses compression method 12; only stored (0) and "
        + "deflated (8) entries are read");
  }

  @Test
  void anEncryptedEntryIsRefused() throws IOException {
    Path file = zip(valid);
    patchCentral(file, "config.json", 8, 2, 1); // general purpose flag bit 0
    assertRefused(file, "is not a readable model file", "is encrypted");
  }

  @Test
  void aLocalHeaderOutsideTheEntriesIsRefused() throws IOException {
    Path file = zip(valid);
    patchCentral(file, "config.json", 42, 4, 0x7ffffff0);
    assertRefused(file, "entry config.json's local header offset 2147483632 is outside the "
        + "entries' area");
  }

  /** Tools that read local headers would see another file than the central directory lists. */
  @Test
  void aLocalHeaderNamingAnotherEntryIsRefused() throws IOException {
    Path file = zip(valid);
    String latin = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
    // the first occurrence is the local header's name; the central directory's comes later
    Files.write(file, latin.replaceFirst("config\\.json", "config.jsoX")
        .getBytes(StandardCharsets.ISO_8859_1));
    assertRefused(file, "entry config.json has another name in its local header");
  }

  @Test
  void aCentralDirectoryOutsideTheFileIsRefused() throws IOException {
    Path file = zip(valid);
    byte[] bytes = Files.readAllBytes(file);
    ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putInt(bytes.length - 22 + 16,
        0x7ffffff0);
    Files.write(file, bytes);
    assertRefused(file, "is not a readable model file", "its central directory (", "is not "
        + "inside the file of " + bytes.length + " bytes");
  }

  @Test
  void thousandsOfEntriesAreRefused() throws IOException {
    Map<String, byte[]> entries = new LinkedHashMap<>(valid);
    for (int i = 0; i < 5000; i++) {
      entries.put("e" + i, new byte[0]);
    }
    assertRefused(zip(entries), "it has 5005 entries, more than the 64 allowed (maxEntries)");
  }

  @Test
  void traversalNamesAreRefused() throws IOException {
    Map<String, byte[]> entries = new LinkedHashMap<>(valid);
    entries.put("../../home/user/.bashrc", new byte[1]);
    assertRefused(zip(entries), "an entry named '../../home/user/.bashrc', a path that could "
        + "escape");
  }

  @Test
  void duplicateEntriesAreRefused() throws IOException {
    Map<String, byte[]> entries = new LinkedHashMap<>(valid);
    entries.put("model.safetensorX", valid.get("model.safetensors"));
    Path file = zip(entries);
    byte[] bytes = Files.readAllBytes(file);
    String latin = new String(bytes, StandardCharsets.ISO_8859_1)
        .replace("model.safetensorX", "model.safetensors");
    Files.write(file, latin.getBytes(StandardCharsets.ISO_8859_1));
    assertRefused(file, "two entries named 'model.safetensors'");
  }

  @Test
  void missingEntriesAreRefused() throws IOException {
    Map<String, byte[]> entries = new LinkedHashMap<>(valid);
    entries.remove("model.safetensors");
    assertRefused(zip(entries), "it has no model.safetensors entry");
  }

  // ---------------------------------------------------------------- the config

  @Test
  void aLayerOfTwoBillionUnitsIsRefusedWithTheExactNumber() throws IOException {
    assertRefused(withConfig(units(1, 2147483647)), "Dense 'dense_1': weight 'kernel' would have "
        + "shape [3, 2147483647], 6442450941 values, more than one tensor holds");
  }

  @Test
  void aConfigOverTheParameterBudgetIsRefusedNamingTheLayer() throws IOException {
    Path file = withConfig(units(0, 700_000_000));
    assertRefused(file, "Dense 'dense' would bring the model to 2100000000 parameters "
        + "(2100000000 of its own), over the budget of 2000000000 (maxParameters)");
  }

  @Test
  void aConfigWithinTheBudgetIsCheckedAgainstTheWeightsBeforeBuilding() throws IOException {
    // 600 million parameters would need 2.4 GB: the header check refuses it before any exists.
    assertRefused(withConfig(units(0, 200_000_000)), "model.safetensors does not hold the "
        + "weights config.json builds: dense/kernel has shape [2, 3] but the config builds "
        + "[2, 200000000]");
  }

  @Test
  void gateDimensionsThatOverflowAnIntAreRefused() throws IOException {
    String lstm = config.replaceFirst("\\{\\s*\"class_name\" : \"Dense\"",
        Layers.toConfig(new LSTM(4).name("lstm")).toString().replace("\"units\":4,",
            "\"units\":1073741824,") + ", { \"class_name\" : \"Dense\"");
    lstm = lstm.replace("\"build_input_shape\" : [ null, 2 ]",
        "\"build_input_shape\" : [ null, 4, 2 ]");
    assertRefused(withConfig(lstm), "LSTM 'lstm': weight 'kernel' would have shape "
        + "[2, 4294967296], a dimension outside 0 to 2147483647");
  }

  @Test
  void hugeSamplesAreRefusedBeforeAnyShapeIsInferred() throws IOException {
    String flat = config.replaceFirst("\"class_name\" : \"Dense\"", "\"class_name\" : \"Flatten\","
        + " \"config\" : {\"name\" : \"flatten\"}}, {\"class_name\" : \"Dense\"")
        .replace("\"build_input_shape\" : [ null, 2 ]",
            "\"build_input_shape\" : [ null, 65536, 65536, 4 ]");
    assertRefused(withConfig(flat), "Flatten 'flatten' would take samples of shape "
        + "[65536, 65536, 4], 17179869184 values, more than one tensor holds");
  }

  @Test
  void aHugeKernelOnAHugeImageCostsNothingBeforeItIsRefused() throws IOException {
    // Shape inference used to run a probe convolution, allocating the image and the kernel.
    String conv = config.replaceFirst("\\{\\s*\"class_name\" : \"Dense\"",
        Layers.toConfig(new Conv2D(1, 3, 3, "linear").name("conv")).toString()
            .replace("\"kernel_size\":[3,3]", "\"kernel_size\":[46340,46340]")
            + ", {\"class_name\" : \"Flatten\", \"config\" : {\"name\" : \"flatten\"}}, "
            + "{ \"class_name\" : \"Dense\"")
        .replace("\"build_input_shape\" : [ null, 2 ]",
            "\"build_input_shape\" : [ null, 46340, 46340, 1 ]");
    assertRefused(withConfig(conv), "Conv2D 'conv' would bring the model to 2147395601 "
        + "parameters");
  }

  @Test
  void thousandsOfLayersAreRefused() throws IOException {
    StringBuilder layers = new StringBuilder();
    for (int i = 0; i < 5000; i++) {
      layers.append(i == 0 ? "" : ",").append("{\"class_name\":\"Activation\",\"config\":"
          + "{\"name\":\"a").append(i).append("\",\"activation\":\"relu\"}}");
    }
    assertRefused(withConfig("{\"class_name\":\"Sequential\",\"config\":{\"name\":\"s\","
        + "\"layers\":[" + layers + "],\"build_input_shape\":[null,2]}}"),
        "the model has 5000 layers, more than the 4096 allowed (maxLayers)");
  }

  /** A layer shared by thousands of calls: few layers, but every call is a node of the graph. */
  @Test
  void thousandsOfCallsOfOneLayerAreRefused() throws IOException {
    assertRefused(withConfig(calledTimes(5000).toString()), "more than 4096 layer calls, over the "
        + "limit (maxLayers, which counts each call of a shared layer)");
  }

  @Test
  void lowerLayerLimitsRefuseWhatTheDefaultsAccept() throws IOException {
    assertOpenRefused(dir.resolve("valid.lepton"), ModelArchive.Limits.DEFAULT.withMaxLayers(1),
        "the model has 2 layers, more than the 1 allowed (maxLayers); the file is damaged or "
        + "hostile, or, if it is genuine, raise maxLayers");
    // two layers (the input and one shared layer) within a limit of 2, but three calls
    assertOpenRefused(withConfig(calledTimes(3).toString()),
        ModelArchive.Limits.DEFAULT.withMaxLayers(2), "Functional config: more than 2 layer calls");
  }

  /** The config of a functional model whose one layer, {@code relu}, takes {@code calls} calls. */
  private static ObjectNode calledTimes(int calls) {
    Symbol in = Input.of("in", 2);
    ObjectNode config = (ObjectNode) new Functional(in, new Activation("relu").name("relu").on(in))
        .config();
    for (JsonNode layer : config.path("config").path("layers")) {
      if (layer.path("name").asText().equals("relu")) {
        ArrayNode nodes = (ArrayNode) layer.path("inbound_nodes");
        for (int i = 1; i < calls; i++) {
          nodes.add(nodes.get(0).deepCopy());
        }
      }
    }
    return config;
  }

  @Test
  void deepNestingIsRefusedByTheParser() throws IOException {
    String deep = "[".repeat(100_000) + "]".repeat(100_000);
    assertRefused(withConfig(deep), "config.json is not valid JSON (Document nesting depth "
        + "(65) exceeds the maximum allowed (64");
  }

  /**
   * A JSON tree costs up to about 70 bytes per token, far more than its text: four megabytes of
   * {@code {},} would take hundreds of megabytes as a tree. Tokens are counted first.
   */
  @Test
  void aConfigOfMillionsOfTinyObjectsIsRefusedBeforeItBecomesATree() throws IOException {
    String objects = "[" + "{},".repeat(1_200_000) + "{}]";
    assertRefused(withConfig(objects), "config.json holds more than 2000000 JSON tokens, over "
        + "the limit (maxJsonTokens=2000000)");
  }

  @Test
  void aPreprocessingOfMillionsOfTinyObjectsIsRefusedBeforeItBecomesATree() throws IOException {
    Map<String, byte[]> entries = new LinkedHashMap<>(valid);
    entries.put("preprocessing.json", ("{\"kind\":\"text\",\"x\":[" + "[],".repeat(1_500_000)
        + "[]]}").getBytes(StandardCharsets.UTF_8));
    Path file = zip(entries);
    assertTrue(Files.size(file) < 1 << 20, "the entry is highly compressed");
    assertRefused(file, "preprocessing.json holds more than 2000000 JSON tokens");
  }

  @Test
  void classNamesThatDoNotNameTheOutputColumnsAreRefused() throws IOException {
    assertOpenRefused(withClasses("{\"class_names\":[\"cat\",\"dog\"]}"),
        "classes.json: 2 class names for an output of 1 columns");
    assertOpenRefused(withClasses("{\"class_names\":[\"cat\",\"cat\"]}"),
        "classes.json: class name 'cat' appears twice");
    assertOpenRefused(withClasses("{\"class_names\":[7]}"),
        "classes.json: class name 0 is NUMBER, not a string");
    assertOpenRefused(withClasses("{\"names\":[\"cat\"]}"),
        "classes.json: expected {\"class_names\": [\"name\", ...]}, but class_names is missing");
    assertOpenRefused(withClasses("[\"cat\"]"), "classes.json");
    assertOpenRefused(withClasses("{\"class_names\":[\"" + "x".repeat(300) + "\"]}"),
        "classes.json: class name 0 is 300 chars long");
  }

  @Test
  void hundredsOfThousandsOfClassNamesAreRefusedByTheirCount() throws IOException {
    Path file = withClasses("{\"class_names\":[" + "\"\",".repeat(299_999) + "\"\"]}");
    assertTrue(Files.size(file) < 1 << 20, "the entry is highly compressed");
    assertRefused(file, "classes.json: expected 1 to 65536 class names", "received 300000");
  }

  @Test
  void aMetadataEntryOfAMillionFieldsIsRefusedByItsSize() throws IOException {
    StringBuilder fields = new StringBuilder("{\"format_version\":1");
    for (int i = 0; i < 1_000_000; i++) {
      fields.append(",\"").append(Integer.toString(i, 36)).append("\":\"\"");
    }
    Map<String, byte[]> entries = new LinkedHashMap<>(valid);
    entries.put("metadata.json", fields.append('}').toString().getBytes(StandardCharsets.UTF_8));
    assertRefused(zip(entries), "metadata.json declares", "over the limit (the format's limit "
        + "for metadata.json=1048576)");
  }

  @Test
  void compileSettingsAreCheckedWhenTheFileOpens() throws IOException {
    assertOpenRefused(withConfig(config.replace("\"name\" : \"adam\"", "\"name\" : \"evil\"")),
        "config.json: compile_config: Unknown optimizer 'evil'");
    // {"name": ..., "config": {...}}, through its two closing braces
    String dict = config.replaceFirst("\"loss\" : \\{[^}]*\\}[^}]*\\}",
        "\"loss\" : {\"nowhere\" : {\"name\" : \"mse\", \"config\" : {}}}");
    assertOpenRefused(withConfig(dict), "compile_config names output 'nowhere', but the model's "
        + "outputs are [dense_1]");
    Map<String, byte[]> entries = new LinkedHashMap<>(valid);
    entries.put("optimizer.json", "{\"iterations\":-5}".getBytes(StandardCharsets.UTF_8));
    assertOpenRefused(zip(entries), "optimizer.json: expected \"iterations\", a non-negative "
        + "integer, received -5");
  }

  @Test
  void negativeAndAbsurdSizesAreRefused() throws IOException {
    assertRefused(withConfig(units(0, -3)), "Dense: expected a positive number of units");
    assertRefused(withConfig(config.replace("\"build_input_shape\" : [ null, 2 ]",
        "\"build_input_shape\" : [ null, 2147483648 ]")), "expected positive integer dimensions "
        + "up to 2147483647 in build_input_shape");
  }

  // ---------------------------------------------------------------- the weights

  @Test
  void aTensorOfTwoBillionSquaredElementsIsRefusedFromItsHeader() throws IOException {
    assertRefused(withWeights("{\"dense/kernel\":{\"dtype\":\"F32\",\"shape\":[2147483647,"
        + "2147483647],\"data_offsets\":[0,8]}}", 8), "tensor 'dense/kernel' has shape "
        + "[2147483647,2147483647] with more than 2147483631 elements");
  }

  @Test
  void offsetsBeyondTheFileAreRefused() throws IOException {
    assertRefused(withWeights("{\"dense/kernel\":{\"dtype\":\"F32\",\"shape\":[1000000000],"
        + "\"data_offsets\":[0,4000000000]}}", 8), "its header describes 4000000000 bytes of "
        + "tensor data but at most 8 bytes follow the header");
  }

  @Test
  void overlappingTensorsAreRefused() throws IOException {
    assertRefused(withWeights("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
        + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", 12),
        "tensor 'b' at data_offsets [4, 12] overlaps tensor 'a'");
  }

  @Test
  void otherDtypesAreRefused() throws IOException {
    assertRefused(withWeights("{\"a\":{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[0,4]}}",
        4), "tensor 'a' has dtype F16 but Lepton reads only F32");
  }

  @Test
  void aHugeHeaderLengthIsRefusedUnsigned() throws IOException {
    byte[] weights = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(-8L)
        .put("{}      ".getBytes(StandardCharsets.US_ASCII)).array();
    Map<String, byte[]> entries = new LinkedHashMap<>(valid);
    entries.put("model.safetensors", weights);
    assertRefused(zip(entries), "declares a header of 18446744073709551608 bytes; expected 2 to");
  }

  @Test
  void tooManyTensorsAreRefused() throws IOException {
    StringBuilder header = new StringBuilder("{");
    for (int i = 0; i < 1000; i++) {
      header.append(i == 0 ? "" : ",").append("\"t").append(i)
          .append("\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[0,0]}");
    }
    Path file = withWeights(header + "}", 0);
    assertOpenRefused(file, ModelArchive.Limits.DEFAULT.withMaxTensors(100),
        "describes more than 100 tensors, over the limit (maxTensors=100)");
  }

  @Test
  void aSafetensorsHeaderIsCountedInTokensBeforeItIsParsed() throws IOException {
    StringBuilder header = new StringBuilder("{");
    for (int i = 0; i < 100; i++) {
      header.append(i == 0 ? "" : ",").append("\"t").append(i)
          .append("\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[0,0]}");
    }
    Path file = withWeights(header + "}", 0);
    assertOpenRefused(file, ModelArchive.Limits.DEFAULT.withMaxJsonTokens(1000),
        "its header holds more than 1000 JSON tokens, over the limit (maxJsonTokens=1000)");
  }

  @Test
  void optimizerSlotsLargerThanTheirWeightsAreRefused() throws IOException {
    Map<String, Tensor> slots = Map.of("dense/kernel/m", Tensor.zeros(2, 300));
    Map<String, byte[]> entries = new LinkedHashMap<>(valid);
    entries.put("optimizer.safetensors", Safetensors.toBytes(slots, Map.of()));
    assertRefused(zip(entries), "optimizer.safetensors has tensor 'dense/kernel/m' of shape "
        + "[2, 300], which is not '<weight>/<slot>' with the shape of one of the model's weights");
  }

  /**
   * NaN and infinite weights are data, not an attack: they cost no more memory than any other
   * value, a diverged model is worth inspecting, and the places that must refuse non-finite
   * numbers (training's TerminateOnNaN, predict's checks) see them there. They load bit for bit.
   */
  @Test
  void nanWeightsLoadAsData() throws IOException {
    Map<String, Tensor> weights = new LinkedHashMap<>();
    try (var in = new java.io.ByteArrayInputStream(valid.get("model.safetensors"))) {
      weights.putAll(Safetensors.read(in, valid.get("model.safetensors").length, "w").tensors());
    }
    float nan = Float.intBitsToFloat(0x7fc00abc);
    weights.put("dense/bias", Tensor.of(new float[] {nan, Float.POSITIVE_INFINITY, -0f}, 3));
    Map<String, byte[]> entries = new LinkedHashMap<>(valid);
    entries.put("model.safetensors", Safetensors.toBytes(weights, Map.of()));
    Path file = zip(entries);
    for (Model model : new Model[] {Model.load(file),
        ModelArchive.open(Files.readAllBytes(file), ModelArchive.Limits.DEFAULT).load()}) {
      float[] bias = model.weights().get("dense/bias").toFloatArray();
      assertEquals(0x7fc00abc, Float.floatToRawIntBits(bias[0]));
      assertEquals(Float.POSITIVE_INFINITY, bias[1]);
    }
  }

  // ---------------------------------------------------------------- helpers

  /** {@code Model.load} of the file, and loading the same bytes from memory, both refuse it. */
  private static void assertRefused(Path file, String... fragments) throws IOException {
    assertMessage(refusedQuickly(() -> Model.load(file)), file.toString(), fragments);
    byte[] bytes = Files.readAllBytes(file);
    assertMessage(refusedQuickly(() -> ModelArchive.open(bytes, ModelArchive.Limits.DEFAULT)
        .load()), ModelFile.IN_MEMORY, fragments);
  }

  /** Opening the file, and opening its bytes, both refuse it. */
  private static void assertOpenRefused(Path file, String... fragments) throws IOException {
    assertOpenRefused(file, ModelArchive.Limits.DEFAULT, fragments);
  }

  private static void assertOpenRefused(Path file, ModelArchive.Limits limits,
      String... fragments) throws IOException {
    assertMessage(refusedQuickly(() -> ModelArchive.open(file, limits)), file.toString(),
        fragments);
    byte[] bytes = Files.readAllBytes(file);
    assertMessage(refusedQuickly(() -> ModelArchive.open(bytes, limits)), ModelFile.IN_MEMORY,
        fragments);
  }

  private static void assertMessage(LeptonException e, String source, String... fragments) {
    assertTrue(e.getMessage().startsWith(source), e.getMessage());
    for (String fragment : fragments) {
      assertTrue(e.getMessage().contains(fragment), e.getMessage());
    }
  }

  /** The saved config with the {@code layer}-th Dense layer's units replaced. */
  private String units(int layer, long units) {
    String[] parts = config.split("\"units\" : ", -1);
    StringBuilder out = new StringBuilder(parts[0]);
    for (int i = 1; i < parts.length; i++) {
      out.append("\"units\" : ");
      out.append(i - 1 == layer ? parts[i].replaceFirst("^\\d+", Long.toString(units)) : parts[i]);
    }
    return out.toString();
  }

  private Path withClasses(String json) throws IOException {
    Map<String, byte[]> entries = new LinkedHashMap<>(valid);
    entries.put("classes.json", json.getBytes(StandardCharsets.UTF_8));
    return zip(entries);
  }

  private Path withConfig(String json) throws IOException {
    Map<String, byte[]> entries = new LinkedHashMap<>(valid);
    entries.put("config.json", json.getBytes(StandardCharsets.UTF_8));
    return zip(entries);
  }

  private Path withWeights(String header, int dataBytes) throws IOException {
    Map<String, byte[]> entries = new LinkedHashMap<>(valid);
    entries.put("model.safetensors", SafetensorsTest.file(header, new byte[dataBytes]));
    return zip(entries);
  }

  private Path zip(Map<String, byte[]> entries) throws IOException {
    Path file = Files.createTempFile(dir, "crafted", ".lepton");
    try (OutputStream out = Files.newOutputStream(file);
        ZipOutputStream zip = new ZipOutputStream(out)) {
      for (var e : entries.entrySet()) {
        zip.putNextEntry(ModelFileTest.entry(e.getKey(), e.getValue()));
        zip.write(e.getValue());
        zip.closeEntry();
      }
    }
    return file;
  }

  /**
   * Makes the zip's central directory (which {@link ZipFile} trusts) declare {@code size}
   * uncompressed bytes for entry {@code name}: a header that lies.
   */
  private static void patchDeclaredSize(Path file, String name, long size) throws IOException {
    patchDeclaredSize(file, name, size, 24);
  }

  /** Sets the central directory's field at {@code offset}: 20 compressed, 24 uncompressed size. */
  private static void patchDeclaredSize(Path file, String name, long size, int offset)
      throws IOException {
    patchCentral(file, name, offset, 4, Math.min(size, 0xfffffffeL));
  }

  /**
   * Sets the {@code width}-byte field at {@code offset} of entry {@code name}'s central directory
   * record (8 flags, 10 method, 20 and 24 sizes, 42 local header offset).
   */
  private static void patchCentral(Path file, String name, int offset, int width, long value)
      throws IOException {
    byte[] bytes = Files.readAllBytes(file);
    ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    byte[] wanted = name.getBytes(StandardCharsets.UTF_8);
    for (int i = 0; i + 46 <= bytes.length; i++) {
      if (b.getInt(i) == 0x02014b50 && b.getShort(i + 28) == wanted.length
          && java.util.Arrays.equals(bytes, i + 46, i + 46 + wanted.length, wanted, 0,
              wanted.length)) {
        if (width == 2) {
          b.putShort(i + offset, (short) value);
        } else {
          b.putInt(i + offset, (int) value);
        }
        Files.write(file, bytes);
        return;
      }
    }
    throw new AssertionError("no central directory entry " + name);
  }
}
