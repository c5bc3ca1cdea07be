package ai.lepton.server.registry;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.Handle;

/**
 * Registered models, their versions, aliases and tags. Every method takes the organization, and
 * finds nothing of another organization's: a foreign id reads as a missing one. Writes take the
 * caller's transaction ({@link Handle}), so a change and its audit event commit together or not
 * at all.
 */
interface ModelStore {
  /** A registered model's row. */
  record ModelRow(String id, String orgId, String name, String description, String createdBy,
      Instant createdAt) {}

  /**
   * A version's row; the {@code ...Json} fields are stored JSON texts ({@code evaluationJson}
   * may be null). A deleted version is a tombstone: {@code deletedAt} and {@code deletedBy} set,
   * its blob gone.
   */
  record VersionRow(String id, String orgId, String modelId, int number, String format,
      String blobKey, long sizeBytes, String sha256, String signatureJson,
      boolean hasPreprocessing, String metricsJson, String evaluationJson, String source,
      String runId, String jobId, String datasetVersionId, String parametersJson,
      String parentVersionId, String createdBy, Instant createdAt, Instant deletedAt,
      String deletedBy) {
    boolean deleted() {
      return deletedAt != null;
    }
  }

  void insertModel(Handle tx, ModelRow row);

  Optional<ModelRow> modelByName(String orgId, String name);

  /** The organization's models by name. */
  List<ModelRow> models(String orgId);

  /**
   * Each model's newest version number that is not deleted, by model id (models without such a
   * version absent).
   */
  Map<String, Integer> latestVersions(String orgId);

  /**
   * Locks the model's row until {@code tx} ends, so that new versions, alias moves and deletions
   * of one model take turns; false when there is no such model (deleted meanwhile).
   */
  boolean lockModel(Handle tx, String orgId, String modelId);

  /**
   * The number the next version gets, read inside {@code tx} after {@link #lockModel}: one more
   * than the highest ever given, deleted versions included (1 for the first).
   */
  int nextVersionNumber(Handle tx, String orgId, String modelId);

  void insertVersion(Handle tx, VersionRow row);

  Optional<VersionRow> version(String orgId, String versionId);

  /** The model's version {@code number}. */
  Optional<VersionRow> version(String orgId, String modelId, int number);

  /** The model's versions, oldest first. */
  List<VersionRow> versions(String orgId, String modelId);

  /** The model's aliases and the version numbers they point at, by alias. */
  Map<String, Integer> aliases(String orgId, String modelId);

  /** Points {@code alias} of the model at {@code versionId} (creating or moving it). */
  void setAlias(Handle tx, String orgId, String modelId, String alias, String versionId,
      String by, Instant at);

  /** Removes the alias; false when the model has no such alias. */
  boolean deleteAlias(Handle tx, String orgId, String modelId, String alias);

  /** The version's tags, by key. */
  Map<String, String> tags(String orgId, String versionId);

  void setTag(Handle tx, String orgId, String versionId, String key, String value);

  /** Removes the tag; false when the version has no such tag. */
  boolean deleteTag(Handle tx, String orgId, String versionId, String key);

  /**
   * Makes the version a tombstone inside {@code tx} (when and by whom), removing its aliases and
   * tags; false when there is no such version, or it was deleted already.
   */
  boolean deleteVersion(Handle tx, String orgId, String versionId, String deletedBy,
      Instant deletedAt);

  /** Deletes the model with its versions (tombstones included), aliases and tags. */
  void deleteModel(Handle tx, String orgId, String modelId);

  /** Whether a version that is not deleted stores its file at {@code blobKey}. */
  boolean blobReferenced(String orgId, String blobKey);
}
