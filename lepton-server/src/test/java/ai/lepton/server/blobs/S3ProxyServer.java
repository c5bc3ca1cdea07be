package ai.lepton.server.blobs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * A real S3-compatible server for tests: S3Proxy (the jar Maven copies to target/s3proxy.jar) run
 * as a subprocess with its filesystem backend under a directory, on a free port, with signature
 * checking on. {@link #start} returns once the port answers. Test classes share one server per
 * test JVM ({@link #shared}, stopped when the JVM exits) and use a fresh bucket per test.
 */
public final class S3ProxyServer implements AutoCloseable {
  public static final String IDENTITY = "lepton-test";
  public static final String CREDENTIAL = "lepton-test-secret+/=";
  private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
  private static S3ProxyServer shared;

  private final Process process;
  private final int port;
  private final Path storage;
  private final Path log;

  private S3ProxyServer(Process process, int port, Path storage, Path log) {
    this.process = process;
    this.port = port;
    this.storage = storage;
    this.log = log;
  }

  /** The server shared by this test JVM, started on first use and stopped at exit. */
  public static synchronized S3ProxyServer shared() throws IOException, InterruptedException {
    if (shared == null) {
      Path dir = Files.createTempDirectory("lepton-s3proxy");
      shared = start(dir);
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        shared.close();
        try (Stream<Path> files = Files.walk(dir)) {
          files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
          // a temp directory; the JVM is exiting
        }
      }));
    }
    return shared;
  }

  /** A bucket of its own for one test. */
  public String newBucket() {
    String bucket = "b" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
    createBucket(bucket);
    return bucket;
  }

  /** Starts S3Proxy keeping its buckets under {@code dir}/storage. */
  public static S3ProxyServer start(Path dir) throws IOException, InterruptedException {
    Path jar = Path.of("target", "s3proxy.jar").toAbsolutePath();
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(jar + " is missing: run the tests through Maven"
          + " (generate-test-resources copies it)");
    }
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    Path storage = Files.createDirectories(dir.resolve("storage"));
    Path properties = dir.resolve("s3proxy.properties");
    Files.writeString(properties, String.join("\n",
        "s3proxy.endpoint=http://127.0.0.1:" + port,
        "s3proxy.authorization=aws-v2-or-v4",
        "s3proxy.identity=" + IDENTITY,
        "s3proxy.credential=" + CREDENTIAL,
        "jclouds.provider=filesystem",
        "jclouds.filesystem.basedir=" + storage,
        ""));
    Path log = dir.resolve("s3proxy.log");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    // C1 only and the serial collector: a test server that starts fast.
    Process process = new ProcessBuilder(List.of(java, "-Xmx256m", "-XX:TieredStopAtLevel=1",
        "-XX:+UseSerialGC", "-jar", jar.toString(),
        "--properties", properties.toString()))
        .redirectErrorStream(true)
        .redirectOutput(log.toFile())
        .start();
    S3ProxyServer server = new S3ProxyServer(process, port, storage, log);
    server.awaitPort();
    return server;
  }

  // Polls the port until S3Proxy accepts connections, or fails with its log.
  private void awaitPort() throws InterruptedException, IOException {
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (true) {
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress("127.0.0.1", port), 200);
        return;
      } catch (IOException notYet) {
        if (!process.isAlive() || System.nanoTime() > deadline) {
          close();
          throw new IllegalStateException("S3Proxy did not start on port " + port + ":\n"
              + Files.readString(log));
        }
        Thread.sleep(25);
      }
    }
  }

  /** Creates a bucket (a directory of the filesystem backend). */
  public void createBucket(String bucket) {
    try {
      Files.createDirectories(storage.resolve(bucket));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The directory S3Proxy keeps a bucket's objects in. */
  public Path bucketDirectory(String bucket) {
    return storage.resolve(bucket);
  }

  /** A blobs URL for {@code bucket} on this server, with its credentials. */
  public String url(String bucket) {
    return "s3://" + bucket + "?endpoint=http://127.0.0.1:" + port + "&region=us-east-1"
        + "&accessKey=" + IDENTITY + "&secretKey=" + CREDENTIAL.replace("+", "%2B")
            .replace("/", "%2F").replace("=", "%3D");
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor();
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}
