package ai.lepton.server.datasets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import ai.lepton.server.ServerConfig;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * "Files in the data directory are unreadable without the key": no file of an upload (temporary
 * files, blobs, blob writes in progress) holds a recognizable piece of its plaintext, while its
 * body is still arriving nor once it is a version.
 */
class DatasetPlaintextTest {
  private static final Duration DEADLINE = Duration.ofSeconds(60);
  /** In every row but the first few. */
  private static final byte[] SECRET = "patient-7f3a-diagnosis-confidential"
      .getBytes(StandardCharsets.US_ASCII);

  @TempDir Path dir;

  @Test
  void noPlaintextOfAnUploadReachesTheDiskDuringOrAfterIt() throws IOException {
    ByteArrayOutputStream csv = new ByteArrayOutputStream();
    csv.writeBytes("id,note\n".getBytes(StandardCharsets.US_ASCII));
    for (int i = 0; i < 60_000; i++) {
      String note = i < 10 ? "ordinary" : new String(SECRET,
          StandardCharsets.US_ASCII);
      csv.writeBytes((i + "," + note + "\n").getBytes(StandardCharsets.US_ASCII));
    }
    byte[] content = csv.toByteArray(); // about 2.5 MB
    int half = content.length / 2;
    try (Platform platform = Platform.embedded(dir.resolve("data"),
        ServerConfig.DEFAULT_MAX_UPLOAD_BYTES)) {
      String dataset = platform.dataset("records");
      try (Socket upload = new Socket("127.0.0.1", platform.port())) {
        OutputStream out = upload.getOutputStream();
        out.write(platform.uploadHead(dataset, "format=CSV&fileName=records.csv",
            "Content-Length: " + content.length));
        out.write(content, 0, half);
        out.flush();
        // the body is held open halfway: the server has written some of it
        Instant end = Instant.now().plus(DEADLINE);
        while (platform.blobParts().stream().noneMatch(Platform::nonEmpty)) {
          if (Instant.now().isAfter(end)) {
            fail("the upload's blob never received the first half of the body");
          }
          Thread.onSpinWait();
        }
        assertEquals(List.of(), platform.filesHolding(SECRET), "plaintext during the upload");
        assertEquals(List.of(), platform.tempFiles(), "no temporary file during the upload");

        out.write(content, half, content.length - half);
        out.flush();
        String answer = statusLine(upload.getInputStream());
        assertTrue(answer.contains(" 201 "), answer);
      }
      assertEquals(1, platform.versionRows());
      assertEquals(List.of(), platform.filesHolding(SECRET), "plaintext after the upload");
      assertEquals(List.of(), platform.tempFiles());
      // the version holds it, decrypted as it is downloaded
      assertArrayEquals(content, platform.get(platform.orgPath("/datasets/" + dataset
          + "/versions/1/content"), platform.owner).bytes());
      // and the scan finds plaintext where there is some
      Path copy = Files.write(Files.createDirectories(platform.dataDir.resolve("tmp"))
          .resolve("copy.csv"), content);
      assertEquals(List.of(copy), platform.filesHolding(SECRET));
    }
  }

  private static String statusLine(InputStream in) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    for (int b = in.read(); b != -1 && b != '\n'; b = in.read()) {
      line.write(b);
    }
    return line.toString(StandardCharsets.US_ASCII);
  }
}
