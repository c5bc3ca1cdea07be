package ai.lepton.server.monitoring;

import ai.lepton.server.monitoring.PredictionBatches.Batch;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.mapper.RowMapper;
import org.jdbi.v3.core.result.ResultIterator;
import org.jdbi.v3.core.statement.Query;

/**
 * {@link MonitoringStore} in SQL that runs on H2 and PostgreSQL alike (tables of V11 and V14; the
 * prediction log's rows as {@link PredictionBatches}).
 */
final class JdbiMonitoringStore implements MonitoringStore {
  private static final Duration SPAN = PredictionBatches.SPAN;
  /** Batch rows a query of {@link #kept} reads (each up to about 256 KB). */
  private static final int KEPT_PAGE = 16;
  private static final RowMapper<MonitorRow> MONITOR = (rs, ctx) -> new MonitorRow(
      rs.getString("org_id"), rs.getString("deployment"), rs.getLong("window_seconds"),
      rs.getDouble("psi_threshold"), rs.getDouble("ks_p_threshold"),
      (Double) rs.getObject("min_accuracy", Double.class),
      (Double) rs.getObject("max_rmse", Double.class), rs.getInt("min_samples"),
      rs.getString("action"));
  private static final RowMapper<AlertRow> ALERT = (rs, ctx) -> new AlertRow(rs.getString("id"),
      rs.getString("org_id"), rs.getString("deployment"), rs.getString("signal"),
      rs.getDouble("observed"), rs.getDouble("threshold"), rs.getString("message"),
      rs.getObject("raised_at", OffsetDateTime.class).toInstant(),
      instant(rs.getObject("resolved_at", OffsetDateTime.class)), rs.getString("retrain_job"));

  private static final RowMapper<Batch> BATCH = (rs, ctx) -> new Batch(rs.getString("id"),
      rs.getString("org_id"), rs.getString("deployment"), rs.getString("model_version_id"),
      rs.getObject("first_at", OffsetDateTime.class).toInstant(),
      rs.getObject("last_at", OffsetDateTime.class).toInstant(), rs.getInt("samples"),
      rs.getString("blob_key"), rs.getBytes("classes"), rs.getBytes("records"));

  private final Jdbi jdbi;

  JdbiMonitoringStore(Jdbi jdbi) {
    this.jdbi = jdbi;
  }

  private static OffsetDateTime time(Instant t) {
    return t.atOffset(ZoneOffset.UTC);
  }

  private static Instant instant(OffsetDateTime t) {
    return t == null ? null : t.toInstant();
  }

  // ---------------------------------------------------------------- predictions

  @Override
  public void insertPredictions(Handle tx, List<PredictionRow> rows) {
    try {
      insert(tx.getConnection(), PredictionBatches.batches(rows));
    } catch (SQLException e) {
      throw new IllegalStateException("cannot insert " + rows.size() + " logged samples: "
          + e.getMessage(), e);
    }
  }

  /** Inserts batches as one JDBC batch, bound through JDBC itself. */
  static void insert(Connection c, List<Batch> batches) throws SQLException {
    if (batches.isEmpty()) {
      return;
    }
    try (PreparedStatement insert = c.prepareStatement("INSERT INTO prediction_batch (id,"
        + " org_id, deployment, model_version_id, first_at, last_at, samples, blob_key, classes,"
        + " records) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
      for (Batch b : batches) {
        insert.setString(1, b.id());
        insert.setString(2, b.orgId());
        insert.setString(3, b.deployment());
        insert.setString(4, b.modelVersionId());
        insert.setObject(5, time(b.firstAt()));
        insert.setObject(6, time(b.lastAt()));
        insert.setInt(7, b.samples());
        insert.setString(8, b.blobKey());
        insert.setBytes(9, b.classes());
        insert.setBytes(10, b.records());
        insert.addBatch();
      }
      insert.executeBatch();
    }
  }

  @Override
  public Optional<PredictionRow> prediction(Handle h, String orgId, String deployment, String id,
      int sample) {
    Instant t = PredictionBatches.idTime(id);
    if (t == null) {
      return Optional.empty();
    }
    // the batches that can hold a prediction of the id's millisecond
    List<Batch> batches = h.createQuery("SELECT * FROM prediction_batch WHERE org_id = :org"
            + " AND deployment = :d AND first_at >= :lo AND first_at < :hi AND last_at >= :t")
        .bind("org", orgId).bind("d", deployment).bind("lo", time(t.minus(SPAN)))
        .bind("hi", time(t.plusMillis(1))).bind("t", time(t))
        .map(BATCH).list();
    for (Batch b : batches) {
      for (PredictionRow r : PredictionBatches.rows(b)) {
        if (r.id().equals(id) && r.sample() == sample) {
          return Optional.of(r);
        }
      }
    }
    return Optional.empty();
  }

  @Override
  public boolean insertFeedback(Handle tx, PredictionRow p, String groundTruth, String by,
      Instant at) {
    boolean given = tx.createQuery("SELECT COUNT(*) FROM prediction_feedback"
            + " WHERE prediction_id = :id AND sample = :sample")
        .bind("id", p.id()).bind("sample", p.sample()).mapTo(Integer.class).one() > 0;
    if (given) {
      return false;
    }
    tx.createUpdate("INSERT INTO prediction_feedback (prediction_id, sample, org_id, deployment,"
            + " predicted_class, predicted_value, predicted_at, ground_truth, given_by, given_at)"
            + " VALUES (:id, :sample, :org, :d, :class, :value, :predicted, :truth, :by, :at)")
        .bind("id", p.id()).bind("sample", p.sample()).bind("org", p.orgId())
        .bind("d", p.deployment()).bind("class", p.predictedClass())
        .bind("value", p.predictedValue()).bind("predicted", time(p.at()))
        .bind("truth", groundTruth).bind("by", by).bind("at", time(at)).execute();
    return true;
  }

  @Override
  public long predictionCount(String orgId, String deployment, Instant from) {
    Instant f = PredictionBatches.truncate(from);
    return jdbi.withHandle(h -> h.createQuery("SELECT COALESCE(SUM(samples), 0)"
            + " FROM prediction_batch WHERE org_id = :org AND deployment = :d AND first_at >= :from")
        .bind("org", orgId).bind("d", deployment).bind("from", time(f))
        .mapTo(Long.class).one() + straddling(h, orgId, deployment, f).size());
  }

  /** The samples at or after {@code from} of the batches that began before it. */
  private static List<PredictionRow> straddling(Handle h, String orgId, String deployment,
      Instant from) {
    List<PredictionRow> rows = new ArrayList<>();
    for (Batch b : h.createQuery("SELECT * FROM prediction_batch WHERE org_id = :org"
            + " AND deployment = :d AND first_at >= :lo AND first_at < :from AND last_at >= :from")
        .bind("org", orgId).bind("d", deployment).bind("lo", time(from.minus(SPAN)))
        .bind("from", time(from)).map(BATCH).list()) {
      for (PredictionRow r : PredictionBatches.rows(b)) {
        if (!r.at().isBefore(from)) {
          rows.add(r);
        }
      }
    }
    return rows;
  }

  @Override
  public List<Labeled> labeled(String orgId, String deployment, Instant from, int limit) {
    return jdbi.withHandle(h -> h.createQuery("SELECT predicted_class, predicted_value,"
            + " ground_truth FROM prediction_feedback WHERE org_id = :org AND deployment = :d"
            + " AND predicted_at >= :from ORDER BY predicted_at DESC LIMIT :limit")
        .bind("org", orgId).bind("d", deployment)
        .bind("from", time(PredictionBatches.truncate(from))).bind("limit", limit)
        .map((rs, ctx) -> new Labeled(rs.getString(1), (Double) rs.getObject(2, Double.class),
            rs.getString(3)))
        .list());
  }

  @Override
  public Map<String, Long> predictedClasses(String orgId, String deployment, Instant from) {
    Instant f = PredictionBatches.truncate(from);
    Map<String, Long> counts = new HashMap<>();
    jdbi.useHandle(h -> {
      h.createQuery("SELECT classes FROM prediction_batch WHERE org_id = :org"
              + " AND deployment = :d AND first_at >= :from")
          .bind("org", orgId).bind("d", deployment).bind("from", time(f))
          .map((rs, ctx) -> rs.getBytes(1))
          .forEach(c -> PredictionBatches.classCounts(c).forEach((k, n) ->
              counts.merge(k, n, Long::sum)));
      for (PredictionRow r : straddling(h, orgId, deployment, f)) {
        if (r.predictedClass() != null) {
          counts.merge(r.predictedClass(), 1L, Long::sum);
        }
      }
    });
    Map<String, Long> sorted = new LinkedHashMap<>();
    counts.entrySet().stream()
        .sorted(Map.Entry.<String, Long>comparingByValue().reversed()
            .thenComparing(Map.Entry.comparingByKey()))
        .forEach(e -> sorted.put(e.getKey(), e.getValue()));
    return sorted;
  }

  @Override
  public Optional<String> latestModelVersion(String orgId, String deployment, Instant from) {
    Instant f = PredictionBatches.truncate(from);
    return jdbi.withHandle(h -> h.createQuery("SELECT model_version_id FROM prediction_batch"
            + " WHERE org_id = :org AND deployment = :d AND first_at >= :lo AND last_at >= :from"
            + " ORDER BY first_at DESC LIMIT 1")
        .bind("org", orgId).bind("d", deployment).bind("lo", time(f.minus(SPAN)))
        .bind("from", time(f)).mapTo(String.class).findOne());
  }

  @Override
  public List<Kept> kept(String orgId, String deployment, Instant from, int limit) {
    Instant f = PredictionBatches.truncate(from);
    List<Kept> kept = new ArrayList<>();
    jdbi.useHandle(h -> {
      // newest first, KEPT_PAGE rows a query: a window's rows may hold tens of megabytes
      Batch last = null;
      while (kept.size() < limit) {
        Query query = h.createQuery("SELECT * FROM prediction_batch WHERE org_id = :org"
                + " AND deployment = :d AND first_at >= :lo AND last_at >= :from"
                + " AND blob_key IS NOT NULL" + (last == null ? ""
                : " AND (first_at < :before OR (first_at = :before AND id < :id))")
                + " ORDER BY first_at DESC, id DESC LIMIT " + KEPT_PAGE)
            .bind("org", orgId).bind("d", deployment).bind("lo", time(f.minus(SPAN)))
            .bind("from", time(f));
        if (last != null) {
          query.bind("before", time(last.firstAt())).bind("id", last.id());
        }
        List<Batch> page = query.map(BATCH).list();
        for (Batch b : page) {
          List<PredictionRow> rows = PredictionBatches.rows(b);
          for (int i = rows.size() - 1; i >= 0 && kept.size() < limit; i--) {
            PredictionRow r = rows.get(i);
            if (r.blobKey() != null && !r.at().isBefore(f)) {
              kept.add(new Kept(r.blobKey(), r.blobLine()));
            }
          }
        }
        if (page.size() < KEPT_PAGE) {
          return;
        }
        last = page.get(page.size() - 1);
      }
    });
    return kept;
  }

  /** A batch as retention walks them. */
  private record Stored(String id, OffsetDateTime lastAt, int samples) {}

  @Override
  public int deleteOld(Handle tx, String orgId, Instant before, int keep) {
    List<String> deployments = tx.createQuery("SELECT DISTINCT deployment FROM prediction_batch"
        + " WHERE org_id = :org").bind("org", orgId).mapTo(String.class).list();
    int deleted = 0;
    for (String d : deployments) {
      // newest first, the first batch wholly before `before` or past the newest `keep` samples:
      // it and every batch after it go
      Stored cut = null;
      long newer = 0;
      try (ResultIterator<Stored> batches = tx.createQuery("SELECT id, last_at, samples"
              + " FROM prediction_batch WHERE org_id = :org AND deployment = :d"
              + " ORDER BY last_at DESC, id DESC")
          .bind("org", orgId).bind("d", d)
          .map((rs, ctx) -> new Stored(rs.getString(1), rs.getObject(2, OffsetDateTime.class),
              rs.getInt(3))).iterator()) {
        while (cut == null && batches.hasNext()) {
          Stored b = batches.next();
          if (newer >= keep || b.lastAt().toInstant().isBefore(before)) {
            cut = b;
          }
          newer += b.samples();
        }
      }
      if (cut == null) {
        continue;
      }
      String past = " WHERE org_id = :org AND deployment = :d AND (last_at < :at"
          + " OR (last_at = :at AND id <= :id))";
      deleted += tx.createQuery("SELECT COALESCE(SUM(samples), 0) FROM prediction_batch" + past)
          .bind("org", orgId).bind("d", d).bind("at", cut.lastAt()).bind("id", cut.id())
          .mapTo(Integer.class).one();
      tx.createUpdate("DELETE FROM prediction_batch" + past)
          .bind("org", orgId).bind("d", d).bind("at", cut.lastAt()).bind("id", cut.id())
          .execute();
      // the feedback of predictions older than every batch left
      Optional<OffsetDateTime> oldest = tx.createQuery("SELECT MIN(first_at)"
              + " FROM prediction_batch WHERE org_id = :org AND deployment = :d")
          .bind("org", orgId).bind("d", d).mapTo(OffsetDateTime.class).findOne();
      tx.createUpdate("DELETE FROM prediction_feedback WHERE org_id = :org AND deployment = :d"
              + (oldest.isPresent() ? " AND predicted_at < :oldest" : ""))
          .bind("org", orgId).bind("d", d).bind("oldest", oldest.orElse(null)).execute();
    }
    return deleted;
  }

  @Override
  public Set<String> referencedBlobs(String orgId) {
    return jdbi.withHandle(h -> h.createQuery("SELECT DISTINCT blob_key FROM prediction_batch"
            + " WHERE org_id = :org AND blob_key IS NOT NULL")
        .bind("org", orgId).mapTo(String.class).collect(Collectors.toSet()));
  }

  @Override
  public List<String> organizations() {
    return jdbi.withHandle(h -> h.createQuery("SELECT DISTINCT org_id FROM prediction_batch")
        .mapTo(String.class).list());
  }

  // ---------------------------------------------------------------- monitors and alerts

  @Override
  public Optional<MonitorRow> monitor(String orgId, String deployment) {
    return jdbi.withHandle(h -> h.createQuery("SELECT * FROM deployment_monitor"
            + " WHERE org_id = :org AND deployment = :d")
        .bind("org", orgId).bind("d", deployment).map(MONITOR).findOne());
  }

  @Override
  public List<MonitorRow> monitors() {
    return jdbi.withHandle(h -> h.createQuery("SELECT * FROM deployment_monitor"
        + " ORDER BY org_id, deployment").map(MONITOR).list());
  }

  @Override
  public void setMonitor(Handle tx, MonitorRow m, String by, Instant at) {
    tx.createUpdate("DELETE FROM deployment_monitor WHERE org_id = :org AND deployment = :d")
        .bind("org", m.orgId()).bind("d", m.deployment()).execute();
    tx.createUpdate("INSERT INTO deployment_monitor (org_id, deployment, window_seconds,"
            + " psi_threshold, ks_p_threshold, min_accuracy, max_rmse, min_samples, action,"
            + " updated_by, updated_at) VALUES (:org, :d, :window, :psi, :ks, :acc, :rmse,"
            + " :min, :action, :by, :at)")
        .bind("org", m.orgId()).bind("d", m.deployment()).bind("window", m.windowSeconds())
        .bind("psi", m.psiThreshold()).bind("ks", m.ksPThreshold())
        .bind("acc", m.minAccuracy()).bind("rmse", m.maxRmse()).bind("min", m.minSamples())
        .bind("action", m.action()).bind("by", by).bind("at", time(at)).execute();
  }

  @Override
  public Map<String, AlertRow> openAlerts(Handle h, String orgId, String deployment) {
    Map<String, AlertRow> open = new LinkedHashMap<>();
    h.createQuery("SELECT * FROM monitoring_alert WHERE org_id = :org AND deployment = :d"
            + " AND resolved_at IS NULL ORDER BY raised_at")
        .bind("org", orgId).bind("d", deployment).map(ALERT)
        .forEach(a -> open.put(a.signal(), a));
    return open;
  }

  @Override
  public List<AlertRow> alerts(String orgId, String deployment, Instant from, int limit) {
    return jdbi.withHandle(h -> new ArrayList<>(h.createQuery("SELECT * FROM monitoring_alert"
            + " WHERE org_id = :org AND deployment = :d AND (resolved_at IS NULL"
            + " OR raised_at >= :from) ORDER BY raised_at DESC, signal LIMIT :limit")
        .bind("org", orgId).bind("d", deployment).bind("from", time(from))
        .bind("limit", limit).map(ALERT).list()));
  }

  @Override
  public void insertAlert(Handle tx, AlertRow a) {
    tx.createUpdate("INSERT INTO monitoring_alert (id, org_id, deployment, signal, observed,"
            + " threshold, message, raised_at) VALUES (:id, :org, :d, :signal, :observed,"
            + " :threshold, :message, :at)")
        .bind("id", a.id()).bind("org", a.orgId()).bind("d", a.deployment())
        .bind("signal", a.signal()).bind("observed", a.observed())
        .bind("threshold", a.threshold()).bind("message", a.message())
        .bind("at", time(a.raisedAt())).execute();
  }

  @Override
  public void resolveAlert(Handle tx, String orgId, String id, Instant at) {
    tx.createUpdate("UPDATE monitoring_alert SET resolved_at = :at WHERE org_id = :org"
            + " AND id = :id AND resolved_at IS NULL")
        .bind("at", time(at)).bind("org", orgId).bind("id", id).execute();
  }

  @Override
  public void setRetrainJob(Handle tx, String orgId, String id, String job) {
    tx.createUpdate("UPDATE monitoring_alert SET retrain_job = :job WHERE org_id = :org"
            + " AND id = :id")
        .bind("job", job).bind("org", orgId).bind("id", id).execute();
  }
}
