package ai.lepton.api;

/**
 * Creates a project.
 *
 * @param name 1-100 characters, unique in the organization
 * @param departmentId the department it belongs to, or null
 * @param description at most 1000 characters, or null
 */
public record CreateProject(String name, String departmentId, String description) {}
