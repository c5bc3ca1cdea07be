package ai.lepton.server.monitoring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.lepton.server.monitoring.MonitoringStore.PredictionRow;
import ai.lepton.server.monitoring.PredictionLog.Sample;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The prediction log, feedback, quality, drift and alerts end to end: real CSV training data
 * uploaded and profiled by the server, a model version whose lineage names it, predictions
 * logged through the {@link PredictionLog} serving calls, feedback and reports over real HTTP,
 * evaluations on a test clock.
 */
class MonitoringTest {
  @TempDir Path dir;
  private MonitoringPlatform p;
  private String version;

  @BeforeEach
  void start() {
    p = new MonitoringPlatform(dir, MonitoringLimits.DEFAULT);
    String dsv = p.datasetVersion("churn", csv(new Random(1), 3000), "churned");
    version = p.modelTrainedOn("churn", dsv);
  }

  @AfterEach
  void stop() {
    p.close();
  }

  /**
   * Rows like the training data's: age normal around 40 (sd 10), plan a/b/c at 50/30/20%,
   * churned yes when age plus noise is over 45. {@code scale} and {@code shift} move the live ages.
   */
  private static List<Object[]> rows(Random r, int n, double scale, double shift) {
    List<Object[]> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      double age = Math.round((40 + 10 * r.nextGaussian()) * 10) / 10.0;
      double u = r.nextDouble();
      String plan = u < 0.5 ? "a" : u < 0.8 ? "b" : "c";
      String churned = age + 5 * r.nextGaussian() > 45 ? "yes" : "no";
      out.add(new Object[] {age * scale + shift, plan, churned});
    }
    return out;
  }

  private static String csv(Random r, int n) {
    StringBuilder s = new StringBuilder("age,plan,churned\n");
    for (Object[] row : rows(r, n, 1, 0)) {
      s.append(row[0]).append(',').append(row[1]).append(',').append(row[2]).append('\n');
    }
    return s.toString();
  }

  /** Logs each row as one request to {@code deployment}, predicting by the age rule; the ids. */
  private List<String> log(String deployment, List<Object[]> rows) {
    List<String> ids = new ArrayList<>();
    for (Object[] row : rows) {
      double age = (double) row[0];
      ids.add(p.monitoring.predictionLog().log(p.org, deployment, version, List.of(
          new Sample(Map.of("age", age, "plan", row[1]), age > 45 ? "yes" : "no", null,
              List.of(age > 45 ? 0.8 : 0.2))), Duration.ofMillis(2)));
    }
    p.monitoring.flush();
    return ids;
  }

  private JsonNode report(String deployment, String token) {
    MonitoringPlatform.Response r = p.get(p.deployment(deployment, "/monitoring?window=1h"),
        token);
    assertEquals(200, r.status(), r.body());
    return r.json();
  }

  private static JsonNode feature(JsonNode report, String name) {
    for (JsonNode f : report.get("features")) {
      if (f.get("feature").asText().equals(name)) {
        return f;
      }
    }
    throw new AssertionError("no drift of feature " + name + " in " + report);
  }

  @Test
  void unshiftedInputsShowNoDriftAndScaledOnesDo() {
    log("stable", rows(new Random(2), 600, 1, 0));
    log("shifted", rows(new Random(3), 600, 1.5, 10));

    JsonNode stable = report("stable", p.viewer);
    assertEquals(600, stable.get("predictions").asLong());
    JsonNode age = feature(stable, "age");
    assertEquals(600, age.get("samples").asLong());
    assertTrue(age.get("psi").asDouble() < 0.1, age.toString());
    assertEquals("STABLE", age.get("level").asText());
    assertTrue(age.get("ksPValue").asDouble() > 0.01, age.toString());
    assertTrue(feature(stable, "plan").get("psi").asDouble() < 0.1, stable.toString());
    assertNull(feature(stable, "plan").get("ksStatistic").textValue());
    // the label is no input, and the predicted classes follow the training labels
    assertFalse(stable.get("features").toString().contains("churned"));
    assertTrue(stable.at("/predictionDrift/psi").asDouble() < 0.1, stable.toString());
    assertEquals(2, stable.at("/predictionDrift/training").size());

    JsonNode shifted = report("shifted", p.viewer);
    JsonNode drifted = feature(shifted, "age");
    assertTrue(drifted.get("psi").asDouble() > 1, drifted.toString());
    assertEquals("MAJOR", drifted.get("level").asText());
    assertTrue(drifted.get("ksPValue").asDouble() < 1e-6, drifted.toString());
    assertTrue(feature(shifted, "plan").get("psi").asDouble() < 0.1, shifted.toString());
    // older ages predict "yes" far more often than the training labels say
    assertTrue(shifted.at("/predictionDrift/psi").asDouble() > 0.25, shifted.toString());
  }

  @Test
  void feedbackIsRecordedOncePerPredictionAndGivesLiveAccuracy() {
    List<Object[]> rows = rows(new Random(4), 10, 1, 0);
    List<String> ids = log("web", rows);
    // a single item, then a batch with the truth of the rest, an unknown id, a repeat and a
    // malformed item
    MonitoringPlatform.Response one = p.post(p.deployment("web", "/feedback"), p.owner,
        Map.of("predictionId", ids.get(0), "groundTruth", "yes"));
    assertEquals(200, one.status(), one.body());
    assertEquals(1, one.json().get("accepted").asInt());
    List<Map<String, Object>> items = new ArrayList<>();
    for (int i = 1; i < 10; i++) {
      items.add(Map.of("predictionId", ids.get(i), "groundTruth", i < 7 ? "yes" : "no"));
    }
    items.add(Map.of("predictionId", "prd_missing", "groundTruth", "yes"));
    items.add(Map.of("predictionId", ids.get(0), "groundTruth", "no"));
    items.add(Map.of("predictionId", ids.get(1), "groundTruth", ""));
    MonitoringPlatform.Response batch = p.post(p.deployment("web", "/feedback"), p.owner,
        Map.of("items", items));
    assertEquals(200, batch.status(), batch.body());
    assertEquals(9, batch.json().get("accepted").asInt());
    JsonNode refused = batch.json().get("refused");
    assertEquals(3, refused.size(), refused.toString());
    assertEquals(9, refused.get(0).get("index").asInt());
    assertEquals("NOT_FOUND", refused.get(0).get("code").asText());
    assertEquals("CONFLICT", refused.get(1).get("code").asText());
    assertEquals("INVALID_ARGUMENT", refused.get(2).get("code").asText());
    assertTrue(refused.get(0).get("message").asText().contains("logged no prediction"));

    // feedback names the deployment: another deployment's prediction is unknown here
    assertEquals("NOT_FOUND", p.post(p.deployment("other", "/feedback"), p.owner,
        Map.of("predictionId", ids.get(2), "groundTruth", "yes")).json()
        .at("/refused/0/code").asText());

    long right = 0;
    for (int i = 0; i < 10; i++) {
      String predicted = (double) rows.get(i)[0] > 45 ? "yes" : "no";
      String truth = i < 7 ? "yes" : "no";
      right += predicted.equals(truth) ? 1 : 0;
    }
    JsonNode quality = report("web", p.viewer).get("quality");
    assertEquals(10, quality.get("samples").asLong());
    assertEquals(right / 10.0, quality.get("accuracy").asDouble(), 1e-12);
    assertTrue(quality.get("rmse").isNull());

    // viewers read but do not post; too many items are refused as a whole
    assertEquals(403, p.post(p.deployment("web", "/feedback"), p.viewer,
        Map.of("predictionId", ids.get(3), "groundTruth", "yes")).status());
    List<Map<String, Object>> many = new ArrayList<>();
    for (int i = 0; i <= MonitoringService.MAX_FEEDBACK_ITEMS; i++) {
      many.add(Map.of("predictionId", "prd_" + i, "groundTruth", "yes"));
    }
    MonitoringPlatform.Response tooMany = p.post(p.deployment("web", "/feedback"), p.owner,
        Map.of("items", many));
    assertEquals(400, tooMany.status());
    assertTrue(tooMany.body().contains("1 to 1000 items"), tooMany.body());
    assertEquals(2, auditCount(MonitoringService.FEEDBACK));
  }

  @Test
  void concurrentFeedbackForOnePredictionIsRecordedOnce() throws Exception {
    java.util.concurrent.ExecutorService two = java.util.concurrent.Executors
        .newFixedThreadPool(2);
    try {
      for (String id : log("race", rows(new Random(10), 20, 1, 0))) {
        java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
        List<java.util.concurrent.Future<MonitoringPlatform.Response>> answers = new ArrayList<>();
        for (int t = 0; t < 2; t++) {
          answers.add(two.submit(() -> {
            go.await();
            return p.post(p.deployment("race", "/feedback"), p.owner,
                Map.of("predictionId", id, "groundTruth", "yes"));
          }));
        }
        go.countDown();
        int accepted = 0;
        for (var a : answers) {
          MonitoringPlatform.Response r = a.get();
          // the loser is told CONFLICT, per item or (inserting at the same moment) as a whole
          assertTrue(r.status() == 200 || r.status() == 409, r.body());
          accepted += r.status() == 200 ? r.json().get("accepted").asInt() : 0;
        }
        assertEquals(1, accepted, id);
      }
    } finally {
      two.shutdownNow();
    }
  }

  @Test
  void regressionFeedbackGivesMaeAndRmse() {
    String id = p.monitoring.predictionLog().log(p.org, "price", version, List.of(
        new Sample(Map.of(), null, 10.0, List.of(10.0)),
        new Sample(Map.of(), null, 4.0, List.of(4.0))), Duration.ofMillis(1));
    p.monitoring.flush();
    MonitoringPlatform.Response r = p.post(p.deployment("price", "/feedback"), p.owner,
        Map.of("items", List.of(Map.of("predictionId", id, "groundTruth", "13"),
            Map.of("predictionId", id, "sample", 1, "groundTruth", "5"),
            Map.of("predictionId", id, "sample", 2, "groundTruth", "5"))));
    assertEquals(2, r.json().get("accepted").asInt(), r.body());
    assertEquals("NOT_FOUND", r.json().at("/refused/0/code").asText());
    JsonNode quality = report("price", p.viewer).get("quality");
    assertEquals(2.0, quality.get("mae").asDouble(), 1e-12);
    assertEquals(Math.sqrt((9 + 1) / 2.0), quality.get("rmse").asDouble(), 1e-12);
    assertTrue(quality.get("accuracy").isNull());
    assertEquals("INVALID_ARGUMENT", p.post(p.deployment("price", "/feedback"), p.owner,
        Map.of("predictionId", id, "sample", 0, "groundTruth", "cheap")).json()
        .at("/refused/0/code").asText());
  }

  @Test
  void anAlertIsRaisedOnceRetrainsOnceAndResolvesWhenBackUnder() {
    MonitoringPlatform.Response set = p.put(p.deployment("shop", "/monitor"), p.owner,
        Map.of("windowSeconds", 3600, "minSamples", 200, "action", "retrain"));
    assertEquals(200, set.status(), set.body());
    assertEquals(0.25, set.json().get("psiThreshold").asDouble());
    assertEquals(400, p.put(p.deployment("shop", "/monitor"), p.owner,
        Map.of("psiThreshold", -1)).status());
    assertEquals(403, p.put(p.deployment("shop", "/monitor"), p.viewer, Map.of()).status());

    // too few samples: nothing counts yet
    log("shop", rows(new Random(5), 100, 1.5, 10));
    p.monitoring.evaluate(p.org, "shop");
    assertTrue(p.retrained.isEmpty());
    log("shop", rows(new Random(6), 200, 1.5, 10));
    p.monitoring.evaluate(p.org, "shop");
    p.monitoring.evaluate(p.org, "shop"); // still drifted: the same alert, no second job
    assertEquals(1, p.retrained.size(), p.retrained.toString());
    assertEquals(List.of(p.org, "shop", version), p.retrained.get(0).subList(0, 3));
    assertTrue(p.retrained.get(0).get(3).contains("input feature 'age' drifted"));
    JsonNode alerts = report("shop", p.viewer).get("alerts");
    List<String> signals = new ArrayList<>();
    alerts.forEach(a -> signals.add(a.get("signal").asText()));
    assertTrue(signals.contains("psi:age"), alerts.toString());
    assertTrue(signals.contains("predictions"), alerts.toString());
    assertFalse(signals.contains("psi:plan"), alerts.toString());
    alerts.forEach(a -> {
      assertEquals("job_1", a.get("retrainJob").asText());
      assertTrue(a.get("resolvedAt").isNull());
    });

    // an hour later the window holds only inputs like the training data's
    p.clock.advance(Duration.ofHours(2));
    log("shop", rows(new Random(7), 300, 1, 0));
    p.monitoring.evaluate(p.org, "shop");
    JsonNode after = report("shop", p.viewer).get("alerts");
    assertEquals(0, count(after, a -> a.get("resolvedAt").isNull()), after.toString());
    assertEquals(1, p.retrained.size());
    assertEquals(signals.size(), auditCount(MonitoringService.ALERT_RAISE));
    assertEquals(signals.size(), auditCount(MonitoringService.ALERT_RESOLVE));
    assertEquals(1, auditCount(MonitoringService.RETRAIN));
  }

  @Test
  void keptPayloadsAreEncryptedAndSamplingKeepsOnlyTheIds() throws IOException {
    String marker = "plan-zq7x-marker";
    p.monitoring.predictionLog().log(p.org, "web", version, List.of(new Sample(
        Map.of("age", 40.0, "plan", marker), "no", null, List.of(0.1))), Duration.ofMillis(1));
    p.monitoring.flush();
    assertEquals(1, count(p.db, "SELECT COUNT(*) FROM prediction_batch"
        + " WHERE blob_key IS NOT NULL"));
    byte[] bytes = marker.getBytes(StandardCharsets.UTF_8);
    try (Stream<Path> files = Files.walk(p.data)) {
      List<Path> holding = files.filter(Files::isRegularFile).filter(f -> holds(f, bytes))
          .toList();
      assertEquals(List.of(), holding);
    }
    try (MonitoringService none = MonitoringService.create(p.db, null, null, null, p.clock,
        (o, v) -> java.util.Optional.empty(), Retrainer.NONE,
        MonitoringLimits.DEFAULT.withSampleFraction(0))) {
      String id = none.predictionLog().log(p.org, "web", version, List.of(new Sample(
          Map.of("plan", marker), "no", null, List.of(0.1))), Duration.ofMillis(1));
      none.flush();
      assertTrue(id.startsWith("prd_"));
      PredictionRow logged = p.db.jdbi().withHandle(h -> new JdbiMonitoringStore(p.db.jdbi())
          .prediction(h, p.org, "web", id, 0)).orElseThrow();
      assertNull(logged.blobKey());
      assertEquals("no", logged.predictedClass());
    }
  }

  @Test
  void aLongPredictedClassIsLoggedAsItsFirst200Characters() {
    String label = "x".repeat(150) + "y".repeat(150);
    String id = p.monitoring.predictionLog().log(p.org, "web", version, List.of(new Sample(
        Map.of("age", 40.0), label, null, List.of(0.1))), Duration.ofMillis(1));
    p.monitoring.flush();
    PredictionRow logged = p.db.jdbi().withHandle(h -> new JdbiMonitoringStore(p.db.jdbi())
        .prediction(h, p.org, "web", id, 0)).orElseThrow();
    assertEquals(label.substring(0, 200), logged.predictedClass());
    MonitoringPlatform.Response r = p.post(p.deployment("web", "/feedback"), p.owner,
        Map.of("predictionId", id, "groundTruth", "x"));
    assertEquals(200, r.status(), r.body());
    assertEquals(1, r.json().get("accepted").asInt(), r.body());
  }

  @Test
  void theSweepDeletesPredictionsPastRetentionWithTheirPayloads() {
    List<String> ids = log("web", rows(new Random(8), 5, 1, 0));
    p.post(p.deployment("web", "/feedback"), p.owner, Map.of("predictionId", ids.get(0),
        "groundTruth", "no"));
    int written = blobs(); // one per batch the writer took
    assertTrue(written >= 1);
    p.monitoring.sweep();
    assertEquals(written, blobs());
    assertEquals(5, count(p.db, "SELECT COALESCE(SUM(samples), 0) FROM prediction_batch"));
    p.clock.advance(Duration.ofDays(31));
    p.monitoring.sweep();
    assertEquals(0, count(p.db, "SELECT COALESCE(SUM(samples), 0) FROM prediction_batch"));
    assertEquals(0, count(p.db, "SELECT COUNT(*) FROM prediction_feedback"));
    assertEquals(0, blobs());
  }

  @Test
  void windowsAreCheckedAndAnotherOrganizationSeesNothing() {
    assertEquals(400, p.get(p.deployment("web", "/monitoring?window=10y"), p.viewer).status());
    assertEquals(400, p.get(p.deployment("web", "/monitoring?window=5s"), p.viewer).status());
    assertEquals(401, p.get(p.deployment("web", "/monitoring"), null).status());
    log("web", rows(new Random(9), 3, 1, 0));
    // a raw row with a missing cell: the value is left out of the plan's drift, not the age's
    Map<String, Object> missing = new HashMap<>();
    missing.put("age", 41.0);
    missing.put("plan", null);
    p.monitoring.predictionLog().log(p.org, "web", version, List.of(new Sample(missing, "no",
        null, List.of(0.2))), Duration.ofMillis(1));
    p.monitoring.flush();
    JsonNode r = report("web", p.owner);
    assertEquals(4, r.get("predictions").asLong());
    assertEquals(4, feature(r, "age").get("samples").asLong());
    assertEquals(3, feature(r, "plan").get("samples").asLong());
    assertEquals(86_400, r.at("/monitor/windowSeconds").asLong());
  }

  @Test
  void deletingTheOrganizationDeletesItsPredictionsFeedbackMonitorsAndAlerts() {
    List<String> ids = log("shop", rows(new Random(11), 300, 1.5, 10));
    p.post(p.deployment("shop", "/feedback"), p.owner, Map.of("predictionId", ids.get(0),
        "groundTruth", "yes"));
    p.put(p.deployment("shop", "/monitor"), p.owner, Map.of("minSamples", 10));
    p.monitoring.evaluate(p.org, "shop");
    for (String table : List.of("prediction_batch", "prediction_feedback", "deployment_monitor",
        "monitoring_alert")) {
      assertTrue(count(p.db, "SELECT COUNT(*) FROM " + table) > 0, table);
    }
    MonitoringPlatform.Response deleted = p.send(p.request("/api/v1/orgs/" + p.org, p.owner)
        .DELETE());
    assertEquals(204, deleted.status(), deleted.body());
    for (String table : List.of("prediction_batch", "prediction_feedback", "deployment_monitor",
        "monitoring_alert")) {
      assertEquals(0, count(p.db, "SELECT COUNT(*) FROM " + table), table);
    }
  }

  private int blobs() {
    try (Stream<Path> files = Files.walk(p.data.resolve("blobs"))) {
      return (int) files.filter(Files::isRegularFile)
          .filter(f -> f.toString().contains("predictions")).count();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static long count(JsonNode array, java.util.function.Predicate<JsonNode> test) {
    long n = 0;
    for (JsonNode a : array) {
      n += test.test(a) ? 1 : 0;
    }
    return n;
  }

  private static long count(ai.lepton.server.db.Database db, String sql) {
    return db.jdbi().withHandle(h -> h.createQuery(sql).mapTo(Long.class).one());
  }

  /** The organization's audit events of {@code action} that succeeded. */
  private int auditCount(String action) {
    return (int) count(p.db, "SELECT COUNT(*) FROM audit_event WHERE organization_id = '"
        + p.org + "' AND action = '" + action + "' AND outcome = 'SUCCESS'");
  }

  private static boolean holds(Path file, byte[] bytes) {
    try {
      byte[] content = Files.readAllBytes(file);
      outer:
      for (int i = 0; i + bytes.length <= content.length; i++) {
        for (int j = 0; j < bytes.length; j++) {
          if (content[i + j] != bytes[j]) {
            continue outer;
          }
        }
        return true;
      }
      return false;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
