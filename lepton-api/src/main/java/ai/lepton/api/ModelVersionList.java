package ai.lepton.api;

import java.util.List;

/** A model's versions, oldest first (deleted ones as tombstones). */
public record ModelVersionList(List<ModelVersion> versions) {
  public ModelVersionList {
    versions = List.copyOf(versions);
  }
}
