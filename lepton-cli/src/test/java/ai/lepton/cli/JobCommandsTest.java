package ai.lepton.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * lepton train, jobs and runs against a real server. A job on a dataset that does not exist
 * (iris) runs to a failure, with its reason; one on a pushed CSV trains.
 */
class JobCommandsTest {
  @TempDir static Path dir;
  private static Platform p;

  @BeforeAll
  static void start() {
    p = new Platform(dir.resolve("data"));
  }

  @AfterAll
  static void stop() {
    p.close();
  }

  @BeforeEach
  void signIn() {
    p.login(dir.resolve("admin.json"), p.token(p.admin, p.org, "admin"));
  }

  private static void refused(int exit, String fragment) {
    assertEquals(1, exit, p.out() + p.err());
    assertTrue(p.err().startsWith("lepton: ") && p.err().contains(fragment),
        "expected '" + fragment + "' in: " + p.err());
  }

  @Test
  void trainQueuesAJobFromOptionsAndJobsListsAndShowsIt() {
    assertEquals(0, p.lepton("train", "--dataset", "iris@2", "--template", "mlp", "--target",
        "species", "--epochs", "3", "--register", "iris", "--json"), p.err());
    JsonNode job = p.outJson();
    String id = job.get("id").asText();
    assertEquals("iris", job.get("spec").get("dataset").asText());
    assertEquals(2, job.get("spec").get("version").asInt());
    assertEquals(3, job.get("spec").get("hyperparameters").get("epochs").asInt());
    assertEquals("iris", job.get("spec").get("registerAs").asText());

    assertEquals(0, p.lepton("jobs", "list"), p.err());
    assertTrue(p.out().startsWith("ID") && p.out().contains(id) && p.out().contains("iris@2"),
        p.out());
    assertEquals(0, p.lepton("jobs", "show", id), p.err());
    assertTrue(p.out().contains("mlp"), p.out());
  }

  @Test
  void runsShowPrintsTheEvaluationReportOfARunThatRegisteredNothing() throws Exception {
    StringBuilder csv = new StringBuilder("x1,x2,label\n");
    for (int i = 0; i < 60; i++) {
      csv.append(i % 2 == 0 ? 1 + i * 0.01 : -1 - i * 0.01).append(',').append((i % 4) * 0.1)
          .append(',').append(i % 2 == 0 ? "even" : "odd").append('\n');
    }
    Path points = Files.writeString(dir.resolve("points.csv"), csv);
    assertEquals(0, p.lepton("dataset", "push", points.toString(), "--dataset", "points",
        "--create", "--label", "label"), p.err());
    assertEquals(0, p.lepton("train", "--dataset", "points", "--template", "mlp", "--target",
        "label", "--epochs", "2", "--follow"), p.err() + p.out());
    assertEquals(0, p.lepton("runs", "list", "--json"), p.err());
    String run = p.outJson().get("runs").get(0).get("id").asText();

    assertEquals(0, p.lepton("runs", "show", run), p.err());
    String out = p.out();
    assertTrue(out.contains("evaluation: classification on "), out);
    assertTrue(out.lines().anyMatch(l -> l.startsWith("TRUE \\ PREDICTED")
        && l.contains("even") && l.contains("odd")), out);
    assertTrue(out.lines().anyMatch(l -> l.startsWith("CLASS") && l.contains("PRECISION")
        && l.contains("F1")), out);
    assertTrue(out.contains("ROC of odd: AUC "), out);
    assertEquals(0, p.lepton("runs", "show", run, "--json"), p.err());
    JsonNode report = p.outJson().get("evaluationReport");
    assertEquals(2, report.get("confusionMatrix").size(), report.toString());
    assertTrue(report.get("roc").size() >= 2, report.toString());

    // a regression: its own metrics in their table, not twice
    StringBuilder line = new StringBuilder("x,y\n");
    for (int i = 0; i < 40; i++) {
      line.append(i * 0.1).append(',').append(2 * i * 0.1 + 1).append('\n');
    }
    assertEquals(0, p.lepton("dataset", "push", Files.writeString(dir.resolve("line.csv"),
        line).toString(), "--dataset", "line", "--create"), p.err());
    assertEquals(0, p.lepton("train", "--dataset", "line", "--template", "linear-regression",
        "--target", "y", "--epochs", "2", "--follow"), p.err() + p.out());
    assertEquals(0, p.lepton("runs", "list", "--json"), p.err());
    assertEquals(0, p.lepton("runs", "show", p.outJson().get("runs").get(0).get("id").asText()),
        p.err());
    String regression = p.out();
    assertTrue(regression.contains("evaluation: regression on "), regression);
    assertTrue(regression.lines().anyMatch(l -> l.startsWith("mean absolute error ")),
        regression);
    assertTrue(regression.lines().noneMatch(l -> l.startsWith("mae ")), regression);
  }

  @Test
  void classNamesNameNumberedLabelsInTheModelAndItsReport() throws Exception {
    StringBuilder csv = new StringBuilder("x1,x2,label\n");
    for (int i = 0; i < 60; i++) {
      csv.append(i % 2 == 0 ? 1 + i * 0.01 : -1 - i * 0.01).append(',').append((i % 4) * 0.1)
          .append(',').append(i % 2).append('\n');
    }
    assertEquals(0, p.lepton("dataset", "push", Files.writeString(dir.resolve("parity.csv"),
        csv).toString(), "--dataset", "parity", "--create"), p.err());
    // with class names, the mlp template classifies the whole numbers 0 and 1
    assertEquals(0, p.lepton("train", "--dataset", "parity", "--template", "mlp", "--target",
        "label", "--epochs", "2", "--class-names", "even,odd", "--follow", "--json"),
        p.err() + p.out());
    assertEquals(0, p.lepton("runs", "list", "--json"), p.err());
    JsonNode run = p.outJson().get("runs").get(0);
    assertEquals(0, p.lepton("runs", "show", run.get("id").asText()), p.err());
    assertTrue(p.out().lines().anyMatch(l -> l.startsWith("TRUE \\ PREDICTED")
        && l.contains("even") && l.contains("odd")), "the labels 0 and 1 by name: " + p.out());

    // a bad argument: exit 2, the spec's own message
    assertEquals(2, p.lepton("train", "--dataset", "parity", "--template", "mlp", "--target",
        "label", "--class-names", "even,odd,even"), p.out());
    assertTrue(p.err().startsWith("lepton: 'classNames' names 'even' twice"), p.err());
  }

  @Test
  void followPrintsTheJobToItsEndAndFailsWithItsReason() throws Exception {
    Path spec = Files.writeString(dir.resolve("spec.json"), "{\"dataset\":\"iris\","
        + "\"model\":{\"template\":\"mlp\"},\"target\":\"species\"}");
    int exit = p.lepton("train", spec.toString(), "--epochs", "2", "--follow");
    refused(exit, "failed: ");
    assertTrue(p.out().contains(" failed: "), p.out());
    String id = p.err().substring(p.err().indexOf("job_")).split(" ")[0];

    refused(p.lepton("jobs", "cancel", id), "has ended already (failed)");
    refused(p.lepton("jobs", "follow", id, "--json"), "job " + id + " failed: ");
    JsonNode events = p.outJson();
    assertEquals("failed", events.get(events.size() - 1).get("state").asText(), p.out());
  }

  @Test
  void tuneQueuesASearchFollowsItsTrialsAndJobsShowListsThem() throws Exception {
    Path spec = Files.writeString(dir.resolve("tune.json"), "{\"base\":{\"dataset\":\"iris\","
        + "\"model\":{\"template\":\"mlp\"},\"target\":\"species\"},\"method\":\"grid\","
        + "\"metric\":\"val_accuracy\",\"parameters\":{\"units\":{\"values\":[4,8]}}}");
    refused(p.lepton("tune", spec.toString(), "--follow"), "none of the 2 trials succeeded");
    assertEquals(2, p.out().lines().filter(l -> l.startsWith("trial job_")).count(), p.out());
    String id = p.err().substring(p.err().indexOf("job_")).split(" ")[0];

    assertEquals(0, p.lepton("jobs", "show", id), p.err());
    assertTrue(p.out().contains("tune (val_accuracy, max)"), p.out());
    assertTrue(p.out().contains("TRIAL") && p.out().contains(id + "_t001")
        && p.out().contains("{units=8}"), p.out());
    assertEquals(0, p.lepton("jobs", "show", id, "--json"), p.err());
    JsonNode shown = p.outJson();
    assertEquals("tune", shown.get("job").get("kind").asText());
    assertEquals(2, shown.get("search").get("trials").size());

    Path bad = Files.writeString(dir.resolve("bad-tune.json"), "{\"base\":{\"dataset\":"
        + "\"iris\",\"model\":{\"template\":\"mlp\"}},\"method\":\"grid\",\"parameters\":"
        + "{\"colour\":{\"values\":[1]}}}");
    refused(p.lepton("tune", bad.toString()), "unknown parameter 'colour'");
  }

  @Test
  void badSpecsAndMissingRunsAreRefusedWithWhatToDo() throws Exception {
    refused(p.lepton("train"), "give a spec file");
    Path bad = Files.writeString(dir.resolve("bad.json"), "{\"dataset\":\"iris\",\"colour\":1}");
    refused(p.lepton("train", bad.toString()), "is not a valid training spec");
    refused(p.lepton("train", "--dataset", "iris@x", "--template", "mlp"),
        "a dataset version is a number");
    assertEquals(2, p.lepton("train", "--dataset", "iris", "--template", "mlp", "--epochs", "0"));
    assertTrue(p.err().contains("'epochs' must be 1 to 100000; received 0"), p.err());
    assertEquals(0, p.lepton("runs", "list"), p.err());
    refused(p.lepton("runs", "show", "run_nope"), "run 'run_nope' not found");
    refused(p.lepton("runs", "compare", "run_a", "run_b"), "not found");
  }
}
