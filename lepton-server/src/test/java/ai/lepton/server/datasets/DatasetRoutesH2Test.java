package ai.lepton.server.datasets;

import ai.lepton.server.ServerConfig;
import java.nio.file.Path;

/** The dataset API on the embedded default: H2 and a blob directory. */
class DatasetRoutesH2Test extends DatasetRoutesContract {
  @Override
  Platform start(Path dir) {
    return Platform.embedded(dir, ServerConfig.DEFAULT_MAX_UPLOAD_BYTES);
  }
}
