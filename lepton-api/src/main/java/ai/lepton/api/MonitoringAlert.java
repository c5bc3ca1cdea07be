package ai.lepton.api;

import java.time.Instant;

/**
 * An alert a deployment's monitor raised: a statistic that crossed its threshold.
 *
 * @param id the alert's id
 * @param signal what crossed: {@code psi:FEATURE}, {@code ks:FEATURE}, {@code predictions}
 *     (the PSI of the predicted classes), {@code accuracy} or {@code rmse}
 * @param observed the statistic's value when it was raised
 * @param threshold the threshold it crossed
 * @param message the same in words
 * @param raisedAt when it was raised
 * @param resolvedAt when the statistic was back on the right side, or null while open
 * @param retrainJob the retraining job it started, or null
 */
public record MonitoringAlert(String id, String signal, double observed, double threshold,
    String message, Instant raisedAt, Instant resolvedAt, String retrainJob) {}
