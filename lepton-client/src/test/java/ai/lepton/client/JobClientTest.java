package ai.lepton.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.lepton.api.ErrorCode;
import ai.lepton.api.Job;
import ai.lepton.api.JobEvent;
import ai.lepton.api.TrainingSpec;
import ai.lepton.server.LeptonServer;
import ai.lepton.server.ServerConfig;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The job calls against a real server. Its workers cannot prepare a training in this build
 * (Training.prepare is not wired in), so a job runs to a failure, with its reason.
 */
class JobClientTest {
  @TempDir Path dir;

  @Test
  void aJobIsSubmittedFollowedToItsEndReadAndListed() throws Exception {
    try (LeptonServer server = LeptonServer.start(ServerConfig.embedded(dir, 0))) {
      URI base = URI.create("http://127.0.0.1:" + server.port());
      String[] tokenAndOrg = token(base, server.firstSignInLink().orElseThrow());
      LeptonClient client = LeptonClient.connect(base, tokenAndOrg[0]);
      String org = tokenAndOrg[1];

      Job job = client.submitJob(org, new TrainingSpec("iris", 2,
          new TrainingSpec.ModelChoice("mlp", null, null), "species", null, null, null, null));
      assertEquals("iris", job.spec().dataset());
      List<JobEvent> events = new ArrayList<>();
      JobEvent last = client.followJob(org, job.id(), events::add);
      assertTrue(last.terminal());
      assertEquals("failed", last.state());
      assertNotNull(last.error());
      assertEquals(last, events.get(events.size() - 1));

      Job read = client.job(org, job.id());
      assertEquals("failed", read.state());
      assertEquals(last.error(), read.error());
      assertEquals(job.id(), client.jobs(org, 0, 10).jobs().get(0).id());
      LeptonClientException ended = assertThrows(LeptonClientException.class,
          () -> client.cancelJob(org, job.id()));
      assertEquals(ErrorCode.CONFLICT, ended.code());
      assertFalse(client.runs(org, 0, 10).runs().iterator().hasNext());
      assertEquals(ErrorCode.NOT_FOUND, assertThrows(LeptonClientException.class,
          () -> client.run(org, "run_nope")).code());
      assertEquals(ErrorCode.NOT_FOUND, assertThrows(LeptonClientException.class,
          () -> client.compareRuns(org, List.of("run_a", "run_b"))).code());
      assertThrows(IllegalArgumentException.class, () -> client.job(org, "../x"));
    }
  }

  /** The first administrator's API token and organization, from the one-time sign-in link. */
  private static String[] token(URI base, String link) throws Exception {
    ObjectMapper json = new ObjectMapper();
    HttpClient http = HttpClient.newHttpClient();
    HttpResponse<String> signIn = http.send(HttpRequest.newBuilder(base.resolve(
        "/api/v1/session/link")).POST(HttpRequest.BodyPublishers.ofString("{\"code\":\""
        + link.substring(link.lastIndexOf('/') + 1) + "\"}")).build(),
        HttpResponse.BodyHandlers.ofString());
    String cookie = signIn.headers().firstValue("Set-Cookie").orElseThrow().split(";")[0];
    String csrf = json.readTree(signIn.body()).get("csrfToken").asText();
    JsonNode orgs = json.readTree(http.send(HttpRequest.newBuilder(base.resolve("/api/v1/orgs"))
        .header("Cookie", cookie).build(), HttpResponse.BodyHandlers.ofString()).body());
    String org = orgs.get("items").get(0).get("id").asText();
    HttpResponse<String> token = http.send(HttpRequest.newBuilder(base.resolve("/api/v1/orgs/"
            + org + "/tokens")).header("Cookie", cookie).header("X-CSRF-Token", csrf)
        .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"t\",\"scope\":\"admin\","
            + "\"expiresAt\":\"" + Instant.now().plus(1, ChronoUnit.DAYS) + "\"}")).build(),
        HttpResponse.BodyHandlers.ofString());
    return new String[] {json.readTree(token.body()).get("token").asText(), org};
  }
}
