package ai.lepton.server.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.lepton.api.TrainingSpec;
import ai.lepton.api.DatasetFormat;
import ai.lepton.server.TestPlatform.Response;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hyperparameter searches over real HTTP: a search job fans out one train job per trial, workers
 * on the server's database train them (the real {@code Training.prepare} on an iris-like CSV),
 * and the search ends with its best trial.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SearchJobTest {
  private static final String CSV = TrainingDataFixtures.irisCsv(30, 1);
  private JobsPlatform p;

  @BeforeAll
  void start(@TempDir Path dir) {
    p = new JobsPlatform(dir);
  }

  @AfterAll
  void stop() {
    p.close();
  }

  /** The real training of a spec, on the iris-like CSV. */
  private static JobPreparer.Prepared csv(String org, TrainingSpec spec) {
    return new JobPreparer.Prepared(Training.prepare(spec, TrainingDataFixtures.bytes(
        DatasetFormat.CSV, "iris.csv", CSV), null), "dsv_iris1");
  }

  private static String search(String method, String parameters, String extra) {
    return "{\"kind\":\"tune\",\"base\":{\"dataset\":\"iris\",\"version\":1,"
        + "\"model\":{\"template\":\"mlp\"},\"target\":\"species\",\"registerAs\":\"iris\","
        + "\"hyperparameters\":{\"epochs\":2,\"batchSize\":16,\"units\":8,\"seed\":7}},"
        + "\"method\":\"" + method + "\",\"metric\":\"accuracy\",\"parameters\":{" + parameters
        + "}" + extra + "}";
  }

  private String submit(String body) {
    Response r = p.post(p.orgPath("/jobs"), p.member, body);
    assertEquals(201, r.status(), r.body());
    assertEquals("tune", r.text("kind"));
    assertEquals("queued", r.text("state"));
    return r.text("id");
  }

  private JsonNode trials(String search) {
    Response r = p.get(p.orgPath("/jobs/" + search + "/trials"), p.viewer);
    assertEquals(200, r.status(), r.body());
    return r.json();
  }

  private String state(String job) {
    return p.get(p.orgPath("/jobs/" + job), p.viewer).text("state");
  }

  @Test
  void aGridOfTwoByTwoTrainsFourTrialsAndRegistersOnlyTheBest() throws Exception {
    int publishedBefore = p.published.size();
    String search = submit(search("grid", "\"learningRate\":{\"values\":[0.0001,0.05]},"
        + "\"units\":{\"values\":[4,32]}", ""));
    JsonNode queued = trials(search);
    assertEquals(4, queued.get("trials").size());
    assertEquals(Map.of("learningRate", 0.0001, "units", 4), JobsPlatform.JSON.convertValue(
        queued.get("trials").get(0).get("parameters"), Map.class));
    assertEquals("queued", queued.get("trials").get(3).get("state").asText());
    assertTrue(queued.get("best").isNull());

    Worker worker = p.worker("w1", SearchJobTest::csv);
    assertTrue(worker.runOnce(), "trial 0");
    assertEquals("running", state(search), "a search runs once a trial started");
    for (int i = 1; i < 4; i++) {
      assertTrue(worker.runOnce(), "trial " + i);
    }
    assertTrue(worker.runOnce(), "the search's own end, once its trials ended");
    assertFalse(worker.runOnce());

    JsonNode done = trials(search);
    assertEquals("succeeded", done.get("state").asText(), done.toString());
    List<Double> values = new ArrayList<>();
    Set<String> children = new HashSet<>();
    for (JsonNode t : done.get("trials")) {
      assertEquals("succeeded", t.get("state").asText());
      JsonNode run = p.get(p.orgPath("/runs/" + t.get("runId").asText()), p.viewer).json();
      assertEquals(t.get("value").asDouble(), run.get("metrics").get("accuracy").asDouble(),
          "a trial's value is its run's final metric");
      assertEquals(t.get("parameters").get("units").asText(),
          run.get("parameters").get("units").asText(), "the trial trained what it varies");
      values.add(t.get("value").asDouble());
      children.add(t.get("jobId").asText());
      assertEquals(search, p.get(p.orgPath("/jobs/" + t.get("jobId").asText()), p.viewer)
          .text("parentId"));
    }
    assertEquals(4, children.size());
    double max = values.stream().mapToDouble(Double::doubleValue).max().orElseThrow();
    int best = done.get("best").asInt();
    assertEquals(max, values.get(best), "the best of the four by accuracy (max)");
    assertEquals(values.indexOf(max), best, "the first of equals wins");
    String bestRun = done.get("trials").get(best).get("runId").asText();
    assertEquals(bestRun, done.get("bestRunId").asText());
    assertEquals(bestRun, p.get(p.orgPath("/jobs/" + search), p.viewer).text("runId"));

    assertEquals(publishedBefore + 1, p.published.size(), "only the best trial registers");
    assertEquals(bestRun, p.published.get(publishedBefore).runId());
    assertEquals("iris", p.published.get(publishedBefore).name());
    var report = p.published.get(publishedBefore).evaluationReport();
    long right = 0;
    long all = 0;
    for (int i = 0; i < report.confusionMatrix().size(); i++) {
      right += report.confusionMatrix().get(i).get(i);
      all += report.confusionMatrix().get(i).stream().mapToLong(Long::longValue).sum();
    }
    assertEquals(values.get(best), (double) right / all, 1e-6,
        "the registered report is the best trial's own, on its held-out split");
    assertEquals(done.get("modelVersionId").asText(), p.get(p.orgPath("/runs/" + bestRun),
        p.viewer).text("modelVersionId"));

    // the parent's events: one trial event per child's end, then its terminal state
    String events = p.send(p.request(p.orgPath("/jobs/" + search + "/events"),
        p.viewer).header("Accept", "text/event-stream").GET()).body();
    long trialEvents = events.lines().filter(l -> l.equals("event:trial")
        || l.equals("event: trial")).count();
    assertEquals(4, trialEvents, events);
    assertTrue(events.contains("\"state\":\"succeeded\""), events);
  }

  @Test
  void aRandomSearchTrainsNoMoreThanItsBudget() {
    String search = submit(search("random", "\"learningRate\":{\"min\":0.0001,\"max\":0.1,"
        + "\"log\":true},\"units\":{\"values\":[4,8,16]}", ",\"maxTrials\":3,\"seed\":5"));
    JsonNode trials = trials(search);
    assertEquals(3, trials.get("trials").size(), "maxTrials 3");
    Set<String> drawn = new HashSet<>();
    trials.get("trials").forEach(t -> drawn.add(t.get("parameters").toString()));
    assertEquals(3, drawn.size(), "distinct draws");
    Worker worker = p.worker("w2", SearchJobTest::csv);
    int claimed = 0;
    while (worker.runOnce()) {
      claimed++;
    }
    assertEquals(4, claimed, "3 trials and the search's end");
    assertEquals("succeeded", state(search));
  }

  @Test
  void cancellingTheSearchCancelsItsQueuedTrials() {
    String search = submit(search("grid", "\"units\":{\"values\":[4,8,16]}", ""));
    Response cancelled = p.post(p.orgPath("/jobs/" + search + "/cancel"), p.member, "");
    assertEquals(200, cancelled.status(), cancelled.body());
    assertEquals("cancelled", cancelled.text("state"));
    JsonNode trials = trials(search);
    trials.get("trials").forEach(t -> assertEquals("cancelled", t.get("state").asText()));
    assertFalse(p.worker("w3", SearchJobTest::csv).runOnce(), "nothing left to run");
    List<String> audited = new ArrayList<>();
    p.get(p.orgPath("/audit?limit=100"), p.owner).json().get("events")
        .forEach(e -> {
          if (e.toString().contains(search)) {
            audited.add(e.get("action").asText() + " " + e.get("details").get("trials"));
          }
        });
    assertTrue(audited.contains("job.submit \"3\"") && audited.contains("job.cancel \"3\""),
        audited.toString());
  }

  @Test
  void aRunningSearchCancelledEndsCancelledOnceItsTrialsStopped() {
    String search = submit(search("grid", "\"units\":{\"values\":[4,8]}", ""));
    Worker worker = p.worker("w4", SearchJobTest::csv);
    assertTrue(worker.runOnce(), "trial 0");
    assertEquals("running", state(search));
    assertEquals(200, p.post(p.orgPath("/jobs/" + search + "/cancel"), p.member, "").status());
    JsonNode trials = trials(search);
    assertEquals("succeeded", trials.get("trials").get(0).get("state").asText());
    assertEquals("cancelled", trials.get("trials").get(1).get("state").asText());
    assertTrue(worker.runOnce(), "the search's end");
    assertEquals("cancelled", state(search));
    assertEquals(409, p.post(p.orgPath("/jobs/" + search + "/cancel"), p.member, "").status());
  }

  @Test
  void aFailingTrialLeavesTheOthersToTrainAndTheBestIsPickedAmongThem() {
    int publishedBefore = p.published.size();
    String search = submit(search("grid", "\"units\":{\"values\":[4,8,16]}", ""));
    JobPreparer failsAt8 = (org, spec) -> {
      if (spec.hyperparameters().units() == 8) {
        throw new IllegalArgumentException("units 8 refused by this test");
      }
      return csv(org, spec);
    };
    Worker worker = p.worker("w5", failsAt8);
    while (worker.runOnce()) {
      // the three trials and the search's end
    }
    JsonNode done = trials(search);
    assertEquals("succeeded", done.get("state").asText(), done.toString());
    assertEquals("failed", done.get("trials").get(1).get("state").asText());
    assertTrue(done.get("trials").get(1).get("error").asText().contains("units 8 refused"));
    assertEquals("succeeded", done.get("trials").get(2).get("state").asText(),
        "the trial after the failed one trained");
    assertNotEquals(1, done.get("best").asInt());
    assertEquals(publishedBefore + 1, p.published.size());
  }

  @Test
  void aSearchWhoseTrialsAllFailEndsFailedAndRegistersNothing() {
    int publishedBefore = p.published.size();
    String search = submit(search("grid", "\"units\":{\"values\":[4,8]}", ""));
    Worker worker = p.worker("w6", (org, spec) -> {
      throw new IllegalArgumentException("no data for this test");
    });
    while (worker.runOnce()) {
      // two failing trials and the search's end
    }
    Response job = p.get(p.orgPath("/jobs/" + search), p.viewer);
    assertEquals("failed", job.text("state"));
    assertTrue(job.text("error").contains("none of the 2 trials succeeded"), job.body());
    assertEquals(publishedBefore, p.published.size());
  }

  @Test
  void aSearchTheTrainingWouldRefuseIsRefusedWithWhatToFix() {
    Response grid = p.post(p.orgPath("/jobs"), p.member, search("grid",
        "\"units\":{\"values\":[4,8]},\"epochs\":{\"values\":[1,2]}", ",\"maxTrials\":3"));
    assertEquals(400, grid.status());
    assertTrue(grid.errorMessage().contains("makes 4 trials"), grid.errorMessage());
    Response dropout = p.post(p.orgPath("/jobs"), p.member, search("grid",
        "\"dropout\":{\"values\":[0.1,1.0]}", ""));
    assertEquals(400, dropout.status());
    assertTrue(dropout.errorMessage().contains("dropout"), dropout.errorMessage());
    Response notASearch = p.get(p.orgPath("/jobs/job_nope/trials"), p.viewer);
    assertEquals(404, notASearch.status());
  }
}
