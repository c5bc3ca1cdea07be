package ai.lepton.server.serving;

import ai.lepton.server.ServerConfig;
import ai.lepton.server.db.Database;
import ai.lepton.server.db.TestDatabases;
import java.nio.file.Path;

/** Deployments on a real PostgreSQL server. */
class DeploymentRoutesPostgresTest extends DeploymentRoutesContract {
  @Override
  DeploymentPlatform start(Path dir) {
    String url = TestDatabases.postgresUrl();
    return new DeploymentPlatform(new ServerConfig("127.0.0.1", 0, dir, url, "postgres",
        "postgres", null, null, null, null, null, ServerConfig.DEFAULT_MAX_UPLOAD_BYTES),
        () -> Database.connect(url, "postgres", "postgres"));
  }
}
