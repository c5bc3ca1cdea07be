package ai.lepton.api;

/**
 * Creates a deployment token.
 *
 * @param name what it is for (1-100 printable characters)
 */
public record CreateDeploymentToken(String name) {}
