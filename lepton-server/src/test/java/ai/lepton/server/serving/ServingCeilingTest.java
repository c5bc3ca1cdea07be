package ai.lepton.server.serving;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.lepton.server.ServerConfig;
import ai.lepton.server.TestPlatform.Response;
import ai.lepton.server.db.TestDatabases;
import java.net.http.HttpRequest;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The operator's serving ceiling ({@link ServerConfig#servingLimits}): a server started with
 * lower limits than the default refuses a deployment limit above them, and gives them to a
 * deployment that sets none of its own.
 */
class ServingCeilingTest {
  private static final ServingLimits LOW = new ServingLimits(4096, 4_000_000, 2, 50, 5);

  @Test
  void aLowerCeilingRefusesLimitsAboveItAndHoldsForDeploymentsWithoutTheirOwn(
      @TempDir Path dir) {
    try (DeploymentPlatform p = new DeploymentPlatform(ServerConfig.embedded(dir, 0)
        .withServingLimits(LOW), () -> TestDatabases.embedded(dir))) {
      p.push("churn", "format=lepton", DeploymentPlatform.model(1));
      Response refused = p.post(p.orgPath("/deployments"), p.owner, Map.of("name", "greedy",
          "model", "churn@1", "limits", Map.of("requestsPerSecond", 100)));
      assertEquals(400, refused.status(), refused.body());
      assertTrue(refused.body().contains("limits.requestsPerSecond must be 0.001 to 50.0, this"
          + " server's limit"), refused.body());
      Response samples = p.post(p.orgPath("/deployments"), p.owner, Map.of("name", "greedy",
          "model", "churn@1", "limits", Map.of("maxRequestSamples", 3)));
      assertEquals(400, samples.status(), samples.body());
      assertTrue(samples.body().contains("limits.maxRequestSamples must be 1 to 2"),
          samples.body());

      Response made = p.post(p.orgPath("/deployments"), p.owner, Map.of("name", "plain",
          "model", "churn@1"));
      assertEquals(201, made.status(), made.body());
      assertEquals(50, made.json().at("/limits/requestsPerSecond").asDouble());
      assertEquals(5, made.json().at("/limits/burst").asInt());
      assertEquals(4096, made.json().at("/limits/maxRequestBytes").asLong());
      assertEquals(2, made.json().at("/limits/maxRequestSamples").asInt());
      assertEquals(200, infer(p, 2).status(), "at the ceiling");
      Response three = infer(p, 3);
      assertEquals(400, three.status(), three.body());
      assertTrue(three.body().contains("at most 2 samples per request"), three.body());
    }
  }

  /** One inference of {@code rows} rows of 4 features on deployment "plain". */
  private static Response infer(DeploymentPlatform p, int rows) {
    StringBuilder data = new StringBuilder();
    for (int i = 0; i < rows * 4; i++) {
      data.append(i == 0 ? "" : ",").append(i % 4 + 1);
    }
    return p.send(p.request("/v2/models/plain/infer", p.viewer)
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"inputs\":[{\"name\":\"input\",\"shape\":["
            + rows + ",4],\"datatype\":\"FP32\",\"data\":[" + data + "]}]}")));
  }
}
