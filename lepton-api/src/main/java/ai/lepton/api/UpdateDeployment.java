package ai.lepton.api;

/**
 * Changes what a deployment serves. The new version is loaded fully before any traffic moves to
 * it; a version that fails to load leaves the deployment as it was, and the update is refused
 * with the reason. Give {@code model} or {@code canary}, or {@code share} alone; {@code limits}
 * goes with any of them, or alone.
 *
 * @param model a registry reference ({@code churn@5}, {@code churn@production}) to serve alone,
 *     replacing the primary and any canary; or null
 * @param canary a registry reference to serve as the canary beside the primary; or null
 * @param share the canary's percentage of the requests without a version, 0 to 100: with
 *     {@code canary}, its share (null for 10); alone, the new split of the current canary
 * @param limits new request rate and size limits, each at most the server's, in force for the
 *     next request; a null field (or null) keeps that limit as it is
 */
public record UpdateDeployment(String model, String canary, Integer share,
    DeploymentLimits limits) {}
