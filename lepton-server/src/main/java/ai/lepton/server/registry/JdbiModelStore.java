package ai.lepton.server.registry;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.mapper.RowMapper;

/** {@link ModelStore} in SQL that runs on H2 and PostgreSQL alike. */
final class JdbiModelStore implements ModelStore {
  private static final RowMapper<ModelRow> MODEL = (rs, ctx) -> new ModelRow(
      rs.getString("id"), rs.getString("org_id"), rs.getString("name"),
      rs.getString("description"), rs.getString("created_by"),
      rs.getObject("created_at", OffsetDateTime.class).toInstant());
  private static final RowMapper<VersionRow> VERSION = (rs, ctx) -> new VersionRow(
      rs.getString("id"), rs.getString("org_id"), rs.getString("model_id"), rs.getInt("number"),
      rs.getString("format"), rs.getString("blob_key"), rs.getLong("size_bytes"),
      rs.getString("sha256"), rs.getString("signature_json"),
      rs.getBoolean("has_preprocessing"), rs.getString("metrics_json"),
      rs.getString("evaluation_json"), rs.getString("source"), rs.getString("run_id"),
      rs.getString("job_id"), rs.getString("dataset_version_id"),
      rs.getString("parameters_json"), rs.getString("parent_version_id"),
      rs.getString("created_by"), rs.getObject("created_at", OffsetDateTime.class).toInstant(),
      instant(rs.getObject("deleted_at", OffsetDateTime.class)), rs.getString("deleted_by"));

  private final Jdbi jdbi;

  JdbiModelStore(Jdbi jdbi) {
    this.jdbi = jdbi;
  }

  private static OffsetDateTime time(Instant t) {
    return t.atOffset(ZoneOffset.UTC);
  }

  private static Instant instant(OffsetDateTime t) {
    return t == null ? null : t.toInstant();
  }

  @Override
  public void insertModel(Handle tx, ModelRow row) {
    tx.createUpdate("INSERT INTO registered_model (id, org_id, name, description, created_by,"
            + " created_at) VALUES (:id, :org, :name, :description, :by, :at)")
        .bind("id", row.id()).bind("org", row.orgId()).bind("name", row.name())
        .bind("description", row.description()).bind("by", row.createdBy())
        .bind("at", time(row.createdAt()))
        .execute();
  }

  @Override
  public Optional<ModelRow> modelByName(String orgId, String name) {
    return jdbi.withHandle(h -> h.createQuery(
            "SELECT * FROM registered_model WHERE org_id = :org AND name = :name")
        .bind("org", orgId).bind("name", name).map(MODEL).findOne());
  }

  @Override
  public List<ModelRow> models(String orgId) {
    return jdbi.withHandle(h -> h.createQuery(
            "SELECT * FROM registered_model WHERE org_id = :org ORDER BY name")
        .bind("org", orgId).map(MODEL).list());
  }

  @Override
  public Map<String, Integer> latestVersions(String orgId) {
    return jdbi.withHandle(h -> h.createQuery("SELECT model_id, MAX(number) AS latest"
            + " FROM model_version WHERE org_id = :org AND deleted_at IS NULL"
            + " GROUP BY model_id")
        .bind("org", orgId)
        .reduceRows(new HashMap<String, Integer>(), (map, row) -> {
          map.put(row.getColumn("model_id", String.class),
              row.getColumn("latest", Integer.class));
          return map;
        }));
  }

  @Override
  public boolean lockModel(Handle tx, String orgId, String modelId) {
    return tx.createQuery(
            "SELECT id FROM registered_model WHERE org_id = :org AND id = :id FOR UPDATE")
        .bind("org", orgId).bind("id", modelId).mapTo(String.class).findOne().isPresent();
  }

  @Override
  public int nextVersionNumber(Handle tx, String orgId, String modelId) {
    return tx.createQuery("SELECT COALESCE(MAX(number), 0) + 1 FROM model_version"
            + " WHERE org_id = :org AND model_id = :id")
        .bind("org", orgId).bind("id", modelId).mapTo(Integer.class).one();
  }

  @Override
  public void insertVersion(Handle tx, VersionRow row) {
    tx.createUpdate("INSERT INTO model_version (id, org_id, model_id, number, format, blob_key,"
            + " size_bytes, sha256, signature_json, has_preprocessing, metrics_json,"
            + " evaluation_json, source, run_id, job_id, dataset_version_id, parameters_json,"
            + " parent_version_id, created_by, created_at) VALUES (:id, :org, :model, :number,"
            + " :format, :blob, :size, :sha, :signature, :pre, :metrics, :evaluation, :source,"
            + " :run, :job, :dataset, :parameters, :parent, :by, :at)")
        .bind("id", row.id()).bind("org", row.orgId()).bind("model", row.modelId())
        .bind("number", row.number()).bind("format", row.format())
        .bind("blob", row.blobKey()).bind("size", row.sizeBytes()).bind("sha", row.sha256())
        .bind("signature", row.signatureJson()).bind("pre", row.hasPreprocessing())
        .bind("metrics", row.metricsJson()).bind("evaluation", row.evaluationJson())
        .bind("source", row.source()).bind("run", row.runId()).bind("job", row.jobId())
        .bind("dataset", row.datasetVersionId()).bind("parameters", row.parametersJson())
        .bind("parent", row.parentVersionId()).bind("by", row.createdBy())
        .bind("at", time(row.createdAt()))
        .execute();
  }

  @Override
  public Optional<VersionRow> version(String orgId, String versionId) {
    return jdbi.withHandle(h -> h.createQuery(
            "SELECT * FROM model_version WHERE org_id = :org AND id = :id")
        .bind("org", orgId).bind("id", versionId).map(VERSION).findOne());
  }

  @Override
  public Optional<VersionRow> version(String orgId, String modelId, int number) {
    return jdbi.withHandle(h -> h.createQuery("SELECT * FROM model_version"
            + " WHERE org_id = :org AND model_id = :id AND number = :number")
        .bind("org", orgId).bind("id", modelId).bind("number", number).map(VERSION)
        .findOne());
  }

  @Override
  public List<VersionRow> versions(String orgId, String modelId) {
    return jdbi.withHandle(h -> h.createQuery("SELECT * FROM model_version"
            + " WHERE org_id = :org AND model_id = :id ORDER BY number")
        .bind("org", orgId).bind("id", modelId).map(VERSION).list());
  }

  @Override
  public Map<String, Integer> aliases(String orgId, String modelId) {
    return jdbi.withHandle(h -> h.createQuery("SELECT a.alias, v.number FROM model_alias a"
            + " JOIN model_version v ON v.id = a.version_id"
            + " WHERE a.org_id = :org AND a.model_id = :id ORDER BY a.alias")
        .bind("org", orgId).bind("id", modelId)
        .reduceRows(new LinkedHashMap<String, Integer>(), (map, row) -> {
          map.put(row.getColumn("alias", String.class), row.getColumn("number", Integer.class));
          return map;
        }));
  }

  @Override
  public void setAlias(Handle tx, String orgId, String modelId, String alias, String versionId,
      String by, Instant at) {
    tx.createUpdate("MERGE INTO model_alias t USING (SELECT CAST(:model AS VARCHAR(40)) AS"
            + " model_id, CAST(:alias AS VARCHAR(100)) AS alias) s"
            + " ON t.model_id = s.model_id AND t.alias = s.alias"
            + " WHEN MATCHED THEN UPDATE SET version_id = :version, updated_by = :by,"
            + " updated_at = :at"
            + " WHEN NOT MATCHED THEN INSERT (org_id, model_id, alias, version_id, updated_by,"
            + " updated_at) VALUES (:org, :model, :alias, :version, :by, :at)")
        .bind("org", orgId).bind("model", modelId).bind("alias", alias)
        .bind("version", versionId).bind("by", by).bind("at", time(at))
        .execute();
  }

  @Override
  public boolean deleteAlias(Handle tx, String orgId, String modelId, String alias) {
    return tx.createUpdate("DELETE FROM model_alias WHERE org_id = :org AND model_id = :model"
            + " AND alias = :alias")
        .bind("org", orgId).bind("model", modelId).bind("alias", alias).execute() == 1;
  }

  @Override
  public Map<String, String> tags(String orgId, String versionId) {
    return jdbi.withHandle(h -> h.createQuery("SELECT tag_key, tag_value FROM model_tag"
            + " WHERE org_id = :org AND version_id = :id ORDER BY tag_key")
        .bind("org", orgId).bind("id", versionId)
        .reduceRows(new LinkedHashMap<String, String>(), (map, row) -> {
          map.put(row.getColumn("tag_key", String.class),
              row.getColumn("tag_value", String.class));
          return map;
        }));
  }

  @Override
  public void setTag(Handle tx, String orgId, String versionId, String key, String value) {
    tx.createUpdate("MERGE INTO model_tag t USING (SELECT CAST(:version AS VARCHAR(40)) AS"
            + " version_id, CAST(:key AS VARCHAR(100)) AS tag_key) s"
            + " ON t.version_id = s.version_id AND t.tag_key = s.tag_key"
            + " WHEN MATCHED THEN UPDATE SET tag_value = :value"
            + " WHEN NOT MATCHED THEN INSERT (org_id, version_id, tag_key, tag_value)"
            + " VALUES (:org, :version, :key, :value)")
        .bind("org", orgId).bind("version", versionId).bind("key", key).bind("value", value)
        .execute();
  }

  @Override
  public boolean deleteTag(Handle tx, String orgId, String versionId, String key) {
    return tx.createUpdate("DELETE FROM model_tag WHERE org_id = :org AND version_id = :version"
            + " AND tag_key = :key")
        .bind("org", orgId).bind("version", versionId).bind("key", key).execute() == 1;
  }

  @Override
  public boolean deleteVersion(Handle tx, String orgId, String versionId, String deletedBy,
      Instant deletedAt) {
    boolean deleted = tx.createUpdate("UPDATE model_version SET deleted_at = :at,"
            + " deleted_by = :by WHERE org_id = :org AND id = :id AND deleted_at IS NULL")
        .bind("org", orgId).bind("id", versionId).bind("by", deletedBy)
        .bind("at", time(deletedAt))
        .execute() == 1;
    if (deleted) {
      for (String table : new String[] {"model_alias", "model_tag"}) {
        tx.createUpdate("DELETE FROM " + table + " WHERE org_id = :org AND version_id = :id")
            .bind("org", orgId).bind("id", versionId).execute();
      }
    }
    return deleted;
  }

  @Override
  public void deleteModel(Handle tx, String orgId, String modelId) {
    // tags and aliases first, then the versions (parents unlinked: a parent may be in the same
    // model), then the model
    for (String sql : new String[] {
        "DELETE FROM model_tag WHERE org_id = :org AND version_id IN"
            + " (SELECT id FROM model_version WHERE org_id = :org AND model_id = :id)",
        "DELETE FROM model_alias WHERE org_id = :org AND model_id = :id",
        "UPDATE model_version SET parent_version_id = NULL WHERE org_id = :org AND"
            + " parent_version_id IN (SELECT id FROM model_version WHERE org_id = :org AND"
            + " model_id = :id)",
        "DELETE FROM model_version WHERE org_id = :org AND model_id = :id",
        "DELETE FROM registered_model WHERE org_id = :org AND id = :id"}) {
      tx.createUpdate(sql).bind("org", orgId).bind("id", modelId).execute();
    }
  }

  @Override
  public boolean blobReferenced(String orgId, String blobKey) {
    return jdbi.withHandle(h -> h.createQuery("SELECT COUNT(*) FROM model_version"
            + " WHERE org_id = :org AND blob_key = :key AND deleted_at IS NULL")
        .bind("org", orgId).bind("key", blobKey).mapTo(Integer.class).one()) > 0;
  }
}
