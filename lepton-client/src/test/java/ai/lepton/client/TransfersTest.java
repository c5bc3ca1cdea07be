package ai.lepton.client;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.lepton.api.DatasetFormat;
import ai.lepton.api.DatasetVersion;
import ai.lepton.api.ErrorCode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Uploads stream with their hash and length; downloads land only when their hash matches. The
 * other side is a recording HTTP server, because only it can send a damaged download on purpose
 * (the dataset routes themselves are tested against the real server by the CLI's tests).
 */
class TransfersTest {
  @TempDir Path dir;
  private HttpServer server;
  private LeptonClient client;
  private final Map<String, String> seen = new ConcurrentHashMap<>();
  private volatile byte[] received;
  private volatile byte[] content;
  private volatile String announcedSha;

  @BeforeEach
  void start() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/api/v1/orgs/org_1/datasets/ds_1/versions", this::upload);
    server.createContext("/api/v1/orgs/org_1/datasets/ds_1/versions/1/content", this::download);
    server.start();
    client = LeptonClient.connect(URI.create("http://127.0.0.1:" + server.getAddress().getPort()),
        "lpt_test");
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  private void upload(HttpExchange x) throws IOException {
    seen.put("method", x.getRequestMethod());
    seen.put("query", x.getRequestURI().getRawQuery());
    seen.put("length", String.valueOf(x.getRequestHeaders().getFirst("Content-Length")));
    seen.put("authorization", x.getRequestHeaders().getFirst("Authorization"));
    try (InputStream in = x.getRequestBody()) {
      received = in.readAllBytes();
    }
    byte[] answer = ("{\"id\":\"dsv_1\",\"datasetId\":\"ds_1\",\"number\":1,\"format\":\"CSV\","
        + "\"fileName\":\"a b.csv\",\"sizeBytes\":" + received.length + ",\"rows\":2,"
        + "\"unknownField\":true}").getBytes(StandardCharsets.UTF_8);
    x.getResponseHeaders().add("Content-Type", "application/json");
    x.sendResponseHeaders(201, answer.length);
    try (OutputStream out = x.getResponseBody()) {
      out.write(answer);
    }
  }

  private void download(HttpExchange x) throws IOException {
    x.getResponseHeaders().add("X-Content-SHA256", announcedSha);
    x.getResponseHeaders().add("X-Request-Id", "req_1");
    x.sendResponseHeaders(200, content.length);
    try (OutputStream out = x.getResponseBody()) {
      out.write(content);
    }
  }

  private static String sha256(byte[] bytes) throws Exception {
    return HexFormat.of().formatHex(
        java.security.MessageDigest.getInstance("SHA-256").digest(bytes));
  }

  @Test
  void anUploadStreamsTheFileWithItsLengthHashAndEncodedName() throws Exception {
    byte[] data = new byte[3 * 1024 * 1024 + 17];
    new Random(7).nextBytes(data);
    Path file = Files.write(dir.resolve("a b.csv"), data);
    List<Long> progress = new ArrayList<>();

    DatasetVersion v = client.uploadVersion("org_1", "ds_1", file, DatasetFormat.CSV, "spé cies",
        progress::add);

    assertEquals(1, v.number());
    assertEquals("PUT", seen.get("method"));
    assertEquals("Bearer lpt_test", seen.get("authorization"));
    assertEquals(String.valueOf(data.length), seen.get("length"), "a known length, not chunked");
    assertEquals("format=CSV&fileName=a%20b.csv&sha256=" + sha256(data)
        + "&label=sp%C3%A9%20cies", seen.get("query"));
    assertArrayEquals(data, received);
    assertEquals(data.length, progress.get(progress.size() - 1));
    for (int i = 1; i < progress.size(); i++) {
      assertTrue(progress.get(i) > progress.get(i - 1), "bytes so far only grow");
    }
  }

  @Test
  void aDownloadIsMovedIntoPlaceOnlyWhenItsHashMatches() throws Exception {
    content = "a,b\n1,2\n".getBytes(StandardCharsets.UTF_8);
    announcedSha = sha256(content);
    Path target = dir.resolve("out.csv");
    AtomicLong last = new AtomicLong();

    assertEquals(announcedSha, client.download("org_1", "ds_1", 1, target, last::set));
    assertArrayEquals(content, Files.readAllBytes(target));
    assertEquals(content.length, last.get());

    // the same name, damaged on the way: the earlier file stays, and no temporary file is left
    byte[] good = content;
    content = "a,b\n1,3\n".getBytes(StandardCharsets.UTF_8);
    LeptonClientException e = assertThrows(LeptonClientException.class,
        () -> client.download("org_1", "ds_1", 1, target, null));
    assertEquals(ErrorCode.INTERNAL, e.code());
    assertTrue(e.getMessage().contains("does not match") && e.getMessage().contains(announcedSha)
        && e.getMessage().contains("req_1"), e.getMessage());
    assertArrayEquals(good, Files.readAllBytes(target));
    try (var files = Files.list(dir)) {
      assertEquals(List.of(target), files.toList());
    }
  }

  @Test
  void anUnreadableFileIsNamedBeforeAnythingIsSent() {
    Path missing = dir.resolve("missing.csv");
    java.io.UncheckedIOException e = assertThrows(java.io.UncheckedIOException.class,
        () -> client.uploadVersion("org_1", "ds_1", missing, DatasetFormat.CSV, null, null));
    assertTrue(e.getMessage().contains("missing.csv"), e.getMessage());
    assertEquals(null, seen.get("method"), "nothing reached the server");
  }
}
