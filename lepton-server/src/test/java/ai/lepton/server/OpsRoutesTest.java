package ai.lepton.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.lepton.server.http.Json;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A real server on a free port: health, readiness, metrics, the API document, unknown paths. */
class OpsRoutesTest {
  @TempDir Path dir;
  private LeptonServer server;
  private final HttpClient http = HttpClient.newHttpClient();
  private final ObjectMapper json = Json.mapper();

  @BeforeEach
  void start() {
    server = LeptonServer.start(ServerConfig.embedded(dir, 0));
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private HttpResponse<String> get(String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
        .build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void healthAndReadinessAnswerOkWithARequestId() throws Exception {
    HttpResponse<String> live = get("/healthz");
    assertEquals(200, live.statusCode());
    assertEquals("ok", json.readTree(live.body()).get("status").asText());
    assertTrue(live.headers().firstValue("X-Request-Id").orElse("").matches("[0-9a-f]{16}"));
    HttpResponse<String> ready = get("/readyz");
    assertEquals(200, ready.statusCode(), ready.body());
    assertEquals("ok", json.readTree(ready.body()).get("checks").get("database").asText());
  }

  @Test
  void anUnknownPathAnswersTheErrorBodyWithItsRequestId() throws Exception {
    HttpResponse<String> r = get("/api/v1/nothing-here");
    assertEquals(404, r.statusCode());
    JsonNode error = json.readTree(r.body()).get("error");
    assertEquals("NOT_FOUND", error.get("code").asText());
    assertTrue(error.get("message").asText().contains("/openapi.json"), r.body());
    assertEquals(r.headers().firstValue("X-Request-Id").orElseThrow(),
        error.get("requestId").asText());
  }

  @Test
  void theApiDocumentListsTheLiveRoutes() throws Exception {
    JsonNode doc = json.readTree(get("/openapi.json").body());
    assertEquals("3.0.3", doc.get("openapi").asText());
    JsonNode paths = doc.get("paths");
    for (String path : new String[] {"/healthz", "/readyz", "/metrics", "/openapi.json"}) {
      assertNotNull(paths.get(path), path + " in " + paths);
      assertEquals(200, get(path).statusCode(), path);
    }
  }

  /**
   * Every operation the document lists is served: called without credentials it answers anything
   * but "no endpoint" (404 from the router) or 405, and a signed-in operation answers 401.
   */
  @Test
  void everyDocumentedOperationIsALiveRoute() throws Exception {
    JsonNode paths = json.readTree(get("/openapi.json").body()).get("paths");
    int operations = 0;
    for (var path = paths.fields(); path.hasNext(); ) {
      var entry = path.next();
      String concrete = entry.getKey().replaceAll("\\{[a-zA-Z]+}", "x1");
      for (var op = entry.getValue().fields(); op.hasNext(); ) {
        var method = op.next();
        HttpRequest.Builder request = HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + server.port() + concrete))
            .method(method.getKey().toUpperCase(java.util.Locale.ROOT),
                HttpRequest.BodyPublishers.ofString("{}"))
            .header("Content-Type", "application/json");
        HttpResponse<String> r = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        String what = method.getKey() + " " + entry.getKey() + " -> " + r.statusCode() + " "
            + r.body();
        assertTrue(r.statusCode() != 405 && !r.body().contains("no endpoint"), what);
        if (method.getValue().has("security")) {
          assertEquals(401, r.statusCode(), what);
        }
        operations++;
      }
    }
    assertTrue(operations > 30, "only " + operations + " operations documented");
  }

  @Test
  void metricsCountRequestsByRouteTemplate() throws Exception {
    get("/healthz");
    String metrics = get("/metrics").body();
    assertTrue(metrics.contains("lepton_http_requests_seconds_count{method=\"GET\",route=\"/healthz\""
        + ",status=\"200\"}"), metrics);
  }
}
