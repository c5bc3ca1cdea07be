package ai.lepton.api;

/**
 * Creates an empty dataset; its content arrives as versions.
 *
 * @param name 1-100 characters (letters, digits, '.', '_', '-'), unique in the organization
 * @param projectId the project it belongs to, or null for the organization
 * @param description at most 2000 characters, or null
 */
public record CreateDataset(String name, String projectId, String description) {}
