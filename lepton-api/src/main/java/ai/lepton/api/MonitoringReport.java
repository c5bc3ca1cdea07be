package ai.lepton.api;

import java.time.Instant;
import java.util.List;

/**
 * A deployment's live quality and drift over a window of recent predictions.
 *
 * @param deployment the deployment's name
 * @param from the window's start
 * @param to the window's end (now)
 * @param predictions the samples predicted in the window
 * @param quality the quality on the predictions that have feedback
 * @param features the input drift per feature against the training data (columns the training
 *     profile describes and the logged inputs name), by name; empty when the model version's
 *     lineage names no dataset version or no inputs were kept
 * @param predictionDrift the distribution of the predicted classes against the training labels;
 *     null for a regression
 * @param monitor the deployment's thresholds (the defaults when none was set)
 * @param alerts the deployment's open alerts and those raised in the window, newest first
 */
public record MonitoringReport(String deployment, Instant from, Instant to, long predictions,
    Quality quality, List<FeatureDrift> features, PredictionDrift predictionDrift,
    Monitor monitor, List<MonitoringAlert> alerts) {
  /**
   * Quality from feedback.
   *
   * @param samples the predictions in the window that have feedback
   * @param accuracy the share of classes predicted right, or null (a regression, or no feedback)
   * @param mae the mean absolute error of a regression, or null
   * @param rmse the root mean squared error of a regression, or null
   */
  public record Quality(long samples, Double accuracy, Double mae, Double rmse) {}

  /**
   * One feature's drift.
   *
   * @param feature the column's name
   * @param samples the live values compared
   * @param psi the population stability index against the training histogram or top values
   * @param level {@code STABLE}, {@code MODERATE} or {@code MAJOR} (the PSI's reading)
   * @param ksStatistic the Kolmogorov-Smirnov statistic of a numeric feature, or null
   * @param ksPValue its p-value, or null
   */
  public record FeatureDrift(String feature, long samples, double psi, String level,
      Double ksStatistic, Double ksPValue) {}

  /**
   * The predicted classes against the training labels.
   *
   * @param live the window's predictions per class, most first
   * @param training the training data's samples per class
   * @param psi the PSI between the two, or null when either side is empty
   */
  public record PredictionDrift(List<ValueCount> live, List<ValueCount> training, Double psi) {}
}
