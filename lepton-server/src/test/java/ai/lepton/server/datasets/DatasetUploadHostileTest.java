package ai.lepton.server.datasets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.lepton.api.AuditEvent;
import ai.lepton.api.AuditEvent.Outcome;
import ai.lepton.server.TestPlatform.Response;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Hostile uploads over real HTTP, on a server whose upload limit is 1 MiB, in the small-heap JVM:
 * each is refused with a clear 4xx and leaves no version row, no blob and no temporary file;
 * refusals after authorization are recorded as FAILED, a viewer's try as DENIED.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DatasetUploadHostileTest {
  private static final long LIMIT = 1 << 20;
  private static final byte[] CSV = "a,b\n1,2\n".getBytes(StandardCharsets.UTF_8);

  private Path dir;
  private Platform platform;
  private String dataset;

  @BeforeAll
  void start(@TempDir Path dir) {
    this.dir = dir;
    platform = Platform.embedded(dir.resolve("data"), LIMIT);
    dataset = platform.dataset("target");
  }

  @AfterAll
  void stop() {
    platform.close();
  }

  /** Runs {@code upload}, expects the refusal, and that nothing was kept. */
  private Response refused(int status, String code, String fragment, Supplier<Response> upload) {
    int versions = platform.versionRows();
    List<Path> blobs = platform.datasetBlobs();
    Response r = upload.get();
    assertEquals(status, r.status(), r.body());
    assertEquals(code, r.errorCode(), r.body());
    assertTrue(r.errorMessage().contains(fragment), r.body());
    assertEquals(versions, platform.versionRows(), "no version row");
    assertEquals(blobs, platform.datasetBlobs(), "no blob");
    assertEquals(List.of(), platform.tempFiles(), "no temporary file");
    return r;
  }

  /** The newest upload event of the dataset, which must be FAILED with {@code code}. */
  private AuditEvent failedUpload(String code) {
    AuditEvent e = platform.events(platform.org, DatasetService.UPLOAD).get(0);
    assertEquals(Outcome.FAILED, e.outcome(), e.toString());
    assertEquals(code, e.details().get("code"), e.toString());
    assertTrue(platform.auditIntact(platform.org));
    return e;
  }

  private Response put(String query, byte[] content) {
    return platform.put(dataset, platform.owner, query, content);
  }

  private static String q(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }

  @ParameterizedTest
  @ValueSource(strings = {"../x.csv", "/etc/passwd", "a\\b.csv", "..", ".", "%2e%2e",
      "x\u0000.csv", "\u2024\u2024", "\uFF0E\uFF0E\uFF0Fx.csv", "x\u3002csv", "dir/x.csv",
      "C:x.csv", ".hidden", "x\n.csv"})
  void oddFileNamesAreRefusedRawAndInAForm(String name) {
    refused(400, "INVALID_ARGUMENT", "fileName", () -> put("format=CSV&fileName=" + q(name),
        CSV));
    assertTrue(failedUpload("INVALID_ARGUMENT").details().get("reason").contains("fileName"));
    if (name.chars().noneMatch(Character::isISOControl)) { // a header line cannot hold them
      refused(400, "INVALID_ARGUMENT", "fileName", () -> platform.multipart(dataset,
          platform.owner, Map.of("format", "CSV"), name, CSV));
    }
  }

  @Test
  void aPercentEncodedTraversalIsRefusedDecodedAndLiteral() {
    refused(400, "INVALID_ARGUMENT", "'.' or '..' segment",
        () -> put("format=CSV&fileName=%2e%2e", CSV));
    refused(400, "INVALID_ARGUMENT", "percent escape",
        () -> put("format=CSV&fileName=%252e%252e%252fx.csv", CSV));
  }

  @Test
  void badDeclarationsAreNamed() {
    refused(400, "INVALID_ARGUMENT", "format is required", () -> put("fileName=x.csv", CSV));
    refused(400, "INVALID_ARGUMENT", "format must be one of", () -> put("format=XLSX"
        + "&fileName=x.csv", CSV));
    refused(400, "INVALID_ARGUMENT", "fileName is required", () -> put("format=CSV", CSV));
    refused(400, "INVALID_ARGUMENT", "sha256 must be", () -> put("format=CSV&fileName=x.csv"
        + "&sha256=abc", CSV));
    refused(400, "INVALID_ARGUMENT", "label must name a column", () -> put("format=CSV"
        + "&fileName=x.csv&label=" + q("a\u0000"), CSV));
    refused(400, "INVALID_ARGUMENT", "form field 'other' is unknown", () -> platform.multipart(
        dataset, platform.owner, Map.of("other", "1"), "x.csv", CSV));
  }

  @Test
  void anUploadOverTheLimitIsRefusedFromItsDeclaredLength() throws Exception {
    try (Socket s = new Socket("127.0.0.1", platform.port())) {
      s.setSoTimeout(30_000);
      s.getOutputStream().write(head("Content-Length: " + (10L << 30)));
      String answer = answer(s.getInputStream());
      assertTrue(answer.startsWith("HTTP/1.1 413"), answer);
      assertTrue(answer.contains("larger than 1048576 bytes"), answer);
    }
    failedUpload("PAYLOAD_TOO_LARGE");
    assertEquals(List.of(), platform.tempFiles());
  }

  @Test
  void anEndlessUploadIsCutOffAtTheLimit() throws Exception {
    int versions = platform.versionRows();
    AtomicLong sent = new AtomicLong();
    try (Socket s = new Socket("127.0.0.1", platform.port())) {
      s.setSoTimeout(30_000);
      OutputStream out = s.getOutputStream();
      out.write(head("Transfer-Encoding: chunked"));
      // the client keeps sending until the server closes the connection
      CompletableFuture<Void> sending = CompletableFuture.runAsync(() -> {
        byte[] line = "1,2\n".repeat(4096).getBytes(StandardCharsets.US_ASCII);
        byte[] chunk = (Integer.toHexString(line.length) + "\r\n").getBytes(
            StandardCharsets.US_ASCII);
        try {
          out.write("4\r\na,b\n\r\n".getBytes(StandardCharsets.US_ASCII)); // the header
          while (true) {
            out.write(chunk);
            out.write(line);
            out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
            sent.addAndGet(line.length);
          }
        } catch (IOException e) {
          // the server closed the connection: what this test waits for
        }
      });
      String answer = answer(s.getInputStream());
      assertTrue(answer.startsWith("HTTP/1.1 413"), answer);
      assertTrue(answer.contains("received more than 1048576 bytes"), answer);
      sending.get(30, TimeUnit.SECONDS); // the server stopped reading and closed
    }
    assertTrue(sent.get() < 64L << 20, "the server read on after the limit: " + sent.get());
    assertEquals(versions, platform.versionRows());
    assertEquals(List.of(), platform.tempFiles());
    failedUpload("PAYLOAD_TOO_LARGE");
  }

  @Test
  void aDeclaredLengthOverTheLimitIsRefusedBeforeTheBodyIsInvited() throws Exception {
    // With Expect: 100-continue the client sends nothing until the server invites the body; a
    // 100 Continue before the refusal would make it send a body the server then leaves unread,
    // and the connection's reset could lose the 413 (seen with the JDK's HttpClient)
    try (Socket s = new Socket("127.0.0.1", platform.port())) {
      s.setSoTimeout(30_000);
      s.getOutputStream().write(head("Content-Length: " + (LIMIT + 1)
          + "\r\nExpect: 100-continue"));
      String answer = answer(s.getInputStream());
      assertTrue(answer.startsWith("HTTP/1.1 413"), answer);
    }
    assertEquals(List.of(), platform.tempFiles());
    failedUpload("PAYLOAD_TOO_LARGE");
  }

  /**
   * A client that writes its whole body before it reads the answer (as curl and the JDK's
   * HttpClient do without Expect: 100-continue), while the server refuses it from its declared
   * length: the server reads and drops a bounded amount of the body after answering, so the
   * client's writes are not reset and it reads the 413. Several tries, as a reset loses the
   * answer only some of the time.
   */
  @Test
  void aDeclaredOversizedBodySentAtOnceStillReadsThe413() throws Exception {
    byte[] body = new byte[(int) (8 * LIMIT)];
    java.util.Arrays.fill(body, (byte) '1');
    for (int i = 0; i < 5; i++) {
      try (Socket s = new Socket("127.0.0.1", platform.port())) {
        s.setSoTimeout(30_000);
        OutputStream out = s.getOutputStream();
        out.write(head("Content-Length: " + body.length));
        out.write(body); // all of it first: a reset here would lose the answer
        out.flush();
        String answer = answer(s.getInputStream());
        assertTrue(answer.startsWith("HTTP/1.1 413"), "try " + i + ": " + answer);
        assertTrue(answer.contains("larger than 1048576 bytes"), answer);
        assertTrue(answer.toLowerCase().contains("connection: close"), answer);
      }
    }
    assertEquals(List.of(), platform.tempFiles());
  }

  @Test
  void aFormOverTheLimitIsRefused() {
    refused(413, "PAYLOAD_TOO_LARGE", "larger than 1048576 bytes", () -> platform.multipart(
        dataset, platform.owner, Map.of("format", "TEXT"), "big.txt",
        "x\n".repeat((int) LIMIT).getBytes(StandardCharsets.US_ASCII)));
    failedUpload("PAYLOAD_TOO_LARGE");
  }

  private byte[] head(String length) {
    return platform.uploadHead(dataset, "format=CSV&fileName=x.csv", length);
  }

  /** The status line, headers and body of one response, read until the body's declared end. */
  private static String answer(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b < 0) {
        break;
      }
      head.write(b);
    }
    String text = head.toString(StandardCharsets.US_ASCII);
    int at = text.toLowerCase().indexOf("content-length: ");
    int length = at < 0 ? 0 : Integer.parseInt(text.substring(at + 16, text.indexOf('\r', at)));
    return text + new String(in.readNBytes(length), StandardCharsets.UTF_8);
  }

  @Test
  void aHashThatDoesNotMatchRefusesTheUpload() {
    refused(422, "UNPROCESSABLE", "but the upload declared " + "0".repeat(64),
        () -> put("format=CSV&fileName=x.csv&sha256=" + "0".repeat(64), CSV));
    failedUpload("UNPROCESSABLE");
  }

  @Test
  void unsupportedContentTypesAreRefused() {
    refused(415, "UNSUPPORTED_MEDIA_TYPE", "POST a multipart form", () -> platform.send(
        platform.request(platform.orgPath("/datasets/" + dataset + "/versions?format=CSV"
            + "&fileName=x.csv"), platform.owner)
            .header("Content-Type", "multipart/form-data; boundary=x")
            .PUT(java.net.http.HttpRequest.BodyPublishers.ofByteArray(CSV))));
    failedUpload("UNSUPPORTED_MEDIA_TYPE");
    refused(415, "UNSUPPORTED_MEDIA_TYPE", "application/x-www-form-urlencoded",
        () -> platform.send(platform.request(platform.orgPath("/datasets/" + dataset
            + "/versions?format=CSV&fileName=x.csv"), platform.owner)
            .header("Content-Type", "application/x-www-form-urlencoded")
            .PUT(java.net.http.HttpRequest.BodyPublishers.ofByteArray(CSV))));
    refused(415, "UNSUPPORTED_MEDIA_TYPE", "PUT the file as the raw body", () -> platform.post(
        platform.orgPath("/datasets/" + dataset + "/versions"), platform.owner, "{}"));
  }

  @Test
  void contentThatIsNotValidForItsFormatIsRefused() throws IOException {
    refused(422, "UNPROCESSABLE", "x.txt line 2: not valid UTF-8", () -> put("format=TEXT"
        + "&fileName=x.txt", new byte[] {'o', 'k', '\n', (byte) 0xC3, 0x28, '\n'}));
    failedUpload("UNPROCESSABLE");
    refused(422, "UNPROCESSABLE", "x.csv line 2: unterminated quote", () -> put("format=CSV"
        + "&fileName=x.csv", "a,b\n1,\"open\n2,3\n".getBytes(StandardCharsets.UTF_8)));
    refused(422, "UNPROCESSABLE", "was declared IDX but its content looks like CSV",
        () -> put("format=IDX&fileName=x.csv", CSV));
    refused(422, "UNPROCESSABLE", "has no column 'species'", () -> put("format=CSV"
        + "&fileName=x.csv&label=species", CSV));
    Path fake = TestFiles.zip(dir.resolve("fake.zip"), Map.of("cat/x.png", new byte[] {1, 2}));
    refused(422, "UNPROCESSABLE", "is not a PNG", () -> put("format=IMAGE_ZIP&fileName=x.zip",
        read(fake)));
  }

  @Test
  void zipBombsAreRefused() throws IOException {
    // 65 MiB of zeros deflate to about 64 KiB, over the 64 MiB allowed to one image
    Path bytes = TestFiles.zip(dir.resolve("bytes.zip"),
        Map.of("cat/zeros.png", new byte[65 << 20]));
    refused(413, "PAYLOAD_TOO_LARGE", "over the limit of 67108864 for one image",
        () -> put("format=IMAGE_ZIP&fileName=bomb.zip", read(bytes)));
    failedUpload("PAYLOAD_TOO_LARGE");
    Path pixels = TestFiles.zip(dir.resolve("pixels.zip"),
        Map.of("cat/bomb.png", TestFiles.pngDeclaring(100_000, 100_000)));
    refused(413, "PAYLOAD_TOO_LARGE", "10000000000 pixels", () -> put("format=IMAGE_ZIP"
        + "&fileName=bomb.zip", read(pixels)));
    Map<String, byte[]> escaping = new LinkedHashMap<>();
    escaping.put("cat/ok.png", TestFiles.png(2, 2, true));
    escaping.put("cat/../../x.png", TestFiles.png(2, 2, true));
    Path traversal = TestFiles.zip(dir.resolve("traversal.zip"), escaping);
    refused(422, "UNPROCESSABLE", "holds the zip entry 'cat/../../x.png'", () -> put(
        "format=IMAGE_ZIP&fileName=x.zip", read(traversal)));
  }

  private static byte[] read(Path file) {
    try {
      return Files.readAllBytes(file);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Test
  void aViewerMayNotUploadAndTheTryIsRecorded() {
    refused(403, "PERMISSION_DENIED", "needs member", () -> platform.put(dataset,
        platform.viewer, "format=CSV&fileName=x.csv", CSV));
    AuditEvent denied = platform.events(platform.org, DatasetService.UPLOAD).get(0);
    assertEquals(Outcome.DENIED, denied.outcome(), denied.toString());
    assertEquals(dataset, denied.resourceId());
    refused(403, "PERMISSION_DENIED", "needs member", () -> platform.post(platform.orgPath(
        "/datasets"), platform.viewer, Map.of("name", "mine")));
    assertEquals(Outcome.DENIED, platform.events(platform.org, DatasetService.CREATE).get(0)
        .outcome());
  }

  @Test
  void anotherOrganizationsDatasetReadsAsMissing() {
    String mine = platform.orgPath("/datasets/");
    Response made = platform.post("/api/v1/orgs/" + platform.outsiderOrg + "/datasets",
        platform.outsider, Map.of("name", "secret"));
    assertEquals(201, made.status(), made.body());
    String foreign = made.text("id");
    Response up = platform.send(platform.request("/api/v1/orgs/" + platform.outsiderOrg
            + "/datasets/" + foreign + "/versions?format=CSV&fileName=s.csv", platform.outsider)
        .PUT(java.net.http.HttpRequest.BodyPublishers.ofByteArray(CSV)));
    assertEquals(201, up.status(), up.body());
    String missing = "ds_" + "a".repeat(26);
    for (String path : new String[] {"", "/versions", "/versions/1", "/versions/1/profile",
        "/versions/1/content"}) {
      Response f = platform.get(mine + foreign + path, platform.owner);
      Response m = platform.get(mine + missing + path, platform.owner);
      assertEquals(404, f.status(), f.body());
      assertEquals(m.errorMessage().replace(missing, foreign), f.errorMessage());
      assertEquals(404, platform.get("/api/v1/orgs/" + platform.outsiderOrg + "/datasets/"
          + foreign + path, platform.owner).status());
    }
    refused(404, "NOT_FOUND", "dataset '" + foreign + "' not found", () -> platform.put(foreign,
        platform.owner, "format=CSV&fileName=x.csv", CSV));
    refused(404, "NOT_FOUND", "not found", () -> platform.post(mine + foreign
        + "/versions/1/derive", platform.owner, "{\"op\": \"drop_duplicates\"}"));
    refused(404, "NOT_FOUND", "not found", () -> platform.get(mine + "DS_%E2%80%A4%C3%A9",
        platform.owner));
    refused(404, "NOT_FOUND", "not found", () -> platform.get(mine + "x".repeat(5000),
        platform.owner));
    assertEquals(400, platform.get(mine + foreign + "/versions/one", platform.owner).status());
    assertEquals(1, platform.get("/api/v1/orgs/" + platform.outsiderOrg + "/datasets/" + foreign
        + "/versions", platform.outsider).json().get("versions").size());
  }

  @Test
  void aFileLargerThanTheHeapStreamsThroughBothWays() throws Exception {
    // 200 MB of text in a 256 MiB heap: held in memory anywhere on its way, it would not fit
    Path big = dir.resolve("big.txt");
    byte[] line = "the quick brown fox jumps over the lazy dog while lepton streams the file\n"
        .getBytes(StandardCharsets.US_ASCII);
    long lines = 200_000_000L / line.length;
    try (OutputStream out = new java.io.BufferedOutputStream(Files.newOutputStream(big),
        1 << 16)) {
      for (long i = 0; i < lines; i++) {
        out.write(line);
      }
    }
    String expected;
    try (InputStream in = Files.newInputStream(big)) {
      expected = Platform.sha256(in);
    }
    try (Platform large = Platform.embedded(dir.resolve("large"), 1L << 30)) {
      String id = large.dataset("big");
      Response up = large.send(large.request(large.orgPath("/datasets/" + id
              + "/versions?format=TEXT&fileName=big.txt&sha256=" + expected), large.owner)
          .PUT(java.net.http.HttpRequest.BodyPublishers.ofFile(big)));
      assertEquals(201, up.status(), up.body());
      assertEquals(lines, up.json().get("rows").asLong());
      java.net.http.HttpResponse<InputStream> down = java.net.http.HttpClient.newHttpClient()
          .send(large.request(large.orgPath("/datasets/" + id + "/versions/1/content"),
              large.owner).GET().build(), java.net.http.HttpResponse.BodyHandlers
              .ofInputStream());
      try (InputStream in = down.body()) {
        assertEquals(200, down.statusCode());
        assertEquals(expected, Platform.sha256(in));
      }
      assertEquals(Long.toString(Files.size(big)), down.headers().firstValue("Content-Length")
          .orElseThrow());
      assertEquals(List.of(), large.tempFiles());
    }
  }
}
