package ai.lepton.server.serving;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.lepton.server.ServerConfig;
import ai.lepton.server.db.TestDatabases;
import ai.lepton.server.TestPlatform.Response;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpRequest;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the deployment pages read and call, over real HTTP: a deployment's traffic counters
 * (cumulative, by outcome and version, with the latency histogram), and inference under the
 * organization's path with a browser session, which needs its CSRF token and opens nothing
 * else: the OIP paths still refuse a session, and another organization's user is not let in.
 */
class DeploymentTrafficTest {
  private static final String BAD_ROW = DeploymentPlatform.ROW.replace("[1,4]", "[1,5]");

  @TempDir Path dir;
  private DeploymentPlatform p;

  @BeforeEach
  void setUp() {
    p = new DeploymentPlatform(ServerConfig.embedded(dir, 0), () -> TestDatabases.embedded(dir));
    p.push("churn", "format=lepton", DeploymentPlatform.model(1));
    Response made = p.post(p.orgPath("/deployments"), p.owner, Map.of("name", "web", "model",
        "churn"));
    assertEquals(201, made.status(), made.body());
  }

  @AfterEach
  void tearDown() {
    p.close();
  }

  @Test
  void trafficCountsRequestsByOutcomeWithACumulativeLatencyHistogram() {
    for (int i = 0; i < 3; i++) {
      assertEquals(200, p.infer("web", p.owner).status());
    }
    assertEquals(400, p.send(p.request("/v2/models/web/infer", p.owner)
        .POST(HttpRequest.BodyPublishers.ofString(BAD_ROW))).status());
    JsonNode first = version(traffic(p.viewer));
    assertEquals(3, first.at("/requests/ok").asLong(), first.toString());
    assertEquals(1, first.at("/requests/invalid").asLong());
    assertEquals(0, first.at("/requests/error").asLong());
    assertEquals(0, first.get("inFlight").asInt());
    assertTrue(first.get("latencySeconds").asDouble() > 0);
    JsonNode buckets = first.get("latencyBuckets");
    assertTrue(buckets.size() > 10, "a histogram, not a mean: " + buckets);
    for (int i = 1; i < buckets.size(); i++) {
      assertTrue(buckets.get(i).get("le").asDouble() > buckets.get(i - 1).get("le").asDouble());
      assertTrue(buckets.get(i).get("count").asLong() >= buckets.get(i - 1).get("count")
          .asLong(), "cumulative: " + buckets);
    }
    assertEquals(4, buckets.get(buckets.size() - 1).get("count").asLong(),
        "every request, of every outcome, took less than the last bound");

    assertEquals(200, p.infer("web", p.owner).status());
    JsonNode second = version(traffic(p.owner));
    assertEquals(4, second.at("/requests/ok").asLong());
    for (int i = 0; i < buckets.size(); i++) {
      assertTrue(second.at("/latencyBuckets/" + i + "/count").asLong()
          >= buckets.get(i).get("count").asLong(), "no bucket forgets a request");
    }
    assertEquals(5, second.at("/latencyBuckets/" + (buckets.size() - 1) + "/count").asLong());

    assertEquals(404, p.get("/api/v1/orgs/" + p.org + "/deployments/web/traffic", p.outsider)
        .status(), "another organization's user does not see it");
    assertEquals(404, p.get(p.orgPath("/deployments/nope/traffic"), p.owner).status());
  }

  @Test
  void aSessionInfersUnderTheOrganizationWithItsCsrfTokenOnly() {
    Response owner = sessionInfer(p.ownerSession, true);
    assertEquals(200, owner.status(), owner.body());
    assertEquals(3, owner.json().at("/outputs/0/shape/1").asInt(), owner.body());
    assertTrue(owner.json().at("/parameters/prediction_id").asText().matches("prd_[0-9a-f]{32}"),
        owner.body());
    assertEquals(200, sessionInfer(p.viewerSession, true).status(), "viewers may infer");

    Response noCsrf = p.send(p.request(p.orgPath("/deployments/web/infer"), null)
        .header("Cookie", p.ownerSession[0]).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(DeploymentPlatform.ROW)));
    assertEquals(403, noCsrf.status(), "a cross-site form cannot predict: " + noCsrf.body());
    assertTrue(noCsrf.body().contains("X-CSRF-Token"), noCsrf.body());
    assertEquals(2, version(traffic(p.owner)).at("/requests/ok").asLong(),
        "the refused request never reached the model");

    Response oip = p.send(DeploymentPlatform.session(p.request("/v2/models/web/infer", null),
        p.ownerSession).POST(HttpRequest.BodyPublishers.ofString(DeploymentPlatform.ROW)));
    assertEquals(401, oip.status(), "the OIP path still takes tokens only: " + oip.body());
    assertEquals(404, sessionInfer(p.outsiderSession, true).status(),
        "a user of another organization");
    String deploymentToken = p.post(p.orgPath("/deployments/web/tokens"), p.owner,
        Map.of("name", "app")).json().get("token").asText();
    assertEquals(401, p.send(p.request(p.orgPath("/deployments/web/infer"), deploymentToken)
        .POST(HttpRequest.BodyPublishers.ofString(DeploymentPlatform.ROW))).status(),
        "a deployment token reaches the OIP paths only");
    Response bad = p.send(DeploymentPlatform.session(p.request(p.orgPath("/deployments/web/infer"),
        null), p.ownerSession).POST(HttpRequest.BodyPublishers.ofString(BAD_ROW)));
    assertEquals(400, bad.status());
    assertEquals("INVALID_ARGUMENT", bad.json().at("/error/code").asText(),
        "the API's error body: " + bad.body());
    assertTrue(bad.json().at("/error/message").asText().contains("shape"), bad.body());
  }

  private JsonNode traffic(String token) {
    Response r = p.get(p.orgPath("/deployments/web/traffic"), token);
    assertEquals(200, r.status(), r.body());
    assertEquals("web", r.json().get("deployment").asText());
    return r.json();
  }

  private static JsonNode version(JsonNode traffic) {
    assertEquals(1, traffic.get("versions").size(), traffic.toString());
    JsonNode v = traffic.get("versions").get(0);
    assertEquals("1", v.get("version").asText());
    return v;
  }

  private Response sessionInfer(String[] session, boolean csrf) {
    HttpRequest.Builder b = p.request("/api/v1/orgs/" + p.org + "/deployments/web/infer", null)
        .header("Content-Type", "application/json");
    b = csrf ? DeploymentPlatform.session(b, session) : b.header("Cookie", session[0]);
    return p.send(b.POST(HttpRequest.BodyPublishers.ofString(DeploymentPlatform.ROW)));
  }
}
