package ai.lepton.api;

import java.util.List;

/** Datasets, by name. */
public record DatasetList(List<Dataset> datasets) {
  public DatasetList {
    datasets = List.copyOf(datasets);
  }
}
