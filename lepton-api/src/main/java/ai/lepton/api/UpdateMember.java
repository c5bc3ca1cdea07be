package ai.lepton.api;

/**
 * Changes a member's role; a null field is left unchanged.
 *
 * @param role owner, admin, member or viewer
 * @param departmentId the department to limit the role to, or "" for the whole organization
 */
public record UpdateMember(String role, String departmentId) {}
