package ai.lepton.api;

import java.time.Instant;

/**
 * A unit inside an organization; departments nest.
 *
 * @param parentId the department it sits in, or null for a top-level department
 */
public record Department(String id, String organizationId, String parentId, String name,
    Instant createdAt) {}
