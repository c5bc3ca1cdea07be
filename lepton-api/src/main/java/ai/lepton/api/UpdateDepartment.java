package ai.lepton.api;

/**
 * Renames or moves a department; a null field is left unchanged.
 *
 * @param name the new name, 1-100 characters
 * @param parentId the new parent department, or "" to make it a top-level department; a move
 *     under itself or one of its own departments is refused
 */
public record UpdateDepartment(String name, String parentId) {}
