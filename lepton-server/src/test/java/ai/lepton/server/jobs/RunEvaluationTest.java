package ai.lepton.server.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.lepton.api.DatasetFormat;
import ai.lepton.api.EvaluationReport;
import ai.lepton.api.Run;
import ai.lepton.api.TrainingSpec;
import ai.lepton.server.TestPlatform.Response;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every finished run keeps its evaluation report on the held-out split, registered or not, and
 * serves it on {@code GET .../runs/{run}}; a search publishes its best trial with the trial's own
 * report instead of evaluating it again. On H2 and PostgreSQL.
 */
class RunEvaluationTest {
  static Stream<Arguments> databases() {
    return Stream.of(
        Arguments.of("H2", (Function<Path, JobsPlatform>) JobsPlatform::new),
        Arguments.of("PostgreSQL", (Function<Path, JobsPlatform>) JobsPlatform::postgres));
  }

  private static Run run(JobsPlatform p, String runId) throws Exception {
    Response r = p.get(p.orgPath("/runs/" + runId), p.viewer);
    assertEquals(200, r.status(), r.body());
    return JobsPlatform.JSON.readValue(r.bytes(), Run.class);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("databases")
  void aRunThatRegistersNothingKeepsItsReport(String name, Function<Path, JobsPlatform> start,
      @TempDir Path dir) throws Exception {
    try (JobsPlatform p = start.apply(dir)) {
      Response submitted = p.post(p.orgPath("/jobs"), p.member, JobsPlatform.spec(3, null));
      assertEquals(201, submitted.status(), submitted.body());
      assertTrue(p.worker("w1").runOnce());
      String runId = p.get(p.orgPath("/jobs/" + submitted.text("id")), p.viewer).text("runId");
      Run run = run(p, runId);
      assertTrue(p.published.isEmpty(), "nothing registered");
      EvaluationReport report = run.evaluationReport();
      assertEquals("classification", report.task());
      assertEquals(16, report.samples(), "the fixture's 16 held-out points");
      assertEquals(List.of("a", "b"), report.classes());
      long counted = report.confusionMatrix().stream().flatMap(List::stream)
          .mapToLong(Long::longValue).sum();
      assertEquals(16, counted, "every held-out sample in the confusion matrix");
      long right = report.confusionMatrix().get(0).get(0) + report.confusionMatrix().get(1).get(1);
      assertEquals(run.metrics().get("accuracy"), (double) right / counted, 1e-6,
          "the report and the run's metrics evaluate the same model on the same split");
      assertEquals(2, report.perClass().size());
      assertFalse(report.roc().isEmpty(), "a binary task has a ROC curve");
      assertTrue(report.auc() >= 0 && report.auc() <= 1, "AUC " + report.auc());

      JsonNode list = p.get(p.orgPath("/runs"), p.viewer).json().get("runs");
      assertEquals(runId, list.get(0).get("id").asText());
      assertTrue(list.get(0).get("evaluationReport").isNull(), "lists leave the report out");
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("databases")
  void aSearchPublishesItsBestTrialWithTheTrialsOwnReport(String name,
      Function<Path, JobsPlatform> start, @TempDir Path dir) throws Exception {
    String csv = TrainingDataFixtures.irisCsv(30, 1);
    AtomicInteger prepared = new AtomicInteger();
    JobPreparer preparer = (org, spec) -> {
      prepared.incrementAndGet();
      return new JobPreparer.Prepared(Training.prepare(spec, TrainingDataFixtures.bytes(
          DatasetFormat.CSV, "iris.csv", csv), null), "dsv_iris1");
    };
    try (JobsPlatform p = start.apply(dir)) {
      Response submitted = p.post(p.orgPath("/jobs"), p.member, "{\"kind\":\"tune\","
          + "\"base\":{\"dataset\":\"iris\",\"version\":1,\"model\":{\"template\":\"mlp\"},"
          + "\"target\":\"species\",\"registerAs\":\"iris\",\"hyperparameters\":{\"epochs\":2,"
          + "\"batchSize\":16,\"units\":8,\"seed\":7}},\"method\":\"grid\","
          + "\"metric\":\"accuracy\",\"parameters\":{\"learningRate\":{\"values\":[0.0001,"
          + "0.05]}}}");
      assertEquals(201, submitted.status(), submitted.body());
      Worker worker = p.worker("w1", preparer);
      while (worker.runOnce()) {
        // the two trials, then the search's own end
      }
      JsonNode done = p.get(p.orgPath("/jobs/" + submitted.text("id") + "/trials"), p.viewer)
          .json();
      assertEquals("succeeded", done.get("state").asText(), done.toString());
      assertEquals(2, prepared.get(), "each trial prepared once; the search's end prepares and"
          + " evaluates nothing again");
      for (JsonNode t : done.get("trials")) {
        EvaluationReport report = run(p, t.get("runId").asText()).evaluationReport();
        assertEquals(3, report.classes().size(), "every trial keeps its report");
      }
      Run best = run(p, done.get("bestRunId").asText());
      assertEquals(1, p.published.size());
      assertEquals(best.id(), p.published.get(0).runId());
      assertEquals(best.evaluationReport(), p.published.get(0).evaluationReport(),
          "the best trial's own report is the one registered");
    }
  }
}
