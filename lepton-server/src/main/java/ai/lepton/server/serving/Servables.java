package ai.lepton.server.serving;

import java.util.Optional;

/**
 * Where the inference endpoints find what to serve: deployments, by organization and name. The
 * organization comes from the caller's credentials, so one tenant never reaches another's models.
 */
public interface Servables {
  /**
   * The servable that answers for {@code model} in the organization.
   *
   * @param version the version asked for in the path, or null for the one the deployment routes
   *     this request to (a canary split picks one per request)
   * @return empty when the organization has no such model or version
   */
  Optional<Servable> find(String organizationId, String model, String version);
}
