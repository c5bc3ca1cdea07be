package ai.lepton.server.monitoring;

import ai.lepton.api.DatasetProfile;
import ai.lepton.api.ModelLineage;
import ai.lepton.server.datasets.DatasetService;
import ai.lepton.server.registry.RegistryService;
import java.util.Optional;

/** What a model version was trained on, as drift compares live inputs with it. */
@FunctionalInterface
public interface TrainingReference {
  /**
   * The profile of the dataset version that the organization's model version {@code
   * modelVersionId} was trained on; empty when its lineage names none (an upload) or that version
   * is gone.
   */
  Optional<DatasetProfile> profile(String organizationId, String modelVersionId);

  /** The registry's lineage, and the datasets' profile of the version it names. */
  static TrainingReference of(RegistryService registry, DatasetService datasets) {
    return (org, modelVersionId) -> registry.lineage(org, modelVersionId)
        .map(ModelLineage::datasetVersionId)
        .flatMap(datasetVersion -> datasets.profileOf(org, datasetVersion));
  }
}
