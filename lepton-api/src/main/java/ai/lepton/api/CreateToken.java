package ai.lepton.api;

import java.time.Instant;

/**
 * Creates an API token for the caller in one organization.
 *
 * @param name what it is for, 1-100 characters
 * @param scope read, write or admin
 * @param projectId limits the token to one project, or null
 * @param expiresAt required, in the future and at most one year away
 */
public record CreateToken(String name, String scope, String projectId, Instant expiresAt) {}
