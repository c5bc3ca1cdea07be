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
   * {@code rows} the profile's count of rows.
   */
  record VersionRow(String id, String orgId, String datasetId, int number, String format,
      String fileName, String blobKey, long sizeBytes, String sha256, long rows,
      String profileJson, String parentId, String recipeJson, String createdBy,
      Instant createdAt) {}

  /**
   * What a download of a version needs: its row without the profile and recipe (a profile may be
   * large, and a download never reads it).
   */
  record ContentRow(String id, int number, String format, String fileName, String blobKey,
      long sizeBytes, String sha256) {}

  void insertDataset(Handle tx, DatasetRow row);

  Optional<DatasetRow> dataset(String orgId, String datasetId);

  Optional<DatasetRow> datasetByName(String orgId, String name);

  /** The organization's datasets by name; of one project when {@code projectId} is not null. */
  List<DatasetRow> datasets(String orgId, String projectId);

  /** Each dataset's newest version number, by dataset id (datasets without versions absent). */
  Map<String, Integer> latestVersions(String orgId);

  /** The number the next version of the dataset gets, read inside {@code tx} (1 for the first). */
  int nextVersionNumber(Handle tx, String orgId, String datasetId);

  void insertVersion(Handle tx, VersionRow row);

  Optional<VersionRow> version(String orgId, String versionId);

  /** The dataset's version {@code number}. */
  Optional<VersionRow> version(String orgId, String datasetId, int number);

  /** The dataset's version {@code number}, as a download needs it. */
  Optional<ContentRow> content(String orgId, String datasetId, int number);

  /** The dataset's versions, oldest first. */
  List<VersionRow> versions(String orgId, String datasetId);

  /** Whether any version of any organization stores its content at {@code blobKey}. */
  boolean blobReferenced(String blobKey);

  /** The organizations that have datasets (for the start-up sweep of their blobs). */
  List<String> organizations();
}
