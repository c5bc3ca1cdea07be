package ai.lepton.server.monitoring;

import ai.lepton.api.AuditEvent.Outcome;
import ai.lepton.api.ColumnProfile;
import ai.lepton.api.DatasetProfile;
import ai.lepton.api.ErrorCode;
import ai.lepton.api.Feedback;
import ai.lepton.api.FeedbackResult;
import ai.lepton.api.Monitor;
import ai.lepton.api.MonitoringAlert;
import ai.lepton.api.MonitoringReport;
import ai.lepton.api.MonitoringReport.FeatureDrift;
import ai.lepton.api.MonitoringReport.PredictionDrift;
import ai.lepton.api.MonitoringReport.Quality;
import ai.lepton.api.ValueCount;
import ai.lepton.server.audit.AuditEntry;
import ai.lepton.server.audit.AuditLog;
import ai.lepton.server.blobs.BlobKeys;
import ai.lepton.server.crypto.EncryptedBlobStore;
import ai.lepton.server.db.Database;
import ai.lepton.server.http.ApiException;
import ai.lepton.server.http.Json;
import ai.lepton.server.monitoring.MonitoringStore.AlertRow;
import ai.lepton.server.monitoring.MonitoringStore.Kept;
import ai.lepton.server.monitoring.MonitoringStore.Labeled;
import ai.lepton.server.monitoring.MonitoringStore.MonitorRow;
import ai.lepton.server.tenancy.Principal;
import ai.lepton.server.tenancy.Role;
import ai.lepton.server.tenancy.Scope;
import ai.lepton.server.tenancy.TenancyService;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.UnableToExecuteStatementException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Monitoring of deployments: the prediction log ({@link #predictionLog}), feedback, live quality,
 * drift against the training data, thresholds and alerts, and retraining. HTTP actions check the
 * caller's role first (viewers read reports; members post feedback, set monitors and evaluate),
 * and every change is recorded in the audit log in its transaction. See
 * {@code docs/monitoring.md}.
 */
public final class MonitoringService implements AutoCloseable {
  static final String FEEDBACK = "monitoring.feedback";
  static final String MONITOR_SET = "monitoring.monitor.set";
  static final String ALERT_RAISE = "monitoring.alert.raise";
  static final String ALERT_RESOLVE = "monitoring.alert.resolve";
  static final String RETRAIN = "monitoring.retrain";
  /** The most items one feedback request carries. */
  public static final int MAX_FEEDBACK_ITEMS = 1000;
  static final int MAX_GROUND_TRUTH = 200;
  /** The most predictions with feedback a quality figure counts (the newest). */
  static final int MAX_QUALITY_SAMPLES = 100_000;
  static final int MAX_ALERTS = 100;
  /** Kept payload blobs younger than this are never swept: their rows may not be committed. */
  static final Duration SWEEP_GRACE = Duration.ofHours(1);
  static final Monitor DEFAULTS = new Monitor(86_400L, Drift.MAJOR, 0.0, null, null, 100,
      "alert");
  private static final Pattern DEPLOYMENT = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,99}");
  private static final Pattern WINDOW = Pattern.compile("([1-9][0-9]{0,7})([smhd])");
  private static final Logger LOG = LoggerFactory.getLogger(MonitoringService.class);
  private static final ObjectMapper JSON = Json.mapper();

  private final Jdbi jdbi;
  private final MonitoringStore store;
  private final BatchingPredictionLog log;
  private final EncryptedBlobStore blobs;
  private final AuditLog audit;
  private final TenancyService tenancy;
  private final Clock clock;
  private final TrainingReference training;
  private final Retrainer retrainer;
  private final MonitoringLimits limits;
  /** Evaluations take turns, so that an alert is raised once. */
  private final ReentrantLock evaluating = new ReentrantLock();

  private MonitoringService(Jdbi jdbi, MonitoringStore store, EncryptedBlobStore blobs,
      AuditLog audit, TenancyService tenancy, Clock clock, TrainingReference training,
      Retrainer retrainer, MonitoringLimits limits) {
    this.jdbi = jdbi;
    this.store = store;
    this.blobs = blobs;
    this.audit = audit;
    this.tenancy = tenancy;
    this.clock = clock;
    this.training = training;
    this.retrainer = retrainer;
    this.limits = limits;
    this.log = new BatchingPredictionLog(jdbi, store, blobs, clock, limits);
  }

  /** Builds the service over the database and starts the prediction log's writer. */
  public static MonitoringService create(Database database, EncryptedBlobStore blobs,
      AuditLog audit, TenancyService tenancy, Clock clock, TrainingReference training,
      Retrainer retrainer, MonitoringLimits limits) {
    return new MonitoringService(database.jdbi(), new JdbiMonitoringStore(database.jdbi()),
        blobs, audit, tenancy, clock, training, retrainer, limits);
  }

  /** The log serving calls once per inference request. */
  public PredictionLog predictionLog() {
    return log;
  }

  /** Records dropped because the log's queue was full (under load, or a slow database). */
  public long droppedPredictions() {
    return log.dropped();
  }

  /** Waits until every prediction logged so far is written (or given up, and counted). */
  public void flush() {
    log.flush();
  }

  // ---------------------------------------------------------------- feedback

  /**
   * Records the ground truth of the deployment's predictions; each item is accepted or refused
   * by itself (unknown prediction, feedback already given, malformed), and the accepted ones
   * commit together with one audit event.
   *
   * @throws ApiException INVALID_ARGUMENT for no items or more than {@value #MAX_FEEDBACK_ITEMS},
   *     or a malformed deployment name; PERMISSION_DENIED below member; CONFLICT (nothing
   *     recorded) when a concurrent request gave feedback for one of the items meanwhile
   */
  FeedbackResult feedback(Principal caller, String org, String deployment, List<Feedback> items,
      String client) {
    tenancy.authorize(caller, org, Role.MEMBER, Scope.WRITE);
    deployment(deployment);
    if (items == null || items.isEmpty() || items.size() > MAX_FEEDBACK_ITEMS) {
      throw ApiException.invalid("feedback carries 1 to " + MAX_FEEDBACK_ITEMS + " items; "
          + "received " + (items == null ? 0 : items.size()) + " (split a larger file)");
    }
    log.flush(); // a prediction answered just before its feedback is written first
    List<FeedbackResult.Refused> refused = new ArrayList<>();
    Instant now = clock.instant();
    int accepted;
    try {
      accepted = record(caller, org, deployment, items, client, refused, now);
    } catch (UnableToExecuteStatementException e) {
      if (e.getCause() instanceof SQLException s && "23505".equals(s.getSQLState())) {
        // a concurrent request gave feedback for one of these between the check and the insert
        throw new ApiException(ErrorCode.CONFLICT, "another request gave feedback for one of "
            + "these predictions at the same moment; nothing of this request was recorded: send "
            + "it again (the items given meanwhile will be refused as CONFLICT)");
      }
      throw e;
    }
    return new FeedbackResult(accepted, List.copyOf(refused));
  }

  /** Records the items in one transaction, adding the refused ones to {@code refused}. */
  private int record(Principal caller, String org, String deployment, List<Feedback> items,
      String client, List<FeedbackResult.Refused> refused, Instant now) {
    return jdbi.inTransaction(tx -> {
      int n = 0;
      Set<String> seen = new HashSet<>();
      for (int i = 0; i < items.size(); i++) {
        Feedback f = items.get(i);
        String id = f == null ? null : f.predictionId();
        String why = malformed(f);
        if (why != null) {
          refused.add(new FeedbackResult.Refused(i, shorten(id), ErrorCode.INVALID_ARGUMENT.name(),
              why));
          continue;
        }
        int sample = f.sample() == null ? 0 : f.sample();
        var p = store.prediction(tx, org, deployment, id, sample);
        if (p.isEmpty()) {
          refused.add(new FeedbackResult.Refused(i, id, ErrorCode.NOT_FOUND.name(), "deployment '"
              + deployment + "' logged no prediction " + id + (sample == 0 ? "" : " sample "
              + sample) + " (check the id the response gave; a prediction dropped under load or "
              + "past retention is gone)"));
          continue;
        }
        if (p.get().predictedValue() != null && !number(f.groundTruth())) {
          refused.add(new FeedbackResult.Refused(i, id, ErrorCode.INVALID_ARGUMENT.name(),
              "prediction " + id + " is a regression: its ground truth is a finite number; "
              + "received '" + shorten(f.groundTruth()) + "'"));
          continue;
        }
        if (!seen.add(id + "#" + sample) || !store.insertFeedback(tx, p.get(), f.groundTruth(),
            caller.userId(), now)) {
          refused.add(new FeedbackResult.Refused(i, id, ErrorCode.CONFLICT.name(), "prediction "
              + id + (sample == 0 ? "" : " sample " + sample) + " has feedback already; "
              + "feedback is given once"));
          continue;
        }
        n++;
      }
      if (n > 0) {
        audit.append(tx, new AuditEntry(org, caller.userId(), FEEDBACK, "deployment", deployment,
            client, Outcome.SUCCESS, Map.of("accepted", Integer.toString(n), "refused",
                Integer.toString(refused.size()))));
      }
      return n;
    });
  }

  /** Why an item is malformed, or null. */
  private static String malformed(Feedback f) {
    if (f == null || f.predictionId() == null || f.predictionId().isBlank()
        || f.predictionId().length() > 40) {
      return "an item names its predictionId (the id the inference response gave)";
    }
    if (f.sample() != null && f.sample() < 0) {
      return "sample is a sample's index in the request, from 0; received " + f.sample();
    }
    if (f.groundTruth() == null || f.groundTruth().isEmpty()
        || f.groundTruth().length() > MAX_GROUND_TRUTH) {
      return "groundTruth is the true label or value, 1 to " + MAX_GROUND_TRUTH
          + " characters";
    }
    return null;
  }

  private static boolean number(String s) {
    try {
      return Double.isFinite(Double.parseDouble(s.strip()));
    } catch (NumberFormatException e) {
      return false;
    }
  }

  // ---------------------------------------------------------------- reports

  /**
   * The deployment's quality, drift and alerts over {@code window} (such as {@code 1h}, {@code
   * 7d}; null for the monitor's window).
   *
   * @throws ApiException INVALID_ARGUMENT for a malformed window or deployment name
   */
  MonitoringReport report(Principal caller, String org, String deployment, String window) {
    tenancy.authorize(caller, org, Role.VIEWER, Scope.READ);
    deployment(deployment);
    Monitor monitor = monitor(org, deployment);
    Duration span = window == null ? Duration.ofSeconds(monitor.windowSeconds()) : window(window);
    log.flush(); // the predictions answered before this request count
    return measure(org, deployment, span, monitor);
  }

  /** Parses {@code 30m}, {@code 12h}, {@code 7d}; from a minute to 30 days. */
  static Duration window(String text) {
    Matcher m = WINDOW.matcher(text.strip());
    Duration d = null;
    if (m.matches()) {
      long n = Long.parseLong(m.group(1));
      d = switch (m.group(2)) {
        case "s" -> Duration.ofSeconds(n);
        case "m" -> Duration.ofMinutes(n);
        case "h" -> Duration.ofHours(n);
        default -> Duration.ofDays(n);
      };
    }
    if (d == null || d.compareTo(Duration.ofMinutes(1)) < 0
        || d.compareTo(Duration.ofDays(30)) > 0) {
      throw ApiException.invalid("window is a span such as 30m, 12h or 7d, from 1 minute to 30 "
          + "days; received '" + shorten(text) + "'");
    }
    return d;
  }

  private MonitoringReport measure(String org, String deployment, Duration span,
      Monitor monitor) {
    Instant to = clock.instant();
    Instant from = to.minus(span);
    long predictions = store.predictionCount(org, deployment, from);
    Quality quality = quality(store.labeled(org, deployment, from, MAX_QUALITY_SAMPLES));
    Optional<String> version = store.latestModelVersion(org, deployment, from);
    Optional<DatasetProfile> profile = version.flatMap(v -> training.profile(org, v));
    List<FeatureDrift> features = profile.map(p -> features(org, deployment, from, p))
        .orElse(List.of());
    Map<String, Long> live = store.predictedClasses(org, deployment, from);
    // no predicted class in the window: a regression, or nothing predicted
    PredictionDrift predictionDrift = live.isEmpty() ? null
        : predictionDrift(live, version.map(v -> training.classes(org, v)).orElse(null));
    List<MonitoringAlert> alerts = store.alerts(org, deployment, from, MAX_ALERTS).stream()
        .map(MonitoringService::wire).toList();
    return new MonitoringReport(deployment, from, to, predictions, quality, features,
        predictionDrift, monitor, alerts);
  }

  /** Accuracy of classes, or MAE and RMSE of values (a ground truth that is no number skipped). */
  static Quality quality(List<Labeled> labeled) {
    long right = 0;
    long classes = 0;
    long values = 0;
    double absolute = 0;
    double squared = 0;
    for (Labeled l : labeled) {
      if (l.predictedClass() != null) {
        classes++;
        right += l.predictedClass().equals(l.groundTruth().strip()) ? 1 : 0;
      } else if (number(l.groundTruth())) {
        double e = l.predictedValue() - Double.parseDouble(l.groundTruth().strip());
        values++;
        absolute += Math.abs(e);
        squared += e * e;
      }
    }
    return new Quality(classes + values, classes == 0 ? null : (double) right / classes,
        values == 0 ? null : absolute / values, values == 0 ? null : Math.sqrt(squared / values));
  }

  /** Each profiled column's drift, over the newest kept payloads of the window. */
  private List<FeatureDrift> features(String org, String deployment, Instant from,
      DatasetProfile profile) {
    Map<String, List<Object>> live = liveFeatures(org, store.kept(org, deployment, from,
        limits.maxDriftSamples()));
    List<FeatureDrift> out = new ArrayList<>();
    for (ColumnProfile c : profile.columns() == null ? List.<ColumnProfile>of()
        : profile.columns()) {
      List<Object> values = live.get(c.name());
      if (values == null || c.name().equals(profile.labelColumn())) {
        continue;
      }
      if (c.histogram() != null) {
        double[] x = values.stream().mapToDouble(MonitoringService::toDouble).toArray();
        long present = java.util.Arrays.stream(x).filter(v -> !Double.isNaN(v)).count();
        if (present == 0) {
          continue;
        }
        double psi = Drift.psi(c.histogram(), x);
        Drift.KsTest ks = Drift.ks(c.histogram(), x);
        out.add(new FeatureDrift(c.name(), present, psi, Drift.level(psi).name(),
            ks.statistic(), ks.pValue()));
      } else if (c.top() != null && !c.top().isEmpty()) {
        List<String> s = values.stream().map(v -> v == null ? null : String.valueOf(v)).toList();
        long present = s.stream().filter(v -> v != null).count();
        if (present == 0) {
          continue;
        }
        double psi = Drift.psi(c.top(), c.count(), s);
        out.add(new FeatureDrift(c.name(), present, psi, Drift.level(psi).name(), null, null));
      }
    }
    return out;
  }

  private static double toDouble(Object v) {
    if (v instanceof Number n) {
      return n.doubleValue();
    }
    if (v instanceof String s) {
      try {
        return Double.parseDouble(s.strip());
      } catch (NumberFormatException e) {
        return Double.NaN;
      }
    }
    return Double.NaN;
  }

  /** The kept inputs, by feature name: each blob read once, decrypted as it streams. */
  private Map<String, List<Object>> liveFeatures(String org, List<Kept> kept) {
    Map<String, Set<Integer>> lines = new LinkedHashMap<>();
    for (Kept k : kept) {
      lines.computeIfAbsent(k.blobKey(), x -> new HashSet<>()).add(k.line());
    }
    Map<String, List<Object>> features = new HashMap<>();
    for (Map.Entry<String, Set<Integer>> blob : lines.entrySet()) {
      try (InputStream in = blobs.open(org, blob.getKey());
          BufferedReader r = new BufferedReader(new InputStreamReader(in,
              StandardCharsets.UTF_8))) {
        String line;
        int n = 0;
        while ((line = r.readLine()) != null) {
          if (blob.getValue().contains(n++)) {
            JsonNode f = JSON.readTree(line).path("f");
            f.fields().forEachRemaining(e -> features.computeIfAbsent(e.getKey(),
                x -> new ArrayList<>()).add(e.getValue().isNumber() ? e.getValue().doubleValue()
                    : e.getValue().isNull() ? null : e.getValue().asText()));
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read the kept predictions of blob "
            + blob.getKey() + ": " + e.getMessage(), e);
      }
    }
    return features;
  }

  /** The live predicted classes against the training labels (training first, then new ones). */
  static PredictionDrift predictionDrift(Map<String, Long> live, List<ValueCount> trainingClasses) {
    List<ValueCount> trained = trainingClasses == null ? List.of() : trainingClasses;
    Map<String, Integer> index = new LinkedHashMap<>();
    trained.forEach(v -> index.putIfAbsent(v.value(), index.size()));
    live.keySet().forEach(k -> index.putIfAbsent(k, index.size()));
    long[] expected = new long[index.size()];
    long[] actual = new long[index.size()];
    trained.forEach(v -> expected[index.get(v.value())] += v.count());
    live.forEach((k, n) -> actual[index.get(k)] += n);
    boolean both = java.util.Arrays.stream(expected).sum() > 0
        && java.util.Arrays.stream(actual).sum() > 0;
    List<ValueCount> liveCounts = live.entrySet().stream()
        .map(e -> new ValueCount(e.getKey(), e.getValue())).toList();
    return new PredictionDrift(liveCounts, trained, both ? Drift.predictions(expected, actual)
        : null);
  }

  // ---------------------------------------------------------------- monitors and alerts

  /** The deployment's monitor, or the defaults. */
  private Monitor monitor(String org, String deployment) {
    return store.monitor(org, deployment).map(m -> new Monitor(m.windowSeconds(),
        m.psiThreshold(), m.ksPThreshold(), m.minAccuracy(), m.maxRmse(), m.minSamples(),
        m.action())).orElse(DEFAULTS);
  }

  /**
   * Sets the deployment's monitor (null fields take the defaults).
   *
   * @throws ApiException INVALID_ARGUMENT for a value out of range, naming it
   */
  Monitor setMonitor(Principal caller, String org, String deployment, Monitor request,
      String client) {
    tenancy.authorize(caller, org, Role.MEMBER, Scope.WRITE);
    deployment(deployment);
    Monitor m = complete(request);
    jdbi.useTransaction(tx -> {
      store.setMonitor(tx, new MonitorRow(org, deployment, m.windowSeconds(), m.psiThreshold(),
          m.ksPValueThreshold(), m.minAccuracy(), m.maxRmse(), m.minSamples(), m.action()),
          caller.userId(), clock.instant());
      Map<String, String> details = new TreeMap<>();
      details.put("windowSeconds", m.windowSeconds().toString());
      details.put("psiThreshold", m.psiThreshold().toString());
      details.put("ksPValueThreshold", m.ksPValueThreshold().toString());
      details.put("minAccuracy", String.valueOf(m.minAccuracy()));
      details.put("maxRmse", String.valueOf(m.maxRmse()));
      details.put("minSamples", m.minSamples().toString());
      details.put("action", m.action());
      audit.append(tx, new AuditEntry(org, caller.userId(), MONITOR_SET, "deployment",
          deployment, client, Outcome.SUCCESS, details));
    });
    return m;
  }

  static Monitor complete(Monitor r) {
    if (r == null) {
      throw ApiException.invalid("a monitor is a JSON object; {} takes every default");
    }
    long window = r.windowSeconds() == null ? DEFAULTS.windowSeconds() : r.windowSeconds();
    double psi = r.psiThreshold() == null ? DEFAULTS.psiThreshold() : r.psiThreshold();
    double ks = r.ksPValueThreshold() == null ? DEFAULTS.ksPValueThreshold()
        : r.ksPValueThreshold();
    int min = r.minSamples() == null ? DEFAULTS.minSamples() : r.minSamples();
    String action = r.action() == null ? DEFAULTS.action() : r.action().toLowerCase(Locale.ROOT);
    if (window < 60 || window > 2_592_000) {
      throw ApiException.invalid("windowSeconds is from 60 (a minute) to 2592000 (30 days); "
          + "received " + window);
    }
    if (!(psi > 0) || Double.isInfinite(psi)) {
      throw ApiException.invalid("psiThreshold is a PSI above 0 (0.1 moderate, 0.25 major); "
          + "received " + psi);
    }
    if (!(ks >= 0 && ks <= 1)) {
      throw ApiException.invalid("ksPValueThreshold is a p-value from 0 (never) to 1; received "
          + ks);
    }
    if (r.minAccuracy() != null && !(r.minAccuracy() >= 0 && r.minAccuracy() <= 1)) {
      throw ApiException.invalid("minAccuracy is a share from 0 to 1, or null; received "
          + r.minAccuracy());
    }
    if (r.maxRmse() != null && !(r.maxRmse() >= 0) || r.maxRmse() != null
        && Double.isInfinite(r.maxRmse())) {
      throw ApiException.invalid("maxRmse is a finite error of 0 or more, or null; received "
          + r.maxRmse());
    }
    if (min < 1 || min > 1_000_000) {
      throw ApiException.invalid("minSamples is from 1 to 1000000; received " + min);
    }
    if (!action.equals("alert") && !action.equals("retrain")) {
      throw ApiException.invalid("action is alert or retrain; received '" + shorten(r.action())
          + "'");
    }
    return new Monitor(window, psi, ks, r.minAccuracy(), r.maxRmse(), min, action);
  }

  /**
   * Evaluates the deployment's monitor now (as a member asks) and answers the report it was
   * evaluated on, with the alerts as they are after it.
   */
  MonitoringReport evaluate(Principal caller, String org, String deployment) {
    tenancy.authorize(caller, org, Role.MEMBER, Scope.WRITE);
    deployment(deployment);
    log.flush(); // the predictions answered before this request count
    evaluate(org, deployment);
    return measure(org, deployment, Duration.ofSeconds(monitor(org, deployment)
        .windowSeconds()), monitor(org, deployment));
  }

  /** Evaluates every deployment's monitor (the schedule); a failure of one is logged. */
  public void evaluateAll() {
    for (MonitorRow m : store.monitors()) {
      try {
        evaluate(m.orgId(), m.deployment());
      } catch (RuntimeException e) {
        LOG.error("cannot evaluate the monitor of deployment {} of organization {}",
            m.deployment(), m.orgId(), e);
      }
    }
  }

  /** A signal's value and whether it is past its threshold. */
  private record Reading(double observed, double threshold, boolean crossed, String message) {}

  /**
   * Raises an alert for each signal newly past its threshold and resolves each open one back
   * under it (a signal without enough samples leaves its alert as it is); with action
   * {@code retrain}, new alerts start one retraining job unless an open alert started one.
   */
  void evaluate(String org, String deployment) {
    evaluating.lock();
    try {
      Monitor monitor = monitor(org, deployment);
      MonitoringReport r = measure(org, deployment, Duration.ofSeconds(monitor.windowSeconds()),
          monitor);
      Map<String, Reading> readings = readings(r, monitor);
      Instant now = clock.instant();
      List<AlertRow> raised = new ArrayList<>();
      boolean retraining = jdbi.inTransaction(tx -> {
        Map<String, AlertRow> open = store.openAlerts(tx, org, deployment);
        for (Map.Entry<String, Reading> e : readings.entrySet()) {
          Reading reading = e.getValue();
          AlertRow current = open.get(e.getKey());
          if (reading.crossed() && current == null) {
            AlertRow a = new AlertRow("alr_" + BlobKeys.randomSegment(), org, deployment,
                e.getKey(), reading.observed(), reading.threshold(), reading.message(), now,
                null, null);
            store.insertAlert(tx, a);
            raised.add(a);
            audit.append(tx, new AuditEntry(org, AuditLog.SYSTEM, ALERT_RAISE, "deployment",
                deployment, null, Outcome.SUCCESS, Map.of("alert", a.id(), "signal",
                    shorten(a.signal()), "observed", Double.toString(a.observed()), "threshold",
                    Double.toString(a.threshold()))));
          } else if (!reading.crossed() && current != null) {
            store.resolveAlert(tx, org, current.id(), now);
            audit.append(tx, new AuditEntry(org, AuditLog.SYSTEM, ALERT_RESOLVE, "deployment",
                deployment, null, Outcome.SUCCESS, Map.of("alert", current.id(), "signal",
                    shorten(current.signal()), "observed",
                    Double.toString(reading.observed()))));
          }
        }
        return open.values().stream().anyMatch(a -> a.retrainJob() != null);
      });
      if (!raised.isEmpty() && monitor.action().equals("retrain") && !retraining) {
        retrain(org, deployment, raised, r.from());
      }
    } finally {
      evaluating.unlock();
    }
  }

  private void retrain(String org, String deployment, List<AlertRow> raised, Instant from) {
    String reason = raised.stream().map(AlertRow::message).reduce((a, b) -> a + "; " + b)
        .orElse("");
    Optional<String> version = store.latestModelVersion(org, deployment, from);
    try {
      String job = retrainer.retrain(org, deployment, version.orElseThrow(() ->
          new IllegalStateException("no prediction names the served model version")),
          shorten(reason, 1000));
      jdbi.useTransaction(tx -> {
        for (AlertRow a : raised) {
          store.setRetrainJob(tx, org, a.id(), shorten(job, 100));
        }
        audit.append(tx, new AuditEntry(org, AuditLog.SYSTEM, RETRAIN, "deployment", deployment,
            null, Outcome.SUCCESS, Map.of("job", shorten(job, 100), "modelVersion",
                version.get(), "reason", shorten(reason, 1000))));
      });
    } catch (RuntimeException e) {
      LOG.error("cannot start retraining deployment {} of organization {}", deployment, org, e);
      audit.appendCommitted(new AuditEntry(org, AuditLog.SYSTEM, RETRAIN, "deployment",
          deployment, null, Outcome.FAILED, Map.of("reason", shorten(String.valueOf(
              e.getMessage()), 1000))));
    }
  }

  /** Each signal with enough samples: its value against its threshold. */
  private static Map<String, Reading> readings(MonitoringReport r, Monitor m) {
    Map<String, Reading> out = new LinkedHashMap<>();
    for (FeatureDrift f : r.features()) {
      if (f.samples() < m.minSamples()) {
        continue;
      }
      out.put("psi:" + f.feature(), new Reading(f.psi(), m.psiThreshold(),
          f.psi() >= m.psiThreshold(), "input feature '" + f.feature() + "' drifted: PSI "
          + round(f.psi()) + " from " + m.psiThreshold()));
      if (m.ksPValueThreshold() > 0 && f.ksPValue() != null) {
        out.put("ks:" + f.feature(), new Reading(f.ksPValue(), m.ksPValueThreshold(),
            f.ksPValue() < m.ksPValueThreshold(), "input feature '" + f.feature()
            + "' drifted: KS p-value " + round(f.ksPValue()) + " under "
            + m.ksPValueThreshold()));
      }
    }
    PredictionDrift p = r.predictionDrift();
    if (p != null && p.psi() != null
        && p.live().stream().mapToLong(ValueCount::count).sum() >= m.minSamples()) {
      out.put("predictions", new Reading(p.psi(), m.psiThreshold(), p.psi() >= m.psiThreshold(),
          "the predicted classes drifted from the training labels: PSI " + round(p.psi())
          + " from " + m.psiThreshold()));
    }
    Quality q = r.quality();
    if (q.samples() >= m.minSamples()) {
      if (m.minAccuracy() != null && q.accuracy() != null) {
        out.put("accuracy", new Reading(q.accuracy(), m.minAccuracy(),
            q.accuracy() < m.minAccuracy(), "accuracy on feedback " + round(q.accuracy())
            + " under " + m.minAccuracy()));
      }
      if (m.maxRmse() != null && q.rmse() != null) {
        out.put("rmse", new Reading(q.rmse(), m.maxRmse(), q.rmse() > m.maxRmse(),
            "RMSE on feedback " + round(q.rmse()) + " over " + m.maxRmse()));
      }
    }
    return out;
  }

  private static String round(double v) {
    return String.format(Locale.ROOT, "%.4g", v);
  }

  private static MonitoringAlert wire(AlertRow a) {
    return new MonitoringAlert(a.id(), a.signal(), a.observed(), a.threshold(), a.message(),
        a.raisedAt(), a.resolvedAt(), a.retrainJob());
  }

  // ---------------------------------------------------------------- retention

  /**
   * Deletes predictions past retention or past each deployment's newest
   * {@link MonitoringLimits#maxRecordsPerDeployment}, with their feedback, and the payload blobs
   * no prediction refers to any more (older than {@link #SWEEP_GRACE}).
   */
  public void sweep() {
    Instant now = clock.instant();
    for (String org : store.organizations()) {
      int deleted = jdbi.inTransaction(tx -> store.deleteOld(tx, org,
          now.minus(Duration.ofDays(limits.retentionDays())),
          limits.maxRecordsPerDeployment()));
      if (deleted > 0) {
        LOG.info("monitoring: deleted {} predictions of organization {} past retention",
            deleted, org);
      }
      // read before the listing: a blob whose rows commit after it is younger than the grace
      Set<String> referenced = store.referencedBlobs(org);
      for (String key : blobs.list(org, BatchingPredictionLog.BLOB_PREFIX)) {
        if (!referenced.contains(key) && old(key, now)) {
          blobs.delete(org, key);
        }
      }
    }
  }

  /** Whether a batch blob was written before the grace period (its key starts with its time). */
  private static boolean old(String key, Instant now) {
    String name = key.substring(BatchingPredictionLog.BLOB_PREFIX.length());
    int dash = name.indexOf('-');
    try {
      return dash > 0 && Instant.ofEpochSecond(Long.parseLong(name.substring(0, dash)))
          .isBefore(now.minus(SWEEP_GRACE));
    } catch (NumberFormatException e) {
      return false;
    }
  }

  // ---------------------------------------------------------------- helpers

  private static void deployment(String name) {
    if (name == null || !DEPLOYMENT.matcher(name).matches()) {
      throw ApiException.invalid("a deployment's name is 1 to 100 letters, digits, '.', '_' or "
          + "'-'; received '" + shorten(name) + "'");
    }
  }

  static String shorten(String s) {
    return shorten(s, 80);
  }

  static String shorten(String s, int max) {
    if (s == null) {
      return null;
    }
    return s.length() <= max ? s : s.substring(0, max) + "...";
  }

  /** Writes what the prediction log holds and stops its writer. */
  @Override
  public void close() {
    log.close();
  }
}
