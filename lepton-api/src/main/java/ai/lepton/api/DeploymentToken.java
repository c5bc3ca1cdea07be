package ai.lepton.api;

import java.time.Instant;

/**
 * A token that reaches one deployment's inference endpoints only ({@code Authorization: Bearer
 * lpd_...}); the server keeps only its hash.
 *
 * @param id the token's id ({@code dtk_...}), to revoke it by
 * @param deploymentId the deployment it reaches
 * @param name what it is for, as its creator named it
 * @param createdBy the id of the user who created it
 * @param createdAt when it was created
 * @param revokedAt when it was revoked, or null while it works
 */
public record DeploymentToken(String id, String deploymentId, String name, String createdBy,
    Instant createdAt, Instant revokedAt) {}
