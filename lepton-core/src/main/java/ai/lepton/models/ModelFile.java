package ai.lepton.models;

import ai.lepton.LeptonException;
import ai.lepton.internal.Hooks;
import ai.lepton.internal.Json;
import ai.lepton.losses.Loss;
import ai.lepton.losses.Losses;
import ai.lepton.metrics.Metric;
import ai.lepton.metrics.Metrics;
import ai.lepton.models.ModelArchive.Limits;
import ai.lepton.optimizers.Optimizer;
import ai.lepton.optimizers.Optimizers;
import ai.lepton.preprocessing.Preprocessing;
import ai.lepton.tensor.Tensor;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedOutputStream;
import java.io.FilterOutputStream;
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
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.function.BiConsumer;
import java.util.zip.CRC32;
import java.util.zip.CheckedOutputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipOutputStream;

/**
 * The {@code .lepton} model file: a zip holding {@code metadata.json}, {@code config.json},
 * {@code model.safetensors}, to resume training {@code optimizer.json} with
 * {@code optimizer.safetensors}, and for serving {@code preprocessing.json} and
 * {@code classes.json}. See
 * {@code docs/model-file.md}.
 *
 * <p>The saved-model format of {@link Model}: {@link #save} turns a model into {@link Contents}
 * and writes them to a file or a stream; {@link ModelArchive} reads a file or bytes through a
 * {@link Reader} (one {@link ZipReader} for both) and builds the model ({@link CompileSettings}
 * restores its compile settings). Writing a file is atomic: the zip goes to a temporary file beside
 * the target, which is moved into place only when complete. Reading trusts
 * nothing: entry names, counts, declared and inflated sizes and JSON are checked against
 * {@link Limits}, and every failure is a {@link LeptonException} naming the file.
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
  static final String CLASSES = "classes.json";
  private static final List<String> ENTRIES = List.of(METADATA, CONFIG, WEIGHTS,
      OPTIMIZER_CONFIG, OPTIMIZER_STATE, PREPROCESSING, CLASSES);

  /**
   * {@code metadata.json} and {@code optimizer.json} hold a few fields; no writer needs more, and
   * a reader should not parse more.
   */
  static final long MAX_SMALL_JSON_BYTES = 1 << 20;

  /** What messages about a model file read from bytes in memory start with, for its path. */
  static final String IN_MEMORY = "(model in memory)";

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
   * @param classNames a classifier's class names, one per output column; present only when the
   *     model has them
   */
  record Contents(Map<String, String> metadata, String config, Map<String, Tensor> weights,
      Optional<OptimizerState> optimizer, Optional<String> preprocessing,
      Optional<List<String>> classNames) {
    Contents {
      metadata = orderedCopy(metadata, "metadata");
      Json.parse(Objects.requireNonNull(config, "config"), "ModelFile.Contents: config");
      weights = tensorsCopy(weights, "weights");
      Objects.requireNonNull(optimizer, "optimizer");
      Objects.requireNonNull(preprocessing, "preprocessing")
          .ifPresent(p -> Json.parse(p, "ModelFile.Contents: preprocessing"));
      classNames = Objects.requireNonNull(classNames, "classNames")
          .map(names -> ClassNames.check(names, "ModelFile.Contents: classNames"));
    }

    /** Contents without preprocessing or class names. */
    Contents(Map<String, String> metadata, String config, Map<String, Tensor> weights,
        Optional<OptimizerState> optimizer) {
      this(metadata, config, weights, optimizer, Optional.empty(), Optional.empty());
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
    if (contents.classNames().isPresent()) {
      putText(zip, CLASSES, ClassNames.toJson(contents.classNames().get()));
    }
  }

  private static String metadataJson(Map<String, String> fields) {
    ObjectNode json = Json.object();
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
    long limit = name.equals(CONFIG) ? Limits.DEFAULT.maxConfigBytes()
        : name.equals(PREPROCESSING) || name.equals(CLASSES) ? Limits.DEFAULT.maxJsonBytes()
        : MAX_SMALL_JSON_BYTES;
    String hint = "; for a text preprocessing, give the tokenizer a numWords limit";
    if (bytes.length > limit) {
      throw new LeptonException("cannot save the model: its " + name + " would hold "
          + bytes.length + " bytes, over the " + limit + " that loading accepts by default" + hint);
    }
    try {
      Json.validate(text, name, Limits.DEFAULT.maxJsonTokens(), "maxJsonTokens");
    } catch (LeptonException e) {
      throw new LeptonException("cannot save the model: " + e.getMessage() + hint, e);
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

  // ---------------------------------------------------------------- models

  /**
   * Writes {@code model} (built) as {@link Model#save} documents: its config with, when compiled,
   * the compile settings; its weights; the optimizer state; the preprocessing; the class names.
   */
  static void save(Model model, Path file) {
    write(file, contents(model));
  }

  /**
   * Writes {@code model} to {@code out} as {@link #save(Model, Path)} writes a file, byte for byte
   * but for the time of saving; {@code out} is flushed, not closed.
   */
  static void save(Model model, OutputStream out) {
    Contents contents = contents(model);
    // Closing the zip releases its deflater; closing out is the caller's business.
    OutputStream unclosed = new FilterOutputStream(out) {
      @Override
      public void write(byte[] b, int off, int len) throws IOException {
        out.write(b, off, len);
      }

      @Override
      public void close() throws IOException {
        out.flush();
      }
    };
    try (ZipOutputStream zip = new ZipOutputStream(new BufferedOutputStream(unclosed, 1 << 16))) {
      writeEntries(zip, contents);
    } catch (IOException e) {
      throw new LeptonException("cannot save the model to the stream (" + e + ")", e);
    }
  }

  private static Contents contents(Model model) {
    ObjectNode config = (ObjectNode) model.config();
    Optional<OptimizerState> state = Optional.empty();
    Optimizer optimizer = model.optimizer();
    if (optimizer != null) {
      ObjectNode compile = config.putObject("compile_config");
      compile.set("optimizer", named(optimizer.name(), optimizer.config()));
      if (model.lossesByOutput() == null) {
        compile.set("loss", named(model.loss().name(), model.loss().config()));
        compile.set("metrics", namedList(model.metrics()));
      } else {
        // Keras' dict form: {"<output>": loss, ...}
        ObjectNode losses = compile.putObject("loss");
        model.lossesByOutput().forEach((k, l) -> losses.set(k, named(l.name(), l.config())));
        compile.set("loss_weights", Json.tree(model.lossWeights()));
        ObjectNode ms = compile.putObject("metrics");
        model.metricsByOutput().forEach((k, list) -> ms.set(k, namedList(list)));
      }
      ObjectNode opt = Json.object();
      opt.put("iterations", optimizer.iterations());
      state = Optional.of(new OptimizerState(opt.toString(), Hooks.optimizers().state(optimizer)));
    }
    Map<String, String> metadata = new LinkedHashMap<>();
    metadata.put("model_class", config.path("class_name").asText());
    metadata.put("model_name", model.name());
    Preprocessing preprocessing = model.preprocessing().orElse(null);
    model.preprocessing(preprocessing); // checks it again: the model may have been built after
    Optional<List<String>> classNames = model.classNames();
    classNames.ifPresent(model::classNames); // the same: checks the output's width again
    return new Contents(metadata, Json.pretty(config), model.weights(), state,
        Optional.ofNullable(preprocessing).map(Preprocessing::toJson), classNames);
  }

  /**
   * A config's {@code compile_config} read into fresh optimizer, loss and metric objects: with one
   * loss ({@code loss} and {@code metrics}) or Keras' dict form, one per output ({@code losses},
   * {@code lossWeights}, {@code metricsByOutput}; then {@code loss} is null).
   */
  record CompileSettings(Optimizer optimizer, Loss loss, List<Metric> metrics,
      Map<String, Loss> losses, Map<String, Double> lossWeights,
      Map<String, List<Metric>> metricsByOutput) {

    /**
     * The settings {@code config} holds, if any.
     *
     * @throws LeptonException for unknown names, invalid settings, or loss weights that are not
     *     numbers
     */
    static Optional<CompileSettings> read(JsonNode config) {
      JsonNode compile = config.path("compile_config");
      if (!compile.isObject()) {
        return Optional.empty();
      }
      Optimizer opt = Optimizers.fromConfig(compile.path("optimizer").path("name").asText(),
          Json.toMap(compile.path("optimizer").path("config")));
      JsonNode lossNode = compile.path("loss");
      if (lossNode.has("name")) {
        return Optional.of(new CompileSettings(opt, lossFrom(lossNode),
            metricList(compile.path("metrics")), null, null, null));
      }
      Map<String, Loss> losses = new LinkedHashMap<>();
      lossNode.properties().forEach(e -> losses.put(e.getKey(), lossFrom(e.getValue())));
      Map<String, List<Metric>> ms = new LinkedHashMap<>();
      compile.path("metrics").properties()
          .forEach(e -> ms.put(e.getKey(), metricList(e.getValue())));
      Map<String, Double> weights = new LinkedHashMap<>();
      for (var e : compile.path("loss_weights").properties()) {
        if (!e.getValue().isNumber()) {
          throw new LeptonException("compile_config: loss weight '" + e.getKey() + "' must be a "
              + "number, received " + e.getValue());
        }
        weights.put(e.getKey(), e.getValue().asDouble());
      }
      return Optional.of(new CompileSettings(opt, null, List.of(), losses, weights, ms));
    }

    /** Per-output settings may name only the model's outputs. */
    void checkOutputs(List<String> outputs) {
      if (loss != null) {
        return;
      }
      for (Map<String, ?> byName : List.of(losses, lossWeights, metricsByOutput)) {
        for (String k : byName.keySet()) {
          if (!outputs.contains(k)) {
            throw new LeptonException("compile_config names output '" + k + "', but the model's "
                + "outputs are " + outputs);
          }
        }
      }
    }

    /** Compiles {@code model} with these settings. */
    void applyTo(Model model) {
      if (loss != null) {
        model.compile(optimizer, loss, metrics.toArray(new Metric[0]));
      } else {
        model.compile(optimizer, losses, lossWeights, metricsByOutput);
      }
    }
  }

  /**
   * The optimizer's iteration count from {@code optimizer.json}.
   *
   * @throws LeptonException if it is not a non-negative integer
   */
  static long iterations(String optimizerJson, String source) {
    JsonNode n = Json.parseObject(optimizerJson, source).path("iterations");
    if (!n.isIntegralNumber() || !n.canConvertToLong() || n.longValue() < 0) {
      throw new LeptonException(source + ": expected \"iterations\", a non-negative integer, "
          + "received " + n);
    }
    return n.longValue();
  }

  private static Loss lossFrom(JsonNode node) {
    return Losses.fromConfig(node.path("name").asText(), Json.toMap(node.path("config")));
  }

  private static List<Metric> metricList(JsonNode list) {
    List<Metric> ms = new ArrayList<>();
    for (JsonNode m : list) {
      ms.add(Metrics.fromConfig(m.path("name").asText(), Json.toMap(m.path("config"))));
    }
    return ms;
  }

  private static ArrayNode namedList(List<Metric> metrics) {
    ArrayNode list = Json.array();
    metrics.forEach(m -> list.add(named(m.name(), m.config())));
    return list;
  }

  private static ObjectNode named(String name, Map<String, Object> config) {
    ObjectNode node = Json.object();
    node.put("name", name);
    node.set("config", Json.tree(config));
    return node;
  }

  // ---------------------------------------------------------------- reading

  /** Reads {@code file} with the {@link Limits#DEFAULT default limits}. */
  static Contents read(Path file) {
    return read(file, Limits.DEFAULT);
  }

  /**
   * Reads and checks a whole model file, weights included, as tensors. {@link ModelArchive}
   * reads the same entries without holding the weights twice.
   *
   * @throws LeptonException naming the file and the problem if it is missing, not a zip, truncated,
   *     from a newer Lepton, over a limit, or breaks any rule of the format
   */
  static Contents read(Path file, Limits limits) {
    try (Reader r = Reader.open(file, limits)) {
      String config = r.text(CONFIG);
      Map<String, Tensor> weights = r.tensors(WEIGHTS);
      Optional<OptimizerState> optimizer = Optional.empty();
      if (r.has(OPTIMIZER_CONFIG)) {
        optimizer = Optional.of(
            new OptimizerState(r.text(OPTIMIZER_CONFIG), r.tensors(OPTIMIZER_STATE)));
      }
      Optional<String> preprocessing =
          r.has(PREPROCESSING) ? Optional.of(r.text(PREPROCESSING)) : Optional.empty();
      Optional<List<String>> classNames = r.has(CLASSES) ? Optional.of(
          ClassNames.fromJson(r.text(CLASSES), file + ": " + CLASSES)) : Optional.empty();
      return new Contents(r.metadata(), config, weights, optimizer, preprocessing, classNames);
    }
  }

  /**
   * One open model file, read from a file or from bytes in memory through one {@link ZipReader}:
   * {@link #open} checks the size, the zip's entries (count, names, declared sizes) and the
   * metadata; the entries are then read on demand, each bounded by the limits both by what the
   * zip declares and by the bytes actually inflated.
   */
  static final class Reader implements AutoCloseable {
    /** The file's path or {@link #IN_MEMORY}: what every message starts with. */
    private final String file;
    private final ZipReader zip;
    private final Limits limits;
    private final long fileBytes;
    private final Map<String, ZipReader.Entry> entries = new LinkedHashMap<>();
    private Map<String, String> metadata;

    private Reader(String file, ZipReader zip, Limits limits) {
      this.file = file;
      this.zip = zip;
      this.limits = limits;
      this.fileBytes = zip.size();
    }

    /**
     * Opens and checks {@code file}.
     *
     * @throws LeptonException if it is missing, over {@code maxFileBytes}, not a zip, or its
     *     entries or metadata break a rule of the format
     */
    static Reader open(Path file, Limits limits) {
      if (!Files.isRegularFile(file)) {
        throw new LeptonException("cannot load a model from " + file + ": no such file; check the "
            + "path");
      }
      String name = file.toString();
      try {
        checkSize(name, Files.size(file), limits);
        return open(name, ZipReader.open(file), limits);
      } catch (ZipException e) {
        throw notAZip(name, e);
      } catch (IOException e) {
        throw unreadable(name, e);
      }
    }

    /**
     * Opens and checks a model file held in {@code bytes}, which must not change while it is read.
     *
     * @throws LeptonException as {@link #open(Path, Limits)}, naming {@link #IN_MEMORY}
     */
    static Reader open(byte[] bytes, Limits limits) {
      try {
        checkSize(IN_MEMORY, bytes.length, limits);
        return open(IN_MEMORY, ZipReader.open(bytes), limits);
      } catch (ZipException e) {
        throw notAZip(IN_MEMORY, e);
      } catch (IOException e) {
        throw unreadable(IN_MEMORY, e);
      }
    }

    private static void checkSize(String file, long size, Limits limits) {
      if (size > limits.maxFileBytes()) {
        throw new LeptonException(file + " is not a valid model file: it has " + size + " bytes, "
            + "over the limit (maxFileBytes=" + limits.maxFileBytes() + "); if the model is "
            + "genuine, raise maxFileBytes");
      }
    }

    /** Checks the entries and the metadata; closes {@code zip} if they fail. */
    private static Reader open(String file, ZipReader zip, Limits limits) {
      try {
        Reader r = new Reader(file, zip, limits);
        r.indexEntries();
        // The version comes before the entry rules: a newer format may add entries, and its
        // reader deserves "upgrade Lepton" rather than "unknown entry".
        r.metadata = r.readMetadata();
        r.checkEntryNames();
        return r;
      } catch (ZipException e) {
        close(zip, e);
        throw notAZip(file, e);
      } catch (IOException e) {
        close(zip, e);
        throw unreadable(file, e);
      } catch (RuntimeException e) {
        close(zip, e);
        throw e;
      }
    }

    private static void close(ZipReader zip, Exception cause) {
      try {
        zip.close();
      } catch (IOException suppressed) {
        cause.addSuppressed(suppressed);
      }
    }

    private static LeptonException notAZip(String file, ZipException e) {
      return new LeptonException(file + " is not a readable model file: it is not a zip archive, "
          + "or it is truncated or damaged (" + e.getMessage() + "); save the model again", e);
    }

    private static LeptonException unreadable(String file, IOException e) {
      if (e instanceof ZipException z) {
        return notAZip(file, z);
      }
      return new LeptonException("cannot read the model file " + file + " (" + e + "); it may be "
          + "truncated or damaged, or unreadable by this user", e);
    }

    @Override
    public void close() {
      try {
        zip.close();
      } catch (IOException e) {
        throw unreadable(file, e);
      }
    }

    /** The metadata: the caller's fields and {@code format_version}, {@code library_version}... */
    Map<String, String> metadata() {
      return metadata;
    }

    boolean has(String name) {
      return entries.containsKey(name);
    }

    long fileBytes() {
      return fileBytes;
    }

    /** Each entry's name with its compressed and uncompressed sizes, in the zip's order. */
    List<ModelArchive.EntrySize> sizes() {
      return entries.values().stream()
          .map(e -> new ModelArchive.EntrySize(e.name(), e.compressedSize(), e.size()))
          .toList();
    }

    /** Indexes the entries by name: a bounded count, safe names, each once, plausible sizes. */
    private void indexEntries() throws IOException {
      if (zip.count() > limits.maxEntries()) {
        throw bad("it has " + zip.count() + " entries, more than the " + limits.maxEntries()
            + " allowed (maxEntries); this format has " + String.join(", ", ENTRIES));
      }
      for (ZipReader.Entry entry : zip.entries()) {
        String name = entry.name();
        if (isUnsafe(name)) {
          throw bad("it has an entry named '" + abbreviate(name) + "', a path that could escape "
              + "the directory it is extracted to; the file was tampered with or not written by "
              + "Lepton");
        }
        if (entries.put(name, entry) != null) {
          throw bad("it has two entries named '" + abbreviate(name) + "'; each entry must appear "
              + "once");
        }
        checkDeclaredSizes(entry);
      }
      if (!entries.containsKey(METADATA)) {
        throw bad("it has no " + METADATA + " entry; save the model again with Model.save");
      }
    }

    /**
     * Sizes the zip declares: a first, cheap filter. They are never trusted alone; reading counts
     * the bytes actually inflated (see {@link #open(String)}).
     */
    private void checkDeclaredSizes(ZipReader.Entry entry) {
      String name = entry.name();
      long size = entry.size();
      long compressed = entry.compressedSize();
      if (size < 0 || compressed < 0 || compressed > fileBytes) {
        throw bad("entry " + abbreviate(name) + " declares " + compressed + " compressed bytes in a "
            + "file of " + fileBytes + "; the zip is damaged or hostile");
      }
      if (size > limits.maxEntryBytes()) {
        throw bad("entry " + abbreviate(name) + " declares " + size + " bytes, over the limit "
            + "(maxEntryBytes=" + limits.maxEntryBytes() + "); the file is damaged or hostile, or, "
            + "if the model is genuine, raise maxEntryBytes");
      }
      if (name.endsWith(".safetensors")
          && (entry.method() != ZipReader.STORED || size != compressed)) {
        // A stored entry's bytes are in the file, so its declared size bounds every allocation by
        // the file's own size; a deflated one could claim any size.
        throw bad("entry " + name + " is compressed; tensor entries must be stored uncompressed "
            + "(Model.save does so; zip tools do with -0)");
      }
    }

    /** Only the known names; the required ones present; the optimizer entries as a pair. */
    private void checkEntryNames() {
      for (String name : entries.keySet()) {
        if (!ENTRIES.contains(name)) {
          throw bad("it has an unknown entry '" + abbreviate(name) + "'; a model file holds only "
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
    private Map<String, String> readMetadata() {
      JsonNode json = Json.parse(text(METADATA), file + ": " + METADATA);
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
      Map<String, String> fields = new LinkedHashMap<>();
      for (Map.Entry<String, JsonNode> field : json.properties()) {
        JsonNode value = field.getValue();
        if (!value.isTextual() && !field.getKey().equals(FORMAT_VERSION_KEY)) {
          throw bad(METADATA + " field '" + field.getKey() + "' must be a string, received "
              + value.getNodeType());
        }
        fields.put(field.getKey(), value.asText());
      }
      return Collections.unmodifiableMap(fields);
    }

    /**
     * A JSON entry as text, checked to be valid UTF-8 and valid JSON of at most
     * {@code maxJsonTokens} tokens; {@code config.json} within {@code maxConfigBytes},
     * {@code metadata.json} and {@code optimizer.json} within {@link #MAX_SMALL_JSON_BYTES}, the
     * preprocessing and the class names within {@code maxJsonBytes}.
     */
    String text(String name) {
      long limit = name.equals(CONFIG) ? limits.maxConfigBytes()
          : name.equals(PREPROCESSING) || name.equals(CLASSES) ? limits.maxJsonBytes()
          : Math.min(MAX_SMALL_JSON_BYTES, limits.maxJsonBytes());
      String limitName = name.equals(CONFIG) ? "maxConfigBytes"
          : limit == limits.maxJsonBytes() ? "maxJsonBytes" : "the format's limit for " + name;
      String what = file + ": " + name;
      if (entry(name).size() > limit) {
        throw new LeptonException(what + " declares " + entry(name).size() + " bytes, "
            + "over the limit (" + limitName + "=" + limit + "); the file is damaged or hostile"
            + (limitName.startsWith("max") ? ", or, if it is genuine, raise " + limitName : ""));
      }
      try (InputStream in = open(name)) {
        String text = Json.utf8(Json.readBounded(in, limit, what, limitName), what);
        Json.validate(text, what, limits.maxJsonTokens(), "maxJsonTokens");
        return text;
      } catch (IOException e) {
        throw unreadable(file, e);
      }
    }

    /**
     * A tensor entry's header, checked against {@code maxTensors} and the entry's size: its
     * tensors' data must fill the rest of the entry exactly.
     */
    Safetensors.Header header(String name) {
      long size = entry(name).size();
      try (InputStream in = open(name)) {
        Safetensors.Header header = Safetensors.readHeader(in, size, limits, file + ": " + name);
        long extra = size - header.raw().length - header.dataBytes();
        if (extra != 0) {
          throw new LeptonException(file + ": " + name + " is not a valid safetensors file: it "
              + "has " + extra + " bytes after the last tensor's data; the tensors must end the "
              + "file");
        }
        return header;
      } catch (IOException e) {
        throw unreadable(file, e);
      }
    }

    /**
     * Reads the tensors of entry {@code name}, whose header must be {@code expected} (as
     * {@link #header} returned it earlier, so that what was inspected is what loads), handing each
     * one's values to {@code sink}.
     */
    void readTensors(String name, Safetensors.Header expected,
        BiConsumer<Safetensors.Entry, float[]> sink) {
      String source = file + ": " + name;
      try (InputStream in = open(name)) {
        Safetensors.Header header = Safetensors.readHeader(in, entry(name).size(), limits,
            source);
        if (!Arrays.equals(header.raw(), expected.raw())) {
          throw new LeptonException(source + " changed since the file was opened; open it again");
        }
        Safetensors.readTensors(in, header, source, sink);
      } catch (IOException e) {
        throw unreadable(file, e);
      }
    }

    /** Every tensor of entry {@code name}, in data order. */
    Map<String, Tensor> tensors(String name) {
      Map<String, Tensor> out = new LinkedHashMap<>();
      readTensors(name, header(name), (e, values) -> out.put(e.name(), Tensor.of(values, e.shape())));
      return out;
    }

    /**
     * The entry's inflated bytes, counted as they are read and refused past its declared size:
     * a small entry that inflates to gigabytes (a zip bomb) fails as soon as it passes what the
     * zip declared, which the limits have already bounded; its CRC-32 is checked at that size.
     */
    private InputStream open(String name) throws IOException {
      return zip.open(entry(name));
    }

    /** Entry {@code name}, which open found; it is missing only if the file changed since. */
    private ZipReader.Entry entry(String name) {
      ZipReader.Entry entry = entries.get(name);
      if (entry == null) {
        throw new LeptonException(file + " has no entry " + name + " any more: the file changed "
            + "since it was opened; open it again");
      }
      return entry;
    }

    private LeptonException bad(String problem) {
      return new LeptonException(file + " is not a valid model file: " + problem);
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

  private static String abbreviate(String s) {
    return s.length() <= 80 ? s : s.substring(0, 77) + "...";
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
