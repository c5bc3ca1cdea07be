package ai.lepton.models;

import static ai.lepton.models.SafetensorsTest.assertSameTensors;
import static ai.lepton.models.SafetensorsTest.awkwardTensors;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.lepton.LeptonException;
import ai.lepton.tensor.Tensor;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelFileTest {
  private static final String CONFIG = "{\"class_name\":\"Sequential\",\"layers\":[]}";

  @TempDir Path dir;

  private static ModelFile.Contents contents(Optional<ModelFile.OptimizerState> optimizer) {
    Map<String, String> metadata = new LinkedHashMap<>();
    metadata.put("name", "mnist-mlp");
    metadata.put("epochs", "3");
    return new ModelFile.Contents(metadata, CONFIG, awkwardTensors(), optimizer);
  }

  private static ModelFile.OptimizerState optimizer() {
    Map<String, Tensor> slots = new LinkedHashMap<>();
    slots.put("dense/kernel/m", Tensor.of(SafetensorsTest.AWKWARD, 12));
    slots.put("dense/kernel/v", Tensor.zeros(3, 4));
    return new ModelFile.OptimizerState("{\"class_name\":\"Adam\",\"iterations\":42}", slots);
  }

  @Test
  void roundTripWithOptimizerStateIsExact() {
    Path file = dir.resolve("m.lepton");
    ModelFile.Contents written = contents(Optional.of(optimizer()));
    ModelFile.write(file, written);
    ModelFile.Contents read = ModelFile.read(file);

    assertEquals(CONFIG, read.config());
    assertSameTensors(written.weights(), read.weights());
    ModelFile.OptimizerState state = read.optimizer().orElseThrow();
    assertEquals(optimizer().config(), state.config());
    assertSameTensors(optimizer().tensors(), state.tensors());
  }

  @Test
  void roundTripWithoutOptimizerStateHasNone() {
    Path file = dir.resolve("m.lepton");
    ModelFile.write(file, contents(Optional.empty()));
    ModelFile.Contents read = ModelFile.read(file);
    assertTrue(read.optimizer().isEmpty());
    assertSameTensors(awkwardTensors(), read.weights());
  }

  @Test
  void metadataCarriesTheFormatVersionLibraryVersionTimeAndCallerFields() {
    Path file = dir.resolve("m.lepton");
    Instant before = Instant.now();
    Map<String, String> given = new LinkedHashMap<>(contents(Optional.empty()).metadata());
    given.put("created", "long ago"); // replaced: write sets it
    ModelFile.write(file, new ModelFile.Contents(given, CONFIG, Map.of()));
    Map<String, String> metadata = ModelFile.read(file).metadata();

    assertEquals(List.of("format_version", "library_version", "created", "name", "epochs"),
        List.copyOf(metadata.keySet()));
    assertEquals("1", metadata.get("format_version"));
    assertEquals("mnist-mlp", metadata.get("name"));
    assertTrue(!Instant.parse(metadata.get("created")).isBefore(before.minusSeconds(1)));
  }

  @Test
  void overwritesAnExistingFileAndLeavesNoTemporaryFiles() throws IOException {
    Path file = dir.resolve("m.lepton");
    ModelFile.write(file, contents(Optional.of(optimizer())));
    ModelFile.write(file, contents(Optional.empty()));
    assertTrue(ModelFile.read(file).optimizer().isEmpty());
    assertEquals(List.of(file), list(dir));
  }

  @Test
  void aFailedWriteLeavesNoTemporaryFile() throws IOException {
    Path target = Files.createDirectory(dir.resolve("m.lepton"));
    Files.writeString(target.resolve("keep"), "x"); // a non-empty directory cannot be replaced
    LeptonException e = assertThrows(LeptonException.class,
        () -> ModelFile.write(target, contents(Optional.empty())));
    assertTrue(e.getMessage().startsWith("cannot save the model to " + target), e.getMessage());
    assertEquals(List.of(target), list(dir));
  }

  @Test
  void refusesToWriteAJsonEntryThatReadingWouldRefuse() throws IOException {
    Path file = dir.resolve("big.lepton");
    String config = "{\"pad\":\"" + "x".repeat(4 << 20) + "\"}";
    LeptonException e = assertThrows(LeptonException.class, () -> ModelFile.write(file,
        new ModelFile.Contents(Map.of(), config, Map.of())));
    assertEquals("cannot save the model: its config.json would hold 4194314 bytes, over the "
        + "4194304 that loading accepts by default; for a text preprocessing, give the tokenizer a "
        + "numWords limit", e.getMessage());
    assertEquals(List.of(), list(dir));
  }

  @Test
  void writingIntoAMissingDirectorySaysSo() {
    Path file = dir.resolve("no/such/m.lepton");
    LeptonException e = assertThrows(LeptonException.class,
        () -> ModelFile.write(file, contents(Optional.empty())));
    assertTrue(e.getMessage().contains("does not exist; create it first"), e.getMessage());
  }

  @Test
  void contentsRejectInvalidConfigJsonAndTensorNames() {
    LeptonException e = assertThrows(LeptonException.class,
        () -> new ModelFile.Contents(Map.of(), "{\"a\":", Map.of()));
    assertTrue(e.getMessage().contains("config is not valid JSON"), e.getMessage());
    e = assertThrows(LeptonException.class,
        () -> new ModelFile.Contents(Map.of(), "{}", Map.of("", Tensor.scalar(1))));
    assertTrue(e.getMessage().contains("tensor name '' is empty"), e.getMessage());
  }

  // ---------------------------------------------------------------- hostile files

  @Test
  void rejectsAMissingFile() {
    assertReadFails(dir.resolve("absent.lepton"), "no such file");
  }

  @Test
  void rejectsFilesThatAreNotZips() throws IOException {
    Path text = Files.writeString(dir.resolve("text.lepton"), "hello, not a zip");
    assertReadFails(text, "is not a readable model file: it is not a zip archive, or it is "
        + "truncated or damaged");
    assertReadFails(Files.createFile(dir.resolve("empty.lepton")), "not a zip archive");
  }

  @Test
  void rejectsATruncatedZip() throws IOException {
    Path file = dir.resolve("m.lepton");
    ModelFile.write(file, contents(Optional.empty()));
    byte[] bytes = Files.readAllBytes(file);
    Files.write(file, Arrays.copyOf(bytes, bytes.length / 2));
    assertReadFails(file, "it is not a zip archive, or it is truncated or damaged");
    Files.write(file, Arrays.copyOf(bytes, bytes.length - 5)); // only the end record is cut
    assertReadFails(file, "it is not a zip archive, or it is truncated or damaged");
  }

  @Test
  void rejectsEntryNamesThatCouldEscapeADirectory() throws IOException {
    for (String name : List.of("../evil", "/abs", "a\\..\\b", "C:evil", "x/../../y")) {
      Map<String, byte[]> entries = validEntries();
      entries.put(name, new byte[1]);
      assertReadFails(zip(entries), "an entry named '" + name + "', a path that could escape");
    }
  }

  @Test
  void rejectsUnknownEntries() throws IOException {
    Map<String, byte[]> entries = validEntries();
    entries.put("notes.txt", new byte[1]);
    assertReadFails(zip(entries), "it has an unknown entry 'notes.txt'; a model file holds only "
        + "metadata.json, config.json, model.safetensors, optimizer.json, optimizer.safetensors, "
        + "preprocessing.json");
  }

  @Test
  void rejectsDuplicateEntries() throws IOException {
    // ZipOutputStream refuses duplicates, so write a look-alike name and patch it afterwards.
    Map<String, byte[]> entries = validEntries();
    entries.put("config.jsoX", "{}".getBytes(StandardCharsets.UTF_8));
    Path file = zip(entries);
    Files.write(file, replaceAll(Files.readAllBytes(file), "config.jsoX", "config.json"));
    assertReadFails(file, "it has two entries named 'config.json'");
  }

  @Test
  void rejectsTooManyEntries() throws IOException {
    Map<String, byte[]> entries = validEntries();
    for (int i = 0; i < 62; i++) {
      entries.put("extra" + i, new byte[0]);
    }
    assertReadFails(zip(entries), "it has 65 entries, more than the 64 allowed (maxEntries)");
  }

  @Test
  void rejectsAMissingConfig() throws IOException {
    Map<String, byte[]> entries = validEntries();
    entries.remove("config.json");
    assertReadFails(zip(entries), "it has no config.json entry");
  }

  @Test
  void rejectsHalfAnOptimizerState() throws IOException {
    Map<String, byte[]> entries = validEntries();
    entries.put("optimizer.json", "{}".getBytes(StandardCharsets.UTF_8));
    assertReadFails(zip(entries), "only one of optimizer.json and optimizer.safetensors");
  }

  @Test
  void rejectsANewerFormatVersionWithAnUpgradeHint() throws IOException {
    Map<String, byte[]> entries = validEntries();
    entries.put("metadata.json", utf8("{\"format_version\":2,\"library_version\":\"9.1.0\"}"));
    assertReadFails(zip(entries), "was written in model file format version 2 (by Lepton 9.1.0), "
        + "but this Lepton reads format versions up to 1; upgrade Lepton to load it");
  }

  @Test
  void aNewerVersionWithNewEntriesStillGetsTheUpgradeHint() throws IOException {
    Map<String, byte[]> entries = validEntries();
    entries.put("metadata.json", utf8("{\"format_version\":3}"));
    entries.put("tokenizer.json", utf8("{}"));
    assertReadFails(zip(entries), "upgrade Lepton to load it");
  }

  @Test
  void rejectsAMissingMetadataEntry() throws IOException {
    Map<String, byte[]> entries = validEntries();
    entries.remove("metadata.json");
    assertReadFails(zip(entries), "it has no metadata.json entry");
  }

  @Test
  void rejectsBadMetadata() throws IOException {
    Map<String, byte[]> entries = validEntries();
    entries.put("metadata.json", utf8("{\"library_version\":\"1\"}"));
    assertReadFails(zip(entries), "metadata.json has no valid format_version");
    entries.put("metadata.json", utf8("{\"format_version\":1,\"n\":3}"));
    assertReadFails(zip(entries), "metadata.json field 'n' must be a string");
    entries.put("metadata.json", utf8("{\"format_version\":1,\"n\":\"a\",\"n\":\"b\"}"));
    assertReadFails(zip(entries), "metadata.json is not valid JSON (Duplicate field 'n')");
  }

  @Test
  void rejectsConfigThatIsNotUtf8Json() throws IOException {
    Map<String, byte[]> entries = validEntries();
    entries.put("config.json", utf8("{\"layers\": ["));
    assertReadFails(zip(entries), "config.json is not valid JSON");
    entries.put("config.json", new byte[] {'"', (byte) 0xc3, '"'});
    assertReadFails(zip(entries), "config.json is not valid UTF-8");
  }

  @Test
  void rejectsBadWeightsNamingTheEntry() throws IOException {
    Map<String, byte[]> entries = validEntries();
    entries.put("model.safetensors", SafetensorsTest.file(
        "{\"w\":{\"dtype\":\"F64\",\"shape\":[1],\"data_offsets\":[0,8]}}", new byte[8]));
    assertReadFails(zip(entries), "model.safetensors is not a valid safetensors file: tensor 'w' "
        + "has dtype F64");
  }

  @Test
  void refusesAJsonEntryThatDeclaresMoreThanItsLimit() throws IOException {
    // 4 MiB of spaces deflate to a few KiB; the declared size is checked before inflating (and
    // ModelFileHostileTest shows that an entry lying about its size is stopped by counting).
    Map<String, byte[]> entries = validEntries();
    entries.put("config.json", utf8(" ".repeat(4 << 20) + "{}"));
    Path file = zip(entries);
    assertTrue(Files.size(file) < 64 << 10, "the entry is highly compressed");
    LeptonException e = assertThrows(LeptonException.class, () -> ModelFile.read(file,
        ModelArchive.Limits.DEFAULT.withMaxConfigBytes(1 << 20)));
    assertTrue(e.getMessage().contains("config.json declares 4194306 bytes, over the limit "
        + "(maxConfigBytes=1048576)"), e.getMessage());
  }

  @Test
  void stopsWeightsThatExceedTheTotalLimit() throws IOException {
    Map<String, byte[]> entries = validEntries();
    entries.put("model.safetensors",
        Safetensors.toBytes(Map.of("w", Tensor.zeros(1 << 20)), Map.of())); // 4 MiB of zeros
    Path file = zip(entries);
    LeptonException e = assertThrows(LeptonException.class, () -> ModelFile.read(file,
        ModelArchive.Limits.DEFAULT.withMaxEntryBytes(2L << 20)));
    assertTrue(e.getMessage().contains("entry model.safetensors declares 4194384 bytes, over the "
        + "limit (maxEntryBytes=2097152)"), e.getMessage());
  }

  // ---------------------------------------------------------------- helpers

  private static void assertReadFails(Path file, String expected) {
    LeptonException e = assertThrows(LeptonException.class, () -> ModelFile.read(file));
    assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
    assertTrue(e.getMessage().contains(expected), e.getMessage());
  }

  /** The entries of a small valid model file, in the order write uses. */
  private static Map<String, byte[]> validEntries() {
    Map<String, byte[]> entries = new LinkedHashMap<>();
    entries.put("metadata.json", utf8("{\"format_version\":1}"));
    entries.put("config.json", utf8(CONFIG));
    entries.put("model.safetensors",
        Safetensors.toBytes(Map.of("w", Tensor.of(new float[] {1, 2}, 2)), Map.of()));
    return entries;
  }

  private Path zip(Map<String, byte[]> entries) throws IOException {
    Path file = Files.createTempFile(dir, "crafted", ".lepton");
    try (OutputStream out = Files.newOutputStream(file);
        ZipOutputStream zip = new ZipOutputStream(out)) {
      for (Map.Entry<String, byte[]> e : entries.entrySet()) {
        zip.putNextEntry(entry(e.getKey(), e.getValue()));
        zip.write(e.getValue());
        zip.closeEntry();
      }
    }
    return file;
  }

  /** Tensor entries stored, as the format requires; the others deflated. */
  static ZipEntry entry(String name, byte[] bytes) {
    ZipEntry entry = new ZipEntry(name);
    if (name.endsWith(".safetensors")) {
      CRC32 crc = new CRC32();
      crc.update(bytes);
      entry.setMethod(ZipEntry.STORED);
      entry.setSize(bytes.length);
      entry.setCompressedSize(bytes.length);
      entry.setCrc(crc.getValue());
    }
    return entry;
  }

  private static byte[] replaceAll(byte[] bytes, String from, String to) {
    byte[] f = utf8(from);
    byte[] t = utf8(to);
    for (int i = 0; i + f.length <= bytes.length; i++) {
      if (Arrays.equals(bytes, i, i + f.length, f, 0, f.length)) {
        System.arraycopy(t, 0, bytes, i, t.length);
      }
    }
    return bytes;
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static List<Path> list(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.toList();
    }
  }
}
