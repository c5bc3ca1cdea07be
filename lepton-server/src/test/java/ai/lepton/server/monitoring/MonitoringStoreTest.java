package ai.lepton.server.monitoring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.lepton.server.db.Database;
import ai.lepton.server.db.TestDatabases;
import ai.lepton.server.monitoring.MonitoringStore.AlertRow;
import ai.lepton.server.monitoring.MonitoringStore.PredictionRow;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The monitoring SQL on H2 and PostgreSQL alike, every query kept to its organization. */
class MonitoringStoreTest {
  private static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");

  static List<TestDatabases.Named> databases() {
    return TestDatabases.both();
  }

  private static PredictionRow row(String org, int minute, String predicted, String blob) {
    return row(org, T0.plus(Duration.ofMinutes(minute)), predicted, blob,
        blob == null ? null : minute);
  }

  private static PredictionRow row(String org, Instant at, String predicted, String blob,
      Integer line) {
    return new PredictionRow(BatchingPredictionLog.predictionId(at, ThreadLocalRandom.current()),
        0, org, "web", "mv_1", at, 1500, predicted, null, blob, line);
  }

  private static Optional<PredictionRow> find(Database db, MonitoringStore store, String org,
      PredictionRow r) {
    return db.jdbi().withHandle(h -> store.prediction(h, org, "web", r.id(), r.sample()));
  }

  private static boolean feedback(Database db, MonitoringStore store, PredictionRow r,
      String truth) {
    return db.jdbi().inTransaction(tx -> store.insertFeedback(tx, r, truth, "u", T0));
  }

  @ParameterizedTest
  @MethodSource("databases")
  void predictionsFeedbackRetentionAndAlerts(TestDatabases.Named kind) {
    try (Database db = kind.open().get()) {
      MonitoringStore store = new JdbiMonitoringStore(db.jdbi());
      List<PredictionRow> rows = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        rows.add(row("org_a", i, i < 3 ? "yes" : "no", i % 2 == 0 ? "b1" : null));
      }
      rows.add(row("org_b", 0, "yes", "b2"));
      db.jdbi().useTransaction(tx -> store.insertPredictions(tx, rows));

      PredictionRow p0 = find(db, store, "org_a", rows.get(0)).orElseThrow();
      assertEquals(rows.get(0), p0);
      assertTrue(feedback(db, store, p0, "yes"));
      assertFalse(feedback(db, store, p0, "no"));
      assertTrue(feedback(db, store, find(db, store, "org_a", rows.get(4)).orElseThrow(),
          "yes"));
      assertTrue(find(db, store, "org_b", rows.get(0)).isEmpty());
      assertTrue(find(db, store, "org_a", rows.get(5)).isEmpty());
      assertEquals(2, store.labeled("org_a", "web", T0, 100).size());
      assertEquals("no", store.labeled("org_a", "web", T0, 1).get(0).predictedClass());
      assertEquals(Map.of("yes", 3L, "no", 2L), store.predictedClasses("org_a", "web", T0));
      assertEquals(List.of("yes"), List.copyOf(store.predictedClasses("org_a", "web",
          T0).keySet()).subList(0, 1));
      assertEquals(3, store.kept("org_a", "web", T0, 10).size());
      assertEquals(4, store.kept("org_a", "web", T0, 10).get(0).line());
      assertEquals(5, store.predictionCount("org_a", "web", T0));
      assertEquals("mv_1", store.latestModelVersion("org_a", "web", T0).orElseThrow());

      // keep the newest 2 of org_a; nothing of org_b goes
      int deleted = db.jdbi().inTransaction(tx -> store.deleteOld(tx, "org_a", T0, 2));
      assertEquals(3, deleted);
      assertEquals(2, store.predictionCount("org_a", "web", T0));
      assertEquals(1, store.predictionCount("org_b", "web", T0));
      assertEquals(1, store.labeled("org_a", "web", T0, 100).size()); // p0's feedback went
      assertEquals(Set.of("b2"), store.referencedBlobs("org_b"));
      assertEquals(Set.of("b1"), store.referencedBlobs("org_a")); // p4 still refers to it

      AlertRow a = new AlertRow("alr_1", "org_a", "web", "psi:age", 0.4, 0.25, "drifted", T0,
          null, null);
      db.jdbi().useTransaction(tx -> store.insertAlert(tx, a));
      assertEquals(List.of("psi:age"), List.copyOf(db.jdbi().withHandle(h ->
          store.openAlerts(h, "org_a", "web")).keySet()));
      assertTrue(db.jdbi().withHandle(h -> store.openAlerts(h, "org_b", "web")).isEmpty());
      db.jdbi().useTransaction(tx -> {
        store.setRetrainJob(tx, "org_a", "alr_1", "job_9");
        store.resolveAlert(tx, "org_a", "alr_1", T0.plusSeconds(60));
      });
      assertTrue(db.jdbi().withHandle(h -> store.openAlerts(h, "org_a", "web")).isEmpty());
      AlertRow resolved = store.alerts("org_a", "web", T0, 10).get(0);
      assertEquals("job_9", resolved.retrainJob());
      assertEquals(T0.plusSeconds(60), resolved.resolvedAt());
    }
  }

  @ParameterizedTest
  @MethodSource("databases")
  void aBatchIsReadExactlyWhereAWindowCutsIt(TestDatabases.Named kind) {
    try (Database db = kind.open().get()) {
      MonitoringStore store = new JdbiMonitoringStore(db.jdbi());
      PredictionRow early = row("org_a", T0.minusMillis(400), "a", null, null);
      List<PredictionRow> rows = new ArrayList<>();
      for (String c : List.of("a", "a", "b")) { // one request of three samples
        rows.add(new PredictionRow(early.id(), rows.size(), "org_a", "web", "mv_1", early.at(),
            1500, c, null, null, null));
      }
      rows.add(row("org_a", T0.plusMillis(300), "b", "b3", 0));
      rows.add(row("org_a", T0.plusMillis(600), "c", null, null));
      PredictionRow late = row("org_a", T0.plusMillis(1500), "c", null, null);
      rows.add(late);
      db.jdbi().useTransaction(tx -> store.insertPredictions(tx, rows));
      int batches = db.jdbi().withHandle(h -> h.createQuery("SELECT COUNT(*)"
          + " FROM prediction_batch").mapTo(Integer.class).one());
      assertEquals(2, batches); // a batch spans a second

      assertEquals(6, store.predictionCount("org_a", "web", T0.minusSeconds(1)));
      assertEquals(Map.of("a", 2L, "b", 2L, "c", 2L), store.predictedClasses("org_a", "web",
          T0.minusSeconds(1)));
      assertEquals(3, store.predictionCount("org_a", "web", T0));
      assertEquals(Map.of("b", 1L, "c", 2L), store.predictedClasses("org_a", "web", T0));
      assertEquals(List.of("c", "b"), List.copyOf(store.predictedClasses("org_a", "web", T0)
          .keySet()));
      assertEquals(1, store.predictionCount("org_a", "web", T0.plusMillis(601)));
      assertEquals(List.of(new MonitoringStore.Kept("b3", 0)), store.kept("org_a", "web", T0,
          10));
      assertTrue(store.kept("org_a", "web", T0.plusMillis(301), 10).isEmpty());
      assertEquals("b", find(db, store, "org_a", rows.get(2)).orElseThrow().predictedClass());
      assertTrue(db.jdbi().withHandle(h -> store.prediction(h, "org_a", "web", early.id(), 3))
          .isEmpty());
      for (String id : List.of("prd_zz", "prd_" + "f".repeat(32), "prd_" + "0".repeat(32))) {
        assertTrue(db.jdbi().withHandle(h -> store.prediction(h, "org_a", "web", id, 0))
            .isEmpty(), id);
      }

      assertTrue(feedback(db, store, find(db, store, "org_a", rows.get(0)).orElseThrow(), "a"));
      assertTrue(feedback(db, store, find(db, store, "org_a", late).orElseThrow(), "b"));
      assertEquals(List.of(new MonitoringStore.Labeled("c", null, "b")), store.labeled("org_a",
          "web", T0, 10));
      // the newest sample is in the second batch: the first, past it, goes whole
      assertEquals(5, (int) db.jdbi().inTransaction(tx -> store.deleteOld(tx, "org_a",
          T0.minusSeconds(60), 1)));
      assertEquals(1, store.predictionCount("org_a", "web", T0.minusSeconds(1)));
      assertEquals(1, store.labeled("org_a", "web", T0.minusSeconds(1), 10).size());
      assertTrue(find(db, store, "org_a", rows.get(0)).isEmpty());
      // past retention
      assertEquals(1, (int) db.jdbi().inTransaction(tx -> store.deleteOld(tx, "org_a",
          T0.plusSeconds(2), 100)));
      assertEquals(0, store.predictionCount("org_a", "web", T0.minusSeconds(1)));
      assertTrue(store.labeled("org_a", "web", T0.minusSeconds(1), 10).isEmpty());
      assertTrue(store.organizations().isEmpty());
    }
  }

  @ParameterizedTest
  @MethodSource("databases")
  void keptPayloadsComeNewestFirstAcrossPagesOfBatches(TestDatabases.Named kind) {
    try (Database db = kind.open().get()) {
      MonitoringStore store = new JdbiMonitoringStore(db.jdbi());
      List<PredictionRow> rows = new ArrayList<>();
      for (int i = 0; i < 40; i++) { // a batch a request: 2 seconds apart, another blob each
        rows.add(row("org_a", T0.plusSeconds(2L * i), "a", "predictions/" + i, i));
        rows.add(row("org_a", T0.plusSeconds(2L * i).plusMillis(1), "a", null, null));
      }
      db.jdbi().useTransaction(tx -> store.insertPredictions(tx, rows));
      List<MonitoringStore.Kept> kept = store.kept("org_a", "web", T0, 30);
      assertEquals(30, kept.size());
      for (int k = 0; k < 30; k++) {
        assertEquals(new MonitoringStore.Kept("predictions/" + (39 - k), 39 - k), kept.get(k));
      }
      assertEquals(40, store.kept("org_a", "web", T0, 100).size());
      assertEquals(10, store.kept("org_a", "web", T0.plusSeconds(60), 100).size());
    }
  }
}
