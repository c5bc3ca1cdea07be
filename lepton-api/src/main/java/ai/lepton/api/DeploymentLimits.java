package ai.lepton.api;

/**
 * What one deployment accepts of its callers, within the server's own limits (its ceiling: a
 * deployment may lower a limit, never raise it past what the operator configured). In a
 * {@link CreateDeployment} a null field takes the server's limit; in an {@link UpdateDeployment}
 * it leaves the deployment's limit as it is; a {@link Deployment} reports every limit in force.
 *
 * @param requestsPerSecond the sustained rate of inference requests the deployment accepts, from
 *     0.001 up to the server's (a token bucket per deployment, shared by its versions; over it a
 *     request answers 429 with {@code Retry-After})
 * @param burst how many requests the deployment accepts at once above that rate (the bucket's
 *     size), 1 up to the server's
 * @param maxRequestBytes the largest inference request body, in bytes, 1 up to the server's
 *     (over it: 413)
 * @param maxRequestSamples the most samples (batch rows) one inference request may send, 1 up to
 *     the server's (over it: 400)
 */
public record DeploymentLimits(Double requestsPerSecond, Integer burst, Long maxRequestBytes,
    Integer maxRequestSamples) {
  /** Every limit the server's. */
  public static final DeploymentLimits SERVER = new DeploymentLimits(null, null, null, null);
}
