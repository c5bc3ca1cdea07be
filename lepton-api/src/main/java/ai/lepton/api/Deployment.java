package ai.lepton.api;

import java.time.Instant;

/**
 * A deployment: a name in an organization that serves a registered model version over the Open
 * Inference Protocol ({@code /v2/models/{name}/infer}), and during a canary a second version
 * with its share of the requests. It pins versions: moving an alias does not move it.
 *
 * @param id the deployment's id ({@code dep_...})
 * @param name its name, which OIP clients use as the model name
 * @param primary the version that answers the requests the canary does not take
 * @param canary the canary version, or null when there is none
 * @param canaryPercent the percentage of requests without a version that the canary answers (0
 *     without a canary)
 * @param maxBatchSize the most samples one forward pass coalesces (1: no dynamic batching)
 * @param maxQueueDelayMicros how long, in microseconds, the first request of a batch waits for
 *     others to join it
 * @param createdBy the id of the user who created it
 * @param createdAt when it was created
 * @param updatedAt when its versions, split or limits last changed
 * @param limits the request rate and size limits in force: its own, or the server's where it set
 *     none (every field given)
 */
public record Deployment(String id, String name, DeploymentVersion primary,
    DeploymentVersion canary, int canaryPercent, int maxBatchSize, long maxQueueDelayMicros,
    String createdBy, Instant createdAt, Instant updatedAt, DeploymentLimits limits) {}
