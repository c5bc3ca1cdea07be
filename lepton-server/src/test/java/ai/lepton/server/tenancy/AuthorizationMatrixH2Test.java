package ai.lepton.server.tenancy;

import ai.lepton.server.ServerConfig;
import java.nio.file.Path;

/** The authorization matrix on the embedded default: an H2 file database. */
class AuthorizationMatrixH2Test extends AuthorizationMatrix {
  @Override
  ServerConfig config(Path dir) {
    return ServerConfig.embedded(dir, 0);
  }
}
