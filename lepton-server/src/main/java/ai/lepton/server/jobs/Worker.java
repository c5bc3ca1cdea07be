package ai.lepton.server.jobs;

import ai.lepton.LeptonException;
import ai.lepton.api.EvaluationReport;
import ai.lepton.api.JobEvent;
import ai.lepton.api.TrainingSpec;
import ai.lepton.api.Tuning;
import ai.lepton.metrics.ClassificationReport;
import ai.lepton.metrics.RegressionReport;
import ai.lepton.models.Callback;
import ai.lepton.models.Cancellation;
import ai.lepton.models.Fit;
import ai.lepton.models.History;
import ai.lepton.models.Model;
import ai.lepton.models.TrainingEvent;
import ai.lepton.server.blobs.BlobException;
import ai.lepton.server.blobs.BlobKeys;
import ai.lepton.server.crypto.EncryptedBlobStore;
import ai.lepton.server.db.Database;
import ai.lepton.server.http.Json;
import ai.lepton.server.jobs.JobStore.Heartbeat;
import ai.lepton.server.jobs.JobStore.JobRow;
import ai.lepton.server.jobs.JobStore.MetricRow;
import ai.lepton.server.jobs.JobStore.RunRow;
import ai.lepton.tensor.ComputeContext;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs jobs one at a time: claims one ({@link #runOnce}), heartbeats it on a schedule while it
 * trains, and ends it. A train job is prepared ({@link JobPreparer}), resumed from its last
 * checkpoint when it has one, fitted under a compute context of its own with a thread budget,
 * checkpointed every {@code checkpointEvery} epochs into an encrypted blob, evaluated on the
 * held-out split (the report kept on the run), saved as the run's artifact (an encrypted blob)
 * and published when its spec has {@code registerAs}. Progress goes to the run's metric history
 * (each epoch's end) and to live listeners (and batch progress at most once a second). See
 * {@code docs/jobs.md}.
 */
final class Worker {
  /** How many times a job is leased before it is failed (its workers kept dying). */
  static final int MAX_ATTEMPTS = 3;
  /** The longest error message kept on a job. */
  static final int MAX_ERROR = 2000;
  /** The history's name of a point's training speed (samples per second in its epoch so far). */
  static final String SAMPLES_PER_SECOND = "samples_per_second";
  /** The history's name of a point's estimate of the seconds left. */
  static final String ETA_SECONDS = "eta_seconds";

  private static final Logger LOG = LoggerFactory.getLogger(Worker.class);
  private static final ObjectMapper JSON = Json.mapper();

  /** Where the things a worker stores go, and how often it heartbeats. */
  record Settings(Duration lease, Duration heartbeatEvery, int threads) {
    Settings {
      if (heartbeatEvery.compareTo(lease) >= 0) {
        throw new IllegalArgumentException("a worker must heartbeat more often than its lease"
            + " lasts: heartbeat every " + heartbeatEvery + ", lease " + lease);
      }
      if (threads < 1) {
        throw new IllegalArgumentException("a job needs at least 1 thread, received " + threads);
      }
    }
  }

  private final String owner;
  private final JobStore store;
  private final Jdbi jdbi;
  private final EncryptedBlobStore blobs;
  private final JobPreparer preparer;
  private final ModelPublisher publisher;
  private final JobEvents events;
  private final Clock clock;
  private final ScheduledExecutorService heartbeats;
  private final Settings settings;
  private volatile Lease current;
  private volatile boolean stopped;

  Worker(String owner, JobStore store, Database database, EncryptedBlobStore blobs,
      JobPreparer preparer, ModelPublisher publisher, JobEvents events, Clock clock,
      ScheduledExecutorService heartbeats, Settings settings) {
    this.owner = owner;
    this.store = store;
    this.jdbi = database.jdbi();
    this.blobs = blobs;
    this.preparer = preparer;
    this.publisher = publisher;
    this.events = events;
    this.clock = clock;
    this.heartbeats = heartbeats;
    this.settings = settings;
  }

  /** Claims one job and runs it to its end (or until it is lost); false when none was queued. */
  boolean runOnce() {
    var claimed = store.claim(owner, clock.instant(), settings.lease(), MAX_ATTEMPTS);
    claimed.ifPresent(this::run);
    return claimed.isPresent();
  }

  /**
   * Stops the running job, if any, at its next batch and leaves it as it is: its lease expires and
   * a worker resumes it from its last checkpoint. The server calls it on shutdown.
   */
  void stop() {
    stopped = true;
    Lease lease = current;
    if (lease != null) {
      lease.lost = true;
      lease.cancellation.cancel();
    }
  }

  /**
   * Stops job {@code jobId} at its next batch if this worker runs it, ending it as cancelled: its
   * cancel has committed. A cancel that comes between the claim and the start of the run is
   * found by the run's first heartbeat instead.
   */
  void cancel(String jobId) {
    Lease lease = current;
    if (lease != null && lease.jobId.equals(jobId)) {
      lease.cancelRequested = true;
      lease.cancellation.cancel();
    }
  }

  /** What the heartbeat (or {@link #cancel}) learnt; read by the training thread. */
  private static final class Lease {
    final String jobId;
    final Cancellation cancellation = new Cancellation();
    volatile boolean cancelRequested;
    /** Another worker holds the job, or this one stops: write nothing more. */
    volatile boolean lost;

    Lease(String jobId) {
      this.jobId = jobId;
    }
  }

  private void run(JobRow job) {
    Lease lease = new Lease(job.id());
    current = lease;
    if (stopped) {
      lease.lost = true;
      lease.cancellation.cancel();
    }
    lease.cancelRequested = job.cancelRequested();
    Cancellation cancellation = lease.cancellation;
    if (lease.cancelRequested) {
      cancellation.cancel();
    }
    long every = settings.heartbeatEvery().toMillis();
    ScheduledFuture<?> beating = heartbeats.scheduleAtFixedRate(
        () -> beat(job, lease, cancellation), every, every, TimeUnit.MILLISECONDS);
    try {
      events.publish(state(job.id(), "running", null));
      if (job.kind().equals("tune")) {
        endSearch(job, lease);
      } else {
        train(job, lease, cancellation);
      }
    } catch (CheckpointUnreadable e) {
      end(job, lease, JobStore.State.FAILED, e.getMessage());
    } catch (RuntimeException e) {
      LOG.warn("job {} of organization {} failed", job.id(), job.orgId(), e);
      end(job, lease, JobStore.State.FAILED, message(e));
    } finally {
      beating.cancel(false);
      current = null;
    }
  }

  private void beat(JobRow job, Lease lease, Cancellation cancellation) {
    try {
      Heartbeat h = store.heartbeat(job.orgId(), job.id(), owner, clock.instant(),
          settings.lease());
      if (h == Heartbeat.CANCEL_REQUESTED) {
        lease.cancelRequested = true;
        cancellation.cancel();
      } else if (h == Heartbeat.LOST) {
        lease.lost = true;
        cancellation.cancel();
      }
    } catch (RuntimeException e) {
      // the database is out of reach: keep training, the next beat tries again (if none gets
      // through before the lease expires, another worker takes the job over)
      LOG.warn("cannot heartbeat job {}", job.id(), e);
    }
  }

  private void train(JobRow job, Lease lease, Cancellation cancellation) {
    TrainingSpec spec;
    try {
      spec = JSON.readValue(job.specJson(), TrainingSpec.class);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("the job's stored spec cannot be read: "
          + e.getOriginalMessage(), e);
    }
    if (cancellation.cancelled()) {
      end(job, lease, JobStore.State.CANCELLED, null);
      return;
    }
    JobPreparer.Prepared prepared = preparer.prepare(job.orgId(), spec);
    PreparedTraining t = prepared.training();
    String runId = job.runId();
    if (runId == null) {
      runId = "run_" + BlobKeys.randomSegment();
      if (!store.startRun(owner, new RunRow(runId, job.orgId(), job.id(),
          json(t.parameters()), prepared.datasetVersionId(), prepared.baseVersionId(),
          json(spec.model()), json(environment(settings.threads())), null, null, null, null,
          clock.instant(), null))) {
        return; // another worker holds the job now
      }
    }
    Model model = t.model();
    int initialEpoch = 0;
    if (job.checkpointKey() != null) {
      model = restore(job);
      initialEpoch = job.checkpointEpoch();
    }
    int checkpointEvery = spec.checkpointEvery() == null ? 1 : spec.checkpointEvery();
    Progress progress = new Progress(job, runId, checkpointEvery, job.checkpointKey(), lease,
        cancellation);
    Map<String, Double> metrics;
    EvaluationReport report;
    try (ComputeContext compute = ComputeContext.vector(settings.threads())) {
      if (initialEpoch < t.epochs()) {
        Fit fit = Fit.epochs(t.epochs()).batchSize(t.batchSize()).seed(t.seed()).verbose(0)
            .initialEpoch(initialEpoch).callbacks(progress).cancellation(cancellation)
            .compute(compute);
        if (t.validation() != null) {
          fit = fit.validationData(t.validation());
        }
        History history = model.fit(t.train(), fit);
        if (lease.lost) {
          return; // another worker took the job over: it writes the ending
        }
        if (history.cancelled()) {
          end(job, lease, JobStore.State.CANCELLED, null);
          return;
        }
      }
      try (ComputeContext.Scope ignored = compute.enter()) {
        metrics = t.test() == null ? Map.of() : model.evaluate(t.test());
        report = t.test() == null ? null : report(model, t, metrics);
      }
    }
    if (store.heartbeat(job.orgId(), job.id(), owner, clock.instant(), settings.lease())
        == Heartbeat.LOST) {
      return; // another worker took the job over while this one evaluated: publish nothing
    }
    byte[] file = Checkpoints.bytes(model);
    // one key per attempt: a worker that lost the job deletes only its own
    String artifact = "runs/" + runId + "/model-" + job.attempts();
    blobs.put(job.orgId(), artifact, new ByteArrayInputStream(file), file.length);
    String version = spec.registerAs() == null ? null : publisher.publish(
        new ModelPublisher.Publication(job.orgId(), spec.registerAs(), file, runId,
            prepared.datasetVersionId(), t.parameters(), metrics, report,
            prepared.baseVersionId(), job.createdBy(), job.id()));
    String finalRun = runId;
    String reportJson = report == null ? null : json(report);
    boolean held = jdbi.inTransaction(tx -> {
      store.finishRun(tx, job.orgId(), finalRun, json(metrics), reportJson, artifact, version,
          clock.instant());
      return store.succeed(tx, job.orgId(), job.id(), owner, clock.instant());
    });
    if (held) {
      progress.deleteCheckpoint();
      events.publish(state(job.id(), "succeeded", null));
    } else {
      blobs.delete(job.orgId(), artifact); // the job is another worker's now
    }
  }

  /**
   * Ends a search whose trials all ended (the claim hands it over only then): cancelled when a
   * cancel was asked, else succeeded with its best trial's run (whose model, when the search has
   * {@code registerAs}, is the only one published), or failed when no trial has the metric.
   */
  private void endSearch(JobRow job, Lease lease) {
    if (lease.cancelRequested) {
      end(job, lease, JobStore.State.CANCELLED, null);
      return;
    }
    Tuning view = Searches.view(store, job);
    if (view.bestRunId() == null) {
      long succeeded = view.trials().stream().filter(t -> t.state().equals("succeeded")).count();
      end(job, lease, JobStore.State.FAILED, succeeded == 0
          ? "none of the " + view.trials().size() + " trials succeeded; see each trial's error"
              + " (GET .../jobs/{job}/trials), fix the base spec or the search space, and submit"
              + " the search again"
          : "no succeeded trial reports the metric '" + view.metric() + "'; name one that the"
              + " runs report (GET .../runs/{run} lists them) and submit the search again");
      return;
    }
    RunRow best = store.run(job.orgId(), view.bestRunId()).orElseThrow();
    String registerAs = view.registerAs();
    String version = null;
    if (registerAs != null && view.modelVersionId() == null) {
      byte[] file;
      try (InputStream in = blobs.open(job.orgId(), best.artifactKey())) {
        file = in.readAllBytes();
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read the model of the best trial (run "
            + best.id() + ")", e);
      }
      // the trial kept its report: the best model is published without evaluating it again
      EvaluationReport report;
      try {
        report = best.evaluationJson() == null ? null
            : JSON.readValue(best.evaluationJson(), EvaluationReport.class);
      } catch (JsonProcessingException e) {
        throw new IllegalStateException("the evaluation report of the best trial (run "
            + best.id() + ") cannot be read: " + e.getOriginalMessage(), e);
      }
      version = publisher.publish(new ModelPublisher.Publication(job.orgId(), registerAs, file,
          best.id(), best.datasetVersionId(), Searches.parameters(best), Searches.metrics(best),
          report, best.baseVersionId(), job.createdBy(), job.id()));
    }
    String registered = version;
    boolean held = jdbi.inTransaction(tx -> store.succeedSearch(tx, job.orgId(), job.id(),
        owner, best.id(), registered, clock.instant()));
    if (held) {
      events.publish(state(job.id(), "succeeded", null));
    }
  }

  /** The evaluation report on the held-out split, with the model's own metrics on it. */
  private static EvaluationReport report(Model model, PreparedTraining t,
      Map<String, Double> metrics) {
    return t.task().equals("classification")
        ? EvaluationReports.of(ClassificationReport.of(model, t.test(), t.classes()), metrics)
        : EvaluationReports.of(RegressionReport.of(model, t.test()), metrics);
  }

  /** The model of the job's last checkpoint, or CheckpointUnreadable saying why not. */
  private Model restore(JobRow job) {
    try (InputStream in = blobs.open(job.orgId(), job.checkpointKey())) {
      return Checkpoints.model(in.readAllBytes());
    } catch (IOException | BlobException | LeptonException e) {
      throw new CheckpointUnreadable("the checkpoint of epoch " + job.checkpointEpoch()
          + " (blob " + job.checkpointKey() + ") cannot be read, so the job cannot resume: "
          + e.getMessage() + ". It is not retried; submit the job again to train from the"
          + " start");
    }
  }

  /** Ends the job, unless another worker holds it now; tells the listeners. */
  private void end(JobRow job, Lease lease, JobStore.State state, String error) {
    if (lease.lost) {
      return;
    }
    Instant now = clock.instant();
    String text = error == null ? null : error.length() <= MAX_ERROR ? error
        : error.substring(0, MAX_ERROR - 3) + "...";
    boolean held = state == JobStore.State.CANCELLED
        ? store.cancelled(job.orgId(), job.id(), owner, now)
        : store.fail(job.orgId(), job.id(), owner, now, text);
    if (held) {
      events.publish(state(job.id(), state.sql(), text));
    }
  }

  private static String message(RuntimeException e) {
    String m = e.getMessage();
    return m == null || m.isBlank() ? "the job failed unexpectedly (" + e.getClass().getSimpleName()
        + "); the server's log has the detail" : m;
  }

  static JobEvent state(String jobId, String state, String error) {
    return new JobEvent("state", jobId, null, null, null, Map.of(), null, null, state, error);
  }

  /** Where a run ran: Lepton's version, the JDK, cores, backend and thread budget. */
  static Map<String, String> environment(int threads) {
    Map<String, String> env = new LinkedHashMap<>();
    String version = Worker.class.getPackage().getImplementationVersion();
    env.put("lepton", version == null ? "development" : version);
    env.put("jdk", Runtime.version().toString());
    env.put("os", System.getProperty("os.name") + " " + System.getProperty("os.arch"));
    env.put("cores", Integer.toString(Runtime.getRuntime().availableProcessors()));
    env.put("backend", "vector");
    env.put("threads", Integer.toString(threads));
    return env;
  }

  private static String json(Object value) {
    try {
      return JSON.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write " + value.getClass().getSimpleName()
          + " as JSON", e);
    }
  }

  /** A checkpoint that cannot be read: the job fails at once, it is not retried. */
  private static final class CheckpointUnreadable extends RuntimeException {
    CheckpointUnreadable(String message) {
      super(message);
    }
  }

  /**
   * The callback of a training: keeps each epoch's logs in the run's history, checkpoints, and
   * hands progress to the live listeners.
   */
  private final class Progress implements Callback {
    private final JobRow job;
    private final String runId;
    private final int checkpointEvery;
    private final Lease lease;
    private final Cancellation cancellation;
    private String checkpoint;
    private Model model;
    private Instant lastBatch;

    Progress(JobRow job, String runId, int checkpointEvery, String checkpoint, Lease lease,
        Cancellation cancellation) {
      this.job = job;
      this.runId = runId;
      this.checkpointEvery = checkpointEvery;
      this.checkpoint = checkpoint;
      this.lease = lease;
      this.cancellation = cancellation;
    }

    @Override
    public void setModel(Model model) {
      this.model = model;
    }

    @Override
    public void onEvent(TrainingEvent e) {
      Instant now = clock.instant();
      if (e.kind() == TrainingEvent.Kind.BATCH_END) {
        if (lastBatch == null || !now.isBefore(lastBatch.plusSeconds(1))) {
          lastBatch = now;
          record("batch", e, now);
        }
      } else if (e.kind() == TrainingEvent.Kind.EPOCH_END) {
        record("epoch", e, now);
        int done = e.epoch() + 1;
        if (done % checkpointEvery == 0 && done < e.epochs()) {
          save(done);
        }
      }
    }

    /** Keeps the event's logs, speed and ETA in the run's history, then tells the listeners. */
    private void record(String kind, TrainingEvent e, Instant now) {
      List<MetricRow> points = new ArrayList<>();
      e.logs().forEach((name, value) -> points.add(new MetricRow(kind, e.epoch(),
          e.globalStep(), name, value, now)));
      points.add(new MetricRow(kind, e.epoch(), e.globalStep(), SAMPLES_PER_SECOND,
          e.samplesPerSecond(), now));
      points.add(new MetricRow(kind, e.epoch(), e.globalStep(), ETA_SECONDS, e.etaSeconds(),
          now));
      store.addMetrics(job.orgId(), runId, points);
      events.publish(event(kind, e));
    }

    private JobEvent event(String type, TrainingEvent e) {
      return new JobEvent(type, job.id(), e.epoch(), e.epochs(), e.globalStep(), e.logs(),
          e.samplesPerSecond(), e.etaSeconds(), null, null);
    }

    /** Stores a checkpoint of {@code epochs} epochs, then drops the one before. */
    private void save(int epochs) {
      byte[] file = Checkpoints.bytes(model);
      String key = "jobs/" + job.id() + "/checkpoint-" + epochs;
      blobs.put(job.orgId(), key, new ByteArrayInputStream(file), file.length);
      if (!store.checkpoint(job.orgId(), job.id(), owner, key, epochs)) {
        lease.lost = true;
        cancellation.cancel();
        blobs.delete(job.orgId(), key);
        return;
      }
      deleteCheckpoint();
      checkpoint = key;
    }

    void deleteCheckpoint() {
      if (checkpoint != null) {
        blobs.delete(job.orgId(), checkpoint);
        checkpoint = null;
      }
    }
  }
}
