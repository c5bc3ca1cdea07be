package ai.lepton.models;

import ai.lepton.LeptonException;
import ai.lepton.data.Dataset;
import ai.lepton.internal.Args;
import ai.lepton.layers.Layer;
import ai.lepton.losses.Loss;
import ai.lepton.losses.Losses;
import ai.lepton.metrics.Metric;
import ai.lepton.metrics.Metrics;
import ai.lepton.optimizers.Optimizer;
import ai.lepton.optimizers.Optimizers;
import ai.lepton.preprocessing.Preprocessing;
import ai.lepton.tensor.Tensor;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.OutputStream;
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
 * {@code predict}, {@code save}. {@link Sequential} is a stack of layers; {@link Functional} is a
 * graph of layer calls with any number of inputs and outputs.
 *
 * <p>Data tensors have the batch first: {@code x} is {@code [samples, ...features]}, {@code y} is
 * {@code [samples, ...targets]}.
 */
public abstract class Model {
  private Optimizer optimizer;
  private Loss loss;
  private List<Metric> metrics = List.of();
  /** Per-output losses, metrics and weights (Keras' dict form); null: {@code loss} for all. */
  private Map<String, Loss> lossByOutput;
  private Map<String, List<Metric>> metricsByOutput;
  private Map<String, Double> lossWeights = Map.of();
  /** The compile settings resolved against the outputs; made on first use after compile. */
  private List<Head> heads;
  /** Set by {@link #stopTraining()}, read and cleared by the Trainer. */
  private boolean stopTraining;
  private Preprocessing preprocessing;
  private List<String> classNames;

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

  /**
   * The forward pass on a batch of each input, giving a batch of each output; by default the model
   * has one of each.
   */
  List<Tensor> call(List<Tensor> inputs, boolean training) {
    return List.of(call(inputs.get(0), training));
  }

  /** The shape of one sample of each input, without the batch dimension. */
  public List<int[]> inputShapes() {
    return List.of(inputShape());
  }

  /**
   * The outputs' names, the keys of per-output losses, metrics and logs as in Keras: the names of
   * the layers that produce them. A Sequential model's only output is its last layer's.
   */
  public List<String> outputNames() {
    List<Layer> all = layers();
    if (all.isEmpty()) {
      throw new LeptonException("outputNames: the model has no layers yet; add layers first");
    }
    return List.of(all.get(all.size() - 1).name());
  }

  /**
   * The layer named {@code name}, as Keras' {@code model.get_layer(name)}.
   *
   * @throws LeptonException if no layer has that name, listing the names there are
   */
  public Layer layer(String name) {
    Args.nonNull(name, "layer", "name");
    List<String> names = new ArrayList<>();
    for (Layer l : layers()) {
      if (l.name().equals(name)) {
        return l;
      }
      names.add(l.name());
    }
    throw new LeptonException("layer: model '" + name() + "' has no layer named '" + name
        + "'; its layers are " + names);
  }

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
    Args.nonNull(optimizer, "compile", "optimizer");
    Args.nonNull(loss, "compile", "loss");
    Args.noNulls(metrics, "compile", "metrics");
    Metric[] m = new Metric[metrics.length];
    for (int i = 0; i < metrics.length; i++) {
      m[i] = Metrics.get(metrics[i]);
    }
    return compile(Optimizers.get(optimizer), Losses.get(loss), m);
  }

  /** Chooses the optimizer, loss and metrics as objects, e.g. {@code new Adam(0.01f)}. */
  public Model compile(Optimizer optimizer, Loss loss, Metric... metrics) {
    Args.noNulls(metrics, "compile", "metrics");
    if (optimizer == null || loss == null) {
      throw new LeptonException("compile: expected an optimizer and a loss, received optimizer="
          + optimizer + ", loss=" + loss);
    }
    this.optimizer = optimizer;
    this.loss = loss;
    this.metrics = List.of(metrics);
    this.lossByOutput = null;
    this.metricsByOutput = null;
    this.lossWeights = Map.of();
    this.heads = null;
    return this;
  }

  /**
   * Compiles a model with several outputs by Keras name, as Keras' dict form:
   * {@code compile("adam", Map.of("kind", "sparse_categorical_crossentropy", "footwear",
   * "binary_crossentropy"), Map.of("kind", 1.0, "footwear", 0.5), Map.of("kind",
   * List.of("accuracy")))}. Keys are {@link #outputNames()}; an output missing from
   * {@code lossWeights} weighs 1, one missing from {@code metrics} has none.
   *
   * @throws LeptonException for unknown names; every output needs a loss (checked at fit/evaluate)
   */
  public Model compile(String optimizer, Map<String, String> losses,
      Map<String, Double> lossWeights, Map<String, List<String>> metrics) {
    Args.nonNull(optimizer, "compile", "optimizer");
    Args.nonNull(losses, "compile", "losses");
    Args.nonNull(lossWeights, "compile", "lossWeights");
    Args.nonNull(metrics, "compile", "metrics");
    Map<String, Loss> l = new LinkedHashMap<>();
    losses.forEach((k, v) -> l.put(k, Losses.get(v)));
    Map<String, List<Metric>> m = new LinkedHashMap<>();
    metrics.forEach((k, v) -> m.put(k, v.stream().map(Metrics::get).toList()));
    return compile(Optimizers.get(optimizer), l, lossWeights, m);
  }

  /**
   * Compiles a model with several outputs: a loss per output name, optional loss weights (the
   * training loss is {@code sum(weight * loss)}) and metrics per output. Logs name them as Keras
   * does: {@code "loss"} (the weighted total), {@code "<output>_loss"},
   * {@code "<output>_<metric>"}.
   *
   * @throws LeptonException if the optimizer is null or a weight is negative or not finite
   */
  public Model compile(Optimizer optimizer, Map<String, Loss> losses,
      Map<String, Double> lossWeights, Map<String, List<Metric>> metrics) {
    Args.nonNull(optimizer, "compile", "optimizer");
    Args.nonNull(losses, "compile", "losses");
    Args.nonNull(lossWeights, "compile", "lossWeights");
    Args.nonNull(metrics, "compile", "metrics");
    if (optimizer == null || losses == null || losses.isEmpty()) {
      throw new LeptonException("compile: expected an optimizer and a loss per output, received "
          + "optimizer=" + optimizer + ", losses=" + losses);
    }
    lossWeights.forEach((k, w) -> {
      if (w == null || !(w >= 0) || w.isInfinite()) {
        throw new LeptonException("compile: expected loss weights >= 0, received " + k + "=" + w);
      }
    });
    this.optimizer = optimizer;
    this.loss = null;
    this.metrics = List.of();
    this.lossByOutput = new LinkedHashMap<>(losses);
    this.lossWeights = new LinkedHashMap<>(lossWeights);
    this.metricsByOutput = new LinkedHashMap<>();
    metrics.forEach((k, v) -> metricsByOutput.put(k, List.copyOf(v)));
    this.heads = null;
    return this;
  }

  /**
   * One output's part of the objective. {@code prefix} starts its log names: empty for a model
   * with one output, {@code "<output>_"} otherwise.
   */
  record Head(String output, Loss loss, double weight, List<Metric> metrics, String prefix) {}

  /** The compile settings matched to the outputs by name. */
  List<Head> heads() {
    if (heads != null) {
      return heads;
    }
    List<String> names = outputNames();
    if (lossByOutput != null) {
      for (Map<String, ?> byName : List.of(lossByOutput, lossWeights, metricsByOutput)) {
        for (String k : byName.keySet()) {
          if (!names.contains(k)) {
            throw new LeptonException("compile: unknown output '" + k + "'; the model's outputs "
                + "are " + names + " (the names of the layers that produce them)");
          }
        }
      }
    }
    boolean several = names.size() > 1;
    List<Head> out = new ArrayList<>();
    for (String name : names) {
      Loss l = lossByOutput == null ? loss : lossByOutput.get(name);
      if (l == null) {
        throw new LeptonException("compile: no loss for output '" + name + "'; give a loss for "
            + "each of " + names);
      }
      List<Metric> ms = metricsByOutput != null ? metricsByOutput.getOrDefault(name, List.of())
          : several ? fresh(metrics) : metrics;
      out.add(new Head(name, l, lossWeights.getOrDefault(name, 1.0), ms,
          several ? name + "_" : ""));
    }
    heads = List.copyOf(out);
    return heads;
  }

  /** New metrics like {@code ms}: each output of a model compiled with one list keeps its own. */
  private static List<Metric> fresh(List<Metric> ms) {
    return ms.stream().map(m -> Metrics.fromConfig(m.name(), m.config())).toList();
  }

  /** The optimizer given to {@code compile}, or {@code null}. */
  public Optimizer optimizer() {
    return optimizer;
  }

  /** The loss given to {@code compile}; {@code null} when compiled with a loss per output. */
  public Loss loss() {
    return loss;
  }

  /** The metrics given to {@code compile} with one loss; empty when compiled per output. */
  public List<Metric> metrics() {
    return metrics;
  }

  /**
   * Asks the running {@code fit} to stop after the current batch, as Keras'
   * {@code model.stop_training = True}: the epoch is then validated and recorded as usual. For
   * callbacks such as EarlyStopping, on the training thread; another thread cancels a run with a
   * {@link Cancellation} instead.
   */
  public void stopTraining() {
    stopTraining = true;
  }

  boolean stopRequested() {
    return stopTraining;
  }

  void clearStopRequest() {
    stopTraining = false;
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

  /**
   * Names this classifier's output columns, in column order ({@code null} for none), as the
   * training data wrote its classes ("T-shirt/top", a CSV target's strings), like Hugging Face's
   * {@code id2label}; {@link #save} stores them and {@link #load} restores them, so serving names
   * the class it predicts.
   *
   * @throws LeptonException if there are none or more than 65,536, a name is empty, longer than
   *     256 characters, holds a control character or repeats, or the model is built and does not
   *     have one output of one column per name
   */
  public Model classNames(List<String> names) {
    if (names == null) {
      this.classNames = null;
      return this;
    }
    List<String> checked = ClassNames.check(names, "classNames");
    if (built()) {
      ClassNames.checkWidth(checked, Blueprint.of(config(), ModelArchive.Limits.DEFAULT,
          "classNames").outputs(), "classNames");
    }
    this.classNames = checked;
    return this;
  }

  /** The class names of the output's columns, if set (an unmodifiable list). */
  public Optional<List<String>> classNames() {
    return Optional.ofNullable(classNames);
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
    Args.nonNull(values, "setWeights", "values");
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

  /**
   * Loads weights saved by {@link #save} into this model by layer name, as Keras'
   * {@code load_weights(by_name=True)}: for transfer learning into a different architecture. Each
   * weight whose path ({@code layer/weight}) and shape match is copied; the others are reported.
   *
   * @param skipMismatch whether weights whose shapes differ are skipped (reported) rather than
   *     refused
   * @throws LeptonException if the file cannot be read, or shapes differ and {@code skipMismatch}
   *     is false; then no weight is changed
   */
  public WeightLoadReport loadWeightsByName(Path file, boolean skipMismatch) {
    Args.nonNull(file, "loadWeightsByName", "file");
    requireBuilt("loadWeightsByName");
    Map<String, Tensor> saved = ModelFile.read(file).weights();
    Map<String, Tensor> own = weights();
    List<String> loaded = new ArrayList<>();
    List<String> missing = new ArrayList<>();
    List<String> mismatched = new ArrayList<>();
    for (var e : own.entrySet()) {
      Tensor v = saved.get(e.getKey());
      if (v == null) {
        missing.add(e.getKey());
      } else if (!Arrays.equals(v.shape(), e.getValue().shape())) {
        mismatched.add(e.getKey() + ": file " + Arrays.toString(v.shape()) + ", model "
            + Arrays.toString(e.getValue().shape()));
      } else {
        loaded.add(e.getKey());
      }
    }
    if (!mismatched.isEmpty() && !skipMismatch) {
      throw new LeptonException(file + ": loadWeightsByName: shapes differ for " + mismatched
          + "; rename those layers, or pass skipMismatch=true to keep their values");
    }
    loaded.forEach(k -> own.get(k).assign(saved.get(k)));
    List<String> unexpected = saved.keySet().stream().filter(k -> !own.containsKey(k)).toList();
    return new WeightLoadReport(loaded, missing, unexpected, mismatched);
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
   * Every {@link Callback} in {@code options} hears each {@link TrainingEvent} on this thread; a
   * {@link Cancellation} stops the run from another thread, and {@link Fit#initialEpoch} resumes one
   * from a checkpoint. A model not built yet is built for the shape of x's samples, from
   * {@code options}' seed, as by every form of fit.
   *
   * @throws LeptonException if the model is not compiled, the data are empty, contain NaN or
   *     infinity, or x and y disagree on the number of samples or the model's input shape; an
   *     exception thrown by a callback stops training and propagates unchanged
   */
  public History fit(Tensor x, Tensor y, Fit options) {
    Args.nonNull(x, "fit", "x");
    Args.nonNull(y, "fit", "y");
    return fit(List.of(x), List.of(y), options);
  }

  /**
   * Trains a model with several inputs or outputs, as Keras' {@code fit([x1, x2], [y1, y2])}: one
   * tensor per input in {@link #inputShapes()} order and one target per output in
   * {@link #outputNames()} order, all with the samples first. A model not built yet (a Sequential
   * model, which takes one input) is built for the shape of the samples of {@code x}'s only
   * tensor.
   *
   * @throws LeptonException as {@link #fit(Tensor, Tensor, Fit)}, or if the numbers of tensors do
   *     not match the model's inputs and outputs
   */
  public History fit(List<Tensor> x, List<Tensor> y, Fit options) {
    Args.noNulls(x, "fit", "x");
    Args.noNulls(y, "fit", "y");
    Args.nonNull(options, "fit", "options");
    requireCompiled("fit");
    checkSamples("fit", x, y);
    buildFor("fit", x, options.seed());
    checkShapes("fit", x, y);
    List<Tensor> trainX = x;
    List<Tensor> trainY = y;
    Dataset validation = validation(options);
    if (options.validationX() != null) {
      checkInputShapes("fit (validation data)", List.of(options.validationX()));
    } else if (validation == null && options.validationSplit() > 0) {
      int n = x.get(0).dim(0);
      int split = (int) Math.floor(n * (1.0 - options.validationSplit()));
      if (split == 0 || split == n) {
        throw new LeptonException("fit: validationSplit " + options.validationSplit() + " of "
            + n + " samples leaves " + (split == 0 ? "no training" : "no validation")
            + " samples; use more data or another fraction");
      }
      trainX = slices(x, 0, split);
      trainY = slices(y, 0, split);
      validation = Dataset.of(slices(x, split, n), slices(y, split, n))
          .batch(options.batchSize());
    }
    return new Trainer(this).fit(Dataset.of(trainX, trainY).batch(options.batchSize())
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
    Args.nonNull(train, "fit", "train");
    Args.nonNull(options, "fit", "options");
    requireCompiled("fit");
    if (options.validationSplit() > 0) {
      throw new LeptonException("fit: validationSplit needs tensors x and y, but received a "
          + "Dataset; pass validation data with Fit.validationData(dataset) instead");
    }
    Dataset validation = validation(options);
    if (!built()) {
      try (Dataset.Batches first = train.epoch(0)) {
        buildFor("fit", first.next().inputs(), options.seed());
      }
    }
    return new Trainer(this).fit(train, validation, options);
  }

  private static List<Tensor> slices(List<Tensor> tensors, int from, int to) {
    return tensors.stream().map(t -> t.slice(0, from, to)).toList();
  }

  /** The validation data given to {@code options}, as a dataset, or null. */
  private static Dataset validation(Fit options) {
    if (options.validationX() != null) {
      checkData("fit (validation data)", options.validationX(), options.validationY());
      return Dataset.of(options.validationX(), options.validationY()).batch(options.batchSize());
    }
    return options.validationDataset();
  }

  // ---------------------------------------------------------------- evaluate, predict

  /** Loss and metrics on the data, in batches of 32: {@code {"loss": ..., "accuracy": ...}}. */
  public Map<String, Double> evaluate(Tensor x, Tensor y) {
    return evaluate(x, y, 32);
  }

  /** Loss and metrics on the data, in batches of {@code batchSize}. */
  public Map<String, Double> evaluate(Tensor x, Tensor y, int batchSize) {
    Args.nonNull(x, "evaluate", "x");
    Args.nonNull(y, "evaluate", "y");
    requireCompiled("evaluate");
    checkBatchSize("evaluate", batchSize);
    checkData("evaluate", x, y);
    requireBuilt("evaluate");
    return new Trainer(this).evaluate("evaluate", Dataset.of(x, y).batch(batchSize));
  }

  /**
   * Loss and metrics on every batch of the dataset (epoch 0 of its order), e.g.
   * {@code {"loss": ..., "accuracy": ...}}.
   *
   * @throws LeptonException if the model is not compiled or built, a batch does not fit its input
   *     shape, or the dataset fails to produce a batch
   */
  public Map<String, Double> evaluate(Dataset data) {
    Args.nonNull(data, "evaluate", "data");
    requireCompiled("evaluate");
    requireBuilt("evaluate");
    return new Trainer(this).evaluate("evaluate", data);
  }

  /**
   * Loss and metrics of a model with several inputs or outputs, in batches of {@code batchSize};
   * tensors in {@link #inputShapes()} and {@link #outputNames()} order.
   */
  public Map<String, Double> evaluate(List<Tensor> x, List<Tensor> y, int batchSize) {
    Args.nonNull(x, "evaluate", "x");
    Args.nonNull(y, "evaluate", "y");
    requireCompiled("evaluate");
    checkBatchSize("evaluate", batchSize);
    requireBuilt("evaluate");
    checkData("evaluate", x, y);
    return new Trainer(this).evaluate("evaluate", Dataset.of(x, y).batch(batchSize));
  }

  /**
   * Every output for samples of every input, computed in batches of {@code batchSize} without a
   * graph: one tensor per output, in {@link #outputNames()} order.
   *
   * @throws LeptonException as {@link #predict(List, PredictOptions)}
   */
  public List<Tensor> predict(List<Tensor> x, int batchSize) {
    Args.nonNull(x, "predict", "x");
    checkBatchSize("predict", batchSize);
    return predict(x, PredictOptions.DEFAULTS.batchSize(batchSize));
  }

  /**
   * Every output for samples of every input, without a graph: one tensor per output, in
   * {@link #outputNames()} order. Safe to call from many threads at once on one model (see
   * docs/concurrency.md), as long as nothing changes its weights meanwhile.
   *
   * @throws LeptonException if the model is not built, the inputs do not fit its input shapes or
   *     differ in sample count, or an input holds NaN or infinity and {@code options} do not allow
   *     it (the message names the input, the sample and the feature)
   */
  public List<Tensor> predict(List<Tensor> x, PredictOptions options) {
    Args.nonNull(x, "predict", "x");
    requireOptions(options);
    requireBuilt("predict");
    checkInputShapes("predict", x);
    int n = x.get(0).dim(0);
    for (int i = 0; i < x.size(); i++) {
      if (x.get(i).dim(0) != n) {
        throw new LeptonException("predict: " + inputName(i) + " has " + x.get(i).dim(0)
            + " samples but " + inputName(0) + " has " + n + "; give every input the same "
            + "samples, in the same order");
      }
      checkFinite(options, x.get(i), i);
    }
    int batchSize = options.batchSize();
    try (var scope = Tensor.noGrad()) {
      if (n <= batchSize) {
        return call(x, false);
      }
      List<List<Tensor>> parts = new ArrayList<>();
      for (int from = 0; from < n; from += batchSize) {
        parts.add(call(slices(x, from, Math.min(n, from + batchSize)), false));
      }
      List<Tensor> out = new ArrayList<>();
      for (int i = 0; i < parts.get(0).size(); i++) {
        final int k = i;
        out.add(Tensor.concat(0, parts.stream().map(p -> p.get(k)).toArray(Tensor[]::new)));
      }
      return out;
    }
  }

  /**
   * Outputs for a batch of samples, {@code [samples, ...]}, computed in batches of 32.
   *
   * @throws LeptonException as {@link #predict(Tensor, PredictOptions)}
   */
  public Tensor predict(Tensor x) {
    Args.nonNull(x, "predict", "x");
    return predict(x, PredictOptions.DEFAULTS);
  }

  /**
   * Outputs for a batch of samples, computed in batches of {@code batchSize}, without a graph.
   *
   * @throws LeptonException as {@link #predict(Tensor, PredictOptions)}
   */
  public Tensor predict(Tensor x, int batchSize) {
    Args.nonNull(x, "predict", "x");
    checkBatchSize("predict", batchSize);
    return predict(x, PredictOptions.DEFAULTS.batchSize(batchSize));
  }

  /**
   * Outputs for a batch of samples, {@code [samples, ...]}, without a graph. Safe to call from
   * many threads at once on one model (see docs/concurrency.md), as long as nothing changes its
   * weights meanwhile.
   *
   * @throws LeptonException if the model is not built, {@code x} does not fit its input shape, or
   *     {@code x} holds NaN or infinity and {@code options} do not allow it (the message names the
   *     sample and the feature; clean or impute the input, or pass
   *     {@code options.allowNonFinite(true)})
   */
  public Tensor predict(Tensor x, PredictOptions options) {
    Args.nonNull(x, "predict", "x");
    requireOptions(options);
    requireBuilt("predict");
    checkInputShape("predict", x);
    checkFinite(options, x, 0);
    int n = x.dim(0);
    int batchSize = options.batchSize();
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

  private static void requireOptions(PredictOptions options) {
    if (options == null) {
      throw new LeptonException("predict: expected options, received null; pass "
          + "PredictOptions.DEFAULTS or a changed copy of it");
    }
  }

  /** The name of input {@code i} in messages; a functional model names its Input layers. */
  String inputName(int i) {
    return inputShapes().size() == 1 ? "x" : "input " + i;
  }

  /**
   * Refuses NaN and infinity in {@code x}, input {@code input}, unless {@code options} allow them,
   * naming the first bad value's sample and feature. One pass over the values; the search for the
   * position runs only when there is one to report.
   */
  private void checkFinite(PredictOptions options, Tensor x, int input) {
    if (options.allowNonFinite() || x.allFinite()) {
      return;
    }
    float[] v = x.toFloatArray();
    int at = 0;
    while (Float.isFinite(v[at])) {
      at++;
    }
    int[] feature = sampleShape(x);
    int perSample = 1;
    for (int d : feature) {
      perSample *= d;
    }
    // the flat position within the sample, as coordinates of the sample's shape
    int rest = at % perSample;
    for (int d = feature.length - 1; d >= 0; d--) {
      int size = feature[d];
      feature[d] = rest % size;
      rest /= size;
    }
    String where = feature.length == 0 ? "" : feature.length == 1 ? ", feature " + feature[0]
        : ", feature " + Arrays.toString(feature);
    throw new LeptonException("predict: " + inputName(input) + " holds " + v[at] + " at sample "
        + at / perSample + where + "; the model would turn it into a meaningless output. "
        + "Clean or impute missing values first (e.g. with an Imputer), or pass "
        + "PredictOptions.DEFAULTS.allowNonFinite(true) to predict on them anyway");
  }

  // ---------------------------------------------------------------- summary

  /** A table of layers with output shapes and parameter counts, as Keras' {@code summary()}. */
  public String summary() {
    requireBuilt("summary");
    String rule = "=".repeat(72) + "\n";
    StringBuilder sb = new StringBuilder();
    sb.append("Model: \"").append(name()).append("\"\n");
    sb.append(String.format(Locale.ROOT, "%-33s %-26s%12s%n", "Layer (type)", "Output Shape",
        "Param #"));
    sb.append(rule);
    int[] shape = inputShape();
    for (Layer layer : layers()) {
      shape = layer.outputShape(shape);
      StringBuilder s = new StringBuilder("(None");
      for (int d : shape) {
        s.append(", ").append(d);
      }
      s.append(')');
      sb.append(String.format(Locale.ROOT, "%-33s %-26s%,12d%n",
          layer.name() + " (" + layer.getClass().getSimpleName() + ")", s,
          layer.parameterCount()));
    }
    sb.append(rule);
    sb.append(totals());
    return sb.toString();
  }

  /** The summary's last lines: total, trainable and non-trainable parameter counts. */
  final String totals() {
    long total = 0;
    long trainable = 0;
    for (Layer layer : layers()) {
      total += layer.parameterCount();
      for (Tensor w : layer.trainableWeights().values()) {
        trainable += w.size();
      }
    }
    return String.format(Locale.ROOT, "Total params: %,d%nTrainable params: %,d%n"
        + "Non-trainable params: %,d%n", total, trainable, total - trainable);
  }

  /** The model's name, e.g. "sequential". */
  public abstract String name();

  // ---------------------------------------------------------------- save, load

  /**
   * Writes the model to a {@code .lepton} file: architecture, weights and, when compiled, the
   * compile settings and optimizer state, so that {@link #load} can resume training. The write is
   * atomic: on failure the previous file, if any, is untouched. The format is in
   * {@code docs/model-file.md}.
   *
   * @throws LeptonException if the model is not built or the file cannot be written
   */
  public void save(Path file) {
    Args.nonNull(file, "save", "file");
    requireBuilt("save");
    ModelFile.save(this, file);
  }

  /**
   * Writes the model to {@code out} in the {@code .lepton} format: the same archive that
   * {@link #save(Path)} writes (entries, order, compression), so that a server can encrypt it on
   * the way without a plaintext file; {@code ModelArchive.open(bytes, limits).load()} reads it
   * back. {@code out} is flushed, not closed. Unlike {@link #save(Path)} the write is not atomic:
   * after a failure {@code out} may hold part of an archive, to be discarded.
   *
   * @throws LeptonException if the model is not built or {@code out} fails to take the bytes
   */
  public void save(OutputStream out) {
    Args.nonNull(out, "save", "out");
    requireBuilt("save");
    ModelFile.save(this, out);
  }

  /**
   * Reads a model written by {@link #save}: same architecture, same weights, and, if it was
   * compiled, the same optimizer (with its state), loss and metrics. The same as
   * {@code ModelArchive.open(file).load()}, with the {@link ModelArchive.Limits#DEFAULT default
   * limits}; open the archive with other limits to load untrusted files.
   *
   * @throws LeptonException if the file is missing, truncated, corrupted, from a newer Lepton,
   *     over a limit, or names layers this version does not know
   */
  public static Model load(Path file) {
    Args.nonNull(file, "Model.load", "file");
    return ModelArchive.open(file).load();
  }

  /** The losses per output when compiled with Keras' dict form; {@code null} otherwise. */
  Map<String, Loss> lossesByOutput() {
    return lossByOutput;
  }

  /** The metrics per output when compiled with Keras' dict form; {@code null} otherwise. */
  Map<String, List<Metric>> metricsByOutput() {
    return metricsByOutput;
  }

  /** The loss weights per output given to {@code compile}; empty when none were given. */
  Map<String, Double> lossWeights() {
    return lossWeights;
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

  /**
   * Builds a model that is not built yet for the samples of {@code x}, the inputs of the first
   * batch, as Keras builds on the first batch. Only a Sequential model can be unbuilt, and it takes
   * one input.
   */
  private void buildFor(String op, List<Tensor> x, long seed) {
    if (built()) {
      return;
    }
    if (x.size() != 1) {
      throw new LeptonException(op + ": the model is not built yet and takes one input, but "
          + "received " + x.size() + " input tensors; pass one, or build the model first with "
          + "build(seed, inputShape)");
    }
    build(seed, sampleShape(x.get(0)));
  }

  private static int[] sampleShape(Tensor x) {
    int[] s = x.shape();
    return Arrays.copyOfRange(s, 1, s.length);
  }

  void checkBatch(String op, Dataset.Batch batch) {
    checkInputShapes(op, batch.inputs());
    int outputs = heads().size();
    if (batch.targets().size() != outputs) {
      throw new LeptonException(op + ": the model has " + outputs + " output(s) " + outputNames()
          + " but a batch carries " + batch.targets().size() + " target tensor(s); give one "
          + "target per output, in that order");
    }
  }

  /** Checks the number of input tensors and each one's shape. */
  private void checkInputShapes(String op, List<Tensor> xs) {
    List<int[]> expected = inputShapes();
    if (xs.size() != expected.size()) {
      throw new LeptonException(op + ": the model has " + expected.size() + " input(s) but "
          + "received " + xs.size() + " tensor(s); give one tensor per input, in order");
    }
    for (int i = 0; i < xs.size(); i++) {
      checkInputShape(op + (xs.size() > 1 ? " (input " + i + ")" : ""), xs.get(i), expected.get(i));
    }
  }

  private void checkInputShape(String op, Tensor x) {
    checkInputShape(op, x, inputShape());
  }

  private static void checkInputShape(String op, Tensor x, int[] expected) {
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

  /** {@link #checkSamples} and {@link #checkShapes}. */
  private void checkData(String op, List<Tensor> x, List<Tensor> y) {
    checkSamples(op, x, y);
    checkShapes(op, x, y);
  }

  /**
   * {@link #checkData(String, Tensor, Tensor)} for every input against every target: what the
   * data must be whatever the model, so it holds before the model is built.
   */
  private static void checkSamples(String op, List<Tensor> x, List<Tensor> y) {
    if (x == null || y == null || x.isEmpty() || y.isEmpty()) {
      throw new LeptonException(op + ": expected a list of inputs and a list of targets, received "
          + "x=" + x + ", y=" + y);
    }
    for (Tensor xi : x) {
      for (Tensor yi : y) {
        checkData(op, xi, yi);
      }
    }
  }

  /** Checks the data against the model: one tensor per input, of its shape, and per output. */
  private void checkShapes(String op, List<Tensor> x, List<Tensor> y) {
    checkInputShapes(op, x);
    if (y.size() != outputNames().size()) {
      throw new LeptonException(op + ": the model has " + outputNames().size() + " output(s) "
          + outputNames() + " but received " + y.size() + " target tensor(s); give one per "
          + "output, in that order");
    }
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
