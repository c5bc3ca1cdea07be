package ai.lepton.server.registry;

import ai.lepton.api.EvaluationReport;
import java.util.Map;

/**
 * Where a version published by a training run came from, and what the run measured.
 *
 * @param userId the user the run acts for (who submitted the job); recorded as the version's
 *     creator and in the audit log
 * @param runId the run, or null
 * @param jobId the run's job, or null
 * @param datasetVersionId the dataset version it trained on, or null
 * @param parameters the run's hyperparameters (JSON-serializable values), or null for none
 * @param metrics named final metrics (finite numbers), or null for none
 * @param evaluationReport the run's evaluation on its held-out split, or null
 * @param parentVersionId the model version it was fine-tuned from (in the same organization),
 *     or null
 */
public record RunSource(String userId, String runId, String jobId, String datasetVersionId,
    Map<String, Object> parameters, Map<String, Double> metrics, EvaluationReport evaluationReport,
    String parentVersionId) {}
