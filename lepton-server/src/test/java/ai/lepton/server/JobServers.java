package ai.lepton.server;

import java.time.Clock;
import java.util.Map;

/** Starts servers with an environment of the test's choosing (the number of job workers). */
public final class JobServers {
  private JobServers() {}

  /** A server on {@code config} whose environment holds only {@code environment}. */
  public static LeptonServer start(ServerConfig config, Map<String, String> environment) {
    return LeptonServer.start(config, Clock.systemUTC(), environment);
  }
}
