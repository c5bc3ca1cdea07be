package ai.lepton.api;

import java.time.Instant;

/**
 * One immutable version of a dataset: an uploaded file, or a file derived from another version by
 * a recipe. Its profile is read separately ({@code .../versions/{number}/profile}) and its content
 * downloaded from {@code .../versions/{number}/content}.
 *
 * @param number 1, 2, 3... within the dataset
 * @param format the format the content was validated as
 * @param fileName the file's name as uploaded (or as derived: {@code train.csv})
 * @param sizeBytes the content's size in bytes (before encryption)
 * @param sha256 the content's SHA-256, 64 lower-case hex digits
 * @param rows rows, lines, images or samples, as the profile counts them
 * @param lineage how it was derived, or null for an upload
 * @param deletedAt when it was deleted, or null: a deleted version stays listed as a tombstone
 *     (its number is never given again, and the lineage of versions derived from it still names
 *     it), but its content and profile are gone
 */
public record DatasetVersion(String id, String datasetId, int number, DatasetFormat format,
    String fileName, long sizeBytes, String sha256, long rows, Lineage lineage, String createdBy,
    Instant createdAt, Instant deletedAt) {}
