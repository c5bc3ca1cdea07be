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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The monitoring SQL on H2 and PostgreSQL alike, every query kept to its organization. */
class MonitoringStoreTest {
  private static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");

  static List<TestDatabases.Named> databases() {
    return TestDatabases.both();
  }

  private static PredictionRow row(String org, String id, int minute, String predicted,
      String blob) {
    return new PredictionRow(id, 0, org, "web", "mv_1", T0.plus(Duration.ofMinutes(minute)),
        1500, predicted, null, blob, blob == null ? null : minute);
  }

  @ParameterizedTest
  @MethodSource("databases")
  void predictionsFeedbackRetentionAndAlerts(TestDatabases.Named kind) {
    try (Database db = kind.open().get()) {
      MonitoringStore store = new JdbiMonitoringStore(db.jdbi());
      List<PredictionRow> rows = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        rows.add(row("org_a", "p" + i, i, i < 3 ? "yes" : "no", i % 2 == 0 ? "b1" : null));
      }
      rows.add(row("org_b", "q0", 0, "yes", "b2"));
      db.jdbi().useTransaction(tx -> store.insertPredictions(tx, rows));

      boolean first = db.jdbi().inTransaction(tx -> store.insertFeedback(tx, "org_a", "web", "p0",
          0, "yes", "u", T0));
      boolean again = db.jdbi().inTransaction(tx -> store.insertFeedback(tx, "org_a", "web", "p0",
          0, "no", "u", T0));
      assertTrue(first);
      assertFalse(again);
      db.jdbi().useTransaction(tx -> store.insertFeedback(tx, "org_a", "web", "p4", 0, "yes",
          "u", T0));
      assertTrue(db.jdbi().withHandle(h -> store.prediction(h, "org_b", "web", "p0", 0))
          .isEmpty());
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
      assertTrue(store.blobReferenced("org_b", "b2"));
      assertTrue(store.blobReferenced("org_a", "b1")); // p4 still refers to it

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
}
