package ai.lepton.api;

/**
 * What a training job trains: a dataset version, a model, the target, preprocessing and
 * hyperparameters. On the wire:
 *
 * <pre>{@code
 * {"dataset": "iris", "version": 2,
 *  "model": {"template": "mlp"},
 *  "target": "species",
 *  "preprocessing": {"scaling": "standard"},
 *  "hyperparameters": {"epochs": 20, "batchSize": 32, "learningRate": 0.001, "seed": 42},
 *  "checkpointEvery": 1,
 *  "registerAs": "iris-classifier"}
 * }</pre>
 *
 * Null fields take their defaults (documented on each record). Preprocessing is fitted on the
 * training split only and saved inside the model, so serving applies it to raw input.
 *
 * @param dataset the dataset's id or name in the job's organization
 * @param version the version number, or null for the latest live version
 * @param model what to train: exactly one of a template, a Core model config, or a registered
 *     model version to fine-tune
 * @param target the label column of a tabular dataset; null for formats whose labels come with
 *     the data (IDX images with their labels, image folders, text folders)
 * @param preprocessing how raw columns or texts become the model's input; null for the defaults
 * @param hyperparameters epochs, batch size, optimizer and the rest; null for the defaults
 * @param checkpointEvery save a checkpoint (weights and optimizer state) every this many epochs,
 *     so a job whose worker dies resumes from it; null for 1
 * @param registerAs the registered model that the trained model becomes a new version of, or
 *     null to keep it as the run's artifact only
 * @param classNames the names of a classifier's labels when the labels are the numbers 0, 1, 2...
 *     (IDX label files, whole-number target columns), in that order, as Hugging Face's
 *     {@code id2label}: the model saves them, so serving answers "Sneaker" rather than 7, and
 *     the evaluation report uses them; null keeps the labels as the data writes them
 */
public record TrainingSpec(String dataset, Integer version, ModelChoice model, String target,
    TrainingPreprocessing preprocessing, Hyperparameters hyperparameters, Integer checkpointEvery,
    String registerAs, java.util.List<String> classNames) {
  /** The most class names a spec may give (a classifier's most classes). */
  public static final int MAX_CLASS_NAMES = 10_000;
  /** The longest class name. */
  public static final int MAX_CLASS_NAME = 256;
  /** The most epochs one job may run. */
  public static final int MAX_EPOCHS = 100_000;
  /** The largest batch. */
  public static final int MAX_BATCH_SIZE = 1 << 16;
  /** The most hidden units per layer. */
  public static final int MAX_UNITS = 1 << 16;

  /**
   * Checks every value and fills the defaults of the null ones.
   *
   * @throws IllegalArgumentException saying which field is wrong, what it received and what to
   *     send instead
   */
  public TrainingSpec {
    if (dataset == null || dataset.isBlank()) {
      throw new IllegalArgumentException("a training spec needs 'dataset', the id or name of a "
          + "dataset in the organization; received " + (dataset == null ? "none" : "a blank name"));
    }
    if (version != null && version < 1) {
      throw new IllegalArgumentException("'version' is a dataset version number, 1 or more, or "
          + "absent for the latest; received " + version);
    }
    if (model == null) {
      throw new IllegalArgumentException("a training spec needs 'model': {\"template\": \"mlp\"} "
          + "(or linear-regression, cnn, text-lstm), {\"config\": \"<a Core model config>\"} or "
          + "{\"baseModel\": \"name@version\"}");
    }
    if (target != null && target.isBlank()) {
      throw new IllegalArgumentException("'target' names the label column; received a blank "
          + "name: name a column of the dataset, or leave it out for data that carries its labels");
    }
    preprocessing = preprocessing == null ? new TrainingPreprocessing(null, null, null)
        : preprocessing;
    hyperparameters = hyperparameters == null
        ? new Hyperparameters(null, null, null, null, null, null, null, null, null)
        : hyperparameters;
    if (checkpointEvery == null) {
      checkpointEvery = 1;
    } else if (checkpointEvery < 1 || checkpointEvery > MAX_EPOCHS) {
      throw new IllegalArgumentException("'checkpointEvery' is a number of epochs, 1 to "
          + MAX_EPOCHS + "; received " + checkpointEvery);
    }
    if (registerAs != null && registerAs.isBlank()) {
      throw new IllegalArgumentException("'registerAs' names a registered model; received a "
          + "blank name: name one, or leave it out to keep the model as the run's artifact");
    }
    if (classNames != null) {
      classNames = checkClassNames(classNames);
    }
  }

  private static java.util.List<String> checkClassNames(java.util.List<String> names) {
    if (names.isEmpty() || names.size() > MAX_CLASS_NAMES) {
      throw new IllegalArgumentException("'classNames' names the labels 0, 1, 2... in order: 1 "
          + "to " + MAX_CLASS_NAMES + " names; received " + names.size());
    }
    java.util.Set<String> seen = new java.util.HashSet<>();
    for (int i = 0; i < names.size(); i++) {
      String name = names.get(i);
      if (name == null || name.isBlank() || name.length() > MAX_CLASS_NAME
          || name.chars().anyMatch(Character::isISOControl)) {
        throw new IllegalArgumentException("'classNames' entry " + i + " must be 1 to "
            + MAX_CLASS_NAME + " characters without control characters; received "
            + (name == null ? "null" : name.isBlank() ? "a blank name"
                : name.length() + " characters"));
      }
      if (!seen.add(name)) {
        throw new IllegalArgumentException("'classNames' names '" + name + "' twice (entries "
            + names.indexOf(name) + " and " + i + "); each label needs its own name");
      }
    }
    return java.util.List.copyOf(names);
  }

  /**
   * The model to train, exactly one field set.
   *
   * @param template a built-in architecture sized from the data: {@code mlp},
   *     {@code linear-regression}, {@code cnn}, {@code text-lstm}
   * @param config a Lepton Core model config (the JSON {@code config.json} of a {@code .lepton}
   *     file holds), trained from fresh weights
   * @param baseModel a registered model version to fine-tune, as {@code name@version} or
   *     {@code name@alias}
   */
  public record ModelChoice(String template, String config, String baseModel) {
    /** The built-in templates, by name. */
    public static final java.util.List<String> TEMPLATES =
        java.util.List.of("mlp", "linear-regression", "cnn", "text-lstm");

    /**
     * Checks that exactly one field is set and the template is known.
     *
     * @throws IllegalArgumentException naming the fields set and the known templates
     */
    public ModelChoice {
      int set = (template != null ? 1 : 0) + (config != null ? 1 : 0)
          + (baseModel != null ? 1 : 0);
      if (set != 1) {
        throw new IllegalArgumentException("'model' takes exactly one of 'template', 'config' or "
            + "'baseModel'; received " + set + ": set one, such as {\"template\": \"mlp\"}");
      }
      if (template != null && !TEMPLATES.contains(template)) {
        throw new IllegalArgumentException("unknown template '" + template + "'; the templates "
            + "are " + String.join(", ", TEMPLATES));
      }
      if (config != null && config.isBlank()) {
        throw new IllegalArgumentException("'config' is a Core model config in JSON (the "
            + "config.json of a .lepton file); received a blank string");
      }
      if (baseModel != null && !baseModel.matches("[^@\\s]+@[^@\\s]+")) {
        throw new IllegalArgumentException("'baseModel' names a registered model version as "
            + "name@version or name@alias, such as iris@3 or iris@production; received '"
            + baseModel + "'");
      }
    }
  }

  /**
   * How raw input becomes the model's input.
   *
   * @param scaling numeric columns: {@code standard} (the default), {@code minmax} or
   *     {@code none}
   * @param maxTokens text: the vocabulary size, the most frequent words of the training split
   * @param sequenceLength text: tokens per text after padding or truncation
   */
  public record TrainingPreprocessing(String scaling, Integer maxTokens, Integer sequenceLength) {
    /** The most words a vocabulary may hold. */
    public static final int MAX_TOKENS = 1_000_000;
    /** The longest sequence (Core's {@code TextPreprocessing.MAX_MAXLEN}). */
    public static final int MAX_SEQUENCE_LENGTH = 100_000;

    /**
     * Fills the defaults: {@code standard} scaling, 10,000 tokens, sequences of 100.
     *
     * @throws IllegalArgumentException for an unknown scaling or a size out of range
     */
    public TrainingPreprocessing {
      scaling = scaling == null ? "standard" : scaling;
      if (!java.util.List.of("standard", "minmax", "none").contains(scaling)) {
        throw new IllegalArgumentException("'scaling' is standard, minmax or none; received '"
            + scaling + "'");
      }
      maxTokens = maxTokens == null ? 10_000 : maxTokens;
      if (maxTokens < 2 || maxTokens > MAX_TOKENS) {
        throw new IllegalArgumentException("'maxTokens' is the vocabulary size, 2 to "
            + MAX_TOKENS + " (index 0 pads, 1 stands for unknown words); received " + maxTokens);
      }
      sequenceLength = sequenceLength == null ? 100 : sequenceLength;
      if (sequenceLength < 1 || sequenceLength > MAX_SEQUENCE_LENGTH) {
        throw new IllegalArgumentException("'sequenceLength' is tokens per text, 1 to "
            + MAX_SEQUENCE_LENGTH + "; received " + sequenceLength);
      }
    }
  }

  /**
   * The knobs of one training; a tuning job varies them by these names.
   *
   * @param epochs passes over the training split
   * @param batchSize samples per step
   * @param learningRate the optimizer's learning rate
   * @param optimizer {@code adam} (the default), {@code sgd}, {@code rmsprop} or {@code adamw}
   * @param units hidden units per layer of the {@code mlp} template, or the LSTM's width
   * @param dropout the dropout rate of the templates that have one
   * @param validationSplit the fraction of the data held out for validation during training
   * @param testSplit the fraction held out for the evaluation report, never trained on
   * @param seed the seed of every split, shuffle and initializer, so a run repeats
   */
  public record Hyperparameters(Integer epochs, Integer batchSize, Double learningRate,
      String optimizer, Integer units, Double dropout, Double validationSplit, Double testSplit,
      Long seed) {
    /** The optimizers by name. */
    public static final java.util.List<String> OPTIMIZERS =
        java.util.List.of("adam", "sgd", "rmsprop", "adamw");

    /**
     * Fills the defaults: 10 epochs, batches of 32, {@code adam} at 0.001 ({@code sgd} at 0.01),
     * 128 units, dropout 0.2, 10% validation, 20% test, seed 42.
     *
     * @throws IllegalArgumentException naming the value out of range and the range
     */
    public Hyperparameters {
      epochs = epochs == null ? 10 : epochs;
      range("epochs", epochs, 1, MAX_EPOCHS);
      batchSize = batchSize == null ? 32 : batchSize;
      range("batchSize", batchSize, 1, MAX_BATCH_SIZE);
      optimizer = optimizer == null ? "adam" : optimizer;
      if (!OPTIMIZERS.contains(optimizer)) {
        throw new IllegalArgumentException("unknown optimizer '" + optimizer + "'; the "
            + "optimizers are " + String.join(", ", OPTIMIZERS));
      }
      learningRate = learningRate == null ? (optimizer.equals("sgd") ? 0.01 : 0.001)
          : learningRate;
      if (!(learningRate > 0 && learningRate <= 10)) {
        throw new IllegalArgumentException("'learningRate' must be above 0 and at most 10, such "
            + "as 0.001; received " + learningRate);
      }
      units = units == null ? 128 : units;
      range("units", units, 1, MAX_UNITS);
      dropout = dropout == null ? 0.2 : dropout;
      if (!(dropout >= 0 && dropout < 1)) {
        throw new IllegalArgumentException("'dropout' is a rate from 0 (none) to below 1; "
            + "received " + dropout);
      }
      validationSplit = validationSplit == null ? 0.1 : validationSplit;
      testSplit = testSplit == null ? 0.2 : testSplit;
      if (!(validationSplit >= 0 && validationSplit < 1)) {
        throw new IllegalArgumentException("'validationSplit' is a fraction from 0 (no "
            + "validation) to below 1, such as 0.1; received " + validationSplit);
      }
      if (!(testSplit > 0 && testSplit < 1)) {
        throw new IllegalArgumentException("'testSplit' is a fraction above 0 and below 1, such "
            + "as 0.2 (every run is evaluated on its test split); received " + testSplit);
      }
      if (!(validationSplit + testSplit <= 0.9)) {
        throw new IllegalArgumentException("'validationSplit' + 'testSplit' must leave at least "
            + "10% of the data to train on; received " + validationSplit + " + " + testSplit);
      }
      seed = seed == null ? 42L : seed;
    }

    private static void range(String name, int value, int min, int max) {
      if (value < min || value > max) {
        throw new IllegalArgumentException("'" + name + "' must be " + min + " to " + max
            + "; received " + value);
      }
    }
  }
}
