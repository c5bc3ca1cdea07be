package ai.lepton.server.tenancy;

import ai.lepton.server.ServerConfig;
import ai.lepton.server.db.TestDatabases;
import java.nio.file.Path;

/** The authorization matrix on a real PostgreSQL server. */
class AuthorizationMatrixPostgresTest extends AuthorizationMatrix {
  @Override
  ServerConfig config(Path dir) {
    return new ServerConfig("127.0.0.1", 0, dir, TestDatabases.postgresUrl(), "postgres",
        "postgres", null, null, null, null, null, ServerConfig.DEFAULT_MAX_UPLOAD_BYTES);
  }
}
