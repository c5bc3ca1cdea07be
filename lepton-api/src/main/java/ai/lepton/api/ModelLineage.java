package ai.lepton.api;

import java.util.Map;

/**
 * Where a model version came from.
 *
 * @param source {@code upload} (a file pushed by a user) or {@code run} (published by a training
 *     run)
 * @param runId the run that trained it, or null
 * @param jobId the job of that run, or null
 * @param datasetVersionId the dataset version it was trained on, or null
 * @param parameters the run's hyperparameters, or an empty map
 * @param parentVersionId the model version it was fine-tuned from, or null
 */
public record ModelLineage(String source, String runId, String jobId, String datasetVersionId,
    Map<String, Object> parameters, String parentVersionId) {}
