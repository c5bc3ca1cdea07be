package ai.lepton.server.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.lepton.api.AuditEvent;
import ai.lepton.server.ServerConfig;
import ai.lepton.server.db.TestDatabases;
import ai.lepton.server.TestPlatform.Response;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile model files pushed over HTTP to a server with a 4 MiB model limit, in a JVM with a
 * 256 MiB heap (the hostile suite's): each gets a clear 4xx saying what is wrong, and leaves no
 * version, no blob, and a FAILED audit event; the server keeps answering.
 */
class RegistryUploadHostileTest {
  private static final long LIMIT = 100 << 20;
  @TempDir static Path dir;
  private static RegistryPlatform p;

  @BeforeAll
  static void start() {
    Path data = dir.resolve("data");
    p = new RegistryPlatform(ServerConfig.embedded(data, 0).withMaxModelBytes(LIMIT),
        () -> TestDatabases.embedded(data));
  }

  @AfterAll
  static void stop() {
    p.close();
  }

  /** Pushes {@code file}, expects {@code status} with {@code message} in it, and no trace. */
  private static void refused(String format, byte[] file, int status, String message) {
    int failed = p.events(p.org, RegistryService.UPLOAD).size();
    Response r = p.push("hostile", p.owner, "format=" + format, file);
    assertEquals(status, r.status(), r.body());
    assertTrue(r.errorMessage().contains(message), r.errorMessage());
    assertEquals(0, p.versionRows());
    assertEquals(List.of(), p.modelBlobKeys());
    List<AuditEvent> events = p.events(p.org, RegistryService.UPLOAD);
    assertEquals(failed + 1, events.size());
    assertEquals(AuditEvent.Outcome.FAILED, events.get(0).outcome());
    assertEquals(200, p.get(p.models(""), p.viewer).status(), "the server keeps answering");
  }

  @Test
  void aFileThatIsNotAZipIsUnprocessable() {
    refused("lepton", "just some text".getBytes(StandardCharsets.UTF_8), 422,
        "not a valid .lepton model file");
  }

  @Test
  void aTruncatedFileIsUnprocessable() {
    byte[] valid = TestModels.lepton();
    refused("lepton", Arrays.copyOf(valid, valid.length / 2), 422,
        "not a valid .lepton model file");
  }

  @Test
  void aZipBombIsRefusedBeforeItInflates() throws IOException {
    // config.json: 200 MB of spaces deflated to about 200 KB
    Map<String, byte[]> entries = TestModels.entries(TestModels.lepton());
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
      for (Map.Entry<String, byte[]> e : entries.entrySet()) {
        if (e.getKey().equals("config.json")) {
          zip.putNextEntry(new ZipEntry("config.json"));
          byte[] spaces = new byte[1 << 20];
          Arrays.fill(spaces, (byte) ' ');
          for (int i = 0; i < 200; i++) {
            zip.write(spaces);
          }
          zip.closeEntry();
        } else {
          byte[] one = TestModels.zip(Map.of(e.getKey(), e.getValue()));
          for (Map.Entry<String, byte[]> again : TestModels.entries(one).entrySet()) {
            ZipEntry entry = new ZipEntry(again.getKey());
            if (again.getKey().endsWith(".safetensors")) {
              java.util.zip.CRC32 crc = new java.util.zip.CRC32();
              crc.update(again.getValue());
              entry.setMethod(ZipEntry.STORED);
              entry.setSize(again.getValue().length);
              entry.setCrc(crc.getValue());
            }
            zip.putNextEntry(entry);
            zip.write(again.getValue());
            zip.closeEntry();
          }
        }
      }
    }
    assertTrue(bytes.size() < LIMIT, "the bomb itself is within the upload limit");
    refused("lepton", bytes.toByteArray(), 413, "config.json");
  }

  @Test
  void aConfigDeclaringBillionsOfParametersIsRefusedBeforeAnyWeightExists() {
    Map<String, byte[]> entries = TestModels.entries(TestModels.lepton());
    String config = new String(entries.get("config.json"), StandardCharsets.UTF_8);
    entries.put("config.json", config.replaceFirst("\"units\" ?: ?3", "\"units\": 900000000")
        .getBytes(StandardCharsets.UTF_8));
    refused("lepton", TestModels.zip(entries), 413, "parameters");
  }

  @Test
  void anEntryWithATraversalNameIsUnprocessable() {
    Map<String, byte[]> entries = TestModels.entries(TestModels.lepton());
    entries.put("../../outside.json", "{}".getBytes(StandardCharsets.UTF_8));
    refused("lepton", TestModels.zip(entries), 422, "'../../outside.json', a path that "
        + "could escape");
  }

  @Test
  void onnxGarbageIsUnprocessable() {
    byte[] garbage = new byte[4096];
    new java.util.Random(7).nextBytes(garbage);
    refused("onnx", garbage, 422, "not a valid ONNX model");
  }

  @Test
  void anOnnxModelReadingAServerFileIsUnprocessable() {
    refused("onnx", TestModels.onnxExternal("../master.key"), 422, "not a valid ONNX model");
  }

  @Test
  void aModelNearTheLimitIsValidatedWithOneCopyOfItInTheHeap() {
    // 96 MiB of weights, streamed by the test: in this 256 MiB heap, a server holding the file
    // twice (readNBytes(int)) or buffering its ciphertext (one read asking for all of it) fails
    int k = 4096;
    int m = 6144;
    byte[][] around = TestModels.onnxMatMulAround(k, m);
    long raw = 4L * k * m;
    java.net.http.HttpRequest.BodyPublisher body = java.net.http.HttpRequest.BodyPublishers
        .concat(java.net.http.HttpRequest.BodyPublishers.ofByteArray(around[0]),
            java.net.http.HttpRequest.BodyPublishers.fromPublisher(
                java.net.http.HttpRequest.BodyPublishers.ofInputStream(() ->
                    new java.io.InputStream() {
                      private long left = raw;

                      @Override
                      public int read() {
                        return left-- > 0 ? 0 : -1;
                      }

                      @Override
                      public int read(byte[] b, int off, int len) {
                        if (left <= 0) {
                          return -1;
                        }
                        int n = (int) Math.min(len, left);
                        Arrays.fill(b, off, off + n, (byte) 0);
                        left -= n;
                        return n;
                      }
                    }), raw),
            java.net.http.HttpRequest.BodyPublishers.ofByteArray(around[1]));
    Response r = p.send(p.request(p.models("/big/versions?format=onnx"), p.owner)
        .header("Content-Type", "application/octet-stream").PUT(body));
    assertEquals(201, r.status(), r.body());
    assertEquals(around[0].length + raw + around[1].length, r.json().get("sizeBytes").asLong());
    assertEquals("[-1,6144]", r.json().at("/signature/outputs/0/shape").toString());
    assertEquals(204, p.delete(p.models("/big"), p.owner).status());
  }

  @Test
  void aFileOverTheLimitIsTooLarge() {
    refused("onnx", new byte[(int) LIMIT + 1], 413, "larger than " + LIMIT + " bytes");
  }

  @Test
  void aFormatThatIsNotOneOfTheTwoIsRefusedBeforeTheBodyIsRead() {
    refused("pickle", new byte[] {(byte) 0x80, 4}, 400, "format must be one of [lepton, onnx]");
  }
}
