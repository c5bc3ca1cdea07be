package ai.lepton.api;

/**
 * Creates an organization whose owner is the caller.
 *
 * @param name 1-100 characters
 */
public record CreateOrganization(String name) {}
