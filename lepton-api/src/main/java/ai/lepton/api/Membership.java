package ai.lepton.api;

import java.time.Instant;

/**
 * A user's role in an organization.
 *
 * @param role owner, admin, member or viewer
 * @param departmentId the department (and the departments inside it) the role is limited to, or
 *     null for the whole organization; outside it the member can only read
 */
public record Membership(String organizationId, String userId, String email, String role,
    String departmentId, Instant createdAt) {}
