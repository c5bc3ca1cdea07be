package ai.lepton.api;

/**
 * A new deployment token, shown this once.
 *
 * @param token the secret to send as {@code Authorization: Bearer <token>}
 * @param info the token's record
 */
public record DeploymentTokenCreated(String token, DeploymentToken info) {}
