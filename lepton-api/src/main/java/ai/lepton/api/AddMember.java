package ai.lepton.api;

/**
 * Adds an existing user to an organization.
 *
 * @param email the user's email
 * @param role owner, admin, member or viewer
 * @param departmentId limits the role to this department, or null for the whole organization
 */
public record AddMember(String email, String role, String departmentId) {}
