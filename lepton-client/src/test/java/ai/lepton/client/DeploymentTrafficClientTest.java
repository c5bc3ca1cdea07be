package ai.lepton.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.lepton.api.CreateDeployment;
import ai.lepton.api.DeploymentTraffic;
import ai.lepton.api.ErrorCode;
import ai.lepton.api.InferenceRequest;
import ai.lepton.api.InferenceTensor;
import ai.lepton.layers.Dense;
import ai.lepton.models.Sequential;
import ai.lepton.server.LeptonServer;
import ai.lepton.server.ServerConfig;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A deployment's traffic counters read through the client after real inferences. */
class DeploymentTrafficClientTest {
  @TempDir Path dir;

  @Test
  void trafficCountsTheRequestsOfEachVersion() throws Exception {
    try (LeptonServer server = LeptonServer.start(ServerConfig.embedded(dir.resolve("data"), 0))) {
      URI base = URI.create("http://127.0.0.1:" + server.port());
      String[] tokenAndOrg = JobClientTest.token(base, server.firstSignInLink().orElseThrow());
      LeptonClient client = LeptonClient.connect(base, tokenAndOrg[0]);
      String org = tokenAndOrg[1];
      Sequential model = new Sequential().add(new Dense(2, "softmax"));
      model.build(1, 3);
      Path file = dir.resolve("m.lepton");
      model.save(file);
      client.pushModel(org, "m", file, null);
      client.createDeployment(org, new CreateDeployment("web", "m", null, null, null));
      InferenceRequest request = new InferenceRequest(null, null, List.of(new InferenceTensor(
          "input", List.of(1L, 3L), "FP32", null, List.of(1, 2, 3))), null);
      client.infer("web", request);
      client.infer("web", request);

      DeploymentTraffic traffic = client.deploymentTraffic(org, "web");
      assertEquals("web", traffic.deployment());
      DeploymentTraffic.Version v = traffic.versions().get(0);
      assertEquals("1", v.version());
      assertEquals(Map.of("ok", 2L, "invalid", 0L, "too_large", 0L, "rate_limited", 0L,
          "error", 0L), v.requests());
      assertEquals(2, v.latencyBuckets().get(v.latencyBuckets().size() - 1).count());
      assertTrue(v.latencySeconds() > 0);
      assertEquals(ErrorCode.NOT_FOUND, assertThrows(LeptonClientException.class,
          () -> client.deploymentTraffic(org, "nope")).code());
    }
  }
}
