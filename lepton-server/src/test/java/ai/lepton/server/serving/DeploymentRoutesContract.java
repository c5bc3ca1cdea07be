package ai.lepton.server.serving;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.lepton.server.TestPlatform.Response;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Deployments over real HTTP on a running server: registry versions deployed, served over OIP,
 * switched (canary, promote, rollback, replace) with no failed request, guarded against
 * deletion, refused when they do not load, and served again after a restart; ONNX versions
 * (served by ONNX Runtime) beside Core ones.
 */
abstract class DeploymentRoutesContract {
  @TempDir Path dir;
  DeploymentPlatform p;

  abstract DeploymentPlatform start(Path dir);

  @BeforeEach
  void setUp() {
    p = start(dir);
    p.push("churn", "format=lepton", DeploymentPlatform.model(1));
    p.push("churn", "format=lepton", DeploymentPlatform.model(2));
  }

  @AfterEach
  void tearDown() {
    p.close();
  }

  private Response deploy(String name, String model) {
    return p.post(p.orgPath("/deployments"), p.owner, Map.of("name", name, "model", model));
  }

  private String servedVersion(String name) {
    Response r = p.infer(name, p.viewer);
    assertEquals(200, r.status(), r.body());
    return r.json().get("model_version").asText();
  }

  @Test
  void anAliasIsResolvedOnceAndTheVersionPinned() {
    assertEquals(200, p.put(p.orgPath("/models/churn/aliases/production"), p.owner,
        Map.of("version", 1)).status());
    Response made = deploy("churn-api", "churn@production");
    assertEquals(201, made.status(), made.body());
    assertEquals(1, made.json().at("/primary/number").asInt());
    assertEquals("churn", made.json().at("/primary/model").asText());
    assertEquals("1", servedVersion("churn-api"), "a viewer's token infers");
    Response out = p.infer("churn-api", p.outsider);
    assertEquals(404, out.status(), "another organization's token finds nothing: " + out.body());

    p.put(p.orgPath("/models/churn/aliases/production"), p.owner, Map.of("version", 2));
    assertEquals("1", servedVersion("churn-api"), "moving the alias does not move it");
    JsonNode list = p.get(p.orgPath("/deployments"), p.viewer).json();
    assertEquals("churn-api", list.at("/deployments/0/name").asText());
    assertEquals(1, list.at("/deployments/0/primary/number").asInt());
    assertEquals("churn-api", p.events(p.org, DeploymentService.CREATE).get(0).details().get("name"));

    assertEquals(409, deploy("churn-api", "churn@2").status(), "the name is taken");
    assertEquals(403, p.post(p.orgPath("/deployments"), p.viewer, Map.of("name", "v", "model",
        "churn")).status(), "viewers do not deploy");
    Response missing = deploy("x", "churn@9");
    assertEquals(404, missing.status(), missing.body());
  }

  @Test
  void aCanaryTakesItsShareThenIsPromotedOrRolledBack() {
    deploy("churn-api", "churn@1");
    Response canary = p.patch(p.orgPath("/deployments/churn-api"), p.owner,
        Map.of("canary", "churn@2", "share", 100));
    assertEquals(200, canary.status(), canary.body());
    assertEquals(2, canary.json().at("/canary/number").asInt());
    assertEquals("2", servedVersion("churn-api"), "100 percent go to the canary");
    Response v1 = p.send(p.request("/v2/models/churn-api/versions/1/infer", p.viewer)
        .POST(java.net.http.HttpRequest.BodyPublishers.ofString(DeploymentPlatform.ROW)));
    assertEquals(200, v1.status(), "a version is reached by number too: " + v1.body());

    assertEquals(200, p.patch(p.orgPath("/deployments/churn-api"), p.owner,
        Map.of("share", 0)).status());
    assertEquals("1", servedVersion("churn-api"), "0 percent: the primary answers");
    Response back = p.post(p.orgPath("/deployments/churn-api/rollback"), p.owner, Map.of());
    assertEquals(200, back.status(), back.body());
    assertTrue(back.json().path("canary").isNull());
    assertEquals(409, p.post(p.orgPath("/deployments/churn-api/promote"), p.owner, Map.of())
        .status(), "nothing to promote");

    p.patch(p.orgPath("/deployments/churn-api"), p.owner, Map.of("canary", "churn@2", "share", 5));
    Response promoted = p.post(p.orgPath("/deployments/churn-api/promote"), p.owner, Map.of());
    assertEquals(2, promoted.json().at("/primary/number").asInt(), promoted.body());
    assertEquals("2", servedVersion("churn-api"));
    assertEquals("promote", p.events(p.org, DeploymentService.UPDATE).get(0).details().get("change"));
    assertEquals(403, p.post(p.orgPath("/deployments/churn-api/rollback"), p.viewer, Map.of())
        .status(), "viewers do not change deployments");
  }

  @Test
  void aServedVersionCannotBeDeleted() {
    deploy("churn-api", "churn@1");
    p.patch(p.orgPath("/deployments/churn-api"), p.owner, Map.of("canary", "churn@2"));
    for (String v : List.of("1", "2")) {
      Response refused = p.delete(p.orgPath("/models/churn/versions/" + v), p.owner);
      assertEquals(409, refused.status(), refused.body());
      assertTrue(refused.body().contains("deployment 'churn-api'"), refused.body());
    }
    assertEquals(409, p.delete(p.orgPath("/models/churn"), p.owner).status());
    assertEquals(403, p.delete(p.orgPath("/deployments/churn-api"), p.viewer).status());
    assertEquals(204, p.delete(p.orgPath("/deployments/churn-api"), p.owner).status());
    assertEquals(404, p.infer("churn-api", p.viewer).status(), "no longer served");
    assertEquals(204, p.delete(p.orgPath("/models/churn/versions/1"), p.owner).status());
  }

  @Test
  void aVersionThatDoesNotLoadLeavesTheOldOneServing() {
    deploy("churn-api", "churn@1");
    // version 2's record now names version 1's blob: its file no longer matches its SHA-256
    p.db.jdbi().useHandle(h -> h.execute("UPDATE model_version SET blob_key = (SELECT blob_key"
        + " FROM model_version WHERE number = 1) WHERE number = 2"));
    for (Map<String, Object> change : List.<Map<String, Object>>of(Map.of("model", "churn@2"),
        Map.of("canary", "churn@2"))) {
      Response refused = p.patch(p.orgPath("/deployments/churn-api"), p.owner, change);
      assertEquals(422, refused.status(), refused.body());
      assertTrue(refused.body().contains("version 2 of model 'churn' does not load"),
          refused.body());
    }
    assertEquals("1", servedVersion("churn-api"));
    JsonNode d = p.get(p.orgPath("/deployments/churn-api"), p.viewer).json();
    assertEquals(1, d.at("/primary/number").asInt());
    assertTrue(d.path("canary").isNull());

    p.push("wide", "format=onnx", OnnxFiles.castToFloat("x", OnnxFiles.DOUBLE));
    Response onnx = deploy("wide-api", "wide@1");
    assertEquals(422, onnx.status(), onnx.body());
    assertTrue(onnx.body().contains("version 1 of model 'wide' does not load")
        && onnx.body().contains("input 'x' is a ONNX_TENSOR_ELEMENT_DATA_TYPE_DOUBLE tensor"),
        onnx.body());
    assertEquals(404, p.get(p.orgPath("/deployments/wide-api"), p.viewer).status(),
        "nothing recorded");
  }

  @Test
  void anOnnxVersionIsServedLikeACoreOneThroughCanaryRollbackAndRestart() {
    p.push("churn", "format=onnx", DeploymentPlatform.onnxModel(2)); // version 3
    Response made = p.post(p.orgPath("/deployments"), p.owner, Map.of("name", "churn-api",
        "model", "churn@3", "maxBatchSize", 8));
    assertEquals(201, made.status(), made.body());
    Response r = p.infer("churn-api", p.viewer);
    assertEquals(200, r.status(), r.body());
    assertEquals("3", r.json().get("model_version").asText());
    float[] expected = DeploymentPlatform.sequential(2).predict(ai.lepton.tensor.Tensor.of(
        new float[] {1, 2, 3, 4}, 1, 4)).toFloatArray();
    JsonNode data = r.json().at("/outputs/0/data");
    assertEquals("dense_1", r.json().at("/outputs/0/name").asText());
    for (int i = 0; i < 3; i++) {
      assertEquals(expected[i], data.get(i).floatValue(), 1e-6f, "ONNX Runtime answers as "
          + "Core on the same weights: " + r.body());
    }
    JsonNode meta = p.send(p.request("/v2/models/churn-api", p.viewer).GET()).json();
    assertEquals("onnxruntime_onnx", meta.get("platform").asText());
    assertEquals("[-1,4]", meta.at("/inputs/0/shape").toString());
    Response raw = p.send(p.request("/v2/models/churn-api/infer", p.viewer).POST(
        java.net.http.HttpRequest.BodyPublishers.ofString("{\"inputs\":[{\"name\":\"input\","
            + "\"shape\":[1],\"datatype\":\"BYTES\",\"data\":[\"[1, 2, 3, 4]\"]}]}")));
    assertEquals(400, raw.status(), raw.body());
    assertTrue(raw.body().contains("no saved preprocessing"), raw.body());

    p.patch(p.orgPath("/deployments/churn-api"), p.owner, Map.of("canary", "churn@1", "share",
        100));
    assertEquals("1", servedVersion("churn-api"), "a Core canary beside an ONNX primary");
    assertEquals(200, p.post(p.orgPath("/deployments/churn-api/rollback"), p.owner, Map.of())
        .status());
    assertEquals("3", servedVersion("churn-api"));
    p.restart();
    assertEquals("3", servedVersion("churn-api"), "served again after a restart");
  }

  @Test
  void deploymentsAreServedAgainAfterARestart() {
    p.post(p.orgPath("/deployments"), p.owner, Map.of("name", "churn-api", "model", "churn@1",
        "maxBatchSize", 16, "maxQueueDelayMicros", 500));
    p.patch(p.orgPath("/deployments/churn-api"), p.owner, Map.of("canary", "churn@2",
        "share", 100));
    p.restart();
    assertEquals("2", servedVersion("churn-api"));
    JsonNode d = p.get(p.orgPath("/deployments/churn-api"), p.viewer).json();
    assertEquals(16, d.get("maxBatchSize").asInt());
    assertEquals(500, d.get("maxQueueDelayMicros").asLong());
    assertEquals(100, d.get("canaryPercent").asInt());
  }

  @Test
  void aDeploymentTokenReachesItsDeploymentOnlyUntilRevoked() {
    deploy("churn-api", "churn@1");
    deploy("other", "churn@2");
    assertEquals(403, p.post(p.orgPath("/deployments/churn-api/tokens"), p.viewer,
        Map.of("name", "app")).status(), "viewers make no tokens");
    Response made = p.post(p.orgPath("/deployments/churn-api/tokens"), p.owner,
        Map.of("name", "checkout app"));
    assertEquals(201, made.status(), made.body());
    String token = made.json().get("token").asText();
    assertTrue(token.startsWith("lpd_"), token);
    assertEquals("1", p.infer("churn-api", token).json().get("model_version").asText());
    Response elsewhere = p.infer("other", token);
    assertEquals(403, elsewhere.status(), elsewhere.body());
    assertTrue(elsewhere.body().contains("reaches deployment 'churn-api' only"),
        elsewhere.body());
    assertEquals(401, p.get(p.orgPath("/deployments"), token).status(), "no API access");
    Integer stored = p.db.jdbi().withHandle(h -> h.createQuery("SELECT COUNT(*) FROM "
        + "deployment_token WHERE token_hash = :t").bind("t", token).mapTo(Integer.class).one());
    assertEquals(0, stored, "the secret itself is not stored");

    String id = made.json().at("/info/id").asText();
    assertEquals(1, p.get(p.orgPath("/deployments/churn-api/tokens"), p.owner).json()
        .get("tokens").size());
    assertEquals(204, p.delete(p.orgPath("/deployments/churn-api/tokens/" + id), p.owner).status());
    Response revoked = p.infer("churn-api", token);
    assertEquals(401, revoked.status(), revoked.body());
    assertEquals(404, p.delete(p.orgPath("/deployments/churn-api/tokens/" + id), p.owner)
        .status(), "revoked already");
    assertEquals(DeploymentService.TOKEN_REVOKE,
        p.events(p.org, DeploymentService.TOKEN_REVOKE).get(0).action());
    assertEquals(204, p.delete(p.orgPath("/deployments/churn-api"), p.owner).status(),
        "a deployment goes with its tokens");
  }

  @Test
  void aRolloutUnderLoadFailsNoRequest() throws Exception {
    p.push("churn", "format=onnx", DeploymentPlatform.onnxModel(2)); // version 3
    p.post(p.orgPath("/deployments"), p.owner, Map.of("name", "churn-api", "model", "churn@1",
        "maxBatchSize", 8));
    AtomicBoolean done = new AtomicBoolean();
    ExecutorService pool = Executors.newFixedThreadPool(4);
    List<Future<Map<String, Integer>>> callers = new ArrayList<>();
    for (int t = 0; t < 4; t++) {
      callers.add(pool.submit(() -> {
        Map<String, Integer> seen = new HashMap<>();
        do {
          Response r = p.infer("churn-api", p.viewer);
          String key = r.status() == 200 ? r.json().get("model_version").asText()
              : r.status() + " " + r.body();
          seen.merge(key, 1, Integer::sum);
        } while (!done.get());
        return seen;
      }));
    }
    List<Map<String, Object>> changes = List.of(Map.of("canary", "churn@2", "share", 50),
        Map.of("share", 90), Map.of("model", "churn@1"), Map.of("canary", "churn@3"),
        Map.of("model", "churn@3"), Map.of("canary", "churn@2"), Map.of("model", "churn@2"));
    for (Map<String, Object> change : changes) {
      assertEquals(200, p.patch(p.orgPath("/deployments/churn-api"), p.owner, change).status());
    }
    p.patch(p.orgPath("/deployments/churn-api"), p.owner, Map.of("canary", "churn@1"));
    assertEquals(200, p.post(p.orgPath("/deployments/churn-api/rollback"), p.owner, Map.of())
        .status());
    done.set(true);
    Map<String, Integer> seen = new HashMap<>();
    for (Future<Map<String, Integer>> f : callers) {
      f.get().forEach((k, n) -> seen.merge(k, n, Integer::sum));
    }
    pool.shutdown();
    assertEquals(List.of(), seen.keySet().stream().filter(k -> !k.equals("1")
        && !k.equals("2") && !k.equals("3")).toList(), "every request answered: " + seen);
    assertEquals("2", servedVersion("churn-api"));
  }

  private Response infer(String name, String body) {
    return p.send(p.request("/v2/models/" + name + "/infer", p.viewer)
        .header("Content-Type", "application/json")
        .POST(java.net.http.HttpRequest.BodyPublishers.ofString(body)));
  }

  private static String rows(int n) {
    return "{\"inputs\":[{\"name\":\"input\",\"shape\":[" + n + ",4],\"datatype\":\"FP32\","
        + "\"data\":[" + String.join(",", java.util.Collections.nCopies(n, "[1,2,3,4]")) + "]}]}";
  }

  /** A one-sample request padded with spaces to {@code bytes} bytes. */
  private static String padded(int bytes) {
    String row = rows(1);
    return row.substring(0, row.length() - 1) + " ".repeat(bytes - row.length()) + "}";
  }

  private static void assertRefused(int status, String fragment, Response r) {
    assertEquals(status, r.status(), r.body());
    assertTrue(r.json().get("error").asText().contains(fragment), r.body());
  }

  @Test
  void eachLimitRefusesOverItAndLetsTheRequestUnderItThrough() {
    Response made = p.post(p.orgPath("/deployments"), p.owner, Map.of("name", "sized", "model",
        "churn@1", "limits", Map.of("maxRequestBytes", 200, "maxRequestSamples", 2)));
    assertEquals(201, made.status(), made.body());
    assertEquals(200, made.json().at("/limits/maxRequestBytes").asLong());
    assertEquals(2, made.json().at("/limits/maxRequestSamples").asInt());
    assertEquals(ServingLimits.DEFAULT.requestsPerSecond(),
        made.json().at("/limits/requestsPerSecond").asDouble(), "the server's where none set");

    assertEquals(200, infer("sized", padded(200)).status(), "at the limit");
    assertRefused(413, "larger than 200 bytes, the limit of deployment 'sized'",
        infer("sized", padded(201)));
    assertEquals(200, infer("sized", rows(2)).status());
    assertRefused(400, "this deployment takes at most 2 samples per request",
        infer("sized", rows(3)));

    p.post(p.orgPath("/deployments"), p.owner, Map.of("name", "slow", "model", "churn@1",
        "limits", Map.of("requestsPerSecond", 0.001, "burst", 2)));
    p.post(p.orgPath("/deployments"), p.owner, Map.of("name", "other", "model", "churn@1",
        "limits", Map.of("requestsPerSecond", 0.001, "burst", 2)));
    assertEquals(200, infer("slow", rows(1)).status());
    assertEquals(200, infer("slow", rows(1)).status());
    assertRefused(429, "deployment 'slow' takes at most 0.001 requests per second (bursts of "
        + "2)", infer("slow", rows(1)));
    assertEquals(429, infer("slow", rows(1)).status());
    assertEquals(200, infer("other", rows(1)).status(),
        "another deployment's flood takes none of this one's budget");
    assertEquals(200, infer("other", rows(1)).status());
  }

  @Test
  void aDeploymentCannotRaiseALimitPastTheServers() {
    ServingLimits server = ServingLimits.DEFAULT;
    for (Map<String, Object> limits : List.<Map<String, Object>>of(
        Map.of("requestsPerSecond", server.requestsPerSecond() * 2),
        Map.of("burst", server.burst() + 1),
        Map.of("maxRequestBytes", server.maxRequestBytes() + 1),
        Map.of("maxRequestSamples", server.maxRows() + 1))) {
      Response refused = p.post(p.orgPath("/deployments"), p.owner, Map.of("name", "greedy",
          "model", "churn@1", "limits", limits));
      assertEquals(400, refused.status(), refused.body());
      String field = limits.keySet().iterator().next();
      assertTrue(refused.body().contains("limits." + field + " must be ")
          && refused.body().contains("this server's limit (a deployment may lower the "
              + "server's limits, not raise them"), refused.body());
    }
    assertEquals(404, p.get(p.orgPath("/deployments/greedy"), p.viewer).status(), "none made");
    Response zero = p.post(p.orgPath("/deployments"), p.owner, Map.of("name", "greedy", "model",
        "churn@1", "limits", Map.of("requestsPerSecond", 0)));
    assertTrue(zero.status() == 400 && zero.body().contains("must be 0.001 to 20000.0"),
        zero.body());

    deploy("churn-api", "churn@1");
    Response raised = p.patch(p.orgPath("/deployments/churn-api"), p.owner,
        Map.of("limits", Map.of("burst", server.burst() + 1)));
    assertEquals(400, raised.status(), raised.body());
    assertTrue(raised.body().contains("must be 1 to " + server.burst()), raised.body());
    assertEquals(server.burst(), p.get(p.orgPath("/deployments/churn-api"), p.viewer).json()
        .at("/limits/burst").asInt(), "unchanged");
  }

  @Test
  void aLimitChangeHoldsAtOnceIsAuditedAndSurvivesARestart() {
    p.post(p.orgPath("/deployments"), p.owner, Map.of("name", "churn-api", "model", "churn@1",
        "maxBatchSize", 8));
    assertEquals(200, infer("churn-api", rows(2)).status());
    Response changed = p.patch(p.orgPath("/deployments/churn-api"), p.owner,
        Map.of("limits", Map.of("maxRequestSamples", 1, "requestsPerSecond", 0.001,
            "burst", 3)));
    assertEquals(200, changed.status(), changed.body());
    assertEquals(1, changed.json().at("/limits/maxRequestSamples").asInt());
    assertRefused(400, "at most 1 samples per request", infer("churn-api", rows(2)));
    Map<String, String> audited = p.events(p.org, DeploymentService.UPDATE).get(0).details();
    assertEquals("limits", audited.get("change"));
    assertEquals("1", audited.get("maxRequestSamples"));
    assertEquals("0.001", audited.get("requestsPerSecond"));
    assertEquals(403, p.patch(p.orgPath("/deployments/churn-api"), p.viewer,
        Map.of("limits", Map.of("burst", 5))).status(), "viewers set no limits");

    // limits go with a version change, and stay through a canary and its promotion
    assertEquals(200, p.patch(p.orgPath("/deployments/churn-api"), p.owner,
        Map.of("canary", "churn@2", "share", 100, "limits", Map.of("maxRequestBytes", 4096)))
        .status());
    assertEquals(200, p.post(p.orgPath("/deployments/churn-api/promote"), p.owner, Map.of())
        .status());
    assertRefused(400, "at most 1 samples per request", infer("churn-api", rows(2)));

    p.restart();
    JsonNode d = p.get(p.orgPath("/deployments/churn-api"), p.viewer).json();
    assertEquals(1, d.at("/limits/maxRequestSamples").asInt(), d.toString());
    assertEquals(4096, d.at("/limits/maxRequestBytes").asLong());
    assertEquals(0.001, d.at("/limits/requestsPerSecond").asDouble());
    assertEquals(3, d.at("/limits/burst").asInt());
    assertRefused(400, "at most 1 samples per request", infer("churn-api", rows(2)));
    assertRefused(413, "larger than 4096 bytes", infer("churn-api", padded(4097)));
    // the 2 requests refused above took tokens from the bucket of 3 (the server started anew)
    assertEquals("2", infer("churn-api", rows(1)).json().get("model_version").asText());
    assertRefused(429, "at most 0.001 requests per second", infer("churn-api", rows(1)));
  }
}
