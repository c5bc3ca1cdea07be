package ai.lepton.server.serving;

import ai.lepton.api.DeploymentLimits;
import ai.lepton.api.DeploymentToken;
import ai.lepton.api.DeploymentVersion;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.mapper.RowMapper;

/**
 * The {@code deployment} table (V10, its limits V12), in SQL that runs on H2 and PostgreSQL alike. Every query
 * filters by organization, except {@link #all} (the server's start). Writes take the caller's
 * transaction, so a change and its audit event commit together.
 */
final class DeploymentStore {
  /**
   * A deployment's row; {@code canaryVersionId} null without a canary; {@code limits} its own,
   * each null for the server's.
   */
  record Row(String id, String orgId, String name, String primaryVersionId,
      String canaryVersionId, int canaryPercent, int maxBatchSize, long maxDelayMicros,
      String createdBy, Instant createdAt, Instant updatedAt, DeploymentLimits limits) {}

  private static final RowMapper<Row> ROW = (rs, ctx) -> new Row(rs.getString("id"),
      rs.getString("org_id"), rs.getString("name"), rs.getString("primary_version_id"),
      rs.getString("canary_version_id"), rs.getInt("canary_percent"),
      rs.getInt("max_batch_size"), rs.getLong("max_delay_micros"), rs.getString("created_by"),
      rs.getObject("created_at", OffsetDateTime.class).toInstant(),
      rs.getObject("updated_at", OffsetDateTime.class).toInstant(),
      new DeploymentLimits(rs.getObject("requests_per_second", Double.class),
          rs.getObject("burst", Integer.class), rs.getObject("max_request_bytes", Long.class),
          rs.getObject("max_request_samples", Integer.class)));

  private final Jdbi jdbi;

  DeploymentStore(Jdbi jdbi) {
    this.jdbi = jdbi;
  }

  void insert(Handle tx, Row r) {
    tx.createUpdate("INSERT INTO deployment (id, org_id, name, primary_version_id, "
            + "canary_version_id, canary_percent, max_batch_size, max_delay_micros, created_by, "
            + "created_at, updated_at, requests_per_second, burst, max_request_bytes, "
            + "max_request_samples) VALUES (:id, :org, :name, :primary, :canary, :percent, "
            + ":batch, :delay, :by, :created, :updated, :rate, :burst, :bytes, :samples)")
        .bind("id", r.id()).bind("org", r.orgId()).bind("name", r.name())
        .bind("primary", r.primaryVersionId()).bind("canary", r.canaryVersionId())
        .bind("percent", r.canaryPercent()).bind("batch", r.maxBatchSize())
        .bind("delay", r.maxDelayMicros()).bind("by", r.createdBy())
        .bind("created", time(r.createdAt())).bind("updated", time(r.updatedAt()))
        .bindByType("rate", r.limits().requestsPerSecond(), Double.class)
        .bindByType("burst", r.limits().burst(), Integer.class)
        .bindByType("bytes", r.limits().maxRequestBytes(), Long.class)
        .bindByType("samples", r.limits().maxRequestSamples(), Integer.class)
        .execute();
  }

  /** Sets the row's versions, split and limits; false when it is gone (deleted meanwhile). */
  boolean route(Handle tx, Row r) {
    return tx.createUpdate("UPDATE deployment SET primary_version_id = :primary, "
            + "canary_version_id = :canary, canary_percent = :percent, updated_at = :updated, "
            + "requests_per_second = :rate, burst = :burst, max_request_bytes = :bytes, "
            + "max_request_samples = :samples WHERE org_id = :org AND id = :id")
        .bind("primary", r.primaryVersionId()).bind("canary", r.canaryVersionId())
        .bind("percent", r.canaryPercent()).bind("updated", time(r.updatedAt()))
        .bindByType("rate", r.limits().requestsPerSecond(), Double.class)
        .bindByType("burst", r.limits().burst(), Integer.class)
        .bindByType("bytes", r.limits().maxRequestBytes(), Long.class)
        .bindByType("samples", r.limits().maxRequestSamples(), Integer.class)
        .bind("org", r.orgId()).bind("id", r.id())
        .execute() == 1;
  }

  boolean delete(Handle tx, String orgId, String id) {
    return tx.createUpdate("DELETE FROM deployment WHERE org_id = :org AND id = :id")
        .bind("org", orgId).bind("id", id).execute() == 1;
  }

  Optional<Row> byName(String orgId, String name) {
    return jdbi.withHandle(h -> h.createQuery(
            "SELECT * FROM deployment WHERE org_id = :org AND name = :name")
        .bind("org", orgId).bind("name", name).map(ROW).findOne());
  }

  /** The organization's deployments by name. */
  List<Row> list(String orgId) {
    return jdbi.withHandle(h -> h.createQuery(
            "SELECT * FROM deployment WHERE org_id = :org ORDER BY name")
        .bind("org", orgId).map(ROW).list());
  }

  /** Every organization's deployments, to serve them again when the server starts. */
  List<Row> all() {
    return jdbi.withHandle(h -> h.createQuery("SELECT * FROM deployment ORDER BY org_id, name")
        .map(ROW).list());
  }

  /** The deployments that serve the organization's version {@code versionId}, by name. */
  List<Row> serving(String orgId, String versionId) {
    return jdbi.withHandle(h -> h.createQuery("SELECT * FROM deployment WHERE org_id = :org "
            + "AND (primary_version_id = :v OR canary_version_id = :v) ORDER BY name")
        .bind("org", orgId).bind("v", versionId).map(ROW).list());
  }

  /** The organization's version {@code versionId} by model name and number, deleted or not. */
  Optional<DeploymentVersion> version(String orgId, String versionId) {
    return jdbi.withHandle(h -> h.createQuery("SELECT v.id, m.name, v.number FROM model_version v"
            + " JOIN registered_model m ON m.id = v.model_id WHERE v.org_id = :org AND v.id = :id")
        .bind("org", orgId).bind("id", versionId)
        .map((rs, ctx) -> new DeploymentVersion(rs.getString(1), rs.getString(2), rs.getInt(3)))
        .findOne());
  }

  /** The version's file format, {@code lepton} or {@code onnx}. */
  String format(String orgId, String versionId) {
    return jdbi.withHandle(h -> h.createQuery("SELECT format FROM model_version WHERE org_id ="
            + " :org AND id = :id").bind("org", orgId).bind("id", versionId)
        .mapTo(String.class).findOne()).orElseThrow(() -> new IllegalStateException(
            "model version " + versionId + " of organization " + orgId + " is gone"));
  }

  /**
   * Locks the version's model row until {@code tx} ends (as the registry does before it deletes
   * a version) and says whether the version is still there, not deleted: a version checked so
   * cannot be deleted between the check and the commit of the deployment that serves it.
   */
  boolean lockLiveVersion(Handle tx, String orgId, String versionId) {
    Optional<String> model = tx.createQuery("SELECT model_id FROM model_version WHERE "
            + "org_id = :org AND id = :id").bind("org", orgId).bind("id", versionId)
        .mapTo(String.class).findOne();
    if (model.isEmpty() || tx.createQuery("SELECT id FROM registered_model WHERE org_id = :org "
            + "AND id = :id FOR UPDATE").bind("org", orgId).bind("id", model.get())
        .mapTo(String.class).findOne().isEmpty()) {
      return false;
    }
    return tx.createQuery("SELECT COUNT(*) FROM model_version WHERE org_id = :org AND id = :id "
            + "AND deleted_at IS NULL").bind("org", orgId).bind("id", versionId)
        .mapTo(Integer.class).one() == 1;
  }

  // ---------------------------------------------------------------- tokens

  private static final RowMapper<DeploymentToken> TOKEN = (rs, ctx) -> new DeploymentToken(
      rs.getString("id"), rs.getString("deployment_id"), rs.getString("name"),
      rs.getString("created_by"), rs.getObject("created_at", OffsetDateTime.class).toInstant(),
      instant(rs.getObject("revoked_at", OffsetDateTime.class)));

  void insertToken(Handle tx, String orgId, DeploymentToken t, String hash) {
    tx.createUpdate("INSERT INTO deployment_token (id, org_id, deployment_id, name, token_hash,"
            + " created_by, created_at) VALUES (:id, :org, :dep, :name, :hash, :by, :at)")
        .bind("id", t.id()).bind("org", orgId).bind("dep", t.deploymentId())
        .bind("name", t.name()).bind("hash", hash).bind("by", t.createdBy())
        .bind("at", time(t.createdAt())).execute();
  }

  /** The deployment's tokens, oldest first. */
  List<DeploymentToken> tokens(String orgId, String deploymentId) {
    return jdbi.withHandle(h -> h.createQuery("SELECT * FROM deployment_token WHERE org_id = "
            + ":org AND deployment_id = :dep ORDER BY created_at, id")
        .bind("org", orgId).bind("dep", deploymentId).map(TOKEN).list());
  }

  /** Revokes the token; false when the deployment has no such token that works. */
  boolean revokeToken(Handle tx, String orgId, String deploymentId, String id, Instant at) {
    return tx.createUpdate("UPDATE deployment_token SET revoked_at = :at WHERE org_id = :org "
            + "AND deployment_id = :dep AND id = :id AND revoked_at IS NULL")
        .bind("at", time(at)).bind("org", orgId).bind("dep", deploymentId).bind("id", id)
        .execute() == 1;
  }

  void deleteTokens(Handle tx, String orgId, String deploymentId) {
    tx.createUpdate("DELETE FROM deployment_token WHERE org_id = :org AND deployment_id = :dep")
        .bind("org", orgId).bind("dep", deploymentId).execute();
  }

  /** The organization and deployment name a working token with {@code hash} reaches. */
  Optional<String[]> tokenTarget(String hash) {
    return jdbi.withHandle(h -> h.createQuery("SELECT d.org_id, d.name FROM deployment_token t "
            + "JOIN deployment d ON d.id = t.deployment_id WHERE t.token_hash = :hash "
            + "AND t.revoked_at IS NULL")
        .bind("hash", hash).map((rs, ctx) -> new String[] {rs.getString(1), rs.getString(2)})
        .findOne());
  }

  private static Instant instant(OffsetDateTime t) {
    return t == null ? null : t.toInstant();
  }

  private static OffsetDateTime time(Instant t) {
    return t.atOffset(ZoneOffset.UTC);
  }
}
