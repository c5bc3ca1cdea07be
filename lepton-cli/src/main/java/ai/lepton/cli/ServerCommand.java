package ai.lepton.cli;

import ai.lepton.server.LeptonServer;
import ai.lepton.server.ServerConfig;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code lepton server}: runs the platform until the process is stopped. */
@Command(name = "server", mixinStandardHelpOptions = true,
    description = "Start the Lepton platform (embedded database and blob directory by default).")
final class ServerCommand implements Callable<Integer> {
  @Option(names = "--port", defaultValue = "${env:LEPTON_PORT:-8080}",
      description = "TCP port (default ${DEFAULT-VALUE}; env LEPTON_PORT)")
  int port;

  @Option(names = "--host", defaultValue = "${env:LEPTON_HOST:-127.0.0.1}",
      description = "interface to listen on (default ${DEFAULT-VALUE}; env LEPTON_HOST)")
  String host;

  @Option(names = "--data-dir", defaultValue = "${env:LEPTON_DATA_DIR:-lepton-data}",
      description = "directory of the embedded database, blobs and master key "
          + "(default ${DEFAULT-VALUE}; env LEPTON_DATA_DIR)")
  Path dataDir;

  @Option(names = "--db", defaultValue = "${env:LEPTON_DB}",
      description = "JDBC URL of a PostgreSQL database instead of the embedded H2 (env LEPTON_DB)")
  String db;

  @Option(names = "--db-user", defaultValue = "${env:LEPTON_DB_USER}",
      description = "database user (env LEPTON_DB_USER)")
  String dbUser;

  @Option(names = "--db-password", defaultValue = "${env:LEPTON_DB_PASSWORD}",
      description = "database password (env LEPTON_DB_PASSWORD)")
  String dbPassword;

  @Option(names = "--blobs", defaultValue = "${env:LEPTON_BLOBS}",
      description = "s3://bucket?endpoint=...&region=... for an S3-compatible store instead of "
          + "the data directory (env LEPTON_BLOBS)")
  String blobs;

  @Option(names = "--master-key", defaultValue = "${env:LEPTON_MASTER_KEY_FILE}",
      description = "file of the master key (default DATA-DIR/master.key, generated on first "
          + "start; env LEPTON_MASTER_KEY_FILE)")
  Path masterKey;

  @Option(names = "--public-url", defaultValue = "${env:LEPTON_PUBLIC_URL}",
      description = "the address users reach this server at, for the links it prints; an "
          + "https:// address also marks the session cookie Secure (env LEPTON_PUBLIC_URL)")
  String publicUrl;

  @Override
  public Integer call() throws InterruptedException {
    ServerConfig config = new ServerConfig(host, port, dataDir, db, dbUser, dbPassword, blobs,
        masterKey, publicUrl);
    LeptonServer server = LeptonServer.start(config);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      server.close();
      stopped.countDown();
    }, "lepton-shutdown"));
    System.out.println("Lepton " + LeptonServer.VERSION + " is running on http://" + host + ":"
        + server.port() + "  (data in " + dataDir.toAbsolutePath() + "; Ctrl-C stops it)");
    server.firstSignInLink().ifPresent(link -> System.out.println("\nFirst start: the "
        + "administrator " + LeptonServer.FIRST_ADMIN_EMAIL + " owns the organization '"
        + LeptonServer.FIRST_ORGANIZATION + "'. Sign in once, within 24 hours, with\n\n    "
        + link + "\n\n(or POST its code to /api/v1/session/link), then set a password with "
        + "PUT /api/v1/me/password. The link is shown only now.\n"));
    stopped.await();
    return 0;
  }
}
