package ai.lepton.server.jobs;

import ai.lepton.LeptonException;
import ai.lepton.api.DatasetFormat;
import ai.lepton.api.ErrorCode;
import ai.lepton.api.TrainingSpec;
import ai.lepton.api.TrainingSpec.Hyperparameters;
import ai.lepton.data.Dataset;
import ai.lepton.data.Splits;
import ai.lepton.data.Table;
import ai.lepton.layers.Layer;
import ai.lepton.layers.Layers;
import ai.lepton.losses.Losses;
import ai.lepton.metrics.Metrics;
import ai.lepton.models.Model;
import ai.lepton.models.Sequential;
import ai.lepton.optimizers.Optimizers;
import ai.lepton.preprocessing.FeaturePreprocessing;
import ai.lepton.preprocessing.Imputer;
import ai.lepton.preprocessing.LabelEncoder;
import ai.lepton.preprocessing.MinMaxScaler;
import ai.lepton.preprocessing.Preprocessing;
import ai.lepton.preprocessing.Scaler;
import ai.lepton.preprocessing.StandardScaler;
import ai.lepton.preprocessing.TextPreprocessing;
import ai.lepton.preprocessing.Tokenizer;
import ai.lepton.server.http.ApiException;
import ai.lepton.tensor.Tensor;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Turns a {@link TrainingSpec} and its dataset version into a {@link PreparedTraining}: reads the
 * data, splits it with the spec's seed, fits preprocessing on the training split only, sets it on
 * the model (so a saved {@code .lepton} carries it and serving applies it to raw rows or texts),
 * and builds and compiles the model. The rules (which data each model takes, classification or
 * regression, what the preprocessing does) are in docs/training.md.
 */
public final class Training {
  /** The most layers a config given in a spec may hold. */
  static final int MAX_CONFIG_LAYERS = 256;
  /** The longest config JSON a spec may hold. */
  static final int MAX_CONFIG_CHARS = 1 << 20;
  /** The most weights a model built from a spec's config may hold. */
  static final long MAX_CONFIG_PARAMETERS = 100_000_000L;
  /** The most classes a classifier may have: one softmax unit each. */
  static final int MAX_CLASSES = 10_000;
  /** The column a pixel row's feature names start with: {@code pixel_0, pixel_1, ...}. */
  static final String PIXEL = "pixel_";

  private static final ObjectMapper JSON = new ObjectMapper();

  private Training() {}

  /** What the data is, after reading. */
  private enum Kind { TABLE, TEXT, IMAGES }

  /**
   * Samples ready to split: raw inputs in one of three forms, and targets as class codes or values.
   */
  private record Examples(Kind kind, Table table, List<String> columns, String[] texts,
      byte[] pixels, int[] image, int[] codes, float[] values, List<String> classes) {
    int size() {
      return codes != null ? codes.length : values.length;
    }

    boolean classification() {
      return codes != null;
    }
  }

  /**
   * Prepares one training.
   *
   * @param spec the job's spec, validated by its constructor
   * @param data the dataset version's content (and, for IDX images, their labels)
   * @param baseModel the model {@code spec.model().baseModel()} names, loaded, to fine-tune; null
   *     otherwise. Its preprocessing, when it has one, is kept and applied to the data
   * @return the model built, compiled and carrying its preprocessing, with the three splits
   * @throws ApiException INVALID_ARGUMENT for a config that is not a Sequential Core model config,
   *     or a base model given without being named (or named without being given);
   *     UNPROCESSABLE for data the model cannot take (a template on the wrong kind of data, a
   *     target column that does not exist or is missing, too few samples to split, a base
   *     model whose input or classes do not fit), each message saying what to change
   */
  public static PreparedTraining prepare(TrainingSpec spec, TrainingData data, Model baseModel) {
    TrainingSpec.ModelChoice choice = spec.model();
    if ((choice.baseModel() != null) != (baseModel != null)) {
      throw ApiException.invalid(choice.baseModel() != null ? "the spec fine-tunes "
          + choice.baseModel() + " but no base model was loaded; load that version first"
          : "a base model was given but the spec names none in model.baseModel");
    }
    Hyperparameters hp = spec.hyperparameters();
    Sequential fresh = choice.config() != null ? fromConfig(choice.config()) : null;
    String what = choice.template() != null ? "template " + choice.template()
        : choice.config() != null ? "the model config" : "base model " + choice.baseModel();
    Model outputModel = fresh != null ? fresh : baseModel;
    Boolean classifies = outputModel == null ? null : classifies(outputModel);

    Examples examples = read(spec, data, choice.template(), classifies, what);
    int n = examples.size();
    int[][] split = split(examples, hp, n);
    int[] train = split[0];

    // Preprocessing: the base model's when it has one, else fitted on the training split only.
    Preprocessing preprocessing = baseModel != null && baseModel.preprocessing().isPresent()
        ? baseModel.preprocessing().get() : fit(examples, spec, train);
    Tensor[] x = new Tensor[3];
    for (int i = 0; i < 3; i++) {
      x[i] = split[i] == null ? null : transform(preprocessing, examples, split[i],
          baseModel != null && baseModel.preprocessing().isPresent(), what);
    }
    int outputs = examples.classification() ? examples.classes().size() : 0;
    int[] inputShape = Arrays.copyOfRange(x[0].shape(), 1, x[0].rank());

    Model model;
    if (baseModel != null) {
      model = baseModel;
    } else if (fresh != null) {
      model = fresh;
      buildChecked(model, hp.seed(), inputShape, what);
    } else {
      int vocabulary = preprocessing instanceof TextPreprocessing text
          ? Math.min(spec.preprocessing().maxTokens(), text.tokenizer().wordIndex().size() + 1)
          : 0;
      model = Templates.build(choice.template(), hp, outputs, examples.image(), vocabulary);
      model.build(hp.seed(), inputShape);
      if (outputs == 0) {
        startAtTheMean(model, examples, train);
      }
    }
    checkFits(model, x[0], outputs, examples, what);
    model.preprocessing(preprocessing);
    List<String> classNames = outputs > 0 ? classNames(spec, examples.classes())
        : List.of();
    model.classNames(outputs > 0 ? classNames : null);
    model.compile(Optimizers.fromConfig(hp.optimizer(),
            Map.of("learning_rate", hp.learningRate())),
        outputs > 0 ? Losses.sparseCategoricalCrossentropy(false) : Losses.meanSquaredError(),
        outputs > 0 ? Metrics.get("accuracy") : Metrics.meanAbsoluteError());

    Dataset[] sets = new Dataset[3];
    for (int i = 0; i < 3; i++) {
      if (split[i] != null) {
        sets[i] = Dataset.of(x[i], targets(examples, split[i])).batch(hp.batchSize())
            .shuffle(i == 0).seed(hp.seed());
      }
    }
    Map<String, String> parameters = new LinkedHashMap<>();
    parameters.put("model", choice.template() != null ? "template:" + choice.template()
        : choice.config() != null ? "config" : "baseModel:" + choice.baseModel());
    parameters.put("task", outputs > 0 ? "classification" : "regression");
    parameters.put("epochs", hp.epochs().toString());
    parameters.put("batchSize", hp.batchSize().toString());
    parameters.put("optimizer", hp.optimizer());
    parameters.put("learningRate", hp.learningRate().toString());
    parameters.put("units", hp.units().toString());
    parameters.put("dropout", hp.dropout().toString());
    parameters.put("validationSplit", hp.validationSplit().toString());
    parameters.put("testSplit", hp.testSplit().toString());
    parameters.put("seed", hp.seed().toString());
    parameters.put("inputShape", Arrays.toString(inputShape));
    parameters.put("trainSamples", Integer.toString(train.length));
    parameters.put("validationSamples", Integer.toString(split[1] == null ? 0 : split[1].length));
    parameters.put("testSamples", Integer.toString(split[2].length));
    if (examples.kind() == Kind.TABLE) {
      parameters.put("scaling", spec.preprocessing().scaling());
      parameters.put("features", shorten(String.join(",", examples.columns())));
    } else if (examples.kind() == Kind.TEXT) {
      parameters.put("maxTokens", spec.preprocessing().maxTokens().toString());
      parameters.put("sequenceLength", Integer.toString(inputShape[0]));
    }
    if (spec.target() != null) {
      parameters.put("target", spec.target());
    }
    return new PreparedTraining(model, sets[0], sets[1], sets[2], hp.epochs(), hp.batchSize(),
        hp.seed(), outputs > 0 ? "classification" : "regression",
        classNames, parameters);
  }

  // ---- reading --------------------------------------------------------------------------------

  /**
   * Reads the data and decides the task. {@code classifies} is what a given model's output says
   * (null for a template).
   */
  private static Examples read(TrainingSpec spec, TrainingData data, String template,
      Boolean classifies, String what) {
    DatasetFormat format = data.format();
    if (format == DatasetFormat.TEXT) {
      throw unprocessable(data.fileName() + " is plain text, one unlabelled sample per line, "
          + "which nothing can be trained on; upload JSON lines with a text field and a label "
          + "field, such as {\"text\": \"...\", \"label\": \"...\"}, and name the label as target");
    }
    if (format == DatasetFormat.IDX || format == DatasetFormat.IMAGE_ZIP) {
      if ("text-lstm".equals(template) || "linear-regression".equals(template)) {
        throw unprocessable("template " + template + " takes " + ("text-lstm".equals(template)
            ? "texts (JSON lines or CSV with one text column)" : "a table of numbers with a "
            + "numeric target") + ", but " + data.fileName() + " holds images; use cnn or mlp");
      }
      if (Boolean.FALSE.equals(classifies)) {
        throw unprocessable(what + " ends in a regression output, but images come with class "
            + "labels; end it with a Dense softmax layer of one unit per class");
      }
      if (spec.target() != null && format == DatasetFormat.IMAGE_ZIP) {
        throw unprocessable("an image zip's labels are its class folders; leave 'target' out");
      }
      TrainingDataReader.Images images = TrainingDataReader.images(data);
      int[] shape = images.shape();
      if ("cnn".equals(template) && (shape[0] < Templates.MIN_CNN_SIDE
          || shape[1] < Templates.MIN_CNN_SIDE)) {
        throw unprocessable("template cnn takes images of at least " + Templates.MIN_CNN_SIDE
            + "x" + Templates.MIN_CNN_SIDE + " pixels; " + data.fileName() + " holds "
            + shape[0] + "x" + shape[1] + "; use mlp");
      }
      return new Examples(Kind.IMAGES, null, null, null, images.pixels(), shape,
          images.labels(), null, images.classes());
    }
    if ("cnn".equals(template)) {
      throw unprocessable("template cnn takes images (IDX images with labels, or a zip of image "
          + "class folders), but " + data.fileName() + " is " + format + "; use mlp for a table "
          + "or text-lstm for texts");
    }
    String target = spec.target() != null ? spec.target() : data.labelColumn();
    if (target == null) {
      throw unprocessable("name the target column of " + data.fileName() + " in 'target' (the "
          + "column the model learns to predict); its profile names no label column");
    }
    Table read = TrainingDataReader.table(data);
    if (!read.columns().contains(target)) {
      throw unprocessable(data.fileName() + " has no column '" + target + "' to use as the "
          + "target; its columns are " + read.columns());
    }
    Table table = read.dropMissing(target); // a sample without its answer teaches nothing
    List<String> features = table.columns().stream().filter(c -> !c.equals(target)).toList();
    List<String> texts = features.stream().filter(c -> table.texts().containsKey(c)).toList();
    if (features.isEmpty()) {
      throw unprocessable(data.fileName() + " holds only the target column '" + target
          + "'; add the columns to predict it from");
    }
    boolean text = texts.size() == 1 && features.size() == 1;
    if ("text-lstm".equals(template) && !text) {
      throw unprocessable("template text-lstm takes one text column besides the target; "
          + data.fileName() + " has " + (texts.isEmpty() ? "no text column" : "columns "
          + features) + "; use mlp for a table of numbers, or upload the text and its label "
          + "only");
    }
    if (!text && !texts.isEmpty()) {
      throw unprocessable("column" + (texts.size() > 1 ? "s " : " ") + texts + " of "
          + data.fileName() + " hold" + (texts.size() > 1 ? "" : "s") + " text, but " + what
          + " takes numbers only (the preprocessing saved in a model scales numbers); drop "
          + "them or replace them with numeric columns, or keep one text column alone with "
          + "the target for text-lstm");
    }
    if (text && template != null && !"text-lstm".equals(template)) {
      throw unprocessable(data.fileName() + " holds texts (column '" + texts.get(0) + "'), "
          + "which template " + template + " cannot take; use text-lstm");
    }
    // The task: the model's output decides; for a template, the target's type, except that the
    // text templates always classify, and so does a whole-number target given class names (see
    // docs/training.md).
    boolean numericTarget = table.numbers().containsKey(target);
    boolean named = spec.classNames() != null;
    if (named && (Boolean.FALSE.equals(classifies) || "linear-regression".equals(template))) {
      throw unprocessable("'classNames' names a classifier's labels, but " + what + " predicts "
          + "a number; leave classNames out, or train a classifier such as template mlp");
    }
    boolean classify = classifies != null ? classifies
        : text || "cnn".equals(template) || !numericTarget || named;
    if ("linear-regression".equals(template) && !numericTarget) {
      throw unprocessable("template linear-regression predicts a number, but target '" + target
          + "' of " + data.fileName() + " holds text; use mlp to classify it");
    }
    if (!classify && !numericTarget) {
      throw unprocessable(what + " ends in a regression output, but target '" + target
          + "' holds text; end the model with a Dense softmax layer, one unit per class");
    }
    int[] codes = null;
    float[] values = null;
    List<String> classes = List.of();
    if (classify && numericTarget) {
      float[] raw = table.floats(target);
      TreeSet<Float> distinct = new TreeSet<>();
      for (float v : raw) {
        if (v != Math.rint(v)) {
          throw unprocessable("target '" + target + "' holds " + v + ", but " + what + " "
              + "classifies, which needs whole-number or text classes; round the column, or "
              + "use mlp or linear-regression to predict the number");
        }
        distinct.add(v);
      }
      Map<Float, Integer> code = new java.util.HashMap<>();
      for (float v : distinct) {
        code.put(v, code.size());
      }
      classes = distinct.stream().map(v -> Integer.toString((int) v.floatValue())).toList();
      codes = new int[raw.length];
      for (int i = 0; i < raw.length; i++) {
        codes[i] = code.get(raw[i]);
      }
    } else if (classify) {
      LabelEncoder encoder = LabelEncoder.fit(table.strings(target));
      classes = encoder.classes();
      codes = encoder.transform(table.strings(target));
    } else {
      values = table.floats(target);
    }
    if (codes != null && classes.size() > MAX_CLASSES) {
      throw unprocessable("target '" + target + "' of " + data.fileName() + " holds "
          + classes.size() + " distinct values, more than the " + MAX_CLASSES + " classes a "
          + "classifier here takes; is it an id? Name the column to predict, or, for a number, "
          + "use a model that regresses");
    }
    if (codes != null && classes.size() < 2) {
      throw unprocessable("target '" + target + "' of " + data.fileName() + " holds one class, "
          + classes + "; a classifier needs at least two");
    }
    return new Examples(text ? Kind.TEXT : Kind.TABLE, table, features,
        text ? table.strings(texts.get(0)) : null, null, null, codes, values, classes);
  }

  /**
   * Train, validation (null when the spec holds none out) and test indices: stratified by class
   * for classification, so each class appears in each split.
   */
  private static int[][] split(Examples examples, Hyperparameters hp, int n) {
    try {
      Splits.Split first = examples.classification()
          ? Splits.stratifiedSplit(examples.codes(), hp.testSplit(), hp.seed())
          : Splits.trainTestSplit(n, hp.testSplit(), hp.seed());
      if (hp.validationSplit() == 0) {
        return new int[][] {first.train(), null, first.test()};
      }
      int[] rest = first.train();
      double fraction = hp.validationSplit() / (1 - hp.testSplit());
      Splits.Split second = examples.classification()
          ? Splits.stratifiedSplit(pick(examples.codes(), rest), fraction, hp.seed() + 1)
          : Splits.trainTestSplit(rest.length, fraction, hp.seed() + 1);
      return new int[][] {pick(rest, second.train()), pick(rest, second.test()), first.test()};
    } catch (LeptonException e) {
      throw unprocessable("cannot split " + n + " samples into training, validation ("
          + hp.validationSplit() + ") and test (" + hp.testSplit() + "): " + e.getMessage()
          + "; use more data or other fractions");
    }
  }

  private static int[] pick(int[] values, int[] indices) {
    int[] out = new int[indices.length];
    for (int i = 0; i < indices.length; i++) {
      out[i] = values[indices[i]];
    }
    return out;
  }

  // ---- preprocessing --------------------------------------------------------------------------

  /** Fits the preprocessing of the data's kind on the training rows only. */
  private static Preprocessing fit(Examples examples, TrainingSpec spec, int[] train) {
    return switch (examples.kind()) {
      case IMAGES -> {
        // Pixels 0..255 to 0..1 with fixed bounds: a pixel that is dark in every training image
        // must not get a zero range.
        int f = examples.image()[0] * examples.image()[1] * examples.image()[2];
        float[] min = new float[f];
        float[] max = new float[f];
        Arrays.fill(max, 255f);
        List<String> names = new ArrayList<>(f);
        for (int j = 0; j < f; j++) {
          names.add(PIXEL + j);
        }
        yield new FeaturePreprocessing(names, null, new MinMaxScaler(0, 1, min, max));
      }
      case TEXT -> {
        List<String> texts = new ArrayList<>(train.length);
        for (int i : train) {
          texts.add(examples.texts()[i]);
        }
        Tokenizer tokenizer = new Tokenizer(spec.preprocessing().maxTokens(), "<OOV>");
        tokenizer.fitOnTexts(texts);
        int longest = 1;
        for (int[] sequence : tokenizer.textsToSequences(texts)) {
          longest = Math.max(longest, sequence.length);
        }
        yield new TextPreprocessing(tokenizer,
            Math.min(spec.preprocessing().sequenceLength(), longest));
      }
      case TABLE -> {
        Table rows = examples.table().select(train);
        String[] columns = examples.columns().toArray(String[]::new);
        boolean missing = false;
        for (String c : columns) {
          for (float v : examples.table().floats(c)) {
            missing |= Float.isNaN(v);
          }
        }
        Imputer imputer;
        try {
          imputer = missing ? Imputer.fit(rows, "median", columns) : null;
        } catch (LeptonException e) {
          throw unprocessable("cannot fill the missing values of the training split: "
              + e.getMessage() + "; drop the empty columns");
        }
        Tensor x = (imputer == null ? rows : imputer.transform(rows)).features(columns);
        Scaler scaler = switch (spec.preprocessing().scaling()) {
          case "minmax" -> MinMaxScaler.fit(x);
          case "none" -> new StandardScaler(new float[columns.length], ones(columns.length));
          default -> StandardScaler.fit(x);
        };
        try {
          yield new FeaturePreprocessing(List.of(columns), imputer, scaler);
        } catch (LeptonException e) {
          throw unprocessable("cannot scale the columns of the training split: " + e.getMessage()
              + "; drop constant or empty columns, or set preprocessing.scaling to none");
        }
      }
    };
  }

  private static float[] ones(int n) {
    float[] a = new float[n];
    Arrays.fill(a, 1f);
    return a;
  }

  /**
   * The model's input for the rows {@code indices}. A base model's own preprocessing gets the raw
   * instances, as serving would; a fitted one is applied to the tensors directly.
   */
  private static Tensor transform(Preprocessing preprocessing, Examples examples, int[] indices,
      boolean viaRaw, String what) {
    try {
      if (preprocessing instanceof TextPreprocessing text) {
        List<String> texts = new ArrayList<>(indices.length);
        for (int i : indices) {
          texts.add(examples.texts()[i]);
        }
        return text.transform(texts);
      }
      if (!(preprocessing instanceof FeaturePreprocessing features)) {
        throw new IllegalStateException("unknown preprocessing " + preprocessing);
      }
      if (examples.kind() == Kind.TEXT) {
        throw unprocessable(what + " takes rows of numbers " + shorten(features.columns())
            + ", but the data holds texts");
      }
      if (examples.kind() == Kind.IMAGES) {
        int f = examples.image()[0] * examples.image()[1] * examples.image()[2];
        if (features.columns().size() != f) {
          throw unprocessable(what + " takes " + features.columns().size() + " features, but "
              + "the images have " + f + " pixels");
        }
        float[] rows = new float[indices.length * f]; // (rows, pixels)
        if (viaRaw) {
          for (int r = 0; r < indices.length; r++) {
            for (int j = 0; j < f; j++) {
              rows[r * f + j] = examples.pixels()[indices[r] * f + j] & 0xff;
            }
          }
          return features.scaler().transform(Tensor.of(rows, indices.length, f));
        }
        // The pixels scaled as the fitted MinMaxScaler of 0..255 does, x * (1 / 255) + 0, in the
        // same pass as the gather (one pass over the split instead of three, and no copy):
        // serving's transform gives exactly these floats (TrainingTest checks it).
        float scale = 1f / 255f;
        for (int r = 0; r < indices.length; r++) {
          int from = indices[r] * f;
          for (int j = 0; j < f; j++) {
            rows[r * f + j] = (examples.pixels()[from + j] & 0xff) * scale + 0f;
          }
        }
        return Tensor.of(rows, indices.length, f);
      }
      Table rows = examples.table().select(indices);
      for (String c : features.columns()) {
        if (!rows.numbers().containsKey(c)) {
          throw unprocessable(what + " takes the numeric columns " + shorten(features.columns())
              + ", but the data " + (rows.columns().contains(c) ? "holds text in" : "has no")
              + " column '" + c + "'");
        }
      }
      if (!viaRaw) {
        Table filled = features.imputer() == null ? rows : features.imputer().transform(rows);
        return features.scaler().transform(
            filled.features(features.columns().toArray(String[]::new)));
      }
      List<List<Float>> raw = new ArrayList<>(rows.rows());
      for (int r = 0; r < rows.rows(); r++) {
        List<Float> row = new ArrayList<>(features.columns().size());
        for (String c : features.columns()) {
          float v = rows.floats(c)[r];
          row.add(Float.isNaN(v) ? null : v);
        }
        raw.add(row);
      }
      return features.transform(raw);
    } catch (LeptonException e) {
      throw unprocessable("cannot apply the preprocessing of " + what + " to the data: "
          + e.getMessage());
    }
  }

  private static Tensor targets(Examples examples, int[] indices) {
    float[] y = new float[indices.length];
    for (int i = 0; i < indices.length; i++) {
      y[i] = examples.classification() ? examples.codes()[indices[i]]
          : examples.values()[indices[i]];
    }
    // class codes [n] for sparse categorical crossentropy; values [n, 1] as one output unit
    return examples.classification() ? Tensor.of(y, y.length) : Tensor.of(y, y.length, 1);
  }

  // ---- models ---------------------------------------------------------------------------------

  /** A Sequential model from a spec's config JSON (the config.json of a .lepton), unbuilt. */
  private static Sequential fromConfig(String config) {
    if (config.length() > MAX_CONFIG_CHARS) {
      throw ApiException.invalid("model.config holds " + config.length() + " characters, more "
          + "than " + MAX_CONFIG_CHARS + "; a model that large belongs in a .lepton file to "
          + "fine-tune");
    }
    JsonNode root;
    try {
      root = JSON.readTree(config);
    } catch (com.fasterxml.jackson.core.JacksonException e) {
      throw ApiException.invalid("model.config is not valid JSON (" + e.getOriginalMessage()
          + "); send the config.json of a .lepton file");
    }
    if (root == null || !"Sequential".equals(root.path("class_name").asText())
        || !root.path("config").path("layers").isArray()) {
      throw ApiException.invalid("model.config must be a Sequential model config, {\"class_name"
          + "\": \"Sequential\", \"config\": {\"layers\": [...]}}; received " + shorten(config)
          + ". A Functional model can be fine-tuned from a .lepton file instead");
    }
    JsonNode layers = root.path("config").path("layers");
    if (layers.isEmpty() || layers.size() > MAX_CONFIG_LAYERS) {
      throw ApiException.invalid("model.config must hold 1 to " + MAX_CONFIG_LAYERS
          + " layers; received " + layers.size());
    }
    Sequential model = new Sequential();
    for (JsonNode layer : layers) {
      if ("InputLayer".equals(layer.path("class_name").asText())) {
        continue; // the input shape comes from the data
      }
      try {
        model.add(Layers.fromConfig(layer));
      } catch (LeptonException e) {
        throw ApiException.invalid("model.config: " + e.getMessage());
      }
    }
    return model;
  }

  /**
   * Whether a model's output classifies: its last layer is a Dense with a softmax activation.
   */
  private static boolean classifies(Model model) {
    List<Layer> layers = model.layers();
    if (layers.isEmpty()) {
      return false;
    }
    JsonNode config = Layers.toConfig(layers.get(layers.size() - 1));
    return "softmax".equals(config.path("config").path("activation").asText());
  }

  /**
   * Sets a regression template's output bias to the training targets' mean, so training starts
   * from the best constant prediction: targets are not scaled (serving returns the model's output
   * as it is), and a target far from 0 would otherwise take many steps of the learning rate's size
   * just to reach its level.
   */
  private static void startAtTheMean(Model model, Examples examples, int[] train) {
    double sum = 0;
    for (int i : train) {
      sum += examples.values()[i];
    }
    Layer output = model.layers().get(model.layers().size() - 1);
    String bias = output.name() + "/bias";
    if (!model.weights().containsKey(bias)) {
      throw new IllegalStateException("the regression output has no weight " + bias + "; it has "
          + model.weights().keySet());
    }
    Map<String, Tensor> weights = new LinkedHashMap<>(model.weights());
    weights.put(bias, Tensor.of(new float[] {(float) (sum / train.length)}, 1));
    model.setWeights(weights);
  }

  /** Builds a config's model, refusing one over {@link #MAX_CONFIG_PARAMETERS}. */
  private static void buildChecked(Model model, long seed, int[] inputShape, String what) {
    try {
      model.build(seed, inputShape);
    } catch (LeptonException e) {
      throw unprocessable(what + " cannot take input of shape " + Arrays.toString(inputShape)
          + " (after preprocessing): " + e.getMessage());
    }
    long parameters = model.weights().values().stream().mapToLong(t -> t.size()).sum();
    if (parameters > MAX_CONFIG_PARAMETERS) {
      throw ApiException.invalid(what + " has " + parameters + " weights, more than "
          + MAX_CONFIG_PARAMETERS + "; make it smaller");
    }
  }

  /**
   * The names saved in a classifier: the data's classes, or the spec's {@code classNames} for
   * classes that are the labels 0, 1, 2...
   *
   * @throws ApiException (unprocessable) when a class is not a label the names cover
   */
  private static List<String> classNames(TrainingSpec spec, List<String> classes) {
    List<String> names = spec.classNames();
    if (names == null) {
      return classes;
    }
    List<String> named = new ArrayList<>(classes.size());
    for (String c : classes) {
      int label = label(c);
      if (label < 0 || label >= names.size()) {
        throw unprocessable("'classNames' names the labels 0 to " + (names.size() - 1)
            + ", but the data has the class '" + c + "'; give one name per label, or leave "
            + "classNames out for data whose classes have names of their own");
      }
      named.add(names.get(label));
    }
    return named;
  }

  /** A class written as a whole number from 0 ("7", "7.0"), or -1. */
  private static int label(String c) {
    try {
      double v = Double.parseDouble(c);
      return v >= 0 && v == Math.rint(v) && v < Integer.MAX_VALUE ? (int) v : -1;
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /** Checks the model's input and output against the data with one sample. */
  private static void checkFits(Model model, Tensor x, int outputs, Examples examples,
      String what) {
    int[] out;
    try {
      out = model.predict(x.slice(0, 0, 1)).shape();
    } catch (LeptonException e) {
      throw unprocessable(what + " cannot take input of shape "
          + Arrays.toString(Arrays.copyOfRange(x.shape(), 1, x.rank())) + ": " + e.getMessage());
    }
    int units = out[out.length - 1];
    if (out.length != 2 || units != Math.max(outputs, 1)) {
      throw unprocessable(what + " outputs " + Arrays.toString(out) + " per batch, but the data "
          + "has " + (outputs > 0 ? outputs + " classes " + shorten(examples.classes())
          + ": end it with Dense(" + outputs + ", softmax)" : "a numeric target: end it with "
          + "Dense(1)"));
    }
  }

  private static String shorten(Object o) {
    String s = String.valueOf(o);
    return s.length() <= 200 ? s : s.substring(0, 200) + "...";
  }

  private static ApiException unprocessable(String message) {
    return new ApiException(ErrorCode.UNPROCESSABLE, message);
  }
}
