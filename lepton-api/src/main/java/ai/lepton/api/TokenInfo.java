package ai.lepton.api;

import java.time.Instant;

/**
 * An API token as listed: never its secret.
 *
 * @param scope read, write or admin
 * @param projectId the one project it is limited to, or null
 * @param lastUsedAt when it last authenticated a request (to the minute), or null
 * @param revokedAt when it was revoked, or null
 */
public record TokenInfo(String id, String organizationId, String userId, String name,
    String scope, String projectId, Instant createdAt, Instant expiresAt, Instant lastUsedAt,
    Instant revokedAt) {}
