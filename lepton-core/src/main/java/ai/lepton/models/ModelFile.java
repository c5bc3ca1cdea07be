package ai.lepton.models;

import ai.lepton.LeptonException;
import ai.lepton.internal.Json;
import ai.lepton.tensor.Tensor;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Collections;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.zip.CRC32;
import java.util.zip.CheckedOutputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/**
 * The {@code .lepton} model file: a zip holding {@code metadata.json}, {@code config.json},
 * {@code model.safetensors}, to resume training {@code optimizer.json} with
 * {@code optimizer.safetensors}, and for serving {@code preprocessing.json}. See
 * {@code docs/model-file.md}.
 *
 * <p>Writing is atomic: the zip goes to a temporary file beside the target, which is moved into
 * place only when complete. Reading trusts nothing: entry names, counts and inflated sizes are
 * checked against {@link Limits}, and every failure is a {@link LeptonException} naming the file.
 */
final class ModelFile {
  /** The format this code writes; it reads this version and older ones. */
  static final int FORMAT_VERSION = 1;

  static final String METADATA = "metadata.json";
  static final String CONFIG = "config.json";
  static final String WEIGHTS = "model.safetensors";
  static final String OPTIMIZER_CONFIG = "optimizer.json";
  static final String OPTIMIZER_STATE = "optimizer.safetensors";
  static final String PREPROCESSING = "preprocessing.json";
  private static final List<String> ENTRIES =
      List.of(METADATA, CONFIG, WEIGHTS, OPTIMIZER_CONFIG, OPTIMIZER_STATE, PREPROCESSING);
  /** A bound on entries that leaves room for entries a later format version may add. */
  static final int MAX_ENTRIES = 64;

  /** Metadata keys that {@link #write} sets itself, replacing any value the caller gave. */
  static final String FORMAT_VERSION_KEY = "format_version";
  static final String LIBRARY_VERSION_KEY = "library_version";
  static final String CREATED_KEY = "created";

  private ModelFile() {}

  /**
   * What a model file holds.
   *
   * @param metadata free-form string fields; {@link #read} also returns {@code format_version},
   *     {@code library_version} and {@code created} here, and {@link #write} replaces them
   * @param config the architecture as JSON, opaque to this class (it only checks it is valid JSON)
   * @param weights the weights in a stable order, which the file keeps
   * @param optimizer the optimizer's state, present only to resume training
   * @param preprocessing what turns raw inputs into the model's input, as JSON opaque to this
   *     class (it only checks it is valid JSON); present only when the model has one
   */
  record Contents(Map<String, String> metadata, String config, Map<String, Tensor> weights,
      Optional<OptimizerState> optimizer, Optional<String> preprocessing) {
    Contents {
      metadata = orderedCopy(metadata, "metadata");
      Json.parse(Objects.requireNonNull(config, "config"), "ModelFile.Contents: config");
      weights = tensorsCopy(weights, "weights");
      Objects.requireNonNull(optimizer, "optimizer");
      Objects.requireNonNull(preprocessing, "preprocessing")
          .ifPresent(p -> Json.parse(p, "ModelFile.Contents: preprocessing"));
    }

    /** Contents without preprocessing. */
    Contents(Map<String, String> metadata, String config, Map<String, Tensor> weights,
        Optional<OptimizerState> optimizer) {
      this(metadata, config, weights, optimizer, Optional.empty());
    }

    /** Contents without optimizer state. */
    Contents(Map<String, String> metadata, String config, Map<String, Tensor> weights) {
      this(metadata, config, weights, Optional.empty());
    }
  }

  /**
   * An optimizer's state for resuming training.
   *
   * @param config the optimizer's configuration and iteration count as JSON, opaque to this class
   * @param tensors its slot tensors (moments and the like), in a stable order
   */
  record OptimizerState(String config, Map<String, Tensor> tensors) {
    OptimizerState {
      Json.parse(Objects.requireNonNull(config, "config"), "ModelFile.OptimizerState: config");
      tensors = tensorsCopy(tensors, "tensors");
    }
  }

  /**
   * Caps applied while reading, so that a hostile file cannot exhaust memory.
   *
   * @param maxJsonBytes the most bytes one JSON entry may inflate to
   * @param maxTotalBytes the most bytes all entries together may inflate to
   */
  record Limits(long maxJsonBytes, long maxTotalBytes) {
    /** 16 MiB per JSON entry; 8 GiB in all, about two billion float32 parameters. */
    static final Limits DEFAULT = new Limits(16L << 20, 8L << 30);

    Limits {
      if (maxJsonBytes <= 0 || maxTotalBytes <= 0) {
        throw new LeptonException("ModelFile.Limits: expected positive limits, received "
            + "maxJsonBytes=" + maxJsonBytes + ", maxTotalBytes=" + maxTotalBytes);
      }
    }
  }

  // ---------------------------------------------------------------- writing

  /**
   * Writes {@code contents} to {@code file}, replacing any file there. Either the whole new file
   * appears or, on failure, the old state is left as it was and no temporary file remains.
   *
   * @throws LeptonException if the directory does not exist or the file cannot be written
   */
  static void write(Path file, Contents contents) {
    Path dir = file.toAbsolutePath().getParent();
    if (dir == null || !Files.isDirectory(dir)) {
      throw new LeptonException("cannot save the model to " + file + ": directory " + dir
          + " does not exist; create it first");
    }
    // A random name, created with CREATE_NEW: never someone else's file, and with the permissions
    // a new file normally gets (Files.createTempFile would make it owner-only).
    Path temp = dir.resolve("." + file.getFileName() + "." + UUID.randomUUID() + ".tmp");
    try {
      try (FileChannel channel =
              FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
          ZipOutputStream zip = new ZipOutputStream(
              new BufferedOutputStream(Channels.newOutputStream(channel), 1 << 16))) {
        writeEntries(zip, contents);
        zip.finish();
        zip.flush();
        channel.force(true); // on disk before the rename makes it visible
      }
      move(temp, file);
    } catch (IOException | RuntimeException e) {
      try {
        Files.deleteIfExists(temp);
      } catch (IOException cleanup) {
        e.addSuppressed(cleanup);
      }
      if (e instanceof RuntimeException re) {
        throw re;
      }
      throw new LeptonException("cannot save the model to " + file + " (" + e + "); check that "
          + "the path is a writable file location with enough free space", e);
    }
  }

  private static void move(Path temp, Path file) throws IOException {
    try {
      Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  private static void writeEntries(ZipOutputStream zip, Contents contents) throws IOException {
    putText(zip, METADATA, metadataJson(contents.metadata()));
    putText(zip, CONFIG, contents.config());
    putTensors(zip, WEIGHTS, contents.weights());
    if (contents.optimizer().isPresent()) {
      putText(zip, OPTIMIZER_CONFIG, contents.optimizer().get().config());
      putTensors(zip, OPTIMIZER_STATE, contents.optimizer().get().tensors());
    }
    if (contents.preprocessing().isPresent()) {
      putText(zip, PREPROCESSING, contents.preprocessing().get());
    }
  }

  private static String metadataJson(Map<String, String> fields) {
    ObjectNode json = Json.MAPPER.createObjectNode();
    json.put(FORMAT_VERSION_KEY, FORMAT_VERSION);
    json.put(LIBRARY_VERSION_KEY, libraryVersion());
    json.put(CREATED_KEY, Instant.now().toString());
    fields.forEach((k, v) -> {
      if (!json.has(k)) {
        json.put(k, v);
      }
    });
    return json.toString();
  }

  /** The version in the jar's manifest; classes run from a build directory have none. */
  private static String libraryVersion() {
    String v = ModelFile.class.getPackage().getImplementationVersion();
    return v != null ? v : "development";
  }

  /** Refuses a JSON entry that {@link #read} would refuse, so no save makes an unloadable file. */
  private static void putText(ZipOutputStream zip, String name, String text) throws IOException {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    if (bytes.length > Limits.DEFAULT.maxJsonBytes()) {
      throw new LeptonException("cannot save the model: its " + name + " would hold "
          + bytes.length + " bytes, over the " + Limits.DEFAULT.maxJsonBytes() + " that loading "
          + "accepts; for a text preprocessing, give the tokenizer a numWords limit");
    }
    zip.putNextEntry(new ZipEntry(name));
    zip.write(bytes);
    zip.closeEntry();
  }

  /**
   * Stores tensors uncompressed: floats barely deflate, and a stored entry lets other tools read
   * the safetensors bytes in place. A stored entry needs its size and CRC up front, so the tensors
   * are serialized twice: once into a CRC, once into the zip.
   */
  private static void putTensors(ZipOutputStream zip, String name, Map<String, Tensor> tensors)
      throws IOException {
    CRC32 crc = new CRC32();
    long size = Safetensors.write(
        new CheckedOutputStream(OutputStream.nullOutputStream(), crc), tensors, Map.of());
    ZipEntry entry = new ZipEntry(name);
    entry.setMethod(ZipEntry.STORED);
    entry.setSize(size);
    entry.setCompressedSize(size);
    entry.setCrc(crc.getValue());
    zip.putNextEntry(entry);
    Safetensors.write(zip, tensors, Map.of());
    zip.closeEntry();
  }

  // ---------------------------------------------------------------- reading

  /** Reads {@code file} with the {@link Limits#DEFAULT default limits}. */
  static Contents read(Path file) {
    return read(file, Limits.DEFAULT);
  }

  /**
   * Reads and checks a model file, which must be on the default file system.
   *
   * @throws LeptonException naming the file and the problem if it is missing, not a zip, truncated,
   *     from a newer Lepton, over a limit, or breaks any rule of the format
   */
  static Contents read(Path file, Limits limits) {
    if (!Files.isRegularFile(file)) {
      throw new LeptonException("cannot load a model from " + file + ": no such file; check the "
          + "path");
    }
    try (ZipFile zip = new ZipFile(file.toFile())) {
      return new Reader(file, zip, limits).read();
    } catch (ZipException e) {
      throw new LeptonException(file + " is not a readable model file: it is not a zip archive, "
          + "or it is truncated or damaged (" + e.getMessage() + "); save the model again", e);
    } catch (IOException e) {
      throw new LeptonException("cannot read the model file " + file + " (" + e + "); it may be "
          + "truncated or damaged, or unreadable by this user", e);
    }
  }

  /** One read of one file: tracks how many inflated bytes the limits still allow. */
  private static final class Reader {
    private final Path file;
    private final ZipFile zip;
    private final Limits limits;
    private final Map<String, ZipEntry> entries = new LinkedHashMap<>();
    private long remaining;

    Reader(Path file, ZipFile zip, Limits limits) {
      this.file = file;
      this.zip = zip;
      this.limits = limits;
      this.remaining = limits.maxTotalBytes();
    }

    Contents read() throws IOException {
      indexEntries();
      // The version comes before the entry rules: a newer format may add entries, and its reader
      // deserves "upgrade Lepton" rather than "unknown entry".
      Map<String, String> metadata = readMetadata();
      checkEntryNames();
      String config = readText(CONFIG);
      Map<String, Tensor> weights = readTensors(WEIGHTS);
      Optional<OptimizerState> optimizer = Optional.empty();
      if (entries.containsKey(OPTIMIZER_CONFIG)) {
        optimizer = Optional.of(
            new OptimizerState(readText(OPTIMIZER_CONFIG), readTensors(OPTIMIZER_STATE)));
      }
      Optional<String> preprocessing = entries.containsKey(PREPROCESSING)
          ? Optional.of(readText(PREPROCESSING)) : Optional.empty();
      return new Contents(metadata, config, weights, optimizer, preprocessing);
    }

    /** Indexes the entries by name: a bounded count, safe names, each name once. */
    private void indexEntries() {
      if (zip.size() > MAX_ENTRIES) {
        throw bad("it has " + zip.size() + " entries, more than the " + MAX_ENTRIES + " any "
            + "model file may hold; this format has " + String.join(", ", ENTRIES));
      }
      for (Enumeration<? extends ZipEntry> e = zip.entries(); e.hasMoreElements(); ) {
        ZipEntry entry = e.nextElement();
        String name = entry.getName();
        if (isUnsafe(name)) {
          throw bad("it has an entry named '" + name + "', a path that could escape the "
              + "directory it is extracted to; the file was tampered with or not written by Lepton");
        }
        if (entries.put(name, entry) != null) {
          throw bad("it has two entries named '" + name + "'; each entry must appear once");
        }
      }
      if (!entries.containsKey(METADATA)) {
        throw bad("it has no " + METADATA + " entry; save the model again with Model.save");
      }
    }

    /** Only the known names; the required ones present; the optimizer entries as a pair. */
    private void checkEntryNames() {
      for (String name : entries.keySet()) {
        if (!ENTRIES.contains(name)) {
          throw bad("it has an unknown entry '" + name + "'; a model file holds only "
              + String.join(", ", ENTRIES));
        }
      }
      for (String required : List.of(CONFIG, WEIGHTS)) {
        if (!entries.containsKey(required)) {
          throw bad("it has no " + required + " entry; save the model again with Model.save");
        }
      }
      if (entries.containsKey(OPTIMIZER_CONFIG) != entries.containsKey(OPTIMIZER_STATE)) {
        throw bad("it has only one of " + OPTIMIZER_CONFIG + " and " + OPTIMIZER_STATE
            + "; the optimizer state needs both");
      }
    }

    private static boolean isUnsafe(String name) {
      return name.startsWith("/") || name.contains("\\") || name.matches("^[A-Za-z]:.*")
          || ("/" + name + "/").contains("/../") || name.chars().anyMatch(Character::isISOControl);
    }

    /** Checks the format version first, so a newer file fails with the one helpful message. */
    private Map<String, String> readMetadata() throws IOException {
      String what = file + ": " + METADATA;
      JsonNode json = Json.parse(readText(METADATA), what);
      if (!json.isObject()) {
        throw bad(METADATA + " must be a JSON object, received " + json.getNodeType());
      }
      JsonNode version = json.get(FORMAT_VERSION_KEY);
      if (version == null || !version.isIntegralNumber() || !version.canConvertToInt()
          || version.intValue() < 1) {
        throw bad(METADATA + " has no valid " + FORMAT_VERSION_KEY + " (received " + version
            + "); expected a positive integer");
      }
      if (version.intValue() > FORMAT_VERSION) {
        JsonNode library = json.get(LIBRARY_VERSION_KEY);
        throw new LeptonException(file + " was written in model file format version "
            + version.intValue() + (library != null ? " (by Lepton " + library.asText() + ")" : "")
            + ", but this Lepton reads format versions up to " + FORMAT_VERSION
            + "; upgrade Lepton to load it");
      }
      Map<String, String> metadata = new LinkedHashMap<>();
      for (Map.Entry<String, JsonNode> field : json.properties()) {
        JsonNode value = field.getValue();
        if (!value.isTextual() && !field.getKey().equals(FORMAT_VERSION_KEY)) {
          throw bad(METADATA + " field '" + field.getKey() + "' must be a string, received "
              + value.getNodeType());
        }
        metadata.put(field.getKey(), value.asText());
      }
      return metadata;
    }

    /** A JSON entry as text, checked to be valid UTF-8 and valid JSON. */
    private String readText(String name) throws IOException {
      byte[] bytes;
      try (InputStream in = open(name, Math.min(limits.maxJsonBytes(), remaining))) {
        bytes = in.readAllBytes();
      }
      String what = file + ": " + name;
      String text = Json.utf8(bytes, what);
      Json.parse(text, what);
      return text;
    }

    private Map<String, Tensor> readTensors(String name) throws IOException {
      long limit = remaining;
      try (InputStream in = open(name, limit)) {
        return Safetensors.read(in, limit, file + ": " + name).tensors();
      }
    }

    /** The entry's inflated bytes, counted against the remaining budget as they are read. */
    private InputStream open(String name, long limit) throws IOException {
      return new LimitedStream(zip.getInputStream(entries.get(name)), limit, name);
    }

    private LeptonException bad(String problem) {
      return new LeptonException(file + " is not a valid model file: " + problem);
    }

    /**
     * Counts the bytes actually inflated rather than trusting the sizes the zip declares, and stops
     * at the limit: a small entry that inflates to gigabytes (a zip bomb) fails early.
     */
    private final class LimitedStream extends InputStream {
      private final InputStream in;
      private final long limit;
      private final String name;
      private long count;

      LimitedStream(InputStream in, long limit, String name) {
        this.in = in;
        this.limit = limit;
        this.name = name;
      }

      @Override
      public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) == -1 ? -1 : one[0] & 0xff;
      }

      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        // Ask for one byte past the limit so that reaching it exactly is not an error.
        int n = in.read(b, off, (int) Math.min(len, limit - count + 1));
        if (n > 0) {
          count += n;
          remaining -= n;
          if (count > limit) {
            throw new LeptonException(file + ": entry " + name + " inflates to more than "
                + limit + " bytes, over the limit for reading model files (maxJsonBytes="
                + limits.maxJsonBytes() + ", maxTotalBytes=" + limits.maxTotalBytes() + "); the "
                + "file is damaged or hostile, or, if the model really is this large, raise the "
                + "limits");
          }
        }
        return n;
      }

      @Override
      public void close() throws IOException {
        in.close();
      }
    }
  }

  // ---------------------------------------------------------------- helpers

  private static Map<String, String> orderedCopy(Map<String, String> map, String what) {
    Objects.requireNonNull(map, what);
    Map<String, String> copy = new LinkedHashMap<>();
    map.forEach((k, v) -> copy.put(Objects.requireNonNull(k, what + " key"),
        Objects.requireNonNull(v, what + " value for " + k)));
    return Collections.unmodifiableMap(copy);
  }

  private static Map<String, Tensor> tensorsCopy(Map<String, Tensor> map, String what) {
    Objects.requireNonNull(map, what);
    Map<String, Tensor> copy = new LinkedHashMap<>();
    map.forEach((k, v) -> {
      Safetensors.checkName(Objects.requireNonNull(k, what + " key"), "ModelFile: " + what);
      copy.put(k, Objects.requireNonNull(v, what + " value for " + k));
    });
    return Collections.unmodifiableMap(copy);
  }
}
