package ai.lepton.api;

/**
 * Deploys a model version under a name.
 *
 * @param name the deployment's name (the OIP model name): 1-100 letters, digits, '.', '_' or
 *     '-', starting with a letter or digit
 * @param model the version to serve, as a registry reference: {@code churn@4} (a number),
 *     {@code churn@production} (an alias, resolved once: the deployment pins that version) or
 *     {@code churn} (the newest version)
 * @param maxBatchSize the most samples one forward pass coalesces, 1 to 1,024; null for 1 (no
 *     dynamic batching)
 * @param maxQueueDelayMicros how long the first request of a batch waits for others, 0 to
 *     1,000,000 microseconds; null for 0 (batches grow with the load alone)
 * @param limits the deployment's request rate and size limits, each at most the server's; null
 *     (or a null field) for the server's
 */
public record CreateDeployment(String name, String model, Integer maxBatchSize,
    Long maxQueueDelayMicros, DeploymentLimits limits) {}
