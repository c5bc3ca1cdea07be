package ai.lepton.server.monitoring;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jdbi.v3.core.Handle;

/**
 * The prediction log's rows, feedback, monitors and alerts. Every method takes the organization
 * and finds nothing of another's, except {@link #organizations} and {@link #monitors}, which the
 * sweep and the periodic evaluation use to visit each organization. Writes take the caller's
 * transaction ({@link Handle}), so a change and its audit event commit together or not at all.
 */
interface MonitoringStore {
  /** A logged sample's row; {@code blobKey} and {@code blobLine} null when it was not kept. */
  record PredictionRow(String id, int sample, String orgId, String deployment,
      String modelVersionId, Instant at, long latencyMicros, String predictedClass,
      Double predictedValue, String blobKey, Integer blobLine) {}

  /** A prediction's outcome with its ground truth. */
  record Labeled(String predictedClass, Double predictedValue, String groundTruth) {}

  /** A kept payload's place: the batch blob and the line in it. */
  record Kept(String blobKey, int line) {}

  record MonitorRow(String orgId, String deployment, long windowSeconds, double psiThreshold,
      double ksPThreshold, Double minAccuracy, Double maxRmse, int minSamples, String action) {}

  record AlertRow(String id, String orgId, String deployment, String signal, double observed,
      double threshold, String message, Instant raisedAt, Instant resolvedAt,
      String retrainJob) {}

  /**
   * Inserts the logged samples' rows in {@code tx}; a request's samples are consecutive rows of
   * its id.
   */
  void insertPredictions(Handle tx, List<PredictionRow> rows);

  /** The prediction's row, when the organization's deployment logged it. */
  Optional<PredictionRow> prediction(Handle h, String orgId, String deployment, String id,
      int sample);

  /**
   * Records feedback for a logged prediction, with what it predicted; false when the prediction
   * has feedback already.
   */
  boolean insertFeedback(Handle tx, PredictionRow prediction, String groundTruth, String by,
      Instant at);

  /** The samples the deployment predicted since {@code from}. */
  long predictionCount(String orgId, String deployment, Instant from);

  /** The newest {@code limit} predictions since {@code from} that have feedback. */
  List<Labeled> labeled(String orgId, String deployment, Instant from, int limit);

  /** The predicted classes since {@code from} and their counts, most first. */
  Map<String, Long> predictedClasses(String orgId, String deployment, Instant from);

  /** The model version of the deployment's newest prediction since {@code from}. */
  Optional<String> latestModelVersion(String orgId, String deployment, Instant from);

  /** Where the newest {@code limit} kept payloads since {@code from} are. */
  List<Kept> kept(String orgId, String deployment, Instant from, int limit);

  /**
   * Deletes the organization's predictions (and their feedback) made before {@code before}, and
   * beyond each deployment's newest {@code keep}; returns how many. Predictions go in the batches
   * they were written in: a batch goes when all its predictions are before {@code before} or
   * beyond the newest {@code keep}.
   */
  int deleteOld(Handle tx, String orgId, Instant before, int keep);

  /** The payload blobs the organization's predictions refer to. */
  Set<String> referencedBlobs(String orgId);

  /** The organizations that logged predictions. */
  List<String> organizations();

  Optional<MonitorRow> monitor(String orgId, String deployment);

  /** Every organization's monitors. */
  List<MonitorRow> monitors();

  void setMonitor(Handle tx, MonitorRow m, String by, Instant at);

  /** The deployment's open alerts, by signal. */
  Map<String, AlertRow> openAlerts(Handle h, String orgId, String deployment);

  /** The deployment's open alerts and those raised since {@code from}, newest first. */
  List<AlertRow> alerts(String orgId, String deployment, Instant from, int limit);

  void insertAlert(Handle tx, AlertRow a);

  void resolveAlert(Handle tx, String orgId, String id, Instant at);

  void setRetrainJob(Handle tx, String orgId, String id, String job);
}
