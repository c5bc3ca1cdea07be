package ai.lepton.server.registry;

import ai.lepton.server.ServerConfig;
import ai.lepton.server.db.TestDatabases;
import java.nio.file.Path;

/** The registry API on the embedded default: H2 and a blob directory. */
class RegistryRoutesH2Test extends RegistryRoutesContract {
  @Override
  RegistryPlatform start(Path dir) {
    return new RegistryPlatform(ServerConfig.embedded(dir, 0), () -> TestDatabases.embedded(dir));
  }
}
