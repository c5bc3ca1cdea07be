package ai.lepton.server.monitoring;

/**
 * Starts a retraining job when a monitor whose action is {@code retrain} raises an alert: a job
 * like the one that trained the deployed version, on the latest version of its dataset. The
 * composition root implements it with the job service; called once per alert, outside any
 * transaction.
 */
@FunctionalInterface
public interface Retrainer {
  /** A retrainer for a platform without jobs: refuses, saying so. */
  Retrainer NONE = (org, deployment, modelVersionId, reason) -> {
    throw new IllegalStateException("retraining is not available on this server (no job "
        + "service); set the monitor's action to alert");
  };

  /**
   * Submits the retraining of {@code modelVersionId}, served by {@code deployment}.
   *
   * @param reason what crossed what, for the job's description
   * @return the submitted job's id
   * @throws RuntimeException if the job cannot be submitted (the alert stays open and records
   *     the failure; the next evaluation does not try again)
   */
  String retrain(String organizationId, String deployment, String modelVersionId, String reason);
}
