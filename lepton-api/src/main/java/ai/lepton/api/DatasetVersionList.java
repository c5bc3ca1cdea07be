package ai.lepton.api;

import java.util.List;

/** Versions of a dataset, oldest first (or the versions one derivation made). */
public record DatasetVersionList(List<DatasetVersion> versions) {
  public DatasetVersionList {
    versions = List.copyOf(versions);
  }
}
