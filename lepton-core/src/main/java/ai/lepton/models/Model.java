package ai.lepton.models;

import ai.lepton.LeptonException;
import ai.lepton.callbacks.Callback;
import ai.lepton.callbacks.Progress;
import ai.lepton.callbacks.ProgressBar;
import ai.lepton.callbacks.ProgressListener;
import ai.lepton.data.Dataset;
import ai.lepton.data.Preprocessing;
import ai.lepton.layers.Layer;
import ai.lepton.losses.Loss;
import ai.lepton.losses.Losses;
import ai.lepton.metrics.Metric;
import ai.lepton.metrics.Metrics;
import ai.lepton.optimizers.Optimizer;
import ai.lepton.optimizers.Optimizers;
import ai.lepton.tensor.Tensor;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A trainable model, as in Keras: {@code compile}, then {@code fit}, {@code evaluate},
 * {@code predict}, {@code save}. {@link Sequential} is a stack of layers.
 *
 * <p>Data tensors have the batch first: {@code x} is {@code [samples, ...features]}, {@code y} is
 * {@code [samples, ...targets]}.
 */
public abstract class Model {
  private Optimizer optimizer;
  private Loss loss;
  private List<Metric> metrics = List.of();
  private boolean stopTraining;
  private Preprocessing preprocessing;

  /** The layers, in order. */
  public abstract List<Layer> layers();

  /** The shape of one sample this model takes, without the batch dimension. */
  public abstract int[] inputShape();

  public abstract boolean built();

  /**
   * Creates the weights for samples of {@code inputShape} (without the batch dimension), drawing
   * initial values from {@code seed}. {@code fit} builds an unbuilt model with its own seed; build
   * explicitly when the shapes are needed earlier, e.g. for {@link #summary()}.
   */
  public abstract void build(long seed, int... inputShape);

  /** The forward pass on a batch. */
  abstract Tensor call(Tensor x, boolean training);

  /** The architecture as Keras-style JSON config. */
  abstract JsonNode config();

  // ---------------------------------------------------------------- compile

  /**
   * Chooses the optimizer, loss and metrics by Keras name, e.g.
   * {@code compile("adam", "sparse_categorical_crossentropy", "accuracy")}.
   *
   * @throws LeptonException for unknown names, listing the known ones
   */
  public Model compile(String optimizer, String loss, String... metrics) {
    Metric[] m = new Metric[metrics.length];
    for (int i = 0; i < metrics.length; i++) {
      m[i] = Metrics.get(metrics[i]);
    }
    return compile(Optimizers.get(optimizer), Losses.get(loss), m);
  }

  /** Chooses the optimizer, loss and metrics as objects, e.g. {@code new Adam(0.01f)}. */
  public Model compile(Optimizer optimizer, Loss loss, Metric... metrics) {
    if (optimizer == null || loss == null) {
      throw new LeptonException("compile: expected an optimizer and a loss, received optimizer="
          + optimizer + ", loss=" + loss);
    }
    this.optimizer = optimizer;
    this.loss = loss;
    this.metrics = List.of(metrics);
    return this;
  }

  /** The optimizer given to {@code compile}, or {@code null}. */
  public Optimizer optimizer() {
    return optimizer;
  }

  public Loss loss() {
    return loss;
  }

  public List<Metric> metrics() {
    return metrics;
  }

  /** Asks {@code fit} to stop after the current batch; for callbacks such as EarlyStopping. */
  public void stopTraining() {
    stopTraining = true;
  }

  // ---------------------------------------------------------------- preprocessing

  /**
   * Sets what turns raw instances into this model's input when serving ({@code null} for none);
   * {@link #save} stores it and {@link #load} restores it.
   *
   * @throws LeptonException if the model is built and the preprocessing's output shape is not its
   *     input shape
   */
  public Model preprocessing(Preprocessing preprocessing) {
    if (preprocessing != null && built()
        && !Arrays.equals(preprocessing.outputShape(), inputShape())) {
      throw new LeptonException("preprocessing: it produces instances of shape "
          + Arrays.toString(preprocessing.outputShape()) + " but the model takes "
          + Arrays.toString(inputShape()) + "; make them agree (maxlen, number of columns)");
    }
    this.preprocessing = preprocessing;
    return this;
  }

  /** What turns raw instances into this model's input, if set; apply its {@code transform}. */
  public Optional<Preprocessing> preprocessing() {
    return Optional.ofNullable(preprocessing);
  }

  // ---------------------------------------------------------------- weights

  /** Every weight by path {@code layer/weight} (e.g. {@code dense/kernel}), in layer order. */
  public Map<String, Tensor> weights() {
    Map<String, Tensor> out = new LinkedHashMap<>();
    for (Layer layer : layers()) {
      layer.weights().forEach((k, v) -> out.put(layer.name() + "/" + k, v));
    }
    return Collections.unmodifiableMap(out);
  }

  /** The weights the optimizer updates: those of trainable layers. */
  public Map<String, Tensor> trainableWeights() {
    Map<String, Tensor> out = new LinkedHashMap<>();
    for (Layer layer : layers()) {
      layer.trainableWeights().forEach((k, v) -> out.put(layer.name() + "/" + k, v));
    }
    return out;
  }

  /**
   * Copies values into this model's weights by path. Every weight of the model must be given, with
   * its shape.
   *
   * @throws LeptonException naming the missing, unexpected or mis-shaped weights
   */
  public void setWeights(Map<String, Tensor> values) {
    Map<String, Tensor> own = weights();
    List<String> problems = new ArrayList<>();
    for (var e : own.entrySet()) {
      Tensor v = values.get(e.getKey());
      if (v == null) {
        problems.add("missing " + e.getKey());
      } else if (!Arrays.equals(v.shape(), e.getValue().shape())) {
        problems.add(e.getKey() + " has shape " + Arrays.toString(v.shape()) + " but the model "
            + "expects " + Arrays.toString(e.getValue().shape()));
      }
    }
    for (String k : values.keySet()) {
      if (!own.containsKey(k)) {
        problems.add("unexpected " + k);
      }
    }
    if (!problems.isEmpty()) {
      throw new LeptonException("setWeights: the weights do not fit this model: "
          + String.join("; ", problems));
    }
    own.forEach((k, w) -> w.assign(values.get(k)));
  }

  /** Independent copies of every weight, e.g. to restore them later with {@link #setWeights}. */
  public Map<String, Tensor> copyWeights() {
    Map<String, Tensor> out = new LinkedHashMap<>();
    weights().forEach((k, v) -> out.put(k, Tensor.of(v.toFloatArray(), v.shape())));
    return out;
  }

  // ---------------------------------------------------------------- fit

  /**
   * Trains the model, as Keras' {@code fit}: {@code fit(x, y, Fit.epochs(10).batchSize(64))}.
   *
   * @throws LeptonException if the model is not compiled, the data are empty, contain NaN or
   *     infinity, or x and y disagree on the number of samples or the model's input shape
   */
  public History fit(Tensor x, Tensor y, Fit options) {
    requireCompiled("fit");
    checkData("fit", x, y);
    if (!built()) {
      build(options.seed(), sampleShape(x));
    }
    checkInputShape("fit", x);
    Tensor trainX = x;
    Tensor trainY = y;
    Dataset validation = validation(options);
    if (options.validationX() != null) {
      checkInputShape("fit (validation data)", options.validationX());
    } else if (validation == null && options.validationSplit() > 0) {
      int n = x.dim(0);
      int split = (int) Math.floor(n * (1.0 - options.validationSplit()));
      if (split == 0 || split == n) {
        throw new LeptonException("fit: validationSplit " + options.validationSplit() + " of "
            + n + " samples leaves " + (split == 0 ? "no training" : "no validation")
            + " samples; use more data or another fraction");
      }
      trainX = x.slice(0, 0, split);
      trainY = y.slice(0, 0, split);
      validation = Dataset.of(x.slice(0, split, n), y.slice(0, split, n))
          .batch(options.batchSize());
    }
    return train(Dataset.of(trainX, trainY).batch(options.batchSize())
        .shuffle(options.shuffle()).seed(options.seed()), validation, options);
  }

  /**
   * Trains the model on a dataset, as Keras' {@code fit(dataset)}: the dataset's own batch size,
   * shuffling and seed apply, and {@code options}' batch size and shuffle flag are ignored. An
   * unbuilt model is built from the shape of the first batch's input. Validation data come from
   * {@link Fit#validationData}; a validation split needs tensors.
   *
   * @throws LeptonException if the model is not compiled, {@code options} asks for a validation
   *     split, a batch does not fit the model's input shape, or the dataset fails to produce a
   *     batch (with the dataset's error as the cause)
   */
  public History fit(Dataset train, Fit options) {
    requireCompiled("fit");
    if (options.validationSplit() > 0) {
      throw new LeptonException("fit: validationSplit needs tensors x and y, but received a "
          + "Dataset; pass validation data with Fit.validationData(dataset) instead");
    }
    Dataset validation = validation(options);
    if (!built()) {
      try (Dataset.Batches first = train.epoch(0)) {
        build(options.seed(), sampleShape(first.next().x()));
      }
    }
    return train(train, validation, options);
  }

  /** The validation data given to {@code options}, as a dataset, or null. */
  private static Dataset validation(Fit options) {
    if (options.validationX() != null) {
      checkData("fit (validation data)", options.validationX(), options.validationY());
      return Dataset.of(options.validationX(), options.validationY()).batch(options.batchSize());
    }
    return options.validationDataset();
  }

  private History train(Dataset data, Dataset validation, Fit options) {
    List<ProgressListener> listeners = new ArrayList<>(options.listeners());
    if (options.verbose() > 0) {
      listeners.add(new ProgressBar(System.out, options.verbose() == 2));
    }
    List<Callback> callbacks = options.callbacks();
    int steps = data.batches();
    int epochs = options.epochs();
    History history = new History();
    Map<String, Tensor> params = trainableWeights();
    stopTraining = false;
    long trainStart = System.nanoTime();
    Map<String, Double> logs = new LinkedHashMap<>();

    callbacks.forEach(c -> c.onTrainBegin(this));
    emit(listeners, new Progress(Progress.Kind.TRAIN_BEGIN, 0, epochs, 0, steps, 0, 0, 0, logs));
    for (int epoch = 0; epoch < epochs && !stopTraining; epoch++) {
      final int ep = epoch;
      callbacks.forEach(c -> c.onEpochBegin(ep));
      emit(listeners, new Progress(Progress.Kind.EPOCH_BEGIN, epoch, epochs, 0, steps, 0, 0, 0,
          Map.of()));
      metrics.forEach(Metric::reset);
      long epochStart = System.nanoTime();
      double lossSum = 0;
      int seen = 0;
      // Closing the batches stops the dataset's prefetch thread when training stops early.
      try (Dataset.Batches batches = data.epoch(epoch)) {
        for (int step = 0; !stopTraining && batches.hasNext(); step++) {
          Dataset.Batch batch = batches.next();
          checkInputShape("fit", batch.x());
          float batchLoss = trainStep(batch.x(), batch.y(), params);
          lossSum += (double) batchLoss * batch.size();
          seen += batch.size();
          logs = new LinkedHashMap<>();
          logs.put("loss", lossSum / seen);
          for (Metric m : metrics) {
            logs.put(m.name(), m.result());
          }
          final int st = step;
          final Map<String, Double> batchLogs = logs;
          callbacks.forEach(c -> c.onBatchEnd(st, batchLogs));
          double elapsed = (System.nanoTime() - epochStart) / 1e9;
          emit(listeners, new Progress(Progress.Kind.BATCH_END, epoch, epochs, step + 1, steps,
              seen / Math.max(elapsed, 1e-9), elapsed, elapsed / (step + 1) * (steps - step - 1),
              logs));
        }
      }
      double elapsed = (System.nanoTime() - epochStart) / 1e9;
      if (validation != null) {
        for (var e : evaluate("fit (validation data)", validation).entrySet()) {
          logs.put("val_" + e.getKey(), e.getValue());
        }
      }
      history.append(logs);
      final Map<String, Double> epochLogs = logs;
      callbacks.forEach(c -> c.onEpochEnd(ep, epochLogs));
      emit(listeners, new Progress(Progress.Kind.EPOCH_END, epoch, epochs, steps, steps,
          seen / Math.max(elapsed, 1e-9), elapsed, 0, logs));
    }
    final Map<String, Double> last = logs;
    callbacks.forEach(c -> c.onTrainEnd(last));
    double total = (System.nanoTime() - trainStart) / 1e9;
    emit(listeners, new Progress(Progress.Kind.TRAIN_END, Math.max(0, history.epochs() - 1),
        epochs, steps, steps, 0, total, 0, logs));
    return history;
  }

  /** One gradient step on a batch; returns the batch loss (regularization included). */
  private float trainStep(Tensor xb, Tensor yb, Map<String, Tensor> params) {
    Tensor out = call(xb, true);
    Tensor total = loss.call(yb, out);
    for (Layer layer : layers()) {
      Tensor penalty = layer.trainable() ? layer.regularization() : null;
      if (penalty != null) {
        total = total.add(penalty);
      }
    }
    for (Tensor p : params.values()) {
      p.zeroGrad();
    }
    if (total.requiresGrad()) {
      total.backward();
      optimizer.step(params);
    }
    if (!metrics.isEmpty()) {
      Tensor pred = out.detach();
      for (Metric m : metrics) {
        m.update(yb, pred);
      }
    }
    return total.item();
  }

  private static void emit(List<ProgressListener> listeners, Progress p) {
    for (ProgressListener l : listeners) {
      l.onProgress(p);
    }
  }

  // ---------------------------------------------------------------- evaluate, predict

  /** Loss and metrics on the data, in batches of 32: {@code {"loss": ..., "accuracy": ...}}. */
  public Map<String, Double> evaluate(Tensor x, Tensor y) {
    return evaluate(x, y, 32);
  }

  /** Loss and metrics on the data, in batches of {@code batchSize}. */
  public Map<String, Double> evaluate(Tensor x, Tensor y, int batchSize) {
    requireCompiled("evaluate");
    checkBatchSize("evaluate", batchSize);
    checkData("evaluate", x, y);
    requireBuilt("evaluate");
    return evaluate("evaluate", Dataset.of(x, y).batch(batchSize));
  }

  /**
   * Loss and metrics on every batch of the dataset (epoch 0 of its order), e.g.
   * {@code {"loss": ..., "accuracy": ...}}.
   *
   * @throws LeptonException if the model is not compiled or built, a batch does not fit its input
   *     shape, or the dataset fails to produce a batch
   */
  public Map<String, Double> evaluate(Dataset data) {
    requireCompiled("evaluate");
    requireBuilt("evaluate");
    return evaluate("evaluate", data);
  }

  private Map<String, Double> evaluate(String op, Dataset data) {
    metrics.forEach(Metric::reset);
    double lossSum = 0;
    int n = 0;
    try (var scope = Tensor.noGrad(); Dataset.Batches batches = data.epoch(0)) {
      while (batches.hasNext()) {
        Dataset.Batch batch = batches.next();
        checkInputShape(op, batch.x());
        Tensor out = call(batch.x(), false);
        lossSum += (double) loss.call(batch.y(), out).item() * batch.size();
        n += batch.size();
        for (Metric m : metrics) {
          m.update(batch.y(), out);
        }
      }
    }
    Map<String, Double> result = new LinkedHashMap<>();
    result.put("loss", lossSum / n);
    for (Metric m : metrics) {
      result.put(m.name(), m.result());
    }
    return result;
  }

  /** Outputs for a batch of samples, {@code [samples, ...]}, computed in batches of 32. */
  public Tensor predict(Tensor x) {
    return predict(x, 32);
  }

  /** Outputs for a batch of samples, computed in batches of {@code batchSize}, without a graph. */
  public Tensor predict(Tensor x, int batchSize) {
    checkBatchSize("predict", batchSize);
    requireBuilt("predict");
    checkInputShape("predict", x);
    int n = x.dim(0);
    try (var scope = Tensor.noGrad()) {
      if (n <= batchSize) {
        return call(x, false);
      }
      List<Tensor> parts = new ArrayList<>();
      for (int from = 0; from < n; from += batchSize) {
        parts.add(call(x.slice(0, from, Math.min(n, from + batchSize)), false));
      }
      return Tensor.concat(0, parts.toArray(new Tensor[0]));
    }
  }

  // ---------------------------------------------------------------- summary

  /** A table of layers with output shapes and parameter counts, as Keras' {@code summary()}. */
  public String summary() {
    requireBuilt("summary");
    String rule = "=".repeat(72) + "\n";
    StringBuilder sb = new StringBuilder();
    sb.append("Model: \"").append(name()).append("\"\n");
    sb.append(String.format(Locale.ROOT, "%-34s%-26s%12s%n", "Layer (type)", "Output Shape",
        "Param #"));
    sb.append(rule);
    long total = 0;
    long trainable = 0;
    int[] shape = inputShape();
    for (Layer layer : layers()) {
      shape = layer.outputShape(shape);
      StringBuilder s = new StringBuilder("(None");
      for (int d : shape) {
        s.append(", ").append(d);
      }
      s.append(')');
      long count = layer.parameterCount();
      total += count;
      for (Tensor w : layer.trainableWeights().values()) {
        trainable += w.size();
      }
      sb.append(String.format(Locale.ROOT, "%-34s%-26s%,12d%n",
          layer.name() + " (" + layer.getClass().getSimpleName() + ")", s, count));
    }
    sb.append(rule);
    sb.append(String.format(Locale.ROOT, "Total params: %,d%n", total));
    sb.append(String.format(Locale.ROOT, "Trainable params: %,d%n", trainable));
    sb.append(String.format(Locale.ROOT, "Non-trainable params: %,d%n", total - trainable));
    return sb.toString();
  }

  /** The model's name, e.g. "sequential". */
  public abstract String name();

  // ---------------------------------------------------------------- save, load

  /**
   * Writes the model to a {@code .lepton} file: architecture, weights and, when compiled, the
   * compile settings and optimizer state, so that {@link #load} can resume training. The write is
   * atomic: on failure the previous file, if any, is untouched.
   *
   * @throws LeptonException if the model is not built or the file cannot be written
   */
  public void save(Path file) {
    requireBuilt("save");
    ObjectNode config = (ObjectNode) config();
    Optional<ModelFile.OptimizerState> state = Optional.empty();
    if (optimizer != null) {
      ObjectNode compile = config.putObject("compile_config");
      compile.set("optimizer", named(optimizer.name(), optimizer.config()));
      compile.set("loss", named(loss.name(), loss.config()));
      ArrayNode list = compile.putArray("metrics");
      metrics.forEach(m -> list.add(named(m.name(), m.config())));
      ObjectNode opt = Json.MAPPER.createObjectNode();
      opt.put("iterations", optimizer.iterations());
      state = Optional.of(new ModelFile.OptimizerState(opt.toString(), optimizer.state()));
    }
    Map<String, String> metadata = new LinkedHashMap<>();
    metadata.put("model_class", config.path("class_name").asText());
    metadata.put("model_name", name());
    preprocessing(preprocessing); // the model may have been built after it was set
    ModelFile.write(file, new ModelFile.Contents(metadata, pretty(config), weights(), state,
        preprocessing().map(Preprocessing::toJson)));
  }

  /**
   * Reads a model written by {@link #save}: same architecture, same weights, and, if it was
   * compiled, the same optimizer (with its state), loss and metrics.
   *
   * @throws LeptonException if the file is missing, truncated, corrupted, from a newer Lepton, or
   *     names layers this version does not know
   */
  public static Model load(Path file) {
    ModelFile.Contents contents = ModelFile.read(file);
    JsonNode config = Json.parse(contents.config(), file + ": config.json");
    String className = config.path("class_name").asText("");
    if (!className.equals("Sequential")) {
      throw new LeptonException(file + ": unknown model class \"" + className + "\" in "
          + "config.json; this version of Lepton reads Sequential models");
    }
    Model model = Sequential.fromConfig(config);
    if (!model.built()) {
      throw new LeptonException(file + ": config.json has no build_input_shape; the file was not "
          + "written by Model.save");
    }
    try {
      model.setWeights(contents.weights());
    } catch (LeptonException e) {
      throw new LeptonException(file + ": " + e.getMessage(), e);
    }
    JsonNode compile = config.path("compile_config");
    if (compile.isObject()) {
      Optimizer opt = Optimizers.fromConfig(compile.path("optimizer").path("name").asText(),
          map(compile.path("optimizer").path("config")));
      Loss lossFn = Losses.fromConfig(compile.path("loss").path("name").asText(),
          map(compile.path("loss").path("config")));
      List<Metric> ms = new ArrayList<>();
      for (JsonNode m : compile.path("metrics")) {
        ms.add(Metrics.fromConfig(m.path("name").asText(), map(m.path("config"))));
      }
      model.compile(opt, lossFn, ms.toArray(new Metric[0]));
      contents.optimizer().ifPresent(s -> opt.loadState(s.tensors(),
          Json.parse(s.config(), file + ": optimizer.json").path("iterations").asLong()));
    }
    try {
      model.preprocessing(contents.preprocessing().map(Preprocessing::fromJson).orElse(null));
    } catch (LeptonException e) {
      throw new LeptonException(file + ": preprocessing.json: " + e.getMessage(), e);
    }
    return model;
  }

  private static ObjectNode named(String name, Map<String, Object> config) {
    ObjectNode node = Json.MAPPER.createObjectNode();
    node.put("name", name);
    node.set("config", Json.MAPPER.valueToTree(config));
    return node;
  }

  private static Map<String, Object> map(JsonNode node) {
    return Json.MAPPER.convertValue(node, new TypeReference<Map<String, Object>>() {});
  }

  private static String pretty(JsonNode node) {
    try {
      return Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(node);
    } catch (JsonProcessingException e) {
      throw new LeptonException("cannot write the model config as JSON: " + e.getMessage(), e);
    }
  }

  // ---------------------------------------------------------------- checks

  private void requireCompiled(String op) {
    if (optimizer == null) {
      throw new LeptonException(op + ": the model is not compiled; call compile(optimizer, loss, "
          + "metrics...) first, e.g. compile(\"adam\", \"mse\")");
    }
  }

  private void requireBuilt(String op) {
    if (!built()) {
      throw new LeptonException(op + ": the model is not built yet; call fit first, or "
          + "build(seed, inputShape)");
    }
  }

  private static void checkBatchSize(String op, int batchSize) {
    if (batchSize <= 0) {
      throw new LeptonException(op + ": expected a positive batch size, received " + batchSize);
    }
  }

  private static int[] sampleShape(Tensor x) {
    int[] s = x.shape();
    return Arrays.copyOfRange(s, 1, s.length);
  }

  private void checkInputShape(String op, Tensor x) {
    int[] expected = inputShape();
    if (x.rank() != expected.length + 1 || !Arrays.equals(sampleShape(x), expected)) {
      String hint = Arrays.equals(x.shape(), expected)
          ? "add a batch dimension, e.g. x.reshape(1, " + joined(expected) + ")"
          : "pass samples of shape " + Arrays.toString(expected) + " with the batch first";
      throw new LeptonException(op + ": the model takes [batch, " + joined(expected)
          + "] but received " + Arrays.toString(x.shape()) + "; " + hint);
    }
  }

  private static String joined(int[] shape) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < shape.length; i++) {
      sb.append(i == 0 ? "" : ", ").append(shape[i]);
    }
    return sb.toString();
  }

  private static void checkData(String op, Tensor x, Tensor y) {
    if (x == null || y == null) {
      throw new LeptonException(op + ": expected inputs x and targets y, received x=" + x
          + ", y=" + y);
    }
    if (x.rank() < 2) {
      throw new LeptonException(op + ": expected x with the batch first, [samples, features...], "
          + "received shape " + Arrays.toString(x.shape()) + "; for one feature per sample use "
          + "x.reshape(-1, 1)");
    }
    if (y.rank() < 1 || y.dim(0) != x.dim(0)) {
      throw new LeptonException(op + ": x has " + x.dim(0) + " samples but y has shape "
          + Arrays.toString(y.shape()) + "; x and y need one row per sample, in the same order");
    }
    if (x.dim(0) == 0) {
      throw new LeptonException(op + ": the dataset is empty (0 samples); pass at least one "
          + "sample");
    }
    if (!x.allFinite() || !y.allFinite()) {
      throw new LeptonException(op + ": " + (x.allFinite() ? "y" : "x") + " contains NaN or "
          + "infinity; clean or impute missing values before training");
    }
  }
}
