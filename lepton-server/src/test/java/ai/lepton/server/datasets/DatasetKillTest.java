package ai.lepton.server.datasets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import ai.lepton.server.ServerConfig;
import ai.lepton.server.crypto.MasterKey;
import ai.lepton.server.TestPlatform.Response;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Killing the server process in the middle of an upload leaves no version, no temporary file and
 * no dataset blob once it is started again, only the ciphertext of the blob it was writing; the
 * audit chain still verifies, and uploads work.
 */
class DatasetKillTest {
  private static final Duration DEADLINE = Duration.ofSeconds(90);

  @TempDir Path dir;

  @Test
  void aServerKilledDuringAnUploadKeepsNothingOfIt() throws Exception {
    Platform platform = Platform.embedded(dir.resolve("data"),
        ServerConfig.DEFAULT_MAX_UPLOAD_BYTES);
    try {
      String dataset = platform.dataset("interrupted");
      platform.stop();
      ProcessBuilder command = new ProcessBuilder(Path.of(System.getProperty("java.home"),
          "bin", "java").toString(), "-Xmx256m", ServerProcess.class.getName(),
          platform.dataDir.toString()).redirectError(dir.resolve("server.log").toFile());
      command.environment().put("CLASSPATH", System.getProperty("java.class.path"));
      command.environment().remove(MasterKey.ENVIRONMENT); // the key file in the data directory
      byte[] line = "a line of the upload that never ends\n".getBytes(StandardCharsets.US_ASCII);
      Process server = command.start();
      try (Socket upload = new Socket()) {
        platform.at(port(server));
        upload.connect(new java.net.InetSocketAddress("127.0.0.1", platform.port()));
        OutputStream out = upload.getOutputStream();
        out.write(platform.uploadHead(dataset, "format=TEXT&fileName=slow.txt",
            "Content-Length: " + (100 << 20)));
        byte[] lines = new String(line, StandardCharsets.US_ASCII).repeat(1000)
            .getBytes(StandardCharsets.US_ASCII);
        // send until the upload's blob, being written, holds bytes, then kill it mid-upload
        await(() -> {
          try {
            out.write(lines);
          } catch (IOException e) {
            throw new UncheckedIOException("the server closed the upload", e);
          }
          return platform.blobParts().stream().anyMatch(Platform::nonEmpty);
        }, "the upload's blob to fill");
        server.destroyForcibly();
        assertTrue(server.waitFor(DEADLINE.toSeconds(), java.util.concurrent.TimeUnit.SECONDS));
      } finally {
        server.destroyForcibly();
      }
      assertTrue(platform.blobParts().stream().anyMatch(Platform::nonEmpty),
          "the kill left a partial upload behind");
      assertEquals(List.of(), platform.filesHolding(line), "what it left is ciphertext");

      platform.start(); // the same data directory, in this JVM
      assertEquals(List.of(), platform.tempFiles());
      assertEquals(0, platform.versionRows());
      assertEquals(List.of(), platform.datasetBlobs());
      // the partial write stays, ciphertext and no blob, until the blob store removes it a day on
      assertTrue(platform.blobParts().stream().anyMatch(Platform::nonEmpty));
      assertTrue(platform.auditIntact(platform.org));
      byte[] text = "it works after the restart\n".getBytes(StandardCharsets.UTF_8);
      Response again = platform.put(dataset, platform.owner, "format=TEXT&fileName=ok.txt", text);
      assertEquals(201, again.status(), again.body());
      assertEquals(1, again.json().get("number").asInt());
      assertEquals(1, platform.datasetBlobs().size());
      assertTrue(platform.auditIntact(platform.org));
    } finally {
      platform.close();
    }
  }

  /** Reads the port the server process prints. */
  private int port(Process server) throws IOException {
    BufferedReader lines = new BufferedReader(new InputStreamReader(server.getInputStream(),
        StandardCharsets.UTF_8));
    for (String line = lines.readLine(); line != null; line = lines.readLine()) {
      if (line.startsWith("port=")) {
        return Integer.parseInt(line.substring(5));
      }
    }
    fail("the server process ended without printing its port; its log:\n"
        + Files.readString(dir.resolve("server.log")));
    return -1;
  }

  /** Polls {@code condition} until it holds, failing after the deadline. */
  private static void await(BooleanSupplier condition, String what) {
    Instant end = Instant.now().plus(DEADLINE);
    while (!condition.getAsBoolean()) {
      if (Instant.now().isAfter(end)) {
        fail("gave up waiting for " + what + " after " + DEADLINE);
      }
      Thread.onSpinWait();
    }
  }
}
