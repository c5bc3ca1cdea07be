package ai.lepton.api;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * What a job's training recorded: what it trained with, where, and what came out.
 *
 * @param id the run's id
 * @param jobId the job it belongs to
 * @param parameters every resolved hyperparameter and choice, by name
 * @param datasetVersionId the dataset version it trained on
 * @param model the model it trained, as the spec chose it (a template, a config or a base model)
 * @param environment where it ran: Lepton's version, the JDK, cores, backend, threads
 * @param metrics the evaluation on the held-out split once it finished, else empty
 * @param evaluationReport the evaluation report on the held-out split once it finished (confusion
 *     matrix, per-class precision, recall and F1, ROC and AUC, or regression metrics), as its
 *     model version keeps it; null before, without a held-out split, and in lists and
 *     comparisons
 * @param artifact whether the trained model is stored (the run succeeded)
 * @param modelVersionId the registered model version it became, or null
 * @param createdAt when its training started
 * @param finishedAt when it finished, or null
 * @param history its metric history (each epoch's end), oldest first; empty in lists
 */
public record Run(String id, String jobId, Map<String, String> parameters,
    String datasetVersionId, TrainingSpec.ModelChoice model, Map<String, String> environment,
    Map<String, Double> metrics, EvaluationReport evaluationReport, boolean artifact,
    String modelVersionId, Instant createdAt, Instant finishedAt, List<MetricPoint> history) {
  public Run {
    parameters = Map.copyOf(parameters);
    environment = Map.copyOf(environment);
    metrics = Map.copyOf(metrics);
    history = List.copyOf(history);
  }
}
