package ai.lepton.server.datasets;

import ai.lepton.server.db.Database;
import ai.lepton.server.db.ReadCache;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.mapper.RowMapper;

/**
 * {@link DatasetStore} in SQL that runs on H2 and PostgreSQL alike. Dataset rows and what a
 * download reads of a version are kept in {@link ReadCache}s: versions never change, and datasets
 * change only by their organization's deletion, which empties the caches when it commits.
 */
final class JdbiDatasetStore implements DatasetStore {
  /** The most datasets, and versions, kept in memory (each cache; past it, it starts over). */
  static final int CACHED = 10_000;

  private static final RowMapper<DatasetRow> DATASET = (rs, ctx) -> new DatasetRow(
      rs.getString("id"), rs.getString("org_id"), rs.getString("project_id"),
      rs.getString("name"), rs.getString("description"), rs.getString("created_by"),
      rs.getObject("created_at", OffsetDateTime.class).toInstant());
  private static final RowMapper<VersionRow> VERSION = (rs, ctx) -> new VersionRow(
      rs.getString("id"), rs.getString("org_id"), rs.getString("dataset_id"), rs.getInt("number"),
      rs.getString("format"), rs.getString("file_name"), rs.getString("blob_key"),
      rs.getLong("size_bytes"), rs.getString("sha256"), rs.getLong("row_count"),
      rs.getString("profile_json"),
      rs.getString("parent_id"), rs.getString("recipe_json"), rs.getString("created_by"),
      rs.getObject("created_at", OffsetDateTime.class).toInstant(),
      instant(rs.getObject("deleted_at", OffsetDateTime.class)), rs.getString("deleted_by"));

  private final Database database;
  private final Jdbi jdbi;
  private final ReadCache<List<String>, DatasetRow> datasets;
  private final ReadCache<List<Object>, ContentRow> contents;

  JdbiDatasetStore(Database database) {
    this.database = database;
    this.jdbi = database.jdbi();
    this.datasets = database.cache(CACHED);
    this.contents = database.cache(CACHED);
  }

  private static OffsetDateTime time(Instant t) {
    return t.atOffset(ZoneOffset.UTC);
  }

  private static Instant instant(OffsetDateTime t) {
    return t == null ? null : t.toInstant();
  }

  @Override
  public void insertDataset(Handle tx, DatasetRow row) {
    tx.createUpdate("INSERT INTO dataset (id, org_id, project_id, name, description, created_by,"
            + " created_at) VALUES (:id, :org, :project, :name, :description, :by, :at)")
        .bind("id", row.id()).bind("org", row.orgId()).bind("project", row.projectId())
        .bind("name", row.name()).bind("description", row.description())
        .bind("by", row.createdBy()).bind("at", time(row.createdAt()))
        .execute();
  }

  @Override
  public Optional<DatasetRow> dataset(String orgId, String datasetId) {
    return datasets.get(List.of(orgId, datasetId), () -> jdbi.withHandle(h -> h.createQuery(
            "SELECT * FROM dataset WHERE org_id = :org AND id = :id")
        .bind("org", orgId).bind("id", datasetId).map(DATASET).findOne()));
  }

  @Override
  public Optional<DatasetRow> datasetByName(String orgId, String name) {
    return jdbi.withHandle(h -> h.createQuery(
            "SELECT * FROM dataset WHERE org_id = :org AND name = :name")
        .bind("org", orgId).bind("name", name).map(DATASET).findOne());
  }

  @Override
  public List<DatasetRow> datasets(String orgId, String projectId) {
    return jdbi.withHandle(h -> h.createQuery("SELECT * FROM dataset WHERE org_id = :org"
            + (projectId == null ? "" : " AND project_id = :project") + " ORDER BY name")
        .bind("org", orgId).bind("project", projectId).map(DATASET).list());
  }

  @Override
  public Map<String, Integer> latestVersions(String orgId) {
    return jdbi.withHandle(h -> h.createQuery("SELECT dataset_id, MAX(number) AS latest"
            + " FROM dataset_version WHERE org_id = :org AND deleted_at IS NULL"
            + " GROUP BY dataset_id")
        .bind("org", orgId)
        .reduceRows(new HashMap<String, Integer>(), (map, row) -> {
          map.put(row.getColumn("dataset_id", String.class),
              row.getColumn("latest", Integer.class));
          return map;
        }));
  }

  @Override
  public boolean lockDataset(Handle tx, String orgId, String datasetId) {
    return tx.createQuery("SELECT id FROM dataset WHERE org_id = :org AND id = :id FOR UPDATE")
        .bind("org", orgId).bind("id", datasetId).mapTo(String.class).findOne().isPresent();
  }

  @Override
  public int nextVersionNumber(Handle tx, String orgId, String datasetId) {
    return tx.createQuery("SELECT COALESCE(MAX(number), 0) + 1 FROM dataset_version"
            + " WHERE org_id = :org AND dataset_id = :id")
        .bind("org", orgId).bind("id", datasetId).mapTo(Integer.class).one();
  }

  @Override
  public void insertVersion(Handle tx, VersionRow row) {
    tx.createUpdate("INSERT INTO dataset_version (id, org_id, dataset_id, number, format,"
            + " file_name, blob_key, size_bytes, sha256, row_count, profile_json, parent_id,"
            + " recipe_json, created_by, created_at) VALUES (:id, :org, :dataset, :number,"
            + " :format, :file, :blob, :size, :sha, :rows, :profile, :parent, :recipe, :by, :at)")
        .bind("id", row.id()).bind("org", row.orgId()).bind("dataset", row.datasetId())
        .bind("number", row.number()).bind("format", row.format()).bind("file", row.fileName())
        .bind("blob", row.blobKey()).bind("size", row.sizeBytes()).bind("sha", row.sha256())
        .bind("rows", row.rows()).bind("profile", row.profileJson())
        .bind("parent", row.parentId())
        .bind("recipe", row.recipeJson()).bind("by", row.createdBy())
        .bind("at", time(row.createdAt()))
        .execute();
  }

  @Override
  public Optional<VersionRow> version(String orgId, String versionId) {
    return jdbi.withHandle(h -> h.createQuery(
            "SELECT * FROM dataset_version WHERE org_id = :org AND id = :id")
        .bind("org", orgId).bind("id", versionId).map(VERSION).findOne());
  }

  @Override
  public Optional<VersionRow> version(String orgId, String datasetId, int number) {
    return jdbi.withHandle(h -> h.createQuery("SELECT * FROM dataset_version"
            + " WHERE org_id = :org AND dataset_id = :id AND number = :number")
        .bind("org", orgId).bind("id", datasetId).bind("number", number).map(VERSION)
        .findOne());
  }

  @Override
  public Optional<ContentRow> content(String orgId, String datasetId, int number) {
    return contents.get(List.of(orgId, datasetId, number), () -> jdbi.withHandle(h -> h
        .createQuery("SELECT id, number, format, file_name, blob_key, size_bytes, sha256,"
            + " deleted_at FROM dataset_version WHERE org_id = :org AND dataset_id = :id AND number = :number")
        .bind("org", orgId).bind("id", datasetId).bind("number", number)
        .map((rs, ctx) -> new ContentRow(rs.getString("id"), rs.getInt("number"),
            rs.getString("format"), rs.getString("file_name"), rs.getString("blob_key"),
            rs.getLong("size_bytes"), rs.getString("sha256"),
            instant(rs.getObject("deleted_at", OffsetDateTime.class))))
        .findOne()));
  }

  @Override
  public List<VersionRow> versions(String orgId, String datasetId) {
    return jdbi.withHandle(h -> h.createQuery("SELECT * FROM dataset_version"
            + " WHERE org_id = :org AND dataset_id = :id ORDER BY number")
        .bind("org", orgId).bind("id", datasetId).map(VERSION).list());
  }

  @Override
  public boolean deleteVersion(Handle tx, String orgId, String versionId, String deletedBy,
      Instant deletedAt) {
    database.invalidateCaches(tx); // the cached content row of the version
    return tx.createUpdate("UPDATE dataset_version SET deleted_at = :at, deleted_by = :by,"
            + " profile_json = NULL WHERE org_id = :org AND id = :id AND deleted_at IS NULL")
        .bind("org", orgId).bind("id", versionId).bind("by", deletedBy)
        .bind("at", time(deletedAt))
        .execute() == 1;
  }

  @Override
  public void deleteDataset(Handle tx, String orgId, String datasetId) {
    database.invalidateCaches(tx); // the cached dataset and content rows
    // parents first unlinked: a version's parent is in the same dataset
    for (String sql : new String[] {
        "UPDATE dataset_version SET parent_id = NULL WHERE org_id = :org AND dataset_id = :id",
        "DELETE FROM dataset_version WHERE org_id = :org AND dataset_id = :id",
        "DELETE FROM dataset WHERE org_id = :org AND id = :id"}) {
      tx.createUpdate(sql).bind("org", orgId).bind("id", datasetId).execute();
    }
  }

  @Override
  public boolean blobReferenced(String blobKey) {
    return jdbi.withHandle(h -> h.createQuery("SELECT COUNT(*) FROM dataset_version"
            + " WHERE blob_key = :key AND deleted_at IS NULL")
        .bind("key", blobKey).mapTo(Integer.class).one()) > 0;
  }

  @Override
  public List<String> organizations() {
    return jdbi.withHandle(h -> h.createQuery("SELECT id FROM organization ORDER BY id")
        .mapTo(String.class).list());
  }
}
