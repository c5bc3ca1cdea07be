package ai.lepton.server.jobs;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;

/**
 * Jobs, their runs and the runs' metric history, as named transitions. Every method that reads or
 * changes a job of an organization takes the organization, and finds nothing of another's; only
 * {@link #claim} spans organizations (a worker serves them all). The transitions of a running job
 * take the worker's lease owner and change nothing once another worker holds the job (they answer
 * false), so a worker that lost its lease cannot overwrite its successor's work. See
 * {@code docs/jobs.md}.
 */
interface JobStore {
  /** The states of a job; the last three are terminal. */
  enum State {
    QUEUED, RUNNING, SUCCEEDED, FAILED, CANCELLED;

    String sql() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }

    static State of(String sql) {
      return valueOf(sql.toUpperCase(java.util.Locale.ROOT));
    }

    boolean terminal() {
      return this == SUCCEEDED || this == FAILED || this == CANCELLED;
    }
  }

  /** A job's row; {@code checkpointEpoch} is the number of epochs the checkpoint holds. */
  record JobRow(String id, String orgId, String kind, State state, String specJson,
      String createdBy, Instant createdAt, Instant startedAt, Instant finishedAt,
      String leaseOwner, Instant leaseExpiresAt, int attempts, boolean cancelRequested,
      String checkpointKey, Integer checkpointEpoch, String error, String parentId,
      String runId) {}

  /**
   * A run's row; the JSON fields are stored texts. {@code baseVersionId} is the registered model
   * version it fine-tunes, or null; {@code evaluationJson} its evaluation report on the held-out
   * split once it finished, or null (not finished, or no held-out split).
   */
  record RunRow(String id, String orgId, String jobId, String parametersJson,
      String datasetVersionId, String baseVersionId, String modelConfigJson,
      String environmentJson, String metricsJson, String evaluationJson, String artifactKey,
      String modelVersionId, Instant createdAt, Instant finishedAt) {}

  /**
   * One point of a run's metric history: {@code kind} is {@code epoch} (an epoch's end) or
   * {@code batch} (running means during an epoch, sampled at most once a second).
   */
  record MetricRow(String kind, int epoch, long step, String name, double value, Instant at) {}

  /** What a heartbeat tells the worker. */
  enum Heartbeat {
    /** The lease is extended; carry on. */
    HELD,
    /** The lease is extended, and someone asked to cancel the job: stop at the next batch. */
    CANCEL_REQUESTED,
    /** Another worker holds the job now (the lease expired), or it ended: stop, write nothing. */
    LOST
  }

  /** Submits a job (a queued row) inside {@code tx}. */
  void submit(Handle tx, JobRow row);

  Optional<JobRow> job(String orgId, String jobId);

  /** The organization's jobs, newest first. */
  List<JobRow> jobs(String orgId, int offset, int limit);

  /**
   * Leases the oldest job that is queued, or running with an expired lease, to {@code owner}
   * (a search only once none of its trials is queued or running: its worker then ends it; a
   * claimed trial marks its search running)
   * until {@code now + lease}, counting one more attempt; in one transaction, with {@code SELECT
   * ... FOR UPDATE SKIP LOCKED}, so two claimers never get the same job. A job whose lease
   * expired {@code maxAttempts} times is failed on the way, with the reason, and not returned.
   * Empty when there is nothing to run.
   */
  Optional<JobRow> claim(String owner, Instant now, Duration lease, int maxAttempts);

  /** Extends the lease of a job {@code owner} holds until {@code now + lease}. */
  Heartbeat heartbeat(String orgId, String jobId, String owner, Instant now, Duration lease);

  /** Records a checkpoint of {@code epochs} epochs at {@code key}; false if the lease is lost. */
  boolean checkpoint(String orgId, String jobId, String owner, String key, int epochs);

  /** Ends a held job as succeeded inside {@code tx}; false if the lease is lost. */
  boolean succeed(Handle tx, String orgId, String jobId, String owner, Instant now);

  /** The trials (child jobs) of a search, in their order of expansion. */
  List<JobRow> trials(String orgId, String parentId);

  /**
   * Ends a held search as succeeded inside {@code tx}, naming its best trial's run (and recording
   * on that run the model version it was registered as, when not null); false if the lease is
   * lost.
   */
  boolean succeedSearch(Handle tx, String orgId, String jobId, String owner, String bestRunId,
      String modelVersionId, Instant now);

  /** Ends a held job as failed with {@code error}; false if the lease is lost. */
  boolean fail(String orgId, String jobId, String owner, Instant now, String error);

  /** Ends a held job whose cancel was requested as cancelled; false if the lease is lost. */
  boolean cancelled(String orgId, String jobId, String owner, Instant now);

  /**
   * Asks to cancel a job inside {@code tx}: a queued job is cancelled at once, a running one is
   * marked so that its worker stops at its next heartbeat. The job's state before, or empty when
   * there is no such job; a terminal job is left as it is.
   */
  Optional<State> requestCancel(Handle tx, String orgId, String jobId, Instant now);

  /** Records the run of a job held by {@code owner} and links the job to it; false if lost. */
  boolean startRun(String owner, RunRow run);

  Optional<RunRow> run(String orgId, String runId);

  /** The organization's runs, newest first. */
  List<RunRow> runs(String orgId, int offset, int limit);

  /** Appends points to a run's metric history. */
  void addMetrics(String orgId, String runId, List<MetricRow> points);

  /** A run's metric history in the order it was recorded. */
  List<MetricRow> metrics(String orgId, String runId);

  /**
   * Records a run's final metrics, evaluation report (null when it had no held-out split),
   * artifact and published model version inside {@code tx}.
   */
  void finishRun(Handle tx, String orgId, String runId, String metricsJson,
      String evaluationJson, String artifactKey, String modelVersionId, Instant now);
}
