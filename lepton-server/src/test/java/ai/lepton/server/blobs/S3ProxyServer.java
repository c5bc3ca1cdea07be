package ai.lepton.server.blobs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A real S3-compatible server for tests: S3Proxy (the jar Maven copies to target/s3proxy.jar) run
 * as a subprocess with its filesystem backend under a directory, on a free port, with signature
 * checking on. {@link #start} returns once the port answers.
 */
public final class S3ProxyServer implements AutoCloseable {
  public static final String IDENTITY = "lepton-test";
  public static final String CREDENTIAL = "lepton-test-secret+/=";
  private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

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
    Process process = new ProcessBuilder(List.of(java, "-Xmx256m", "-jar", jar.toString(),
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
