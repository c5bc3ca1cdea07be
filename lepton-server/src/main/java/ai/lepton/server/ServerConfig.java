package ai.lepton.server;

import java.nio.file.Path;
import java.util.Objects;

/**
 * How a Lepton server runs: where it listens and where it keeps its state. The embedded default
 * needs only a data directory: an H2 file database and an encrypted blob directory under it, and
 * a master key file generated there on first start.
 *
 * @param host the interface to listen on ("127.0.0.1" for loopback only, "0.0.0.0" for all)
 * @param port the TCP port; 0 picks a free one (tests)
 * @param dataDir the directory of the embedded database, blobs and key file
 * @param databaseUrl a JDBC URL ({@code jdbc:postgresql://...}), or null for H2 under dataDir
 * @param databaseUser the database user, or null
 * @param databasePassword the database password, or null
 * @param blobsUrl {@code s3://bucket?endpoint=...&region=...}, or null for a directory under
 *     dataDir
 * @param masterKeyFile the file holding the master key that wraps every organization's keys, or
 *     null for {@code dataDir/master.key} (generated on first start)
 * @param publicUrl the address users reach this server at, for links it prints; an
 *     {@code https://} address also marks the session cookie Secure
 */
public record ServerConfig(String host, int port, Path dataDir, String databaseUrl,
    String databaseUser, String databasePassword, String blobsUrl, Path masterKeyFile,
    String publicUrl) {

  public ServerConfig {
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(dataDir, "dataDir");
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port must be 0-65535, received " + port);
    }
  }

  /** The embedded default: loopback, {@code port}, everything under {@code dataDir}. */
  public static ServerConfig embedded(Path dataDir, int port) {
    return new ServerConfig("127.0.0.1", port, dataDir, null, null, null, null, null, null);
  }

  /** Whether the session cookie is marked Secure: the server is reached over https. */
  public boolean secureCookies() {
    return publicUrl != null && publicUrl.startsWith("https://");
  }

  /** The master key file: the one configured, else {@code dataDir/master.key}. */
  public Path masterKeyPath() {
    return masterKeyFile != null ? masterKeyFile : dataDir.resolve("master.key");
  }
}
