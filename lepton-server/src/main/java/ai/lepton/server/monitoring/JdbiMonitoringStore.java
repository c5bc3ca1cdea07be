package ai.lepton.server.monitoring;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.mapper.RowMapper;

/** {@link MonitoringStore} in SQL that runs on H2 and PostgreSQL alike (tables of V11). */
final class JdbiMonitoringStore implements MonitoringStore {
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

  /** Prediction rows per INSERT statement: 1,100 parameters, far below PostgreSQL's 32,767. */
  static final int ROWS_PER_INSERT = 100;
  private static final String INSERT_FULL = insertPredictionsSql(ROWS_PER_INSERT);

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
    // Multi-row INSERTs, ROWS_PER_INSERT rows a statement: PostgreSQL executes a JDBC batch's
    // rows as statements of their own. Bound through JDBC itself: Jdbi would look up an argument
    // factory for each of the 1,100 values, which cost more than it saved on H2.
    Connection c = tx.getConnection();
    for (int from = 0; from < rows.size(); from += ROWS_PER_INSERT) {
      List<PredictionRow> chunk = rows.subList(from, Math.min(rows.size(),
          from + ROWS_PER_INSERT));
      String sql = chunk.size() == ROWS_PER_INSERT ? INSERT_FULL
          : insertPredictionsSql(chunk.size());
      try (PreparedStatement insert = c.prepareStatement(sql)) {
        int p = 1;
        for (PredictionRow r : chunk) {
          insert.setString(p++, r.id());
          insert.setInt(p++, r.sample());
          insert.setString(p++, r.orgId());
          insert.setString(p++, r.deployment());
          insert.setString(p++, r.modelVersionId());
          insert.setObject(p++, time(r.at()));
          insert.setLong(p++, r.latencyMicros());
          insert.setString(p++, r.predictedClass());
          if (r.predictedValue() == null) {
            insert.setNull(p++, Types.DOUBLE);
          } else {
            insert.setDouble(p++, r.predictedValue());
          }
          insert.setString(p++, r.blobKey());
          if (r.blobLine() == null) {
            insert.setNull(p++, Types.INTEGER);
          } else {
            insert.setInt(p++, r.blobLine());
          }
        }
        insert.executeUpdate();
      } catch (SQLException e) {
        throw new IllegalStateException("cannot insert " + chunk.size() + " prediction rows: "
            + e.getMessage(), e);
      }
    }
  }

  /** An INSERT of {@code n} prediction rows, 11 positional parameters each. */
  private static String insertPredictionsSql(int n) {
    return "INSERT INTO prediction (id, sample, org_id, deployment, model_version_id,"
        + " predicted_at, latency_micros, predicted_class, predicted_value, blob_key, blob_line)"
        + " VALUES "
        + String.join(", ", Collections.nCopies(n, "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
  }

  @Override
  public Optional<PredictionRow> prediction(Handle h, String orgId, String deployment, String id,
      int sample) {
    return h.createQuery("SELECT * FROM prediction WHERE org_id = :org AND deployment = :d"
            + " AND id = :id AND sample = :sample")
        .bind("org", orgId).bind("d", deployment).bind("id", id).bind("sample", sample)
        .map((rs, ctx) -> new PredictionRow(rs.getString("id"), rs.getInt("sample"),
            rs.getString("org_id"), rs.getString("deployment"),
            rs.getString("model_version_id"),
            rs.getObject("predicted_at", OffsetDateTime.class).toInstant(),
            rs.getLong("latency_micros"), rs.getString("predicted_class"),
            (Double) rs.getObject("predicted_value", Double.class), rs.getString("blob_key"),
            (Integer) rs.getObject("blob_line", Integer.class)))
        .findOne();
  }

  @Override
  public boolean insertFeedback(Handle tx, String orgId, String deployment, String id, int sample,
      String groundTruth, String by, Instant at) {
    boolean given = tx.createQuery("SELECT COUNT(*) FROM prediction_feedback"
            + " WHERE prediction_id = :id AND sample = :sample")
        .bind("id", id).bind("sample", sample).mapTo(Integer.class).one() > 0;
    if (given) {
      return false;
    }
    tx.createUpdate("INSERT INTO prediction_feedback (prediction_id, sample, org_id, deployment,"
            + " ground_truth, given_by, given_at) VALUES (:id, :sample, :org, :d, :truth, :by,"
            + " :at)")
        .bind("id", id).bind("sample", sample).bind("org", orgId).bind("d", deployment)
        .bind("truth", groundTruth).bind("by", by).bind("at", time(at)).execute();
    return true;
  }

  @Override
  public long predictionCount(String orgId, String deployment, Instant from) {
    return jdbi.withHandle(h -> h.createQuery("SELECT COUNT(*) FROM prediction WHERE org_id ="
            + " :org AND deployment = :d AND predicted_at >= :from")
        .bind("org", orgId).bind("d", deployment).bind("from", time(from))
        .mapTo(Long.class).one());
  }

  @Override
  public List<Labeled> labeled(String orgId, String deployment, Instant from, int limit) {
    return jdbi.withHandle(h -> h.createQuery("SELECT p.predicted_class, p.predicted_value,"
            + " f.ground_truth FROM prediction p JOIN prediction_feedback f"
            + " ON f.prediction_id = p.id AND f.sample = p.sample"
            + " WHERE p.org_id = :org AND p.deployment = :d AND p.predicted_at >= :from"
            + " ORDER BY p.predicted_at DESC LIMIT :limit")
        .bind("org", orgId).bind("d", deployment).bind("from", time(from))
        .bind("limit", limit)
        .map((rs, ctx) -> new Labeled(rs.getString(1), (Double) rs.getObject(2, Double.class),
            rs.getString(3)))
        .list());
  }

  @Override
  public Map<String, Long> predictedClasses(String orgId, String deployment, Instant from) {
    return jdbi.withHandle(h -> h.createQuery("SELECT predicted_class, COUNT(*) AS n"
            + " FROM prediction WHERE org_id = :org AND deployment = :d AND predicted_at >= :from"
            + " AND predicted_class IS NOT NULL GROUP BY predicted_class"
            + " ORDER BY n DESC, predicted_class")
        .bind("org", orgId).bind("d", deployment).bind("from", time(from))
        .reduceRows(new LinkedHashMap<String, Long>(), (map, row) -> {
          map.put(row.getColumn("predicted_class", String.class),
              row.getColumn("n", Long.class));
          return map;
        }));
  }

  @Override
  public Optional<String> latestModelVersion(String orgId, String deployment, Instant from) {
    return jdbi.withHandle(h -> h.createQuery("SELECT model_version_id FROM prediction"
            + " WHERE org_id = :org AND deployment = :d AND predicted_at >= :from"
            + " ORDER BY predicted_at DESC LIMIT 1")
        .bind("org", orgId).bind("d", deployment).bind("from", time(from))
        .mapTo(String.class).findOne());
  }

  @Override
  public List<Kept> kept(String orgId, String deployment, Instant from, int limit) {
    return jdbi.withHandle(h -> h.createQuery("SELECT blob_key, blob_line FROM prediction"
            + " WHERE org_id = :org AND deployment = :d AND predicted_at >= :from"
            + " AND blob_key IS NOT NULL ORDER BY predicted_at DESC LIMIT :limit")
        .bind("org", orgId).bind("d", deployment).bind("from", time(from))
        .bind("limit", limit)
        .map((rs, ctx) -> new Kept(rs.getString(1), rs.getInt(2))).list());
  }

  @Override
  public int deleteOld(Handle tx, String orgId, Instant before, int keep) {
    List<String> deployments = tx.createQuery("SELECT DISTINCT deployment FROM prediction"
        + " WHERE org_id = :org").bind("org", orgId).mapTo(String.class).list();
    int deleted = 0;
    for (String d : deployments) {
      Instant cut = before;
      Optional<OffsetDateTime> kth = tx.createQuery("SELECT predicted_at FROM prediction"
              + " WHERE org_id = :org AND deployment = :d ORDER BY predicted_at DESC"
              + " LIMIT 1 OFFSET :keep")
          .bind("org", orgId).bind("d", d).bind("keep", keep)
          .mapTo(OffsetDateTime.class).findOne();
      if (kth.isPresent() && kth.get().toInstant().plusNanos(1000).isAfter(cut)) {
        cut = kth.get().toInstant().plusNanos(1000); // the keep-th newest and older go
      }
      tx.createUpdate("DELETE FROM prediction_feedback WHERE org_id = :org AND deployment = :d"
              + " AND (prediction_id, sample) IN (SELECT id, sample FROM prediction"
              + " WHERE org_id = :org AND deployment = :d AND predicted_at < :cut)")
          .bind("org", orgId).bind("d", d).bind("cut", time(cut)).execute();
      deleted += tx.createUpdate("DELETE FROM prediction WHERE org_id = :org AND deployment = :d"
              + " AND predicted_at < :cut")
          .bind("org", orgId).bind("d", d).bind("cut", time(cut)).execute();
    }
    return deleted;
  }

  @Override
  public boolean blobReferenced(String orgId, String blobKey) {
    return jdbi.withHandle(h -> h.createQuery("SELECT COUNT(*) FROM prediction"
            + " WHERE org_id = :org AND blob_key = :key")
        .bind("org", orgId).bind("key", blobKey).mapTo(Integer.class).one() > 0);
  }

  @Override
  public List<String> organizations() {
    return jdbi.withHandle(h -> h.createQuery("SELECT DISTINCT org_id FROM prediction")
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
