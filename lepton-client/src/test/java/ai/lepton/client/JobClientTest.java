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
import ai.lepton.api.Tuning;
import ai.lepton.api.TuningSpec;
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
import java.util.Map;
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
          new TrainingSpec.ModelChoice("mlp", null, null), "species", null, null, null, null, null));
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

  @Test
  void aSearchIsSubmittedFollowedTrialByTrialAndItsTrialsRead() throws Exception {
    try (LeptonServer server = LeptonServer.start(ServerConfig.embedded(dir, 0))) {
      URI base = URI.create("http://127.0.0.1:" + server.port());
      String[] tokenAndOrg = token(base, server.firstSignInLink().orElseThrow());
      LeptonClient client = LeptonClient.connect(base, tokenAndOrg[0]);
      String org = tokenAndOrg[1];
      TrainingSpec training = new TrainingSpec("iris", 2,
          new TrainingSpec.ModelChoice("mlp", null, null), "species", null, null, null, "iris", null);
      TuningSpec spec = new TuningSpec(training, "grid", Map.of("units",
          new TuningSpec.Values(List.of(4, 8), null, null, null)), null, "val_accuracy", null,
          null);

      Job search = client.submitSearch(org, spec);
      assertEquals("tune", search.kind());
      List<JobEvent> events = new ArrayList<>();
      JobEvent last = client.followJob(org, search.id(), events::add);
      assertEquals("failed", last.state(), "no dataset iris: every trial fails");
      assertTrue(last.error().contains("none of the 2 trials succeeded"), last.error());
      assertEquals(2, events.stream().filter(e -> e.type().equals("trial")).count(), events
          .toString());

      Tuning trials = client.trials(org, search.id());
      assertEquals("failed", trials.state());
      assertEquals("max", trials.direction());
      assertEquals(2, trials.trials().size());
      assertEquals(8, ((Number) trials.trials().get(1).parameters().get("units")).intValue());
      assertEquals("failed", trials.trials().get(0).state());
      assertNotNull(trials.trials().get(0).error());
      assertEquals(search.id(), client.job(org, trials.trials().get(0).jobId()).parentId());

      LeptonClientException budget = assertThrows(LeptonClientException.class,
          () -> client.submitSearch(org, new TuningSpec(training, "grid", Map.of("units",
              new TuningSpec.Values(List.of(4, 8, 16), null, null, null)), 2, null, null,
              null)));
      assertEquals(ErrorCode.INVALID_ARGUMENT, budget.code());
      assertTrue(budget.getMessage().contains("makes 3 trials"), budget.getMessage());
      assertEquals(ErrorCode.INVALID_ARGUMENT, assertThrows(LeptonClientException.class,
          () -> client.trials(org, trials.trials().get(0).jobId())).code());
    }
  }

  /** The first administrator's API token and organization, from the one-time sign-in link. */
  static String[] token(URI base, String link) throws Exception {
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
