package ai.lepton.api;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How a trained model did on the held-out split of its run, stored as a report on the run and on
 * the model version made from it. A classification report fills {@code classes},
 * {@code confusionMatrix} and {@code perClass} (and {@code roc} and {@code auc} for a binary task)
 * and leaves {@code regression} null; a regression report fills {@code regression} and leaves the
 * lists empty and {@code auc} null. The conventions are scikit-learn's: see Core's
 * {@code ai.lepton.metrics.ClassificationReport} and {@code RegressionReport}.
 *
 * @param task {@code classification} or {@code regression}
 * @param samples the held-out samples evaluated
 * @param metrics the headline numbers by name, in display order: the model's loss and compiled
 *     metrics as its {@code evaluate} gives them ({@code loss}, ...), then, for classification,
 *     {@code accuracy}, {@code macro_precision}, {@code macro_recall}, {@code macro_f1},
 *     {@code weighted_precision}, {@code weighted_recall}, {@code weighted_f1} and {@code auc} when
 *     there is one; for regression {@code mae}, {@code mse}, {@code rmse}, {@code r2},
 *     {@code max_error}. Only finite numbers: a loss that is NaN or infinite is left out
 * @param classes the class names in label order (classification), empty for regression
 * @param confusionMatrix counts by {@code [true class][predicted class]}, in {@code classes} order
 *     (rows are the labels, as scikit-learn lays them out)
 * @param perClass one row per class, in {@code classes} order
 * @param roc the ROC curve of a binary task (the score of the second class), from (0, 0) to
 *     (1, 1), at most 200 points; empty otherwise, and when the held-out labels hold one class only
 * @param auc the area under the full ROC curve, or null when {@code roc} is empty
 * @param regression the regression metrics, or null for classification
 */
public record EvaluationReport(String task, long samples, Map<String, Double> metrics,
    List<String> classes, List<List<Long>> confusionMatrix, List<ClassMetrics> perClass,
    List<RocPoint> roc, Double auc, RegressionMetrics regression) {
  public EvaluationReport {
    metrics = Collections.unmodifiableMap(new LinkedHashMap<>(metrics));
    classes = List.copyOf(classes);
    confusionMatrix = confusionMatrix.stream().map(List::copyOf).toList();
    perClass = List.copyOf(perClass);
    roc = List.copyOf(roc);
  }

  /**
   * One class's row of a classification report.
   *
   * @param name the class's name
   * @param precision of the samples predicted as this class, the fraction that are; 0 when none is
   *     predicted as it (scikit-learn's {@code zero_division=0})
   * @param recall of the samples of this class, the fraction predicted as it; 0 when it has none
   * @param f1 the harmonic mean of precision and recall; 0 when both are 0
   * @param support the held-out samples of this class
   */
  public record ClassMetrics(String name, double precision, double recall, double f1,
      long support) {}

  /**
   * One point of a ROC curve.
   *
   * @param falsePositiveRate the fraction of negatives scored at or above {@code threshold}
   * @param truePositiveRate the fraction of positives scored at or above {@code threshold}
   * @param threshold the score, or null for the first point (0, 0), whose threshold is above
   *     every score
   */
  public record RocPoint(double falsePositiveRate, double truePositiveRate, Double threshold) {}

  /**
   * A regression report's numbers, on the target's scale.
   *
   * @param meanAbsoluteError the mean of |target - prediction|
   * @param meanSquaredError the mean of (target - prediction)^2
   * @param rootMeanSquaredError the square root of {@code meanSquaredError}
   * @param r2 the coefficient of determination: 1 is perfect, 0 no better than predicting the
   *     mean, below 0 worse
   * @param maxError the largest |target - prediction|
   */
  public record RegressionMetrics(double meanAbsoluteError, double meanSquaredError,
      double rootMeanSquaredError, double r2, double maxError) {}
}
