package ai.lepton.server;

import ai.lepton.server.serving.ServingLimits;
import java.nio.file.Path;
import java.util.Objects;

/**
 * How a Lepton server runs: where it listens and where it keeps its state. The embedded default
 * needs only a data directory: an encrypted H2 file database and an encrypted blob directory under
 * it, and a master key file generated there on first start.
 *
 * @param host the interface to listen on ("127.0.0.1" for loopback only, "0.0.0.0" for all)
 * @param port the TCP port; 0 picks a free one (tests)
 * @param dataDir the directory of the embedded database, blobs and key file
 * @param databaseUrl a JDBC URL ({@code jdbc:postgresql://...}), or null for H2 under dataDir
 * @param databaseUser the database user, or null
 * @param databasePassword the database password, or null
 * @param blobsUrl {@code s3://bucket?endpoint=...&region=...}, or null for a directory under
 *     dataDir
 * @param masterKeyFile the file holding the master key that wraps every organization's keys (and
 *     the embedded database's file password, {@code dataDir/database.key}), or
 *     null for {@code dataDir/master.key} (generated on first start)
 * @param publicUrl the address users reach this server at, for links it prints; an
 *     {@code https://} address also marks the session cookie Secure
 * @param firstOrganization the name of the organization the first administrator owns, made on
 *     the first start of an installation (no user yet); null for
 *     {@value #DEFAULT_FIRST_ORGANIZATION}
 * @param adminEmail the first administrator's email (their sign-in name), made on the first
 *     start; null for {@value #DEFAULT_ADMIN_EMAIL}. Later starts ignore both.
 * @param maxUploadBytes the largest dataset file an upload may send, in bytes (larger uploads
 *     answer 413 and are not kept); {@link #DEFAULT_MAX_UPLOAD_BYTES} in the embedded default
 * @param maxModelBytes the largest model file a push may send, in bytes (validated in memory,
 *     so at most 2 GiB - 64); {@link #DEFAULT_MAX_MODEL_BYTES} unless configured
 * @param servingLimits the server's ceiling of every deployment's request limits (body size,
 *     samples, rate, burst) and its element limit: a deployment may set lower ones, never higher,
 *     and one without its own gets these; null for {@link ServingLimits#DEFAULT}
 */
public record ServerConfig(String host, int port, Path dataDir, String databaseUrl,
    String databaseUser, String databasePassword, String blobsUrl, Path masterKeyFile,
    String publicUrl, String firstOrganization, String adminEmail, long maxUploadBytes,
    long maxModelBytes, ServingLimits servingLimits) {
  /** The first organization's name unless configured. */
  public static final String DEFAULT_FIRST_ORGANIZATION = "default";
  /** The first administrator's email unless configured. */
  public static final String DEFAULT_ADMIN_EMAIL = "admin@lepton.local";
  /** The default upload limit: 2 GiB. */
  public static final long DEFAULT_MAX_UPLOAD_BYTES = 2L << 30;
  /** The default model file limit: 512 MiB. */
  public static final long DEFAULT_MAX_MODEL_BYTES = 512L << 20;

  /**
   * @throws IllegalArgumentException for a port outside 0-65535 or an upload limit below 1
   */
  public ServerConfig {
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(dataDir, "dataDir");
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port must be 0-65535, received " + port);
    }
    firstOrganization = firstOrganization != null ? firstOrganization
        : DEFAULT_FIRST_ORGANIZATION;
    adminEmail = adminEmail != null ? adminEmail : DEFAULT_ADMIN_EMAIL;
    if (maxUploadBytes < 1) {
      throw new IllegalArgumentException("maxUploadBytes must be at least 1, received "
          + maxUploadBytes);
    }
    if (maxModelBytes < 1 || maxModelBytes > Integer.MAX_VALUE - 64) {
      throw new IllegalArgumentException("maxModelBytes must be 1 to " + (Integer.MAX_VALUE - 64)
          + " (a model file is validated in memory), received " + maxModelBytes);
    }
    servingLimits = servingLimits != null ? servingLimits : ServingLimits.DEFAULT;
  }

  /** A configuration with the default serving ceiling. */
  public ServerConfig(String host, int port, Path dataDir, String databaseUrl,
      String databaseUser, String databasePassword, String blobsUrl, Path masterKeyFile,
      String publicUrl, String firstOrganization, String adminEmail, long maxUploadBytes,
      long maxModelBytes) {
    this(host, port, dataDir, databaseUrl, databaseUser, databasePassword, blobsUrl,
        masterKeyFile, publicUrl, firstOrganization, adminEmail, maxUploadBytes, maxModelBytes,
        null);
  }

  /** A configuration with the default model file limit. */
  public ServerConfig(String host, int port, Path dataDir, String databaseUrl,
      String databaseUser, String databasePassword, String blobsUrl, Path masterKeyFile,
      String publicUrl, String firstOrganization, String adminEmail, long maxUploadBytes) {
    this(host, port, dataDir, databaseUrl, databaseUser, databasePassword, blobsUrl,
        masterKeyFile, publicUrl, firstOrganization, adminEmail, maxUploadBytes,
        DEFAULT_MAX_MODEL_BYTES);
  }

  /** The embedded default: loopback, {@code port}, everything under {@code dataDir}. */
  public static ServerConfig embedded(Path dataDir, int port) {
    return new ServerConfig("127.0.0.1", port, dataDir, null, null, null, null, null, null, null,
        null, DEFAULT_MAX_UPLOAD_BYTES);
  }

  /** This configuration with another upload limit. */
  public ServerConfig withMaxUploadBytes(long bytes) {
    return new ServerConfig(host, port, dataDir, databaseUrl, databaseUser, databasePassword,
        blobsUrl, masterKeyFile, publicUrl, firstOrganization, adminEmail, bytes,
        maxModelBytes, servingLimits);
  }

  /** This configuration with another model file limit. */
  public ServerConfig withMaxModelBytes(long bytes) {
    return new ServerConfig(host, port, dataDir, databaseUrl, databaseUser, databasePassword,
        blobsUrl, masterKeyFile, publicUrl, firstOrganization, adminEmail, maxUploadBytes,
        bytes, servingLimits);
  }

  /** This configuration with another serving ceiling. */
  public ServerConfig withServingLimits(ServingLimits limits) {
    return new ServerConfig(host, port, dataDir, databaseUrl, databaseUser, databasePassword,
        blobsUrl, masterKeyFile, publicUrl, firstOrganization, adminEmail, maxUploadBytes,
        maxModelBytes, limits);
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
