package ai.lepton.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.lepton.LeptonException;
import ai.lepton.layers.Dense;
import ai.lepton.layers.Dropout;
import ai.lepton.losses.Losses;
import ai.lepton.metrics.Metrics;
import ai.lepton.optimizers.Adam;
import ai.lepton.optimizers.ExponentialDecay;
import ai.lepton.tensor.Tensor;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Models to and from memory: {@link Model#save(java.io.OutputStream)} writes the archive
 * {@link Model#save(Path)} writes, and {@link ModelArchive#open(byte[], ModelArchive.Limits)}
 * reads it back through the reader files go through.
 */
class ModelBytesTest {
  @TempDir Path dir;
  private final Tensor x = Tensor.uniform(new SplittableRandom(5), -1, 1, 80, 6);
  private final Tensor y = Tensor.oneHot(x.slice(1, 0, 3).argmax(1), 3);

  /** Dropout and Adam with a decaying learning rate: every kind of state a resume must restore. */
  private static Sequential model() {
    Sequential m = new Sequential()
        .add(new Dense(16, "relu"))
        .add(new Dropout(0.3f))
        .add(new Dense(3, "softmax"));
    m.compile(new Adam(new ExponentialDecay(0.01f, 5, 0.9f, false), 0.9f, 0.999f, 1e-7f),
        Losses.get("categorical_crossentropy"), Metrics.get("accuracy"));
    m.build(3, 6);
    return m;
  }

  private static Fit fit(int epochs) {
    return Fit.epochs(epochs).batchSize(16).seed(11).verbose(0);
  }

  private static byte[] bytes(Model model) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    model.save(out);
    return out.toByteArray();
  }

  private static Model load(byte[] bytes) {
    return ModelArchive.open(bytes, ModelArchive.Limits.DEFAULT).load();
  }

  @Test
  void theStreamHoldsTheArchiveThatSaveToAFileWrites() throws IOException {
    Sequential model = model();
    model.fit(x, y, fit(1));
    Path file = dir.resolve("m.lepton");
    model.save(file);
    List<String[]> fromFile = entries(Files.readAllBytes(file));
    List<String[]> fromStream = entries(bytes(model));
    assertEquals(List.of("metadata.json", "config.json", "model.safetensors", "optimizer.json",
        "optimizer.safetensors"), fromStream.stream().map(e -> e[0]).toList());
    assertEquals(fromFile.size(), fromStream.size());
    for (int i = 0; i < fromFile.size(); i++) {
      // name, method, size, CRC-32; the metadata differs only by the time of saving
      if (!fromFile.get(i)[0].equals("metadata.json")) {
        assertArrayEquals(fromFile.get(i), fromStream.get(i), fromFile.get(i)[0]);
      }
    }
    ModelArchive a = ModelArchive.open(file);
    byte[] bytes = bytes(model);
    ModelArchive b = ModelArchive.open(bytes, ModelArchive.Limits.DEFAULT);
    assertEquals(a.configJson(), b.configJson());
    assertEquals(a.sizes().entries(), b.sizes().entries().stream()
        .map(e -> e.name().equals("metadata.json") ? a.sizes().entries().get(0) : e).toList());
    assertEquals(a.metadata().fields().keySet(), b.metadata().fields().keySet());
    // the time of saving, deflated, may differ in length by a byte or two
    assertEquals(bytes.length, b.sizes().fileBytes());
  }

  /** Each entry as name, method, size and CRC-32 as the bytes (not the headers) give them. */
  private static List<String[]> entries(byte[] zip) throws IOException {
    List<String[]> out = new ArrayList<>();
    try (ZipInputStream in = new ZipInputStream(new java.io.ByteArrayInputStream(zip))) {
      for (ZipEntry e; (e = in.getNextEntry()) != null; ) {
        byte[] data = in.readAllBytes();
        CRC32 crc = new CRC32();
        crc.update(data);
        out.add(new String[] {e.getName(), Integer.toString(e.getMethod()),
            Integer.toString(data.length), Long.toHexString(crc.getValue())});
      }
    }
    return out;
  }

  @Test
  void bytesToModelToBytesToModelKeepsWeightsPreprocessingAndOptimizerState() {
    Sequential text = PreprocessingFileTest.textModel();
    text.compile("adam", "categorical_crossentropy");
    text.fit(text.preprocessing().orElseThrow().transform(List.of("the cat", "a dog")),
        Tensor.of(new float[] {1, 0, 0, 1}, 2, 2), Fit.epochs(2).batchSize(1).seed(3).verbose(0));
    Model once = load(bytes(text));
    Model twice = load(bytes(once));
    for (Model m : List.of(once, twice)) {
      for (Map.Entry<String, Tensor> w : text.weights().entrySet()) {
        assertArrayEquals(w.getValue().toFloatArray(), m.weights().get(w.getKey())
            .toFloatArray(), 0f, w.getKey());
      }
      assertEquals(text.preprocessing().orElseThrow().toJson(),
          m.preprocessing().orElseThrow().toJson());
      assertEquals(text.optimizer().iterations(), m.optimizer().iterations());
      Map<String, Tensor> state = ai.lepton.internal.Hooks.optimizers().state(text.optimizer());
      Map<String, Tensor> restored = ai.lepton.internal.Hooks.optimizers().state(m.optimizer());
      assertEquals(state.keySet(), restored.keySet());
      state.forEach((k, v) -> assertArrayEquals(v.toFloatArray(),
          restored.get(k).toFloatArray(), 0f, k));
    }
  }

  @Test
  void aCheckpointInMemoryResumesTrainingExactly() {
    Sequential whole = model();
    History full = whole.fit(x, y, fit(4));

    Sequential firstHalf = model();
    firstHalf.fit(x, y, fit(2));
    Model resumed = load(bytes(firstHalf));
    History rest = resumed.fit(x, y, fit(4).initialEpoch(2));

    assertEquals(full.get("loss").subList(2, 4), rest.get("loss"));
    for (Map.Entry<String, Tensor> w : whole.weights().entrySet()) {
      assertArrayEquals(w.getValue().toFloatArray(),
          resumed.weights().get(w.getKey()).toFloatArray(), 0f, w.getKey());
    }
    assertEquals(whole.optimizer().iterations(), resumed.optimizer().iterations());
  }

  @Test
  void anArchiveFromBytesHasNoFileAndHashesItsBytes() throws IOException {
    Sequential model = model();
    Path file = dir.resolve("m.lepton");
    model.save(file);
    byte[] bytes = Files.readAllBytes(file);
    ModelArchive archive = ModelArchive.open(bytes, ModelArchive.Limits.DEFAULT);
    assertFalse(archive.file().isPresent());
    assertEquals(ModelArchive.open(file).sha256(), archive.sha256());
    assertEquals(Optional.of(file), ModelArchive.open(file).file());
  }

  @Test
  void saveFlushesTheStreamAndLeavesItOpen() {
    List<String> calls = new ArrayList<>();
    ByteArrayOutputStream out = new ByteArrayOutputStream() {
      @Override
      public void flush() {
        calls.add("flush");
      }

      @Override
      public void close() {
        calls.add("close");
      }
    };
    model().save(out);
    assertTrue(calls.contains("flush"), calls.toString());
    assertFalse(calls.contains("close"), calls.toString());
    assertTrue(load(out.toByteArray()).weights().containsKey("dense/kernel"));
  }

  @Test
  void damagedTensorDataFailsItsCrcFromBytesAndFromAFile() throws IOException {
    byte[] bytes = bytes(model());
    // the last byte of model.safetensors' data: a weight, which no header check looks at
    int at = indexOf(bytes, "optimizer.json".getBytes(StandardCharsets.UTF_8)) - 31;
    bytes[at] ^= 1;
    Path file = dir.resolve("damaged.lepton");
    Files.write(file, bytes);
    for (ModelArchive archive : List.of(ModelArchive.open(file),
        ModelArchive.open(bytes, ModelArchive.Limits.DEFAULT))) {
      LeptonException e = assertThrows(LeptonException.class, archive::load);
      assertTrue(e.getMessage().contains("entry model.safetensors fails its CRC-32 check: its "
          + "data is damaged"), e.getMessage());
    }
  }

  @Test
  void bytesThatAreNotAZipAreRefusedClearly() {
    for (byte[] bytes : new byte[][] {new byte[0], "not a zip".getBytes(StandardCharsets.UTF_8),
        new byte[100]}) {
      LeptonException e = assertThrows(LeptonException.class,
          () -> ModelArchive.open(bytes, ModelArchive.Limits.DEFAULT));
      assertTrue(e.getMessage().startsWith("(model in memory) is not a readable model file: it "
          + "is not a zip archive, or it is truncated or damaged (no zip end record"),
          e.getMessage());
    }
  }

  @Test
  void aTruncatedArchiveIsRefusedFromBytesAndFromAFile() throws IOException {
    byte[] whole = bytes(model());
    byte[] cut = java.util.Arrays.copyOf(whole, whole.length - 30);
    LeptonException e = assertThrows(LeptonException.class,
        () -> ModelArchive.open(cut, ModelArchive.Limits.DEFAULT));
    assertTrue(e.getMessage().contains("no zip end record"), e.getMessage());
    // the end record kept, the entries' data cut out from under the central directory
    byte[] hollow = whole.clone();
    ByteBuffer b = ByteBuffer.wrap(hollow).order(ByteOrder.LITTLE_ENDIAN);
    int end = hollow.length - 22;
    assertEquals(0x06054b50, b.getInt(end));
    b.putInt(end + 16, hollow.length); // the central directory's offset, past the file
    Path file = dir.resolve("hollow.lepton");
    Files.write(file, hollow);
    LeptonException f = assertThrows(LeptonException.class, () -> ModelArchive.open(file));
    assertTrue(f.getMessage().contains("its central directory (" + b.getInt(end + 12)
        + " bytes at offset " + hollow.length + ") is not inside the file"), f.getMessage());
  }

  /**
   * Files of over 4 GiB (large models) end in a Zip64 end record; a small zip rewritten that way
   * checks the reader follows it, as {@link java.util.zip.ZipFile} does.
   */
  @Test
  void aZip64EndRecordIsFollowed() throws IOException {
    Sequential model = model();
    byte[] zip = bytes(model);
    ByteBuffer old = ByteBuffer.wrap(zip).order(ByteOrder.LITTLE_ENDIAN);
    int end = zip.length - 22;
    long entries = Short.toUnsignedLong(old.getShort(end + 10));
    long directoryBytes = Integer.toUnsignedLong(old.getInt(end + 12));
    long directoryOffset = Integer.toUnsignedLong(old.getInt(end + 16));
    ByteBuffer b = ByteBuffer.allocate(end + 56 + 20 + 22).order(ByteOrder.LITTLE_ENDIAN);
    b.put(zip, 0, end);
    b.putInt(0x06064b50).putLong(44).putShort((short) 45).putShort((short) 45).putInt(0).putInt(0)
        .putLong(entries).putLong(entries).putLong(directoryBytes).putLong(directoryOffset);
    b.putInt(0x07064b50).putInt(0).putLong(end).putInt(1);
    b.putInt(0x06054b50).putShort((short) 0).putShort((short) 0).putShort((short) -1)
        .putShort((short) -1).putInt(-1).putInt(-1).putShort((short) 0);
    byte[] zip64 = b.array();
    Path file = dir.resolve("zip64.lepton");
    Files.write(file, zip64);
    try (java.util.zip.ZipFile jdk = new java.util.zip.ZipFile(file.toFile())) {
      assertEquals(entries, jdk.size(), "the JDK reads the crafted file too");
    }
    for (ModelArchive archive : List.of(ModelArchive.open(file),
        ModelArchive.open(zip64, ModelArchive.Limits.DEFAULT))) {
      assertEquals(entries, archive.sizes().entries().size());
      assertArrayEquals(model.weights().get("dense/kernel").toFloatArray(),
          archive.load().weights().get("dense/kernel").toFloatArray(), 0f);
    }
  }

  /** Positional reads work on any file system, where ZipFile needed a java.io.File. */
  @Test
  void aModelInsideAZipFileSystemOpens() throws IOException {
    Sequential model = model();
    Path file = dir.resolve("m.lepton");
    model.save(file);
    try (java.nio.file.FileSystem zipfs = java.nio.file.FileSystems.newFileSystem(
        dir.resolve("bundle.zip"), Map.of("create", "true"))) {
      Path inside = zipfs.getPath("/models/m.lepton");
      Files.createDirectories(inside.getParent());
      Files.copy(file, inside);
      assertArrayEquals(model.weights().get("dense/kernel").toFloatArray(),
          Model.load(inside).weights().get("dense/kernel").toFloatArray(), 0f);
    }
  }

  private static int indexOf(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    throw new AssertionError("not found");
  }

  @Test
  void aModelOverTheFileLimitIsRefusedFromBytes() {
    byte[] bytes = bytes(model());
    LeptonException e = assertThrows(LeptonException.class, () -> ModelArchive.open(bytes,
        ModelArchive.Limits.DEFAULT.withMaxFileBytes(1000)));
    assertTrue(e.getMessage().startsWith("(model in memory) is not a valid model file: it has "
        + bytes.length + " bytes, over the limit (maxFileBytes=1000)"), e.getMessage());
  }

  @Test
  void nullsAreRefusedNamingTheArgument() {
    LeptonException e = assertThrows(LeptonException.class,
        () -> ModelArchive.open((byte[]) null, ModelArchive.Limits.DEFAULT));
    assertTrue(e.getMessage().contains("bytes"), e.getMessage());
    LeptonException s = assertThrows(LeptonException.class,
        () -> model().save((java.io.OutputStream) null));
    assertTrue(s.getMessage().contains("out"), s.getMessage());
  }
}
