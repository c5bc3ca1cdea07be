package ai.lepton.server.monitoring;

import ai.lepton.api.DatasetProfile;
import ai.lepton.api.ModelLineage;
import ai.lepton.api.ValueCount;
import ai.lepton.server.datasets.DatasetService;
import ai.lepton.server.registry.RegistryService;
import java.util.List;
import java.util.Optional;

/** What a model version was trained on, as drift compares live inputs and predictions with it. */
@FunctionalInterface
public interface TrainingReference {
  /**
   * The profile of the dataset version that the organization's model version {@code
   * modelVersionId} was trained on; empty when its lineage names none (an upload) or that version
   * is gone.
   */
  Optional<DatasetProfile> profile(String organizationId, String modelVersionId);

  /**
   * The classes the model version was trained on, with their counts, named as it predicts them;
   * by default the training data's label counts (its profile's class balance), empty when there
   * are none.
   */
  default List<ValueCount> classes(String organizationId, String modelVersionId) {
    return profile(organizationId, modelVersionId).map(DatasetProfile::classBalance)
        .orElse(List.of());
  }

  /**
   * The registry's lineage and the datasets' profile of the version it names; the classes from
   * the version's evaluation report (its held-out split, drawn by class from the training data,
   * with the names the model answers: an IDX labels file's digits named by the spec, images
   * whose profile has no labels), else the profile's class balance.
   */
  static TrainingReference of(RegistryService registry, DatasetService datasets) {
    return new TrainingReference() {
      @Override
      public Optional<DatasetProfile> profile(String org, String modelVersionId) {
        return registry.lineage(org, modelVersionId).map(ModelLineage::datasetVersionId)
            .flatMap(datasetVersion -> datasets.profileOf(org, datasetVersion));
      }

      @Override
      public List<ValueCount> classes(String org, String modelVersionId) {
        List<ValueCount> heldOut = registry.heldOutClasses(org, modelVersionId);
        return heldOut.isEmpty() ? TrainingReference.super.classes(org, modelVersionId)
            : heldOut;
      }
    };
  }
}
