package ai.lepton.server.datasets;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.Handle;

/**
 * Datasets and their versions. Every method takes the organization, and finds nothing of another
 * organization's: a foreign id reads as a missing one. Writes take the caller's transaction
 * ({@link Handle}), so a version and its audit event commit together or not at all.
 */
public interface DatasetStore {
  /** A dataset's row. */
  record DatasetRow(String id, String orgId, String projectId, String name, String description,
      String createdBy, Instant createdAt) {}

  /**
   * A version's row; {@code profileJson} and {@code recipeJson} are the stored JSON texts,
   * {@code rows} the profile's count of rows. A deleted version is a tombstone: {@code deletedAt}
   * and {@code deletedBy} set, {@code profileJson} null, its blob gone.
   */
  record VersionRow(String id, String orgId, String datasetId, int number, String format,
      String fileName, String blobKey, long sizeBytes, String sha256, long rows,
      String profileJson, String parentId, String recipeJson, String createdBy,
      Instant createdAt, Instant deletedAt, String deletedBy) {
    boolean deleted() {
      return deletedAt != null;
    }
  }

  /**
   * What a download of a version needs: its row without the profile and recipe (a profile may be
   * large, and a download never reads it); {@code deletedAt} is null unless it was deleted.
   */
  record ContentRow(String id, int number, String format, String fileName, String blobKey,
      long sizeBytes, String sha256, Instant deletedAt) {}

  void insertDataset(Handle tx, DatasetRow row);

  Optional<DatasetRow> dataset(String orgId, String datasetId);

  Optional<DatasetRow> datasetByName(String orgId, String name);

  /** The organization's datasets by name; of one project when {@code projectId} is not null. */
  List<DatasetRow> datasets(String orgId, String projectId);

  /**
   * Each dataset's newest version number that is not deleted, by dataset id (datasets without
   * such a version absent).
   */
  Map<String, Integer> latestVersions(String orgId);

  /**
   * Locks the dataset's row until {@code tx} ends, so that uploads, derivations and deletions of
   * one dataset take turns; false when there is no such dataset (deleted meanwhile).
   */
  boolean lockDataset(Handle tx, String orgId, String datasetId);

  /**
   * The number the next version of the dataset gets, read inside {@code tx} after {@link
   * #lockDataset}: one more than the highest ever given, deleted versions included, so a number
   * is never given twice (1 for the first).
   */
  int nextVersionNumber(Handle tx, String orgId, String datasetId);

  void insertVersion(Handle tx, VersionRow row);

  Optional<VersionRow> version(String orgId, String versionId);

  /** The dataset's version {@code number}. */
  Optional<VersionRow> version(String orgId, String datasetId, int number);

  /** The dataset's version {@code number}, as a download needs it. */
  Optional<ContentRow> content(String orgId, String datasetId, int number);

  /** The dataset's versions, oldest first. */
  List<VersionRow> versions(String orgId, String datasetId);

  /**
   * Makes the version a tombstone inside {@code tx}: records when and by whom it was deleted and
   * clears its profile; false when there is no such version, or it was deleted already.
   */
  boolean deleteVersion(Handle tx, String orgId, String versionId, String deletedBy,
      Instant deletedAt);

  /** Deletes the dataset and every version of it (tombstones included) inside {@code tx}. */
  void deleteDataset(Handle tx, String orgId, String datasetId);

  /** Whether a version that is not deleted stores its content at {@code blobKey}. */
  boolean blobReferenced(String blobKey);

  /**
   * The ids of the organizations that exist (for the start-up sweep, which deletes every blob of
   * an organization that does not).
   */
  List<String> organizations();
}
