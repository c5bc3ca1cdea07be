package ai.lepton.api;

/**
 * Creates a department.
 *
 * @param name 1-100 characters
 * @param parentId the department to create it in, or null for a top-level one
 */
public record CreateDepartment(String name, String parentId) {}
