package ai.lepton.server.jobs;

import ai.lepton.api.AuditEvent.Outcome;
import ai.lepton.api.ErrorCode;
import ai.lepton.api.EvaluationReport;
import ai.lepton.api.Job;
import ai.lepton.api.JobEvent;
import ai.lepton.api.JobList;
import ai.lepton.api.MetricPoint;
import ai.lepton.api.Run;
import ai.lepton.api.RunComparison;
import ai.lepton.api.RunList;
import ai.lepton.api.TrainingSpec;
import ai.lepton.api.Tuning;
import ai.lepton.api.TuningSpec;
import ai.lepton.server.audit.AuditEntry;
import ai.lepton.server.audit.AuditLog;
import ai.lepton.server.blobs.BlobKeys;
import ai.lepton.server.db.Database;
import ai.lepton.server.http.ApiException;
import ai.lepton.server.http.Json;
import ai.lepton.server.jobs.JobStore.JobRow;
import ai.lepton.server.jobs.JobStore.MetricRow;
import ai.lepton.server.jobs.JobStore.RunRow;
import ai.lepton.server.jobs.JobStore.State;
import ai.lepton.server.tenancy.Principal;
import ai.lepton.server.tenancy.Role;
import ai.lepton.server.tenancy.Scope;
import ai.lepton.server.tenancy.TenancyService;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Training jobs and their runs: the rules. Members submit and cancel jobs, viewers read them;
 * every submit and cancel is recorded in the audit log in its transaction, and a refused one as
 * DENIED. A spec is checked field by field against {@link SpecLimits} before it is queued, so a
 * job never fails for a value the server could have refused. See {@code docs/jobs.md}.
 *
 * <p>Methods throw {@link ApiException}: NOT_FOUND (another organization's job or run reads as
 * missing), PERMISSION_DENIED, INVALID_ARGUMENT (the message names the field and its limit) and
 * CONFLICT (cancelling a job that has ended).
 */
public final class JobService {
  static final String SUBMIT = "job.submit";
  static final String CANCEL = "job.cancel";
  /** The most jobs or runs in one page. */
  static final int MAX_PAGE = 200;
  /** The most runs compared at once. */
  static final int MAX_COMPARED = 20;
  /** How often an event stream checks the database for progress made in another process. */
  static final Duration STREAM_POLL = Duration.ofSeconds(1);

  private static final Logger LOG = LoggerFactory.getLogger(JobService.class);
  private static final ObjectMapper JSON = Json.mapper();
  private static final Pattern ID = Pattern.compile("[a-z0-9_]{1,40}");
  private static final TypeReference<Map<String, String>> STRINGS = new TypeReference<>() {};
  private static final TypeReference<Map<String, Double>> NUMBERS = new TypeReference<>() {};

  private final Jdbi jdbi;
  private final JobStore store;
  private final AuditLog audit;
  private final TenancyService tenancy;
  private final JobEvents events;
  private final Clock clock;
  /** Told when a job is queued (to claim it now) and when a cancel commits (to stop it now). */
  private final JobExecutor executor;

  JobService(Database database, JobStore store, AuditLog audit, TenancyService tenancy,
      JobEvents events, Clock clock, JobExecutor executor) {
    this.jdbi = database.jdbi();
    this.store = store;
    this.audit = audit;
    this.tenancy = tenancy;
    this.events = events;
    this.clock = clock;
    this.executor = executor;
  }

  // ---------------------------------------------------------------- jobs

  /**
   * Queues a job: {@code body} is a {@link TrainingSpec} in JSON with an optional {@code kind}
   * ({@code train}, the default).
   *
   * @throws ApiException INVALID_ARGUMENT for a spec out of {@link SpecLimits}
   */
  Job submit(Principal caller, String org, String body, String client) {
    authorize(caller, org, Role.MEMBER, Scope.WRITE, SUBMIT, null, client);
    JsonNode tree;
    try {
      tree = JSON.readTree(body);
    } catch (JsonProcessingException e) {
      throw ApiException.invalid("the job is not valid JSON: " + e.getOriginalMessage());
    }
    if (!(tree instanceof ObjectNode object)) {
      throw ApiException.invalid("the job must be a JSON object: a training spec with an"
          + " optional \"kind\" (\"train\")");
    }
    JsonNode kindNode = object.remove("kind");
    String kind = kindNode == null || kindNode.isNull() ? "train" : kindNode.asText();
    if (kind.equals("tune")) {
      return submitSearch(caller, org, object, client);
    }
    if (!kind.equals("train")) {
      throw ApiException.invalid("kind must be \"train\" (the default) or \"tune\" (a"
          + " hyperparameter search); received '" + SpecLimits.shorten(kind) + "'");
    }
    TrainingSpec spec;
    try {
      spec = JSON.treeToValue(object, TrainingSpec.class);
    } catch (JsonProcessingException e) {
      // a value out of range: the record's own message says which and what it must be
      throw ApiException.invalid("the training spec is not valid: "
          + (e.getCause() instanceof IllegalArgumentException range ? range.getMessage()
              : e.getOriginalMessage()));
    }
    SpecLimits.check(spec);
    String specJson = json(spec);
    JobRow row = new JobRow("job_" + BlobKeys.randomSegment(), org, kind, State.QUEUED, specJson,
        caller.userId(), clock.instant(), null, null, null, null, 0, false, null, null, null,
        null, null);
    jdbi.useTransaction(tx -> {
      store.submit(tx, row);
      Map<String, String> details = new LinkedHashMap<>();
      details.put("kind", kind);
      details.put("dataset", SpecLimits.shorten(spec.dataset()));
      if (spec.registerAs() != null) {
        details.put("registerAs", spec.registerAs());
      }
      audit.append(tx, new AuditEntry(org, caller.userId(), SUBMIT, "job", row.id(), client,
          Outcome.SUCCESS, details));
    });
    executor.wake();
    return wire(row);
  }

  /**
   * Queues the retraining of what job {@code jobId} trained: the same spec on the latest live
   * version of its dataset, registering into the same model. It acts for the original job's
   * submitter, and the audit event names the reason (a monitor's alert).
   *
   * @return the new job's id
   * @throws ApiException NOT_FOUND for a job that is not the organization's
   */
  String retrain(String org, String jobId, String reason) {
    JobRow original = find(org, jobId);
    TrainingSpec old;
    try {
      old = JSON.readValue(original.specJson(), TrainingSpec.class);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("the stored spec of job " + jobId + " cannot be read", e);
    }
    TrainingSpec spec = new TrainingSpec(old.dataset(), null, old.model(), old.target(),
        old.preprocessing(), old.hyperparameters(), old.checkpointEvery(), old.registerAs(),
        old.classNames());
    JobRow row = new JobRow("job_" + BlobKeys.randomSegment(), org, "train", State.QUEUED,
        json(spec), original.createdBy(), clock.instant(), null, null, null, null, 0, false, null,
        null, null, null, null);
    jdbi.useTransaction(tx -> {
      store.submit(tx, row);
      Map<String, String> details = new LinkedHashMap<>();
      details.put("kind", "train");
      details.put("dataset", SpecLimits.shorten(spec.dataset()));
      details.put("retrainOf", jobId);
      details.put("reason", SpecLimits.shorten(reason));
      audit.append(tx, new AuditEntry(org, AuditLog.SYSTEM, SUBMIT, "job", row.id(), null,
          Outcome.SUCCESS, details));
    });
    executor.wake();
    return row.id();
  }

  /**
   * Queues a search: its row (kind {@code tune}, the {@link TuningSpec}) and one queued train job
   * per trial ({@link Search#expand}; registerAs removed, only the best registers), all in one
   * transaction with the audit event. No worker runs the search itself until its trials ended.
   */
  private Job submitSearch(Principal caller, String org, ObjectNode object, String client) {
    TuningSpec tuning;
    try {
      tuning = JSON.treeToValue(object, TuningSpec.class);
    } catch (JsonProcessingException e) {
      throw ApiException.invalid("the tuning spec is not valid: "
          + (e.getCause() instanceof IllegalArgumentException range ? range.getMessage()
              : e.getOriginalMessage()));
    }
    SpecLimits.check(tuning.base());
    List<Search.Trial> trials = Search.expand(tuning);
    java.time.Instant now = clock.instant();
    String id = "job_" + BlobKeys.randomSegment();
    JobRow search = new JobRow(id, org, "tune", State.QUEUED, json(tuning), caller.userId(), now,
        null, null, null, null, 0, false, null, null, null, null, null);
    jdbi.useTransaction(tx -> {
      store.submit(tx, search);
      for (Search.Trial t : trials) {
        // ids in trial order: the trials list in it (same created_at)
        store.submit(tx, new JobRow(String.format("%s_t%03d", id, t.number()), org, "train",
            State.QUEUED, json(Searches.trialSpec(t)), caller.userId(), now, null, null, null,
            null, 0, false, null, null, null, id, null));
      }
      Map<String, String> details = new LinkedHashMap<>();
      details.put("kind", "tune");
      details.put("dataset", SpecLimits.shorten(tuning.base().dataset()));
      details.put("method", tuning.method());
      details.put("trials", Integer.toString(trials.size()));
      if (tuning.base().registerAs() != null) {
        details.put("registerAs", tuning.base().registerAs());
      }
      audit.append(tx, new AuditEntry(org, caller.userId(), SUBMIT, "job", id, client,
          Outcome.SUCCESS, details));
    });
    executor.wake();
    return wire(search);
  }

  /**
   * A search's trials and its best so far.
   *
   * @throws ApiException INVALID_ARGUMENT for a job that is not a search
   */
  Tuning trials(Principal caller, String org, String jobId) {
    tenancy.authorize(caller, org, Role.VIEWER, Scope.READ);
    JobRow job = find(org, jobId);
    if (!job.kind().equals("tune")) {
      throw ApiException.invalid("job " + jobId + " is a " + job.kind() + " job, not a search;"
          + " only a job of kind tune has trials");
    }
    return Searches.view(store, job);
  }

  /** A job of the organization. */
  Job job(Principal caller, String org, String jobId) {
    tenancy.authorize(caller, org, Role.VIEWER, Scope.READ);
    return wire(find(org, jobId));
  }

  /** A page of the organization's jobs, newest first. */
  JobList jobs(Principal caller, String org, int offset, int limit) {
    tenancy.authorize(caller, org, Role.VIEWER, Scope.READ);
    List<JobRow> rows = store.jobs(org, offset, limit + 1);
    List<Job> page = rows.stream().limit(limit).map(JobService::wire).toList();
    return new JobList(page, rows.size() > limit ? offset + limit : null);
  }

  /**
   * Cancels a job: a queued one at once; a running one at its next batch when it runs in this
   * process (the executor is told once the cancel commits), else at its worker's next heartbeat.
   *
   * @throws ApiException CONFLICT when the job has ended already
   */
  Job cancel(Principal caller, String org, String jobId, String client) {
    authorize(caller, org, Role.MEMBER, Scope.WRITE, CANCEL, jobId, client);
    if (!ID.matcher(jobId).matches()) {
      throw notFound(jobId);
    }
    List<JobRow> trials = store.trials(org, jobId); // a search's: cancelled with it
    Optional<State> before = jdbi.inTransaction(tx -> {
      Optional<State> state = store.requestCancel(tx, org, jobId, clock.instant());
      if (state.isPresent() && !state.get().terminal()) {
        for (JobRow t : trials) {
          store.requestCancel(tx, org, t.id(), clock.instant());
        }
      }
      if (state.isPresent() && !state.get().terminal()) {
        Map<String, String> details = new LinkedHashMap<>();
        details.put("state", state.get().sql());
        if (!trials.isEmpty()) { // a search: its trials are cancelled with it
          details.put("trials", Integer.toString(trials.size()));
        }
        audit.append(tx, new AuditEntry(org, caller.userId(), CANCEL, "job", jobId, client,
            Outcome.SUCCESS, details));
      }
      return state;
    });
    if (before.isEmpty()) {
      throw notFound(jobId);
    }
    if (before.get().terminal()) {
      throw new ApiException(ErrorCode.CONFLICT, "job " + jobId + " has ended already ("
          + before.get().sql() + "); only a queued or running job can be cancelled");
    }
    if (before.get() == State.QUEUED) {
      events.publish(Worker.state(jobId, "cancelled", null));
    } else {
      executor.cancelled(jobId);
    }
    for (JobRow t : trials) {
      if (t.state() == State.QUEUED) {
        events.publish(Worker.state(t.id(), "cancelled", null));
      } else {
        executor.cancelled(t.id());
      }
    }
    return wire(find(org, jobId));
  }

  /**
   * Streams a job's events to {@code sink} until it ends or {@code closed} says the client left:
   * the run's history first (one {@code epoch} event per recorded epoch), the job's state, then
   * live events, and last its terminal state. Blocks the calling thread.
   */
  void stream(Principal caller, String org, String jobId, Consumer<JobEvent> sink,
      BooleanSupplier closed) throws InterruptedException {
    JobRow job = find(org, jobId);
    BlockingQueue<JobEvent> live = new LinkedBlockingQueue<>(1000);
    try (JobEvents.Listening ignored = events.listen(jobId, live::offer)) {
      int sent = 0; // metric rows of the run already sent
      String state = null;
      boolean search = job.kind().equals("tune");
      java.util.Set<String> ended = new java.util.HashSet<>(); // trials whose end was sent
      while (!closed.getAsBoolean()) {
        if (search) {
          for (JobEvent e : trialEvents(job, ended)) {
            sink.accept(e);
          }
        } else if (job.runId() != null) {
          List<MetricRow> history = store.metrics(org, job.runId());
          int epochs = epochs(job);
          for (JobEvent e : progressEvents(jobId, history.subList(sent, history.size()),
              epochs)) {
            sink.accept(e);
          }
          sent = history.size();
        }
        if (!job.state().sql().equals(state)) {
          state = job.state().sql();
          sink.accept(Worker.state(jobId, state, job.error()));
        }
        if (job.state().terminal()) {
          return;
        }
        // every event is read back from the database; a live one only says to read now
        if (live.poll(STREAM_POLL.toMillis(), TimeUnit.MILLISECONDS) != null) {
          live.clear();
        }
        job = find(org, jobId);
      }
    }
  }

  /** Checks that the caller may read the organization's jobs, and that the job exists. */
  void checkReadable(Principal caller, String org, String jobId) {
    tenancy.authorize(caller, org, Role.VIEWER, Scope.READ);
    find(org, jobId);
  }

  /**
   * A {@code trial} event for each trial of the search that ended since the last call: the
   * trial's job id, its state and error, and its final metrics.
   */
  private List<JobEvent> trialEvents(JobRow search, java.util.Set<String> ended) {
    List<JobEvent> out = new ArrayList<>();
    for (JobRow t : store.trials(search.orgId(), search.id())) {
      if (t.state().terminal() && ended.add(t.id())) {
        Map<String, Double> metrics = t.state() == State.SUCCEEDED && t.runId() != null
            ? store.run(search.orgId(), t.runId()).filter(r -> r.metricsJson() != null)
                .map(Searches::metrics).orElse(Map.of()) : Map.of();
        out.add(new JobEvent("trial", t.id(), null, null, null, metrics, null, null,
            t.state().sql(), t.error()));
      }
    }
    return out;
  }

  private static int epochs(JobRow job) {
    try {
      TrainingSpec spec = JSON.readValue(job.specJson(), TrainingSpec.class);
      return spec.hyperparameters() == null || spec.hyperparameters().epochs() == null ? 0
          : spec.hyperparameters().epochs();
    } catch (JsonProcessingException e) {
      return 0;
    }
  }

  /**
   * History rows as events, one per recorded point (the rows of one kind, epoch and step), in the
   * order they were recorded. A worker writes a point's rows in one transaction.
   */
  private static List<JobEvent> progressEvents(String jobId, List<MetricRow> rows, int epochs) {
    List<JobEvent> out = new ArrayList<>();
    List<MetricRow> point = new ArrayList<>();
    for (MetricRow r : rows) {
      if (!point.isEmpty() && !samePoint(point.get(0), r)) {
        out.add(progressEvent(jobId, point, epochs));
        point = new ArrayList<>();
      }
      point.add(r);
    }
    if (!point.isEmpty()) {
      out.add(progressEvent(jobId, point, epochs));
    }
    return out;
  }

  private static boolean samePoint(MetricRow a, MetricRow b) {
    return a.kind().equals(b.kind()) && a.epoch() == b.epoch() && a.step() == b.step();
  }

  private static JobEvent progressEvent(String jobId, List<MetricRow> point, int epochs) {
    Map<String, Double> logs = new LinkedHashMap<>();
    Double speed = null;
    Double eta = null;
    for (MetricRow r : point) {
      switch (r.name()) {
        case Worker.SAMPLES_PER_SECOND -> speed = r.value();
        case Worker.ETA_SECONDS -> eta = r.value();
        default -> logs.put(r.name(), r.value());
      }
    }
    MetricRow first = point.get(0);
    return new JobEvent(first.kind(), jobId, first.epoch(), epochs, first.step(), logs, speed,
        eta, null, null);
  }

  // ---------------------------------------------------------------- runs

  /** A run with its metric history. */
  Run run(Principal caller, String org, String runId) {
    tenancy.authorize(caller, org, Role.VIEWER, Scope.READ);
    RunRow row = findRun(org, runId);
    List<MetricPoint> history = store.metrics(org, runId).stream()
        .map(m -> new MetricPoint(m.kind(), m.epoch(), m.step(), m.name(), m.value(), m.at()))
        .toList();
    return wire(row, history, true);
  }

  /** A page of the organization's runs, newest first, without histories. */
  RunList runs(Principal caller, String org, int offset, int limit) {
    tenancy.authorize(caller, org, Role.VIEWER, Scope.READ);
    List<RunRow> rows = store.runs(org, offset, limit + 1);
    List<Run> page = rows.stream().limit(limit).map(r -> wire(r, List.of(), false)).toList();
    return new RunList(page, rows.size() > limit ? offset + limit : null);
  }

  /**
   * Runs side by side.
   *
   * @throws ApiException INVALID_ARGUMENT for fewer than 2 or more than {@value #MAX_COMPARED}
   *     ids; NOT_FOUND for a run that does not exist
   */
  RunComparison compare(Principal caller, String org, List<String> ids) {
    tenancy.authorize(caller, org, Role.VIEWER, Scope.READ);
    List<String> unique = List.copyOf(new LinkedHashSet<>(ids));
    if (unique.size() < 2 || unique.size() > MAX_COMPARED) {
      throw ApiException.invalid("compare 2 to " + MAX_COMPARED + " different runs, as"
          + " ids=run_a,run_b; received " + unique.size());
    }
    List<Run> runs = unique.stream().map(id -> wire(findRun(org, id), List.of(), false))
        .toList();
    Map<String, List<String>> parameters = new TreeMap<>();
    Map<String, List<Double>> metrics = new TreeMap<>();
    for (Run r : runs) {
      r.parameters().keySet().forEach(k -> parameters.put(k, new ArrayList<>()));
      r.metrics().keySet().forEach(k -> metrics.put(k, new ArrayList<>()));
    }
    for (Run r : runs) {
      parameters.forEach((k, values) -> values.add(r.parameters().get(k)));
      metrics.forEach((k, values) -> values.add(r.metrics().get(k)));
    }
    return new RunComparison(unique, parameters, metrics);
  }

  // ---------------------------------------------------------------- helpers

  private JobRow find(String org, String jobId) {
    if (jobId == null || !ID.matcher(jobId).matches()) {
      throw notFound(String.valueOf(jobId));
    }
    return store.job(org, jobId).orElseThrow(() -> notFound(jobId));
  }

  private RunRow findRun(String org, String runId) {
    if (runId == null || !ID.matcher(runId).matches()) {
      throw ApiException.notFound("run '" + SpecLimits.shorten(String.valueOf(runId)) + "'");
    }
    return store.run(org, runId).orElseThrow(() -> ApiException.notFound("run '" + runId + "'"));
  }

  private static ApiException notFound(String jobId) {
    return ApiException.notFound("job '" + SpecLimits.shorten(jobId) + "'");
  }

  private void authorize(Principal caller, String org, Role role, Scope scope, String action,
      String jobId, String client) {
    try {
      tenancy.authorize(caller, org, role, scope);
    } catch (ApiException e) {
      if (e.code() == ErrorCode.PERMISSION_DENIED) {
        try {
          audit.appendCommitted(new AuditEntry(org, caller.userId(), action, "job",
              jobId != null && ID.matcher(jobId).matches() ? jobId : null, client,
              Outcome.DENIED, Map.of("code", e.code().name())));
        } catch (RuntimeException failed) {
          LOG.error("cannot record the refused {} in organization {}", action, org, failed);
        }
      }
      throw e;
    }
  }

  static Job wire(JobRow r) {
    TrainingSpec spec;
    try {
      spec = r.kind().equals("tune") ? Searches.spec(r).base()
          : JSON.readValue(r.specJson(), TrainingSpec.class);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("job " + r.id() + " holds a spec that cannot be read", e);
    }
    return new Job(r.id(), r.kind(), r.state().sql(), spec, r.createdBy(), r.createdAt(),
        r.startedAt(), r.finishedAt(), r.attempts(), r.cancelRequested(), r.checkpointEpoch(),
        r.error(), r.parentId(), r.runId());
  }

  /** The run on the wire; its evaluation report only {@code withReport} (one run, not lists). */
  private static Run wire(RunRow r, List<MetricPoint> history, boolean withReport) {
    try {
      EvaluationReport report = withReport && r.evaluationJson() != null
          ? JSON.readValue(r.evaluationJson(), EvaluationReport.class) : null;
      return new Run(r.id(), r.jobId(), JSON.readValue(r.parametersJson(), STRINGS),
          r.datasetVersionId(), JSON.readValue(r.modelConfigJson(),
              TrainingSpec.ModelChoice.class), JSON.readValue(r.environmentJson(), STRINGS),
          r.metricsJson() == null ? Map.of() : JSON.readValue(r.metricsJson(), NUMBERS), report,
          r.artifactKey() != null, r.modelVersionId(), r.createdAt(), r.finishedAt(), history);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("run " + r.id() + " holds JSON that cannot be read", e);
    }
  }

  private static String json(Object value) {
    try {
      return JSON.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write the spec as JSON", e);
    }
  }
}
