package ai.lepton.server.monitoring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import ai.lepton.server.db.Database;
import ai.lepton.server.db.TestDatabases;
import ai.lepton.server.monitoring.MonitoringStore.Kept;
import ai.lepton.server.monitoring.MonitoringStore.Labeled;
import ai.lepton.server.monitoring.MonitoringStore.PredictionRow;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The schema migrations V14 and V15 move a prediction log of a row per sample into batches: every
 * prediction, its feedback and its kept payload's place are there after, on H2 and PostgreSQL.
 */
class PredictionLogMigrationTest {
  private static final Instant T0 = Instant.parse("2026-12-01T10:00:00.000001Z");

  @ParameterizedTest
  @ValueSource(strings = {"H2", "PostgreSQL"})
  void rowsOfASampleEachBecomeBatchesWithTheirFeedback(String kind) throws SQLException {
    String url = kind.equals("H2") ? "jdbc:h2:mem:" + UUID.randomUUID()
        + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH;DB_CLOSE_DELAY=-1"
        : TestDatabases.postgresUrl();
    String user = kind.equals("H2") ? "sa" : "postgres";
    String password = kind.equals("H2") ? "" : "postgres";
    Flyway.configure().dataSource(url, user, password).locations("classpath:db/migration")
        .target("13").load().migrate();

    List<PredictionRow> rows = new ArrayList<>();
    for (int i = 0; i < 2500; i++) { // 2,500 seconds: 2,500 batches, over 1,000 samples apart
      Instant at = T0.plusSeconds(i);
      String id = BatchingPredictionLog.predictionId(at, ThreadLocalRandom.current());
      String version = i < 2000 ? "mv_1" : "mv_2";
      rows.add(new PredictionRow(id, 0, "org_a", "web", version, at, 900 + i,
          i % 4 == 0 ? null : "c" + i % 3, i % 4 == 0 ? i * 0.5 : null,
          i % 2 == 0 ? "predictions/1-k" + i / 100 : null, i % 2 == 0 ? i % 100 : null));
      if (i % 10 == 0) { // a second sample of the same request
        rows.add(new PredictionRow(id, 1, "org_a", "web", version, at, 900 + i, "c9", null,
            null, null));
      }
    }
    rows.add(new PredictionRow("prd_legacy", 0, "org_b", "api", "mv_9", T0, 5, "x", null, null,
        null));
    try (Connection c = DriverManager.getConnection(url, user, password)) {
      try (PreparedStatement insert = c.prepareStatement("INSERT INTO prediction (id, sample,"
          + " org_id, deployment, model_version_id, predicted_at, latency_micros,"
          + " predicted_class, predicted_value, blob_key, blob_line)"
          + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
        for (PredictionRow r : rows) {
          insert.setString(1, r.id());
          insert.setInt(2, r.sample());
          insert.setString(3, r.orgId());
          insert.setString(4, r.deployment());
          insert.setString(5, r.modelVersionId());
          insert.setObject(6, r.at().atOffset(ZoneOffset.UTC));
          insert.setLong(7, r.latencyMicros());
          insert.setString(8, r.predictedClass());
          insert.setObject(9, r.predictedValue());
          insert.setString(10, r.blobKey());
          insert.setObject(11, r.blobLine());
          insert.addBatch();
        }
        insert.executeBatch();
      }
      try (PreparedStatement feedback = c.prepareStatement("INSERT INTO prediction_feedback"
          + " (prediction_id, sample, org_id, deployment, ground_truth, given_by, given_at)"
          + " VALUES (?, ?, 'org_a', 'web', ?, 'u', ?)")) {
        for (PredictionRow r : List.of(rows.get(1), rows.get(2), rows.get(rows.size() - 2))) {
          feedback.setString(1, r.id());
          feedback.setInt(2, r.sample());
          feedback.setString(3, "c1");
          feedback.setObject(4, T0.atOffset(ZoneOffset.UTC));
          feedback.addBatch();
        }
        feedback.setString(1, "prd_gone"); // a prediction already deleted
        feedback.setInt(2, 0);
        feedback.setString(3, "c1");
        feedback.setObject(4, T0.atOffset(ZoneOffset.UTC));
        feedback.addBatch();
        feedback.executeBatch();
      }
    }

    try (Database db = Database.connect(url, user, password)) {
      MonitoringStore store = new JdbiMonitoringStore(db.jdbi());
      for (PredictionRow r : rows) {
        if (r.orgId().equals("org_a")) {
          assertEquals(r, db.jdbi().withHandle(h -> store.prediction(h, r.orgId(),
              r.deployment(), r.id(), r.sample())).orElseThrow(), r.id());
        }
      }
      assertEquals(rows.size() - 1, store.predictionCount("org_a", "web", T0));
      assertEquals(1, store.predictionCount("org_b", "api", T0));
      assertEquals(List.of("org_a", "org_b"), store.organizations().stream().sorted().toList());
      Map<String, Long> classes = store.predictedClasses("org_a", "web", T0);
      long expected = rows.stream().filter(r -> "c1".equals(r.predictedClass())
          && r.orgId().equals("org_a")).count();
      assertEquals(expected, classes.get("c1"));
      assertEquals("mv_2", store.latestModelVersion("org_a", "web", T0).orElseThrow());
      List<Kept> kept = store.kept("org_a", "web", T0, 3);
      assertEquals(List.of(new Kept("predictions/1-k24", 98), new Kept("predictions/1-k24", 96),
          new Kept("predictions/1-k24", 94)), kept);
      List<Labeled> labeled = store.labeled("org_a", "web", T0, 10);
      assertEquals(3, labeled.size()); // the feedback of a deleted prediction is not moved
      assertEquals(new Labeled("c0", null, "c1"), labeled.get(0)); // the newest prediction's
      boolean again = db.jdbi().inTransaction(tx -> store.insertFeedback(tx, rows.get(1), "c2",
          "u", T0));
      assertFalse(again, "feedback is still given once");
      int tables = db.jdbi().withHandle(h -> h.createQuery("SELECT COUNT(*)"
          + " FROM information_schema.tables WHERE table_name = 'prediction'")
          .mapTo(Integer.class).one());
      assertEquals(0, tables);
    }
  }
}
