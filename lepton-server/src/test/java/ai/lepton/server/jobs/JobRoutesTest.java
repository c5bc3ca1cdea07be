package ai.lepton.server.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.lepton.server.TestPlatform.Response;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** The jobs and runs API over real HTTP, with a worker on the server's database. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class JobRoutesTest {
  private JobsPlatform p;

  @BeforeAll
  void start(@TempDir Path dir) {
    p = new JobsPlatform(dir);
  }

  @AfterAll
  void stop() {
    p.close();
  }

  private String submit(int epochs, String registerAs) {
    Response r = p.post(p.orgPath("/jobs"), p.member, JobsPlatform.spec(epochs, registerAs));
    assertEquals(201, r.status(), r.body());
    assertEquals("queued", r.text("state"));
    return r.text("id");
  }

  @Test
  void aSubmittedJobTrainsOnAWorkerAndItsRunIsReadAndCompared() {
    String first = submit(2, "points");
    assertTrue(p.worker("w1").runOnce());
    String second = submit(3, null);
    assertTrue(p.worker("w1").runOnce());

    JsonNode job = p.get(p.orgPath("/jobs/" + first), p.viewer).json();
    assertEquals("succeeded", job.get("state").asText(), job.toString());
    assertEquals(1, job.get("attempts").asInt());
    String run = job.get("runId").asText();
    JsonNode read = p.get(p.orgPath("/runs/" + run), p.viewer).json();
    assertEquals("dsv_points1", read.get("datasetVersionId").asText());
    assertEquals("mv_1", read.get("modelVersionId").asText());
    assertTrue(read.get("artifact").asBoolean());
    assertEquals("mlp", read.get("model").get("template").asText());
    List<Integer> epochs = new ArrayList<>();
    read.get("history").forEach(m -> {
      if (m.get("kind").asText().equals("epoch") && m.get("name").asText().equals("loss")) {
        epochs.add(m.get("epoch").asInt());
      }
    });
    assertEquals(List.of(0, 1), epochs);

    JsonNode jobs = p.get(p.orgPath("/jobs?limit=1"), p.viewer).json();
    assertEquals(second, jobs.get("jobs").get(0).get("id").asText(), "newest first");
    assertEquals(1, jobs.get("nextOffset").asInt());
    String secondRun = p.get(p.orgPath("/jobs/" + second), p.viewer).text("runId");
    JsonNode compared = p.get(p.orgPath("/runs/compare?ids=" + run + "," + secondRun), p.viewer)
        .json();
    assertEquals(List.of("2", "3"), List.of(compared.get("parameters").get("epochs").get(0)
        .asText(), compared.get("parameters").get("epochs").get(1).asText()));
    assertEquals(2, compared.get("metrics").get("loss").size());
    assertEquals(400, p.get(p.orgPath("/runs/compare?ids=" + run), p.viewer).status());
    assertEquals(404, p.get(p.orgPath("/runs/compare?ids=" + run + ",run_nope"), p.viewer)
        .status());
    assertTrue(p.get(p.orgPath("/runs"), p.viewer).body().contains(run));
  }

  @Test
  void theEventStreamReplaysTheHistoryThenFollowsTheJobToItsEnd() throws Exception {
    String job = submit(3, null);
    Response wrongAccept = p.get(p.orgPath("/jobs/" + job + "/events"), p.viewer);
    assertEquals(400, wrongAccept.status());
    assertTrue(wrongAccept.errorMessage().contains("Accept: text/event-stream"));
    CompletableFuture<HttpResponse<String>> stream = java.net.http.HttpClient.newHttpClient()
        .sendAsync(p.request(p.orgPath("/jobs/" + job + "/events"), p.viewer)
            .header("Accept", "text/event-stream").GET().build(),
            HttpResponse.BodyHandlers.ofString());
    assertTrue(p.worker("w2").runOnce());
    String events = stream.get(60, TimeUnit.SECONDS).body();
    assertEquals(3, events.split("event: epoch", -1).length - 1, events);
    assertTrue(events.contains("event: batch") && events.contains("\"samplesPerSecond\":"),
        "batch progress, at least the first batch's: " + events);
    assertTrue(events.contains("\"state\":\"succeeded\""), events);
    assertTrue(events.strip().endsWith("}"), events);

    // afterwards: the whole history again, and the terminal state
    String replay = p.send(p.request(p.orgPath("/jobs/" + job + "/events"), p.viewer)
        .header("Accept", "text/event-stream").GET()).body();
    assertEquals(3, replay.split("event: epoch", -1).length - 1, replay);
    assertTrue(replay.contains("\"state\":\"succeeded\""), replay);
  }

  @Test
  void membersSubmitAndCancelViewersReadOutsidersSeeNothing() {
    assertEquals(403, p.post(p.orgPath("/jobs"), p.viewer, JobsPlatform.spec(1, null)).status());
    assertEquals(404, p.post(p.orgPath("/jobs"), p.outsider, JobsPlatform.spec(1, null))
        .status());
    String job = submit(1, null);
    assertEquals(404, p.get(p.orgPath("/jobs/" + job), p.outsider).status());
    assertEquals(403, p.post(p.orgPath("/jobs/" + job + "/cancel"), p.viewer, "").status());
    Response cancelled = p.post(p.orgPath("/jobs/" + job + "/cancel"), p.member, "");
    assertEquals(200, cancelled.status(), cancelled.body());
    assertEquals("cancelled", cancelled.text("state"));
    Response again = p.post(p.orgPath("/jobs/" + job + "/cancel"), p.member, "");
    assertEquals(409, again.status());
    assertTrue(again.errorMessage().contains("has ended already (cancelled)"), again.body());
    String audit = p.get(p.orgPath("/audit?limit=100"), p.owner).body();
    assertTrue(audit.contains("\"job.submit\""), audit);
    assertTrue(audit.contains("\"job.cancel\""), audit);
  }

  @Test
  void aSpecOutOfBoundsIsRefusedWithWhatToFix() {
    String[][] cases = {
        {"{\"dataset\":\"points\",\"model\":{\"template\":\"mlp\"},"
            + "\"hyperparameters\":{\"epochs\":0}}",
            "the training spec is not valid: 'epochs' must be 1 to 100000"},
        {"{\"dataset\":\"points\",\"model\":{\"template\":\"mlp\"},"
            + "\"hyperparameters\":{\"batchSize\":100000000}}", "'batchSize'"},
        {"{\"dataset\":\"points\",\"model\":{\"template\":\"mlp\",\"config\":\"{}\"}}",
            "'model' takes exactly one of"},
        {"{\"dataset\":\"points\",\"model\":{\"template\":\"mlp\"},\"kind\":\"tune\"}",
            "a tuning spec needs 'base'"},
        {"{\"dataset\":\"points\",\"model\":{\"template\":\"mlp\"},\"kind\":\"grid\"}",
            "kind must be \"train\" (the default) or \"tune\""},
        {"{\"dataset\":\"points\",\"model\":{\"template\":\"mlp\"},\"colour\":1}",
            "colour"},
        {"{\"model\":{\"template\":\"mlp\"}}", "a training spec needs 'dataset'"},
        {"{\"dataset\":\"../etc\",\"model\":{\"template\":\"mlp\"}}",
            "dataset must be a dataset's name or id"},
        {"{\"dataset\":\"points\",\"model\":{\"template\":\"mlp\"},"
            + "\"registerAs\":\"a b\"}", "registerAs must be a model name"},
        {"{\"dataset\":\"points\",\"model\":{\"config\":\"" + "x".repeat(70_000) + "\"}}",
            "exceeds the maximum allowed (65536"},
        {"[1]", "must be a JSON object"},
    };
    for (String[] c : cases) {
      Response r = p.post(p.orgPath("/jobs"), p.member, c[0]);
      assertEquals(400, r.status(), c[1] + ": " + r.body());
      assertTrue(r.errorMessage().contains(c[1]), r.errorMessage());
    }
    assertFalse(p.get(p.orgPath("/jobs?limit=999"), p.viewer).status() == 200);
  }
}
