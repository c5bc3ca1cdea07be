package ai.lepton.models;

import ai.lepton.LeptonException;
import ai.lepton.internal.Args;
import ai.lepton.internal.Hooks;
import ai.lepton.internal.Json;
import ai.lepton.internal.WeightFill;
import ai.lepton.preprocessing.Preprocessing;
import ai.lepton.tensor.Tensor;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A {@code .lepton} model file opened for inspection, without building the model: its metadata,
 * config, input and output signature, preprocessing, sizes and content hash; then, if wanted,
 * {@link #load()} builds the model with the same limits. A server validates an upload with
 * {@code ModelArchive.open(upload, limits)} and keeps the model only if everything it reads fits;
 * {@link #open(byte[], Limits)} does the same for a model held in memory (decrypted, never written
 * to disk in plaintext), through the same reader.
 *
 * <p>{@link #open} reads everything but the tensor data, and checks it all before anything large
 * is allocated: the zip's entries and their declared and actual sizes, the config (each layer's
 * weights computed from the config alone, against {@link Limits#maxParameters()}), the weights'
 * header against those expected weights and against the bytes the file holds, the optimizer state
 * and the preprocessing. A file that opens loads, unless it changes in between or its tensor data
 * is damaged. The format is in {@code docs/model-file.md}.
 *
 * <p>An archive holds no open file; it is immutable and safe to share between threads.
 */
public final class ModelArchive {
  /** The file opened, or null when opened from {@link #bytes}. */
  private final Path file;
  /** The bytes opened (not a copy), or null when opened from {@link #file}. */
  private final byte[] bytes;
  /** What messages start with: the file's path, or {@value ModelFile#IN_MEMORY}. */
  private final String name;
  private final Limits limits;
  private final Metadata metadata;
  private final String configJson;
  private final JsonNode config;
  private final List<TensorSpec> inputs;
  private final List<TensorSpec> outputs;
  private final Optional<String> preprocessingJson;
  private final Optional<List<String>> classNames;
  /** The optimizer state's safetensors header as open checked it, or null without one. */
  private final Safetensors.Header optimizerHeader;
  private final Sizes sizes;
  private final Safetensors.Header weightsHeader;
  private volatile String sha256;

  /**
   * Limits on what a model file may ask of the reader; each is checked before the memory it guards
   * is allocated. Defaults ({@link #DEFAULT}) suit files you made; give a server's uploads smaller
   * ones with the {@code with...} methods: {@code Limits.DEFAULT.withMaxFileBytes(64 << 20)}.
   *
   * @param maxFileBytes the file's size (the array's length when opened from bytes)
   * @param maxEntries entries in the zip (the format has seven; the rest is room for later
   *     versions)
   * @param maxEntryBytes any one entry's uncompressed size (the weights are the largest)
   * @param maxJsonBytes {@code metadata.json}, {@code optimizer.json}, {@code preprocessing.json},
   *     {@code classes.json} and each safetensors header, uncompressed
   * @param maxJsonTokens tokens in any one of those JSON documents or the config, counted before a
   *     tree is built: a tree costs up to about 70 bytes per token, far more than its text
   * @param maxConfigBytes {@code config.json}, uncompressed
   * @param maxParameters weight values the config may ask building to create, summed over layers
   * @param maxTensors tensors in one safetensors entry
   * @param maxLayers layers in the config, and calls of layers in a Functional config (its graph's
   *     nodes: a layer shared by several calls counts once per call). A Functional model holds at
   *     most 4,096 calls whatever this limit says
   */
  public record Limits(long maxFileBytes, int maxEntries, long maxEntryBytes, long maxJsonBytes,
      long maxJsonTokens, long maxConfigBytes, long maxParameters, int maxTensors,
      int maxLayers) {
    /**
     * 8 GiB files and entries, 64 entries, 16 MiB JSON entries of at most 2 million tokens
     * (trees of at most about 140 MB; a tokenizer of just under a million words), 4 MiB configs,
     * two billion parameters (8 GB of float32), 100,000 tensors, 4,096 layers and layer calls.
     */
    public static final Limits DEFAULT = new Limits(8L << 30, 64, 8L << 30, 16L << 20,
        2_000_000, 4L << 20, 2_000_000_000L, 100_000, Functional.MAX_NODES);

    /** @throws LeptonException naming the first limit that is not positive */
    public Limits {
      positive("maxFileBytes", maxFileBytes);
      positive("maxEntries", maxEntries);
      positive("maxEntryBytes", maxEntryBytes);
      positive("maxJsonBytes", maxJsonBytes);
      positive("maxJsonTokens", maxJsonTokens);
      positive("maxConfigBytes", maxConfigBytes);
      positive("maxParameters", maxParameters);
      positive("maxTensors", maxTensors);
      positive("maxLayers", maxLayers);
    }

    private static void positive(String name, long value) {
      if (value < 1) {
        throw new LeptonException("ModelArchive.Limits: expected a positive " + name
            + ", received " + name + "=" + value + "; every limit is at least 1");
      }
    }

    /**
     * These limits with {@code maxFileBytes} replaced by {@code value}.
     *
     * @throws LeptonException if {@code value} is not positive
     */
    public Limits withMaxFileBytes(long value) {
      return new Limits(value, maxEntries, maxEntryBytes, maxJsonBytes, maxJsonTokens,
          maxConfigBytes, maxParameters, maxTensors, maxLayers);
    }

    /**
     * These limits with {@code maxEntries} replaced by {@code value}.
     *
     * @throws LeptonException if {@code value} is not positive
     */
    public Limits withMaxEntries(int value) {
      return new Limits(maxFileBytes, value, maxEntryBytes, maxJsonBytes, maxJsonTokens,
          maxConfigBytes, maxParameters, maxTensors, maxLayers);
    }

    /**
     * These limits with {@code maxEntryBytes} replaced by {@code value}.
     *
     * @throws LeptonException if {@code value} is not positive
     */
    public Limits withMaxEntryBytes(long value) {
      return new Limits(maxFileBytes, maxEntries, value, maxJsonBytes, maxJsonTokens,
          maxConfigBytes, maxParameters, maxTensors, maxLayers);
    }

    /**
     * These limits with {@code maxJsonBytes} replaced by {@code value}.
     *
     * @throws LeptonException if {@code value} is not positive
     */
    public Limits withMaxJsonBytes(long value) {
      return new Limits(maxFileBytes, maxEntries, maxEntryBytes, value, maxJsonTokens,
          maxConfigBytes, maxParameters, maxTensors, maxLayers);
    }

    /**
     * These limits with {@code maxJsonTokens} replaced by {@code value}.
     *
     * @throws LeptonException if {@code value} is not positive
     */
    public Limits withMaxJsonTokens(long value) {
      return new Limits(maxFileBytes, maxEntries, maxEntryBytes, maxJsonBytes, value,
          maxConfigBytes, maxParameters, maxTensors, maxLayers);
    }

    /**
     * These limits with {@code maxConfigBytes} replaced by {@code value}.
     *
     * @throws LeptonException if {@code value} is not positive
     */
    public Limits withMaxConfigBytes(long value) {
      return new Limits(maxFileBytes, maxEntries, maxEntryBytes, maxJsonBytes, maxJsonTokens,
          value, maxParameters, maxTensors, maxLayers);
    }

    /**
     * These limits with {@code maxParameters} replaced by {@code value}.
     *
     * @throws LeptonException if {@code value} is not positive
     */
    public Limits withMaxParameters(long value) {
      return new Limits(maxFileBytes, maxEntries, maxEntryBytes, maxJsonBytes, maxJsonTokens,
          maxConfigBytes, value, maxTensors, maxLayers);
    }

    /**
     * These limits with {@code maxTensors} replaced by {@code value}.
     *
     * @throws LeptonException if {@code value} is not positive
     */
    public Limits withMaxTensors(int value) {
      return new Limits(maxFileBytes, maxEntries, maxEntryBytes, maxJsonBytes, maxJsonTokens,
          maxConfigBytes, maxParameters, value, maxLayers);
    }

    /**
     * These limits with {@code maxLayers} replaced by {@code value}.
     *
     * @throws LeptonException if {@code value} is not positive
     */
    public Limits withMaxLayers(int value) {
      return new Limits(maxFileBytes, maxEntries, maxEntryBytes, maxJsonBytes, maxJsonTokens,
          maxConfigBytes, maxParameters, maxTensors, value);
    }
  }

  /**
   * What {@code metadata.json} says.
   *
   * @param formatVersion the format version the file was written in
   * @param libraryVersion the Lepton that wrote it ("development" from a build directory)
   * @param created when it was written, ISO-8601 UTC, as the writer's clock said
   * @param modelClass {@code Sequential} or {@code Functional}
   * @param modelName the model's name
   * @param fields every field, these included, as strings
   */
  public record Metadata(int formatVersion, String libraryVersion, String created,
      String modelClass, String modelName, Map<String, String> fields) {
    public Metadata {
      Args.nonNull(fields, "Metadata", "fields");
      fields = Map.copyOf(Args.nonNull(fields, "Metadata", "fields"));
    }
  }

  /**
   * One input or output of the model.
   *
   * @param name the input's name (a functional model's {@code Input} layer; {@code "input"} for a
   *     Sequential model), or the output's (the name of the layer that gives it, as
   *     {@link Model#outputNames()})
   * @param shape the tensor's shape, {@code -1} for the batch dimension
   * @param dtype {@code "float32"}: Lepton's tensors are float32, token ids included
   */
  public record TensorSpec(String name, List<Integer> shape, String dtype) {
    public TensorSpec {
      Args.nonNull(name, "TensorSpec", "name");
      shape = List.copyOf(Args.nonNull(shape, "TensorSpec", "shape"));
      Args.nonNull(dtype, "TensorSpec", "dtype");
    }
  }

  /** One zip entry's name and sizes, as the zip declares them (reading checks them). */
  public record EntrySize(String name, long compressedBytes, long uncompressedBytes) {}

  /**
   * How big the model is.
   *
   * @param fileBytes the file's size
   * @param entries each entry, in the zip's order
   * @param parameterCount the model's weight values (what {@code summary()} calls total params)
   * @param weightBytes the bytes of tensor data in {@code model.safetensors}: 4 per parameter
   */
  public record Sizes(long fileBytes, List<EntrySize> entries, long parameterCount,
      long weightBytes) {
    public Sizes {
      entries = List.copyOf(Args.nonNull(entries, "Sizes", "entries"));
    }
  }

  private ModelArchive(Path file, byte[] bytes, Limits limits, ModelFile.Reader r) {
    this.file = file;
    this.bytes = bytes;
    this.name = file != null ? file.toString() : ModelFile.IN_MEMORY;
    this.limits = limits;
    String source = name + ": " + ModelFile.CONFIG;
    this.configJson = r.text(ModelFile.CONFIG);
    this.config = Json.parseObject(configJson, source);
    this.metadata = metadata(r.metadata());
    Blueprint blueprint = Blueprint.of(config, limits, source);
    this.inputs = blueprint.inputs();
    this.outputs = blueprint.outputs();
    this.weightsHeader = r.header(ModelFile.WEIGHTS);
    checkTensors(weightsHeader, blueprint.weights(), ModelFile.WEIGHTS);
    compileSettings().ifPresent(s -> {
      try {
        s.checkOutputs(outputs.stream().map(TensorSpec::name).toList());
      } catch (LeptonException e) {
        throw new LeptonException(source + ": " + e.getMessage(), e);
      }
    });
    if (r.has(ModelFile.OPTIMIZER_CONFIG)) {
      ModelFile.iterations(r.text(ModelFile.OPTIMIZER_CONFIG),
          name + ": " + ModelFile.OPTIMIZER_CONFIG);
      this.optimizerHeader = r.header(ModelFile.OPTIMIZER_STATE);
      checkOptimizerTensors(optimizerHeader, blueprint.weights());
    } else {
      this.optimizerHeader = null;
    }
    this.preprocessingJson = r.has(ModelFile.PREPROCESSING)
        ? Optional.of(r.text(ModelFile.PREPROCESSING)) : Optional.empty();
    preprocessing().ifPresent(this::checkPreprocessing);
    String classesSource = name + ": " + ModelFile.CLASSES;
    this.classNames = r.has(ModelFile.CLASSES)
        ? Optional.of(ClassNames.fromJson(r.text(ModelFile.CLASSES), classesSource))
        : Optional.empty();
    classNames.ifPresent(names -> ClassNames.checkWidth(names, outputs, classesSource));
    this.sizes = new Sizes(r.fileBytes(), r.sizes(), blueprint.parameters(),
        weightsHeader.dataBytes());
  }

  /** Opens {@code file} with the {@link Limits#DEFAULT default limits}. */
  public static ModelArchive open(Path file) {
    Args.nonNull(file, "ModelArchive.open", "file");
    return open(file, Limits.DEFAULT);
  }

  /**
   * Opens and checks {@code file} (on any file system: a model inside a zip file system reads
   * too) without building the model or reading the weights' values.
   *
   * @throws LeptonException naming the file, the entry and the problem if the file is missing, not
   *     a zip, from a newer Lepton, over a limit, or breaks any rule of the format: unsafe or
   *     repeated entry names, entries that inflate past what they declare, invalid JSON, an
   *     unknown layer class or invalid layer config, weights whose names or shapes are not those
   *     the config builds, invalid compile settings or optimizer state, an invalid preprocessing,
   *     class names that break a rule of {@link Model#classNames(List)}
   */
  public static ModelArchive open(Path file, Limits limits) {
    Args.nonNull(file, "ModelArchive.open", "file");
    Args.nonNull(limits, "ModelArchive.open", "limits");
    try (ModelFile.Reader r = ModelFile.Reader.open(file, limits)) {
      return new ModelArchive(file, null, limits, r);
    }
  }

  /**
   * Opens and checks a model file held in {@code bytes} (what {@link Model#save(OutputStream)}
   * wrote, or a file decrypted into memory), with every check {@link #open(Path, Limits)} makes,
   * so that a server never writes a tenant's model to disk in plaintext. The archive keeps
   * {@code bytes}, not a copy, for {@link #load()} and {@link #sha256()}: do not change them.
   * Messages name the source {@code "(model in memory)"}.
   *
   * @throws LeptonException as {@link #open(Path, Limits)} does, for the same problems
   */
  public static ModelArchive open(byte[] bytes, Limits limits) {
    Args.nonNull(bytes, "ModelArchive.open", "bytes");
    Args.nonNull(limits, "ModelArchive.open", "limits");
    try (ModelFile.Reader r = ModelFile.Reader.open(bytes, limits)) {
      return new ModelArchive(null, bytes, limits, r);
    }
  }

  /** The file this archive was opened from; empty when it was opened from bytes. */
  public Optional<Path> file() {
    return Optional.ofNullable(file);
  }

  public Limits limits() {
    return limits;
  }

  public Metadata metadata() {
    return metadata;
  }

  /** {@code config.json} as the file holds it: the architecture and compile settings. */
  public String configJson() {
    return configJson;
  }

  /** The model's inputs, in the order {@code predict} takes them. */
  public List<TensorSpec> inputs() {
    return inputs;
  }

  /** The model's outputs, in the order {@code predict} gives them. */
  public List<TensorSpec> outputs() {
    return outputs;
  }

  /**
   * The preprocessing saved with the model, read from its JSON (data only: reading runs no code
   * from the file); a new object at each call.
   */
  public Optional<Preprocessing> preprocessing() {
    String source = name + ": " + ModelFile.PREPROCESSING;
    return preprocessingJson.map(json -> {
      try {
        return Preprocessing.fromJson(json);
      } catch (LeptonException e) {
        throw new LeptonException(source + ": " + e.getMessage(), e);
      }
    });
  }

  /**
   * The class names of the model's output columns ({@code classes.json}), if the file has them:
   * what serving answers instead of a column's index.
   */
  public Optional<List<String>> classNames() {
    return classNames;
  }

  /** Whether the file holds the optimizer's state, so that training can resume. */
  public boolean hasOptimizerState() {
    return optimizerHeader != null;
  }

  public Sizes sizes() {
    return sizes;
  }

  /**
   * The SHA-256 of the file's bytes, all of them, as 64 lowercase hex digits: equal files have
   * equal hashes. Computed at the first call from the file as it is then, in one streaming pass,
   * so open, hash and load a file that nothing else writes meanwhile (a server's own stored copy
   * of an upload); {@link #load()} refuses a file whose entries changed since open. Two saves of
   * one model differ (the metadata holds the time of saving).
   *
   * @throws LeptonException if the file can no longer be read
   */
  public String sha256() {
    String h = sha256;
    if (h == null) {
      try (InputStream in = new DigestInputStream(
          bytes != null ? new ByteArrayInputStream(bytes) : Files.newInputStream(file),
          MessageDigest.getInstance("SHA-256"))) {
        in.transferTo(OutputStream.nullOutputStream());
        h = HexFormat.of().formatHex(((DigestInputStream) in).getMessageDigest().digest());
      } catch (IOException e) {
        throw new LeptonException("cannot read the model file " + name + " to hash it (" + e
            + ")", e);
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException("every Java platform has SHA-256", e);
      }
      sha256 = h;
    }
    return h;
  }

  /**
   * Builds the model and reads its weights (each straight into a right-sized array, then into the
   * model), its compile settings with the optimizer's state, and its preprocessing; each call
   * builds a new model.
   *
   * @throws LeptonException if the file changed since it was opened so that it no longer fits,
   *     or its tensor data is truncated or damaged
   */
  public Model load() {
    try (ModelFile.Reader r = bytes != null ? ModelFile.Reader.open(bytes, limits)
        : ModelFile.Reader.open(file, limits)) {
      String source = name + ": " + ModelFile.CONFIG;
      if (!r.text(ModelFile.CONFIG).equals(configJson)) {
        throw new LeptonException(source + " changed since the file was opened; open it again");
      }
      Model model;
      try (WeightFill.Scope fromFile = WeightFill.skip()) { // open checked the file has them all
        model = Blueprint.of(config, limits, source).build();
      }
      Map<String, Tensor> weights = model.weights();
      r.readTensors(ModelFile.WEIGHTS, weightsHeader,
          (e, values) -> weights.get(e.name()).assign(Tensor.of(values, e.shape())));
      Optional<ModelFile.CompileSettings> settings = compileSettings();
      if (settings.isPresent()) {
        settings.get().applyTo(model);
        if (optimizerHeader != null) {
          // the state open checked against the weights, or an error if the file changed since
          Map<String, Tensor> state = new LinkedHashMap<>();
          r.readTensors(ModelFile.OPTIMIZER_STATE, optimizerHeader,
              (e, values) -> state.put(e.name(), Tensor.of(values, e.shape())));
          String what = name + ": " + ModelFile.OPTIMIZER_CONFIG;
          Hooks.optimizers().loadState(settings.get().optimizer(), state,
              ModelFile.iterations(r.text(ModelFile.OPTIMIZER_CONFIG), what));
        }
      }
      model.preprocessing(preprocessing().orElse(null));
      model.classNames(classNames.orElse(null));
      return model;
    }
  }

  // ---------------------------------------------------------------- checks

  /** The config's compile settings as fresh objects, naming the file in errors. */
  private Optional<ModelFile.CompileSettings> compileSettings() {
    try {
      return ModelFile.CompileSettings.read(config);
    } catch (LeptonException e) {
      throw new LeptonException(name + ": " + ModelFile.CONFIG + ": compile_config: "
          + e.getMessage(), e);
    }
  }

  private Metadata metadata(Map<String, String> fields) {
    return new Metadata(Integer.parseInt(fields.get(ModelFile.FORMAT_VERSION_KEY)),
        fields.getOrDefault(ModelFile.LIBRARY_VERSION_KEY, ""),
        fields.getOrDefault(ModelFile.CREATED_KEY, ""),
        fields.getOrDefault("model_class", config.path("class_name").asText("")),
        fields.getOrDefault("model_name", config.path("config").path("name").asText("")),
        fields);
  }

  /**
   * The tensors must be exactly the weights the config builds, by name and shape: checked on the
   * header, before any tensor's data is read or any weight allocated.
   */
  private void checkTensors(Safetensors.Header header, Map<String, int[]> expected, String entry) {
    List<String> problems = new ArrayList<>();
    Map<String, int[]> found = new LinkedHashMap<>();
    header.entries().forEach(e -> found.put(e.name(), e.shape()));
    for (var e : expected.entrySet()) {
      int[] shape = found.get(e.getKey());
      if (shape == null) {
        problems.add("missing " + e.getKey());
      } else if (!Arrays.equals(shape, e.getValue())) {
        problems.add(e.getKey() + " has shape " + Arrays.toString(shape) + " but the config "
            + "builds " + Arrays.toString(e.getValue()));
      }
    }
    for (String name : found.keySet()) {
      if (!expected.containsKey(name)) {
        problems.add("unexpected " + name);
      }
    }
    if (!problems.isEmpty()) {
      throw new LeptonException(name + ": " + entry + " does not hold the weights config.json "
          + "builds: " + abbreviate(String.join("; ", problems)) + "; the file is damaged or was "
          + "not written by Model.save");
    }
  }

  /**
   * Optimizer slots are keyed {@code <weight>/<slot>} and shaped as their weight; checked on the
   * header, so that no slot is larger than the model.
   */
  private void checkOptimizerTensors(Safetensors.Header header, Map<String, int[]> weights) {
    for (Safetensors.Entry e : header.entries()) {
      int cut = e.name().lastIndexOf('/');
      int[] weight = cut <= 0 ? null : weights.get(e.name().substring(0, cut));
      if (weight == null || !Arrays.equals(weight, e.shape())) {
        throw new LeptonException(name + ": " + ModelFile.OPTIMIZER_STATE + " has tensor '"
            + abbreviate(e.name()) + "' of shape " + Arrays.toString(e.shape()) + ", which is "
            + "not '<weight>/<slot>' with the shape of one of the model's weights; the file is "
            + "damaged or was not written by Model.save");
      }
    }
  }

  private void checkPreprocessing(Preprocessing p) {
    List<List<Integer>> takes = inputs.stream()
        .map(i -> i.shape().subList(1, i.shape().size())).toList();
    if (!takes.equals(List.of(Arrays.stream(p.outputShape()).boxed().toList()))) {
      throw new LeptonException(name + ": " + ModelFile.PREPROCESSING + ": preprocessing: it "
          + "produces instances of shape " + Arrays.toString(p.outputShape()) + " but the model "
          + "takes " + (takes.size() == 1 ? takes.get(0) : "inputs " + takes) + "; the file is "
          + "damaged or was not written by Model.save");
    }
  }

  private static String abbreviate(String s) {
    return s.length() <= 500 ? s : s.substring(0, 497) + "...";
  }
}
