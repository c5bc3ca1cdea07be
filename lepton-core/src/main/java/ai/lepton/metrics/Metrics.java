package ai.lepton.metrics;

import ai.lepton.LeptonException;
import ai.lepton.internal.Args;
import ai.lepton.internal.ConfigReader;
import ai.lepton.tensor.Tensor;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;

/** The built-in metrics, by factory or by Keras name. Each call returns a new, empty metric. */
public final class Metrics {
  private static final String KNOWN_NAMES = "accuracy (acc), binary_accuracy, "
      + "categorical_accuracy, sparse_categorical_accuracy, precision, recall, f1_score, f1_macro, "
      + "auc, mean_squared_error (mse), mean_absolute_error (mae), r2_score";

  private Metrics() {}

  /**
   * Accuracy that picks its kind from the shapes of the first batch, as Keras' {@code "accuracy"}:
   * predictions of rank 1 or with a last dimension of 1 give binary accuracy (threshold 0.5);
   * targets of the predictions' shape give categorical accuracy (argmax of both); otherwise
   * sparse categorical accuracy (integer labels against the argmax).
   */
  public static Metric accuracy() {
    return new AccuracyMetric(AccuracyMetric.Kind.AUTO, 0.5f);
  }

  /**
   * The fraction of elements where {@code yPred > threshold} equals {@code yTrue} (0/1 targets).
   * For logits use threshold 0.
   */
  public static Metric binaryAccuracy(float threshold) {
    return new AccuracyMetric(AccuracyMetric.Kind.BINARY, threshold);
  }

  /** The fraction of rows whose argmax of {@code yPred} matches the argmax of one-hot targets. */
  public static Metric categoricalAccuracy() {
    return new AccuracyMetric(AccuracyMetric.Kind.CATEGORICAL, 0.5f);
  }

  /** The fraction of rows whose argmax of {@code yPred} equals the integer label. */
  public static Metric sparseCategoricalAccuracy() {
    return new AccuracyMetric(AccuracyMetric.Kind.SPARSE, 0.5f);
  }

  /**
   * Binary precision {@code tp / (tp + fp)} over all elements, a prediction being positive when
   * above {@code threshold} and a target when above 0.5; 0 when nothing was predicted positive.
   */
  public static Metric precision(float threshold) {
    return new ConfusionMetric(ConfusionMetric.Kind.PRECISION, threshold);
  }

  /** Binary recall {@code tp / (tp + fn)}, as {@link #precision}; 0 when there are no positives. */
  public static Metric recall(float threshold) {
    return new ConfusionMetric(ConfusionMetric.Kind.RECALL, threshold);
  }

  /** Binary F1 {@code 2tp / (2tp + fp + fn)}, as {@link #precision}; 0 when all are negatives. */
  public static Metric f1Score(float threshold) {
    return new ConfusionMetric(ConfusionMetric.Kind.F1, threshold);
  }

  /**
   * Macro-averaged multi-class F1: per class from the argmax of {@code yPred} (shape
   * {@code [B, C]}, C >= 2) against integer labels or one-hot targets, then the unweighted mean
   * over the classes that occurred in targets or predictions (scikit-learn's
   * {@code f1_score(average="macro")}). The class count is taken from the first batch.
   */
  public static Metric macroF1Score() {
    return new MacroF1Score();
  }

  /**
   * Exact binary ROC AUC over every element seen, computed at {@link Metric#result()} by sorting
   * the scores (the Mann-Whitney statistic with tied scores sharing their average rank, so it
   * equals scikit-learn's {@code roc_auc_score}), rather than Keras' approximation with 200
   * thresholds. Scores may be probabilities or logits; a target is positive when above 0.5. The
   * result is NaN until both classes have been seen. Memory grows with the number of elements.
   */
  public static Metric auc() {
    return new RocAuc();
  }

  public static Metric meanSquaredError() {
    return new MeanError(true);
  }

  public static Metric meanAbsoluteError() {
    return new MeanError(false);
  }

  /**
   * The coefficient of determination, per output column over everything seen, averaged uniformly
   * over columns (scikit-learn's and Keras' default). A constant target gives 1 if predicted
   * exactly, else 0.
   */
  public static Metric r2Score() {
    return new R2Score();
  }

  /**
   * A metric by Keras name (case and underscores ignored): {@code "accuracy"} / {@code "acc"},
   * {@code "binary_accuracy"}, {@code "categorical_accuracy"},
   * {@code "sparse_categorical_accuracy"}, {@code "precision"}, {@code "recall"},
   * {@code "f1_score"} (binary), {@code "f1_macro"}, {@code "auc"}, {@code "mse"},
   * {@code "mae"}, {@code "r2_score"}. Thresholds default to 0.5.
   *
   * @throws LeptonException for an unknown name; the message lists the known ones
   */
  public static Metric get(String name) {
    return fromConfig(name, Map.of());
  }

  /**
   * Rebuilds a metric from its {@link Metric#name()} and {@link Metric#config()}.
   *
   * @throws LeptonException for an unknown name or key, or a value of the wrong type
   */
  public static Metric fromConfig(String name, Map<String, ?> config) {
    Args.nonNull(name, "Metrics", "name");
    ConfigReader c = new ConfigReader(String.valueOf(name), config);
    String key = name == null ? "" : name.replace("_", "").toLowerCase(Locale.ROOT);
    Metric metric = switch (key) {
      case "accuracy", "acc" -> accuracy();
      case "binaryaccuracy" -> binaryAccuracy(c.floatValue("threshold", 0.5f));
      case "categoricalaccuracy" -> categoricalAccuracy();
      case "sparsecategoricalaccuracy" -> sparseCategoricalAccuracy();
      case "precision" -> precision(c.floatValue("threshold", 0.5f));
      case "recall" -> recall(c.floatValue("threshold", 0.5f));
      case "f1score", "f1" -> f1Score(c.floatValue("threshold", 0.5f));
      case "f1macro", "macrof1score" -> macroF1Score();
      case "auc" -> auc();
      case "mse", "meansquarederror" -> meanSquaredError();
      case "mae", "meanabsoluteerror" -> meanAbsoluteError();
      case "r2score", "r2" -> r2Score();
      default -> throw new LeptonException("Unknown metric '" + name + "'. Known metrics: "
          + KNOWN_NAMES);
    };
    c.finish();
    return metric;
  }

  /**
   * {@code yTrue}'s values, checked to line up element by element with {@code yPred}: equal shapes,
   * or shapes that differ by a trailing dimension of size 1 on one side (as in Keras).
   */
  static float[] alignedTargets(String metric, Tensor yTrue, Tensor yPred) {
    int[] t = yTrue.shape();
    int[] p = yPred.shape();
    if (!Arrays.equals(t, p) && !dropsTrailingOne(t, p) && !dropsTrailingOne(p, t)) {
      throw new LeptonException(metric + ": yTrue shape " + Arrays.toString(t)
          + " does not match yPred shape " + Arrays.toString(p) + "; pass targets of the "
          + "predictions' shape (for integer class labels use sparse_categorical_accuracy)");
    }
    return yTrue.toFloatArray();
  }

  /**
   * Integer labels for class scores {@code yPred} of shape {@code [..., C]}: {@code yTrue} of shape
   * {@code [...]} or {@code [..., 1]}.
   */
  static float[] sparseLabels(String metric, Tensor yTrue, Tensor yPred) {
    int[] p = yPred.shape();
    int[] labels = Arrays.copyOf(p, Math.max(0, p.length - 1));
    int[] t = yTrue.shape();
    if (p.length < 2 || (!Arrays.equals(t, labels) && !dropsTrailingOne(labels, t))) {
      throw new LeptonException(metric + ": expected integer labels of shape "
          + Arrays.toString(labels) + " for class scores of shape " + Arrays.toString(p)
          + ", received yTrue of shape " + Arrays.toString(t) + "; pass one label per row, or "
          + "use categorical_accuracy for one-hot targets");
    }
    return yTrue.toFloatArray();
  }

  /** True when {@code longer} is {@code shorter} followed by one dimension of size 1. */
  private static boolean dropsTrailingOne(int[] shorter, int[] longer) {
    return longer.length == shorter.length + 1 && longer[longer.length - 1] == 1
        && Arrays.equals(shorter, Arrays.copyOf(longer, shorter.length));
  }
}
