package ai.lepton.cli;

import ai.lepton.client.LeptonClient;
import ai.lepton.server.LeptonServer;
import ai.lepton.server.ServerConfig;
import ai.lepton.server.serving.ServingLimits;
import ai.lepton.server.tenancy.TenancyService;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code lepton server}: runs the platform until the process is stopped. */
@Command(name = "server", mixinStandardHelpOptions = true,
    description = {"Start the Lepton platform (embedded database and blob directory by default).",
        "Each option can also come from the environment (LEPTON_ and its name: LEPTON_DATA_DIR for"
            + " --data-dir) or from the properties file of --config (data-dir=...); the command"
            + " line wins over the environment, which wins over the file."})
final class ServerCommand implements Callable<Integer> {
  /** The options the environment and the config file may set. */
  static final java.util.Set<String> CONFIGURABLE = java.util.Set.of("port", "host", "data-dir",
      "db", "db-user", "db-password", "blobs", "master-key", "public-url", "first-org",
      "admin-email", "max-upload-bytes", "max-model-bytes", "demo",
      "serving-requests-per-second", "serving-burst", "serving-max-request-bytes",
      "serving-max-request-samples", "serving-max-request-elements");

  @Option(names = "--config", paramLabel = "FILE",
      description = "a properties file of options (port=8080, data-dir=..., db=..., blobs=...)")
  Path config;

  @Option(names = "--port", description = "TCP port (default 8080)")
  int port;

  @Option(names = "--host", description = "interface to listen on (default 127.0.0.1)")
  String host;

  @Option(names = "--data-dir", paramLabel = "DIR",
      description = "directory of the embedded database, blobs and master key (default "
          + "lepton-data)")
  Path dataDir;

  @Option(names = "--db", paramLabel = "JDBC-URL",
      description = "a PostgreSQL database instead of the embedded H2")
  String db;

  @Option(names = "--db-user", description = "database user")
  String dbUser;

  @Option(names = "--db-password", description = "database password")
  String dbPassword;

  @Option(names = "--blobs", paramLabel = "S3-URL",
      description = "s3://bucket?endpoint=...&region=... for an S3-compatible store instead of "
          + "the data directory")
  String blobs;

  @Option(names = "--master-key", paramLabel = "FILE",
      description = "the master key (default DATA-DIR/master.key, generated on first start)")
  Path masterKey;

  @Option(names = "--public-url",
      description = "the address users reach this server at, for the links it prints; an "
          + "https:// address also marks the session cookie Secure (env LEPTON_PUBLIC_URL)")
  String publicUrl;

  @Option(names = "--first-org", paramLabel = "NAME",
      description = "on the first start, the name of the organization the first administrator"
          + " owns (default " + ServerConfig.DEFAULT_FIRST_ORGANIZATION + ")")
  String firstOrg;

  @Option(names = "--admin-email", paramLabel = "EMAIL",
      description = "on the first start, the first administrator's email (default "
          + ServerConfig.DEFAULT_ADMIN_EMAIL + ")")
  String adminEmail;

  @Option(names = "--max-upload-bytes", paramLabel = "BYTES",
      description = "the largest dataset file an upload may send (default 2147483648, 2 GiB); "
          + "larger uploads are refused with 413")
  long maxUploadBytes;

  @Option(names = "--max-model-bytes", paramLabel = "BYTES",
      description = "the largest model file a push may send (default 536870912, 512 MiB; at "
          + "most 2147483583: a model is validated in memory); larger pushes are refused with 413")
  long maxModelBytes;

  // the serving ceiling: unset ones keep ServingLimits.DEFAULT's
  @Option(names = "--serving-requests-per-second", paramLabel = "RATE",
      description = "the most requests per second a deployment accepts, and the ceiling of its "
          + "own limit (default 20000)")
  Double servingRate;

  @Option(names = "--serving-burst", paramLabel = "N",
      description = "the most requests above the rate a deployment accepts at once, and the "
          + "ceiling of its own limit (default 20000)")
  Integer servingBurst;

  @Option(names = "--serving-max-request-bytes", paramLabel = "BYTES",
      description = "the largest inference request body, and the ceiling of a deployment's own "
          + "limit (default 8388608, 8 MiB); larger requests answer 413")
  Long servingBytes;

  @Option(names = "--serving-max-request-samples", paramLabel = "N",
      description = "the most samples one inference request may send, and the ceiling of a "
          + "deployment's own limit (default 1024)")
  Integer servingSamples;

  @Option(names = "--serving-max-request-elements", paramLabel = "N",
      description = "the most tensor elements one inference request may send, all inputs "
          + "together (default 4000000); larger requests answer 413")
  Long servingElements;

  @Option(names = "--demo",
      description = "fill the organization '" + LeptonServer.DEMO_ORG + "' in the background: "
          + "Fashion-MNIST and the fortunes as datasets, three models trained and registered "
          + "(needs the Debian packages dataset-fashion-mnist and fortunes-min; a later start "
          + "with --demo adds only what is missing; env LEPTON_DEMO=true, demo=true in --config)")
  boolean demo;

  @Option(names = "--demo-small", hidden = true,
      description = "for tests: the demo on a slice that trains in seconds")
  boolean demoSmall;

  @Override
  public Integer call() throws InterruptedException {
    ServerConfig config = new ServerConfig(host, port, dataDir, db, dbUser, dbPassword, blobs,
        masterKey, publicUrl, firstOrg, adminEmail, maxUploadBytes, maxModelBytes,
        servingLimits());
    LeptonServer server = LeptonServer.start(config);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      server.close();
      stopped.countDown();
    }, "lepton-shutdown"));
    System.out.println("Lepton " + LeptonServer.VERSION + " is running on http://" + host + ":"
        + server.port() + "  (data in " + dataDir.toAbsolutePath() + "; Ctrl-C stops it)");
    server.masterKeyNotice().ifPresent(System.out::println);
    server.firstSignInLink().ifPresent(link -> System.out.println("\nFirst start: the "
        + "administrator " + config.adminEmail() + " owns the organization '"
        + config.firstOrganization() + "'. Sign in once, within 24 hours, with\n\n    "
        + link + "\n\n(or POST its code to /api/v1/session/link), then set a password with "
        + "PUT /api/v1/me/password. The link is shown only now.\n"));
    if (demo) {
      String loopback = host.equals("0.0.0.0") || host.equals("::") ? "127.0.0.1" : host;
      URI base = URI.create("http://" + (loopback.contains(":") ? "[" + loopback + "]"
          : loopback) + ":" + server.port());
      Demo.Size size = demoSmall ? Demo.Size.SMALL : Demo.Size.DEFAULT;
      Thread filling = new Thread(() -> demo(server, base, config.dataDir().resolve("tmp"),
          size), "lepton-demo");
      filling.setDaemon(true); // Ctrl-C stops it with the server; a later --demo goes on
      filling.start();
    }
    stopped.await();
    return 0;
  }

  /**
   * The serving ceiling of the options, each unset one the default's.
   *
   * @throws IllegalArgumentException naming the option whose value is below its minimum
   */
  ServingLimits servingLimits() {
    ServingLimits d = ServingLimits.DEFAULT;
    double rate = servingRate == null ? d.requestsPerSecond() : servingRate;
    // the smallest rate a deployment may set (one request every 1,000 s) bounds the ceiling too
    atLeast("serving-requests-per-second", 0.001, rate);
    int burst = servingBurst == null ? d.burst() : servingBurst;
    atLeast("serving-burst", 1, burst);
    long bytes = servingBytes == null ? d.maxRequestBytes() : servingBytes;
    atLeast("serving-max-request-bytes", 1, bytes);
    int samples = servingSamples == null ? d.maxRows() : servingSamples;
    atLeast("serving-max-request-samples", 1, samples);
    long elements = servingElements == null ? d.maxElements() : servingElements;
    atLeast("serving-max-request-elements", 1, elements);
    return new ServingLimits(bytes, elements, samples, rate, burst);
  }

  private static void atLeast(String option, double min, double value) {
    if (!(value >= min)) {
      throw new IllegalArgumentException("--" + option + " (" + ServerDefaults.variable(option)
          + ", or " + option + "= in --config) must be at least " + (min == 1 ? "1" : min)
          + "; received " + (value == Math.rint(value) ? Long.toString((long) value)
          : Double.toString(value)));
    }
  }

  /** Runs the first-run demo against {@code server}; a failure is printed, the server runs on. */
  private static void demo(LeptonServer server, URI base, Path tmp, Demo.Size size) {
    try {
      TenancyService.DemoAccess access = server.demoAccess(Duration.ofDays(1));
      System.out.println("demo: " + (access.created() ? "created"
          : "adding what is missing to") + " the organization '" + LeptonServer.DEMO_ORG
          + "' of the first administrator");
      Files.createDirectories(tmp);
      Path work = Files.createTempDirectory(tmp, "demo-");
      LeptonClient client = LeptonClient.connect(base, access.token());
      try {
        new Demo(client, access.organizationId(), Path.of(Demo.FASHION_MNIST),
            Path.of(Demo.FORTUNES_DIR), size, work, System.out).run();
      } finally {
        Files.deleteIfExists(work);
        // its token ends with it (a demo stopped by Ctrl-C leaves it to expire in a day)
        client.revokeToken(access.organizationId(), access.tokenId());
      }
      System.out.println("demo: finished; sign in and open the organization '"
          + LeptonServer.DEMO_ORG + "'");
    } catch (IOException | RuntimeException e) {
      System.out.println("demo: stopped: " + e.getMessage() + " (the server runs on; start "
          + "again with --demo to finish the demo)");
    }
  }
}
