package ai.lepton.server.tenancy;

import ai.lepton.server.LeptonServer;
import ai.lepton.server.ServerConfig;
import ai.lepton.server.tenancy.Client.Cred;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fixture of the HTTP tests: before each test, a fresh embedded installation in a directory of
 * its own on a free port, telling time by {@link #clock}; a {@link #client} of it; and the first
 * administrator signed in with the first-start link, as {@link #owner} of the first organization,
 * {@link #org}. Stopped after each test.
 */
abstract class ServerFixture {
  @TempDir Path dir;
  final TestClock clock = new TestClock();
  LeptonServer server;
  Client client;
  Cred owner;
  String org;

  @BeforeEach
  void startServer() {
    server = LeptonServer.start(ServerConfig.embedded(dir, 0), clock);
    client = new Client(server.port());
    owner = client.signInWithLink(server.firstSignInLink().orElseThrow());
    org = client.get("/api/v1/orgs", owner).json().get("items").get(0).get("id").asText();
  }

  @AfterEach
  void stopServer() {
    server.close();
  }

  /** Stops the server and starts one on {@code config} (same clock), with a client of its own. */
  void restart(ServerConfig config) {
    server.close();
    server = LeptonServer.start(config, clock);
    client = new Client(server.port());
  }

  /** {@code path} under the first organization: {@code /api/v1/orgs/{org}} + path. */
  String orgPath(String path) {
    return "/api/v1/orgs/" + org + path;
  }
}
