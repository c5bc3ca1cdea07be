package ai.lepton.api;

import java.time.Instant;
import java.util.Map;

/**
 * A registered model: a name in an organization under which immutable versions are uploaded or
 * published by training runs, with aliases pointing at versions.
 *
 * @param id the model's id ({@code rm_...})
 * @param name unique in the organization; {@code name@3} and {@code name@production} address its
 *     versions
 * @param description free text, possibly empty
 * @param latestVersion the newest version that is not deleted, or 0 when there is none
 * @param aliases each alias and the version number it points at ({@code production -> 3})
 */
public record RegisteredModel(String id, String orgId, String name, String description,
    String createdBy, Instant createdAt, int latestVersion, Map<String, Integer> aliases) {
  public RegisteredModel {
    aliases = Map.copyOf(aliases);
  }
}
