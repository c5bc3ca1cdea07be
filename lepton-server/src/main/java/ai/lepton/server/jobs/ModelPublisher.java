package ai.lepton.server.jobs;

import ai.lepton.api.EvaluationReport;
import java.util.Map;

/**
 * Publishes a trained model as a new version of a registered model: the registry implements it;
 * a job calls it when its spec has {@code registerAs}.
 */
@FunctionalInterface
public interface ModelPublisher {
  /**
   * Stores {@code publication} as a new version of its registered model.
   *
   * @return the id of the new model version
   * @throws RuntimeException with a message saying what to fix; the job fails with it
   */
  String publish(Publication publication);

  /**
   * A trained model and its lineage.
   *
   * @param organizationId the job's organization
   * @param name the registered model's name ({@code registerAs})
   * @param model the {@code .lepton} file's bytes
   * @param runId the run that trained it
   * @param datasetVersionId the dataset version it was trained on
   * @param parameters the run's resolved parameters
   * @param metrics the evaluation on the held-out split
   * @param evaluationReport the evaluation report on the held-out split, or null when none was
   *     held out
   * @param parentVersionId the registered model version it was fine-tuned from, or null
   * @param userId who submitted the job
   * @param jobId the job
   */
  record Publication(String organizationId, String name, byte[] model, String runId,
      String datasetVersionId, Map<String, String> parameters, Map<String, Double> metrics,
      EvaluationReport evaluationReport, String parentVersionId, String userId, String jobId) {}
}
