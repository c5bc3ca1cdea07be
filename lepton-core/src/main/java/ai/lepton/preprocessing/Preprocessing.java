package ai.lepton.preprocessing;

import ai.lepton.LeptonException;
import ai.lepton.tensor.Tensor;
import java.util.List;

/**
 * What turns raw instances into a model's input tensor when serving, saved inside the model file
 * ({@code preprocessing.json}) so that the server applies exactly what training applied:
 * {@link TextPreprocessing} (texts to padded word-index sequences) or {@link FeaturePreprocessing}
 * (rows of numbers, imputed and scaled). Its state is JSON data, never code.
 *
 * <pre>{@code
 * model.preprocessing(new TextPreprocessing(tokenizer, 100));
 * model.save(path);
 * Model served = Model.load(path);
 * Tensor y = served.predict(served.preprocessing().orElseThrow().transform(List.of("a text")));
 * }</pre>
 */
public sealed interface Preprocessing permits TextPreprocessing, FeaturePreprocessing {
  /** The most instances one {@link #transform} call takes; serving batches are far smaller. */
  int MAX_INSTANCES = 100_000;

  /**
   * Turns raw instances into a {@code [instances, ...outputShape()]} tensor.
   *
   * @param raw one element per instance: a {@code String} for text, a {@code List} of numbers (or
   *     nulls for missing values) for features
   * @throws LeptonException naming the first bad instance: wrong kind, wrong length, a missing or
   *     non-finite number that cannot be imputed, a text over the length limit; or when there are
   *     no instances or more than {@link #MAX_INSTANCES}
   */
  Tensor transform(List<?> raw);

  /** The shape of one transformed instance, which must be the model's input shape. */
  int[] outputShape();

  /** The configuration and fitted state as JSON; {@link #fromJson} reads it back. */
  String toJson();

  /**
   * Reads what {@link #toJson} wrote, checking every field.
   *
   * @throws LeptonException if the JSON is invalid, has an unknown {@code kind} or an unknown,
   *     missing or mistyped field, or breaks a limit (vocabulary, maxlen, features)
   */
  static Preprocessing fromJson(String json) {
    return PreprocessingJson.read(json);
  }
}
