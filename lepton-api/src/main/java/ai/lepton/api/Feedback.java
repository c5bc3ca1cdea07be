package ai.lepton.api;

/**
 * The ground truth of one logged prediction.
 *
 * @param predictionId the id the inference response gave (its {@code id}, or the
 *     {@code X-Prediction-Id} header)
 * @param sample the sample's index in that request, from 0; null means 0 (a single-sample request)
 * @param groundTruth the true class's label as the training data writes it, or for a regression
 *     the true value as a decimal number; at most 200 characters
 */
public record Feedback(String predictionId, Integer sample, String groundTruth) {}
