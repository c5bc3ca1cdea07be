package ai.lepton.server.jobs;

import ai.lepton.server.db.Database;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.mapper.RowMapper;
import org.jdbi.v3.core.statement.PreparedBatch;

/** {@link JobStore} in SQL that runs on H2 and PostgreSQL alike. */
final class JdbiJobStore implements JobStore {
  private static final RowMapper<JobRow> JOB = (rs, ctx) -> new JobRow(rs.getString("id"),
      rs.getString("org_id"), rs.getString("kind"), State.of(rs.getString("state")),
      rs.getString("spec_json"), rs.getString("created_by"), instant(rs, "created_at"),
      instant(rs, "started_at"), instant(rs, "finished_at"), rs.getString("lease_owner"),
      instant(rs, "lease_expires_at"), rs.getInt("attempts"), rs.getBoolean("cancel_requested"),
      rs.getString("checkpoint_key"), (Integer) rs.getObject("checkpoint_epoch", Integer.class),
      rs.getString("error"), rs.getString("parent_id"), rs.getString("run_id"));
  private static final RowMapper<RunRow> RUN = (rs, ctx) -> new RunRow(rs.getString("id"),
      rs.getString("org_id"), rs.getString("job_id"), rs.getString("parameters_json"),
      rs.getString("dataset_version_id"), rs.getString("base_version_id"),
      rs.getString("model_config_json"), rs.getString("environment_json"),
      rs.getString("metrics_json"), rs.getString("evaluation_json"), rs.getString("artifact_key"),
      rs.getString("model_version_id"), instant(rs, "created_at"), instant(rs, "finished_at"));
  /** What a held job's transitions match: the job, running, leased to the caller. */
  private static final String HELD =
      " WHERE org_id = :org AND id = :id AND state = 'running' AND lease_owner = :owner";

  private final Jdbi jdbi;

  JdbiJobStore(Database database) {
    this.jdbi = database.jdbi();
  }

  private static OffsetDateTime time(Instant t) {
    return t == null ? null : t.atOffset(ZoneOffset.UTC);
  }

  private static Instant instant(java.sql.ResultSet rs, String column)
      throws java.sql.SQLException {
    OffsetDateTime t = rs.getObject(column, OffsetDateTime.class);
    return t == null ? null : t.toInstant();
  }

  @Override
  public void submit(Handle tx, JobRow row) {
    tx.createUpdate("INSERT INTO jobs (id, org_id, kind, state, spec_json, created_by, created_at,"
            + " attempts, cancel_requested, parent_id) VALUES (:id, :org, :kind, 'queued', :spec,"
            + " :by, :at, 0, FALSE, :parent)")
        .bind("id", row.id()).bind("org", row.orgId()).bind("kind", row.kind())
        .bind("spec", row.specJson()).bind("by", row.createdBy())
        .bind("at", time(row.createdAt())).bind("parent", row.parentId())
        .execute();
  }

  @Override
  public Optional<JobRow> job(String orgId, String jobId) {
    return jdbi.withHandle(h -> h.createQuery("SELECT * FROM jobs WHERE org_id = :org AND id = :id")
        .bind("org", orgId).bind("id", jobId).map(JOB).findOne());
  }

  @Override
  public List<JobRow> jobs(String orgId, int offset, int limit) {
    return jdbi.withHandle(h -> h.createQuery("SELECT * FROM jobs WHERE org_id = :org"
            + " ORDER BY created_at DESC, id DESC LIMIT :limit OFFSET :offset")
        .bind("org", orgId).bind("limit", limit).bind("offset", offset).map(JOB).list());
  }

  @Override
  public Optional<JobRow> claim(String owner, Instant now, Duration lease, int maxAttempts) {
    return jdbi.inTransaction(tx -> {
      while (true) {
        // one query takes the candidate and locks it; a row another claimer locked is skipped
        // a search (kind tune) is claimed only once none of its trials is queued or running
        Optional<JobRow> found = tx.createQuery("SELECT * FROM jobs j WHERE (j.state = 'queued'"
                + " OR (j.state = 'running' AND j.lease_expires_at < :now)"
                + " OR (j.kind = 'tune' AND j.state = 'running' AND j.lease_owner IS NULL))"
                + " AND (j.kind = 'train' OR NOT EXISTS (SELECT 1 FROM jobs c WHERE"
                + " c.parent_id = j.id AND c.state IN ('queued', 'running')))"
                + " ORDER BY j.created_at, j.id LIMIT 1 FOR UPDATE SKIP LOCKED")
            .bind("now", time(now)).map(JOB).findOne();
        if (found.isEmpty()) {
          return Optional.<JobRow>empty();
        }
        JobRow job = found.get();
        if (job.attempts() >= maxAttempts) {
          tx.createUpdate("UPDATE jobs SET state = 'failed', finished_at = :now, lease_owner ="
                  + " NULL, lease_expires_at = NULL, error = :error WHERE id = :id")
              .bind("now", time(now)).bind("id", job.id())
              .bind("error", "the job's worker stopped before finishing " + job.attempts()
                  + " times (its lease expired each time), so it is not tried again; the last"
                  + " attempt was leased to " + job.leaseOwner() + ". Check that worker's log"
                  + " (out of memory? killed?), then submit the job again")
              .execute();
          continue;
        }
        if (job.parentId() != null) { // a trial starts: its search runs
          tx.createUpdate("UPDATE jobs SET state = 'running', started_at = COALESCE(started_at,"
                  + " :now) WHERE id = :parent AND state = 'queued'")
              .bind("now", time(now)).bind("parent", job.parentId()).execute();
        }
        Instant expires = now.plus(lease);
        tx.createUpdate("UPDATE jobs SET state = 'running', lease_owner = :owner,"
                + " lease_expires_at = :expires, attempts = attempts + 1,"
                + " started_at = COALESCE(started_at, :now) WHERE id = :id")
            .bind("owner", owner).bind("expires", time(expires)).bind("now", time(now))
            .bind("id", job.id()).execute();
        return Optional.of(new JobRow(job.id(), job.orgId(), job.kind(), State.RUNNING,
            job.specJson(), job.createdBy(), job.createdAt(),
            job.startedAt() == null ? now : job.startedAt(), null, owner, expires,
            job.attempts() + 1, job.cancelRequested(), job.checkpointKey(),
            job.checkpointEpoch(), job.error(), job.parentId(), job.runId()));
      }
    });
  }

  @Override
  public Heartbeat heartbeat(String orgId, String jobId, String owner, Instant now,
      Duration lease) {
    return jdbi.inTransaction(tx -> {
      int held = tx.createUpdate("UPDATE jobs SET lease_expires_at = :expires" + HELD)
          .bind("expires", time(now.plus(lease))).bind("org", orgId).bind("id", jobId)
          .bind("owner", owner).execute();
      if (held == 0) {
        return Heartbeat.LOST;
      }
      boolean cancel = tx.createQuery("SELECT cancel_requested FROM jobs WHERE id = :id")
          .bind("id", jobId).mapTo(Boolean.class).one();
      return cancel ? Heartbeat.CANCEL_REQUESTED : Heartbeat.HELD;
    });
  }

  @Override
  public boolean checkpoint(String orgId, String jobId, String owner, String key, int epochs) {
    return jdbi.withHandle(h -> h.createUpdate("UPDATE jobs SET checkpoint_key = :key,"
            + " checkpoint_epoch = :epochs" + HELD)
        .bind("key", key).bind("epochs", epochs).bind("org", orgId).bind("id", jobId)
        .bind("owner", owner).execute()) == 1;
  }

  @Override
  public boolean succeed(Handle tx, String orgId, String jobId, String owner, Instant now) {
    return end(tx, orgId, jobId, owner, now, State.SUCCEEDED, null);
  }

  @Override
  public List<JobRow> trials(String orgId, String parentId) {
    return jdbi.withHandle(h -> h.createQuery("SELECT * FROM jobs WHERE org_id = :org AND"
            + " parent_id = :parent ORDER BY created_at, id")
        .bind("org", orgId).bind("parent", parentId).map(JOB).list());
  }

  @Override
  public boolean succeedSearch(Handle tx, String orgId, String jobId, String owner,
      String bestRunId, String modelVersionId, Instant now) {
    if (modelVersionId != null) {
      tx.createUpdate("UPDATE runs SET model_version_id = :version WHERE org_id = :org AND"
              + " id = :run")
          .bind("version", modelVersionId).bind("org", orgId).bind("run", bestRunId).execute();
    }
    return tx.createUpdate("UPDATE jobs SET state = 'succeeded', finished_at = :now, run_id ="
            + " :run, lease_owner = NULL, lease_expires_at = NULL" + HELD)
        .bind("now", time(now)).bind("run", bestRunId).bind("org", orgId).bind("id", jobId)
        .bind("owner", owner).execute() == 1;
  }

  @Override
  public boolean fail(String orgId, String jobId, String owner, Instant now, String error) {
    return jdbi.inTransaction(tx -> end(tx, orgId, jobId, owner, now, State.FAILED, error));
  }

  @Override
  public boolean cancelled(String orgId, String jobId, String owner, Instant now) {
    return jdbi.inTransaction(tx -> end(tx, orgId, jobId, owner, now, State.CANCELLED, null));
  }

  private static boolean end(Handle tx, String orgId, String jobId, String owner, Instant now,
      State state, String error) {
    return tx.createUpdate("UPDATE jobs SET state = :state, finished_at = :now, error = :error,"
            + " lease_owner = NULL, lease_expires_at = NULL" + HELD)
        .bind("state", state.sql()).bind("now", time(now)).bind("error", error)
        .bind("org", orgId).bind("id", jobId).bind("owner", owner).execute() == 1;
  }

  @Override
  public Optional<State> requestCancel(Handle tx, String orgId, String jobId, Instant now) {
    Optional<State> state = tx.createQuery("SELECT state FROM jobs WHERE org_id = :org AND"
            + " id = :id FOR UPDATE")
        .bind("org", orgId).bind("id", jobId).mapTo(String.class).findOne().map(State::of);
    if (state.isPresent() && state.get() == State.QUEUED) {
      tx.createUpdate("UPDATE jobs SET state = 'cancelled', cancel_requested = TRUE,"
              + " finished_at = :now WHERE id = :id")
          .bind("now", time(now)).bind("id", jobId).execute();
    } else if (state.isPresent() && state.get() == State.RUNNING) {
      tx.createUpdate("UPDATE jobs SET cancel_requested = TRUE WHERE id = :id")
          .bind("id", jobId).execute();
    }
    return state;
  }

  @Override
  public boolean startRun(String owner, RunRow run) {
    return jdbi.inTransaction(tx -> {
      int held = tx.createUpdate("UPDATE jobs SET run_id = :run" + HELD + " AND run_id IS NULL")
          .bind("run", run.id()).bind("org", run.orgId()).bind("id", run.jobId())
          .bind("owner", owner).execute();
      if (held == 0) {
        return false;
      }
      tx.createUpdate("INSERT INTO runs (id, org_id, job_id, parameters_json, dataset_version_id,"
              + " base_version_id, model_config_json, environment_json, created_at) VALUES (:id,"
              + " :org, :job, :params, :dataset, :base, :config, :env, :at)")
          .bind("id", run.id()).bind("org", run.orgId()).bind("job", run.jobId())
          .bind("params", run.parametersJson()).bind("dataset", run.datasetVersionId())
          .bind("base", run.baseVersionId())
          .bind("config", run.modelConfigJson()).bind("env", run.environmentJson())
          .bind("at", time(run.createdAt())).execute();
      return true;
    });
  }

  @Override
  public Optional<RunRow> run(String orgId, String runId) {
    return jdbi.withHandle(h -> h.createQuery("SELECT * FROM runs WHERE org_id = :org AND id = :id")
        .bind("org", orgId).bind("id", runId).map(RUN).findOne());
  }

  @Override
  public List<RunRow> runs(String orgId, int offset, int limit) {
    return jdbi.withHandle(h -> h.createQuery("SELECT * FROM runs WHERE org_id = :org"
            + " ORDER BY created_at DESC, id DESC LIMIT :limit OFFSET :offset")
        .bind("org", orgId).bind("limit", limit).bind("offset", offset).map(RUN).list());
  }

  @Override
  public void addMetrics(String orgId, String runId, List<MetricRow> points) {
    if (points.isEmpty()) {
      return;
    }
    jdbi.useTransaction(tx -> {
      PreparedBatch batch = tx.prepareBatch("INSERT INTO run_metrics (org_id, run_id, kind,"
          + " epoch, step, name, metric, recorded_at) VALUES (:org, :run, :kind, :epoch, :step,"
          + " :name, :value, :at)");
      for (MetricRow p : points) {
        batch.bind("org", orgId).bind("run", runId).bind("kind", p.kind())
            .bind("epoch", p.epoch()).bind("step", p.step())
            .bind("name", p.name()).bind("value", p.value()).bind("at", time(p.at())).add();
      }
      batch.execute();
    });
  }

  @Override
  public List<MetricRow> metrics(String orgId, String runId) {
    return jdbi.withHandle(h -> h.createQuery("SELECT * FROM run_metrics WHERE org_id = :org"
            + " AND run_id = :run ORDER BY id")
        .bind("org", orgId).bind("run", runId)
        .map((rs, ctx) -> new MetricRow(rs.getString("kind"), rs.getInt("epoch"),
            rs.getLong("step"),
            rs.getString("name"), rs.getDouble("metric"), instant(rs, "recorded_at")))
        .list());
  }

  @Override
  public void finishRun(Handle tx, String orgId, String runId, String metricsJson,
      String evaluationJson, String artifactKey, String modelVersionId, Instant now) {
    tx.createUpdate("UPDATE runs SET metrics_json = :metrics, evaluation_json = :evaluation,"
            + " artifact_key = :artifact, model_version_id = :version, finished_at = :now"
            + " WHERE org_id = :org AND id = :id")
        .bind("metrics", metricsJson).bind("evaluation", evaluationJson)
        .bind("artifact", artifactKey)
        .bind("version", modelVersionId).bind("now", time(now)).bind("org", orgId)
        .bind("id", runId).execute();
  }
}
