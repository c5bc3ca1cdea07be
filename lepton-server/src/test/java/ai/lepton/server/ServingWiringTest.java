package ai.lepton.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.lepton.server.http.Json;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The serving block of the composition root: the Open Inference Protocol at the server's root,
 * listed in /openapi.json, its health public, its models behind the tenancy's tokens, and every
 * refusal in the protocol's error body.
 */
class ServingWiringTest {
  @TempDir Path dir;

  @Test
  void theProtocolAnswersAtTheRootWithItsOwnErrorBody() throws Exception {
    try (LeptonServer server = LeptonServer.start(ServerConfig.embedded(dir, 0))) {
      HttpClient http = HttpClient.newHttpClient();
      String base = "http://127.0.0.1:" + server.port();
      HttpResponse<String> live = http.send(HttpRequest.newBuilder(URI.create(base
          + "/v2/health/live")).build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(200, live.statusCode());
      assertEquals("{\"live\":true}", live.body());
      for (String auth : new String[] {null, "Bearer lpt_not-a-token"}) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + "/v2/models/m/infer"))
            .POST(HttpRequest.BodyPublishers.ofString("{}"));
        if (auth != null) {
          b.header("Authorization", auth);
        }
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(401, r.statusCode(), r.body());
        JsonNode error = Json.mapper().readTree(r.body());
        assertTrue(error.get("error").isTextual() && error.size() == 1, r.body());
      }
      JsonNode paths = Json.mapper().readTree(http.send(HttpRequest.newBuilder(URI.create(base
          + "/openapi.json")).build(), HttpResponse.BodyHandlers.ofString()).body()).get("paths");
      for (String path : new String[] {"/v2", "/v2/health/live", "/v2/health/ready",
          "/v2/models/{name}", "/v2/models/{name}/ready", "/v2/models/{name}/infer",
          "/v2/models/{name}/versions/{version}", "/v2/models/{name}/versions/{version}/infer"}) {
        assertTrue(paths.has(path), path);
      }
      assertEquals("#/components/schemas/InferenceError", paths.at("/~1v2~1models~1{name}~1infer"
          + "/post/responses/default/content/application~1json/schema/$ref").asText(),
          "/v2 errors are documented as {\"error\": \"...\"}");
      assertEquals("#/components/schemas/ApiError", paths.at("/~1api~1v1~1orgs~1{org}~1"
          + "deployments/get/responses/default/content/application~1json/schema/$ref").asText());
    }
  }
}
