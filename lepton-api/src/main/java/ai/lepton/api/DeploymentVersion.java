package ai.lepton.api;

/**
 * A model version as a deployment serves it.
 *
 * @param versionId the registry's version id ({@code mv_...})
 * @param model the registered model's name
 * @param number the version's number within the model; OIP clients name it in
 *     {@code /v2/models/{deployment}/versions/{number}}
 */
public record DeploymentVersion(String versionId, String model, int number) {}
