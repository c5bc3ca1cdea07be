package ai.lepton.server.serving;

import ai.lepton.server.ServerConfig;
import ai.lepton.server.db.TestDatabases;
import java.nio.file.Path;

/** Deployments on the embedded default: H2 and a blob directory. */
class DeploymentRoutesH2Test extends DeploymentRoutesContract {
  @Override
  DeploymentPlatform start(Path dir) {
    return new DeploymentPlatform(ServerConfig.embedded(dir, 0),
        () -> TestDatabases.embedded(dir));
  }
}
