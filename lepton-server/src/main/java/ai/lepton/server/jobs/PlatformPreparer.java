package ai.lepton.server.jobs;

import ai.lepton.api.DatasetFormat;
import ai.lepton.api.ErrorCode;
import ai.lepton.api.ModelVersion;
import ai.lepton.api.TrainingSpec;
import ai.lepton.models.Model;
import ai.lepton.server.datasets.DatasetService;
import ai.lepton.server.datasets.DatasetService.VersionFile;
import ai.lepton.server.http.ApiException;
import ai.lepton.server.registry.RegistryService;

/**
 * The server's {@link JobPreparer}: reads the spec's dataset version through the dataset service
 * (decrypted as it streams, never to disk), loads the registered model version it fine-tunes,
 * and hands both to {@link Training#prepare}.
 *
 * <p>IDX images carry no labels: for them {@code target} names the dataset (as {@code name} or
 * {@code name@version}) whose version holds the IDX labels file of the same samples.
 */
public final class PlatformPreparer implements JobPreparer {
  private final DatasetService datasets;
  private final RegistryService registry;

  public PlatformPreparer(DatasetService datasets, RegistryService registry) {
    this.datasets = datasets;
    this.registry = registry;
  }

  @Override
  public Prepared prepare(String org, TrainingSpec spec) {
    VersionFile file = datasets.versionFile(org, spec.dataset(), spec.version());
    TrainingData data;
    if (file.format() == DatasetFormat.IDX) {
      if (spec.target() == null) {
        throw ApiException.invalid("dataset " + file.ref() + " holds IDX images without labels:"
            + " set target to the dataset holding their IDX labels file (name or name@version)");
      }
      int at = spec.target().lastIndexOf('@');
      Integer number = null;
      String name = spec.target();
      if (at > 0) {
        try {
          number = Integer.valueOf(spec.target().substring(at + 1));
          name = spec.target().substring(0, at);
        } catch (NumberFormatException e) {
          throw ApiException.invalid("target '" + spec.target() + "' should name the labels"
              + " dataset as name or name@version (a number)");
        }
      }
      VersionFile labels = datasets.versionFile(org, name, number);
      if (labels.format() != DatasetFormat.IDX) {
        throw new ApiException(ErrorCode.UNPROCESSABLE, "target " + labels.ref()
            + " is " + labels.format() + ", not the IDX labels file of the images in "
            + file.ref() + "; name the dataset holding their labels");
      }
      data = TrainingData.idx(file.fileName(), file.content()::open, labels.fileName(),
          labels.content()::open);
    } else {
      data = TrainingData.of(file.format(), file.fileName(), file.labelColumn(),
          file.content()::open);
    }
    Model base = null;
    String baseVersionId = null;
    String baseRef = spec.model().baseModel();
    if (baseRef != null) {
      ModelVersion version = registry.resolve(org, baseRef);
      if (!version.format().equals("lepton")) {
        throw new ApiException(ErrorCode.UNPROCESSABLE, "model " + baseRef
            + " is " + version.format() + "; only .lepton models can be fine-tuned");
      }
      base = Checkpoints.model(registry.open(org, version.id()));
      baseVersionId = version.id();
    }
    return new Prepared(Training.prepare(spec, data, base), file.versionId(), baseVersionId);
  }
}
