package ai.lepton.api;

import java.time.Instant;

/**
 * A dataset: a named series of immutable versions in an organization (and optionally one of its
 * projects). Its content lives in its versions.
 *
 * @param projectId the project it belongs to, or null for the organization
 * @param latestVersion the number of its newest version that is not deleted, or 0 when it has
 *     none (before the first upload, or when all were deleted)
 */
public record Dataset(String id, String organizationId, String projectId, String name,
    String description, String createdBy, Instant createdAt, int latestVersion) {}
