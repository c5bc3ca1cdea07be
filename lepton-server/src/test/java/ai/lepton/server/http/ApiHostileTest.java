package ai.lepton.server.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.Javalin;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The HTTP pipeline against hostile requests: each answers a 4xx with the one error body, and the
 * route never sees it. A route reading a small record stands in for every JSON endpoint.
 */
class ApiHostileTest {
  record Greeting(String name, int count) {}

  private final ObjectMapper json = Json.mapper();
  private Javalin server;
  private final HttpClient http = HttpClient.newHttpClient();
  private int calls;

  @BeforeEach
  void start() {
    Route echo = Route.post("/echo").tag("test").summary("echo").publicAccess()
        .reads(Greeting.class).returns(Greeting.class)
        .handle(ctx -> {
          Greeting g = Api.body(ctx, Greeting.class);
          calls++;
          ctx.json(g);
        });
    Route secret = Route.get("/secret").tag("test").summary("needs a principal")
        .handle(ctx -> ctx.result("secret"));
    Route guarded = Route.post("/guarded").tag("test").summary("takes a body, needs a principal")
        .reads(Greeting.class).handle(ctx -> ctx.json(Api.body(ctx, Greeting.class)));
    server = new Api(json, new SimpleMeterRegistry(), ctx -> false,
        List.of(echo, secret, guarded))
        .create("127.0.0.1", 0).start();
  }

  @AfterEach
  void stop() {
    server.stop();
  }

  private HttpResponse<String> post(byte[] body) throws Exception {
    return http.send(HttpRequest.newBuilder(uri("/echo"))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private URI uri(String path) {
    return URI.create("http://127.0.0.1:" + server.port() + path);
  }

  private void assertError(HttpResponse<String> r, int status, String code, String fragment)
      throws Exception {
    assertEquals(status, r.statusCode(), r.body());
    JsonNode error = json.readTree(r.body()).get("error");
    assertEquals(code, error.get("code").asText(), r.body());
    assertTrue(error.get("message").asText().contains(fragment), r.body());
    assertEquals(0, calls, "the route must not have received a value");
  }

  @Test
  void aValidBodyGoesThrough() throws Exception {
    HttpResponse<String> r = post("{\"name\":\"a\",\"count\":2}".getBytes());
    assertEquals(201, r.statusCode(), r.body());
    assertEquals(1, calls);
  }

  @Test
  void unknownFieldsAreRefusedByName() throws Exception {
    HttpResponse<String> r = post("{\"name\":\"a\",\"count\":2,\"admin\":true}".getBytes());
    assertError(r, 400, "INVALID_ARGUMENT", "admin");
  }

  @Test
  void deepNestingIsRefusedBeforeItIsBuilt() throws Exception {
    String deep = "[".repeat(100_000) + "]".repeat(100_000);
    assertError(post(("{\"name\":" + deep + "}").getBytes()), 400, "INVALID_ARGUMENT",
        "not valid");
    // the limit itself, for bodies read as trees: a depth error, not a stack overflow
    Exception e = org.junit.jupiter.api.Assertions.assertThrows(Exception.class,
        () -> json.readTree(deep));
    assertTrue(e.getMessage().contains("nesting depth"), e.getMessage());
  }

  @Test
  void nullsForNumbersTrailingTokensAndInvalidUtf8AreRefused() throws Exception {
    for (byte[] body : new byte[][] {
        "{\"name\":\"a\",\"count\":null}".getBytes(),
        "{\"name\":\"a\",\"count\":1} {}".getBytes(),
        "{\"name\":\"a\",\"count\":NaN}".getBytes(),
        "null".getBytes(),
        {'{', '"', 'n', 'a', 'm', 'e', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}'}}) {
      assertError(post(body), 400, "INVALID_ARGUMENT", "JSON");
    }
  }

  @Test
  void anOversizedBodyIsRefusedWith413() throws Exception {
    byte[] big = new byte[(int) Api.MAX_JSON_BODY + 1024];
    java.util.Arrays.fill(big, (byte) ' ');
    assertError(post(big), 413, "PAYLOAD_TOO_LARGE", "larger than");
  }

  @Test
  void oversizedHeadersAreRefusedWith431() throws Exception {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri("/secret"))
        .header("X-Padding", "a".repeat(Api.MAX_HEADER_BYTES + 1)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertError(r, 431, "HEADERS_TOO_LARGE", "headers are larger than 16 KiB");
  }

  @Test
  void aUriJettyRefusesAnswersTheErrorShapeNotAnHtmlPage() throws Exception {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri("/echo%00")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals("application/json", r.headers().firstValue("Content-Type").orElse(""));
    assertError(r, 400, "INVALID_ARGUMENT", "before it reached an endpoint");
    // what no HTTP client library sends: a malformed escape, a request line Jetty cannot parse
    for (String line : List.of("GET /echo%zz HTTP/1.1", "GET /echo HTTP/9.9", "G\u0001T / HTTP/1.1")) {
      try (Socket socket = new Socket("127.0.0.1", server.port())) {
        socket.getOutputStream().write((line + "\r\nHost: x\r\nConnection: close\r\n\r\n")
            .getBytes(StandardCharsets.ISO_8859_1));
        String answer = new String(socket.getInputStream().readAllBytes(),
            StandardCharsets.UTF_8);
        String body = answer.substring(answer.indexOf("\r\n\r\n") + 4);
        assertTrue(answer.startsWith("HTTP/1.1 400 ") || answer.startsWith("HTTP/1.1 505 "),
            line + ": " + answer);
        assertTrue(answer.contains("Content-Type: application/json"), line + ": " + answer);
        JsonNode error = json.readTree(body).get("error");
        assertTrue(error.get("message").asText().contains("before it reached an endpoint"),
            line + ": " + body);
      }
    }
  }

  @Test
  void aSignedInRouteWithoutCredentialsAnswers401AndSaysHowToSignIn() throws Exception {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri("/secret")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertError(r, 401, "UNAUTHENTICATED", "Authorization: Bearer");
  }

  /**
   * A refusal that comes before the route reads the body (here 401) still reads the small body,
   * so the connection stays open for the next request. Left unread, the body made Jetty close
   * the connection after such answers, and the JDK client, which had already taken the
   * connection back, failed its next request with "header parser received no bytes".
   */
  @Test
  void aRefusalBeforeTheBodyKeepsTheConnectionForTheNextRequest() throws Exception {
    try (Socket socket = new Socket("127.0.0.1", server.port())) {
      String body = "{\"name\":\"a\",\"count\":2}";
      var out = socket.getOutputStream();
      var in = new java.io.DataInputStream(socket.getInputStream());
      for (int i = 0; i < 20; i++) {
        // the headers, then the body in a write of its own, as the JDK client sends them: the
        // refusal is often ready before the body has come
        out.write(("POST /guarded HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            + "Content-Length: " + body.length() + "\r\n\r\n")
            .getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        out.write(body.getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        String head = readHead(in);
        assertTrue(head.startsWith("HTTP/1.1 401 "), "request " + i + ": " + head);
        assertTrue(!head.toLowerCase(java.util.Locale.ROOT).contains("connection: close"),
            "request " + i + " closed the connection: " + head);
        int length = Integer.parseInt(head.replaceAll("(?s).*Content-Length: (\\d+).*", "$1"));
        in.readFully(new byte[length]);
      }
    }
  }

  /**
   * A refusal of a request declaring more body than the server reads after an answer is sent at
   * once, closing the connection, without waiting for a body that may never come.
   */
  @Test
  void aRefusalOfALargeUnsentBodyAnswersAtOnceAndCloses() throws Exception {
    try (Socket socket = new Socket("127.0.0.1", server.port())) {
      socket.setSoTimeout(5_000); // the server's idle timeout is 30 s: far past this
      socket.getOutputStream().write(("POST /guarded HTTP/1.1\r\nHost: x\r\n"
          + "Content-Type: application/json\r\nContent-Length: 1000000\r\n\r\n")
          .getBytes(StandardCharsets.ISO_8859_1));
      socket.getOutputStream().flush();
      String head = readHead(new java.io.DataInputStream(socket.getInputStream()));
      assertTrue(head.startsWith("HTTP/1.1 401 "), head);
      assertTrue(head.toLowerCase(java.util.Locale.ROOT).contains("connection: close"), head);
    }
  }

  /** The status line and headers of the next answer on {@code in}, up to the blank line. */
  private static String readHead(java.io.DataInputStream in) throws java.io.IOException {
    StringBuilder head = new StringBuilder();
    while (!head.toString().endsWith("\r\n\r\n")) {
      int c = in.read();
      if (c < 0) {
        throw new java.io.EOFException("the server closed the connection after: " + head);
      }
      head.append((char) c);
    }
    return head.toString();
  }

  @Test
  void aWrongMethodAnswers405WithTheErrorBody() throws Exception {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri("/echo")).DELETE().build(),
        HttpResponse.BodyHandlers.ofString());
    assertError(r, 405, "METHOD_NOT_ALLOWED", "not allowed");
  }
}
