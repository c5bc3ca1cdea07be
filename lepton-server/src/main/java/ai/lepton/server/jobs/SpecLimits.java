package ai.lepton.server.jobs;

import ai.lepton.api.TrainingSpec;
import ai.lepton.api.TrainingSpec.Hyperparameters;
import ai.lepton.api.TrainingSpec.ModelChoice;
import ai.lepton.api.TrainingSpec.TrainingPreprocessing;
import ai.lepton.server.http.ApiException;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The bounds of a training spec, checked before a job is queued: every field a worker would size
 * memory or time by is limited, and a refusal names the field, its limit and the value received.
 */
final class SpecLimits {
  static final int MAX_EPOCHS = 10_000;
  static final int MAX_BATCH = 65_536;
  static final int MAX_UNITS = 65_536;
  static final int MAX_TOKENS = 1_000_000;
  static final int MAX_SEQUENCE = 100_000;
  /** The longest model config (a {@code config.json}), in characters: the API's longest string. */
  static final int MAX_CONFIG = ai.lepton.server.http.Json.MAX_STRING;
  static final Set<String> OPTIMIZERS = Set.of("adam", "sgd", "rmsprop", "adamw");
  static final Set<String> SCALINGS = Set.of("standard", "minmax", "none");

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,99}");
  private static final Pattern TEMPLATE = Pattern.compile("[a-z0-9-]{1,50}");
  private static final Pattern BASE_MODEL = Pattern.compile(
      "[A-Za-z0-9][A-Za-z0-9._-]{0,99}@[A-Za-z0-9][A-Za-z0-9._-]{0,49}");

  private SpecLimits() {}

  /** @throws ApiException INVALID_ARGUMENT naming the first field out of bounds */
  static void check(TrainingSpec spec) {
    if (spec.dataset() == null || !NAME.matcher(spec.dataset()).matches()) {
      throw field("dataset", "a dataset's name or id (1-100 letters, digits, '.', '_', '-')",
          spec.dataset());
    }
    if (spec.version() != null && spec.version() < 1) {
      throw field("version", "a version number from 1, or null for the latest", spec.version());
    }
    ModelChoice m = spec.model();
    int chosen = m == null ? 0 : (m.template() != null ? 1 : 0) + (m.config() != null ? 1 : 0)
        + (m.baseModel() != null ? 1 : 0);
    if (chosen != 1) {
      throw ApiException.invalid("model must set exactly one of template (such as \"mlp\"),"
          + " config (a Lepton model config) or baseModel (name@version); received " + chosen);
    }
    if (m.template() != null && !TEMPLATE.matcher(m.template()).matches()) {
      throw field("model.template", "a template name such as mlp, cnn, text-lstm",
          m.template());
    }
    if (m.config() != null && m.config().length() > MAX_CONFIG) {
      throw ApiException.invalid("model.config is too long: at most " + MAX_CONFIG
          + " characters, received " + m.config().length());
    }
    if (m.baseModel() != null && !BASE_MODEL.matcher(m.baseModel()).matches()) {
      throw field("model.baseModel", "name@version or name@alias", m.baseModel());
    }
    if (spec.target() != null && (spec.target().isEmpty() || spec.target().length() > 200)) {
      throw field("target", "a column name of 1-200 characters", spec.target());
    }
    TrainingPreprocessing p = spec.preprocessing();
    if (p != null) {
      if (p.scaling() != null && !SCALINGS.contains(p.scaling())) {
        throw field("preprocessing.scaling", "one of " + SCALINGS, p.scaling());
      }
      range("preprocessing.maxTokens", p.maxTokens(), 1, MAX_TOKENS);
      range("preprocessing.sequenceLength", p.sequenceLength(), 1, MAX_SEQUENCE);
    }
    Hyperparameters h = spec.hyperparameters();
    if (h != null) {
      range("hyperparameters.epochs", h.epochs(), 1, MAX_EPOCHS);
      range("hyperparameters.batchSize", h.batchSize(), 1, MAX_BATCH);
      range("hyperparameters.units", h.units(), 1, MAX_UNITS);
      if (h.learningRate() != null && !(h.learningRate() > 0 && h.learningRate() <= 10)) {
        throw field("hyperparameters.learningRate", "a number in (0, 10]", h.learningRate());
      }
      if (h.optimizer() != null && !OPTIMIZERS.contains(h.optimizer())) {
        throw field("hyperparameters.optimizer", "one of " + OPTIMIZERS, h.optimizer());
      }
      fraction("hyperparameters.dropout", h.dropout());
      fraction("hyperparameters.validationSplit", h.validationSplit());
      fraction("hyperparameters.testSplit", h.testSplit());
    }
    range("checkpointEvery", spec.checkpointEvery(), 1, MAX_EPOCHS);
    if (spec.registerAs() != null && !NAME.matcher(spec.registerAs()).matches()) {
      throw field("registerAs", "a model name (1-100 letters, digits, '.', '_', '-')",
          spec.registerAs());
    }
  }

  private static void range(String name, Integer value, int min, int max) {
    if (value != null && (value < min || value > max)) {
      throw field(name, "an integer from " + min + " to " + max, value);
    }
  }

  private static void fraction(String name, Double value) {
    if (value != null && !(value >= 0 && value < 1)) {
      throw field(name, "a fraction in [0, 1)", value);
    }
  }

  private static ApiException field(String name, String expected, Object received) {
    return ApiException.invalid(name + " must be " + expected + "; received "
        + (received instanceof String s ? "'" + shorten(s) + "'" : String.valueOf(received)));
  }

  /** A value for a message: printable, at most 100 characters. */
  static String shorten(String s) {
    String printable = s.codePoints().map(c -> Character.isISOControl(c) ? '?' : c)
        .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append)
        .toString();
    return printable.length() <= 100 ? printable : printable.substring(0, 100) + "...";
  }
}
