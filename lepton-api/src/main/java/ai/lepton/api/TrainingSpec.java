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
 */
public record TrainingSpec(String dataset, Integer version, ModelChoice model, String target,
    TrainingPreprocessing preprocessing, Hyperparameters hyperparameters, Integer checkpointEvery,
    String registerAs) {

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
  public record ModelChoice(String template, String config, String baseModel) {}

  /**
   * How raw input becomes the model's input.
   *
   * @param scaling numeric columns: {@code standard} (the default), {@code minmax} or
   *     {@code none}
   * @param maxTokens text: the vocabulary size, the most frequent words of the training split
   * @param sequenceLength text: tokens per text after padding or truncation
   */
  public record TrainingPreprocessing(String scaling, Integer maxTokens, Integer sequenceLength) {}

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
      Long seed) {}
}
