package ai.lepton.server.jobs;

import ai.lepton.api.TrainingSpec;

/**
 * Turns a job's spec into the training a worker fits: loads the dataset version, builds the model
 * and fits the preprocessing on the training split. The server wires {@code Training.prepare}
 * here; tests give a small in-memory training.
 */
@FunctionalInterface
public interface JobPreparer {
  /**
   * The training of {@code spec} in the organization.
   *
   * @throws RuntimeException with a message saying what to fix (a missing dataset, a bad target
   *     column...): the job fails with that message and is not retried
   */
  Prepared prepare(String organizationId, TrainingSpec spec);

  /**
   * A prepared training and where its data came from.
   *
   * @param training what to fit
   * @param datasetVersionId the id of the dataset version it was prepared from (the run's lineage)
   * @param baseVersionId the registered model version it fine-tunes, or null
   */
  record Prepared(PreparedTraining training, String datasetVersionId, String baseVersionId) {
    /** A training from fresh weights. */
    Prepared(PreparedTraining training, String datasetVersionId) {
      this(training, datasetVersionId, null);
    }
  }
}
