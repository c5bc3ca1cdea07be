package ai.lepton.server.datasets;

import ai.lepton.server.LeptonServer;
import ai.lepton.server.ServerConfig;
import java.nio.file.Path;

/**
 * A Lepton server in a JVM of its own, for tests that kill it: started on the data directory
 * {@code args[0]}, it prints {@code port=<port>} and runs until the process is killed.
 */
final class ServerProcess {
  private ServerProcess() {}

  public static void main(String[] args) throws InterruptedException {
    LeptonServer server = LeptonServer.start(ServerConfig.embedded(Path.of(args[0]), 0));
    System.out.println("port=" + server.port());
    System.out.flush();
    Thread.currentThread().join();
  }
}
