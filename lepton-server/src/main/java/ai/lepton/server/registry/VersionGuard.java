package ai.lepton.server.registry;

import java.util.Optional;

/**
 * Says whether a model version must stay: the registry refuses to delete a version (or its
 * model) that a deployment serves. Serving implements it; until then nothing is served.
 */
@FunctionalInterface
public interface VersionGuard {
  /** Nothing is served: every version may be deleted. */
  VersionGuard NONE = (orgId, versionId) -> Optional.empty();

  /**
   * What serves the organization's version {@code versionId}, in words for an error message
   * ("deployment 'fraud' (dep_...)"), or empty when nothing does.
   */
  Optional<String> servedBy(String orgId, String versionId);
}
