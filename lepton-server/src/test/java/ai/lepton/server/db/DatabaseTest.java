package ai.lepton.server.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Migrations run, and the SQL dialect rules the stores rely on hold, on H2 and on PostgreSQL. */
class DatabaseTest {
  static java.util.List<TestDatabases.Named> databases() {
    return TestDatabases.both();
  }

  @ParameterizedTest
  @MethodSource("databases")
  void migratesAndAnswers(TestDatabases.Named kind) {
    try (Database db = kind.open().get()) {
      assertTrue(db.ping());
      assertEquals(kind.name().equals("PostgreSQL"), db.postgres());
      db.jdbi().useHandle(h -> h.execute("MERGE INTO node_setting USING (SELECT 'a' AS n, 'b' AS v)"
          + " AS s ON node_setting.setting_name = s.n WHEN MATCHED THEN UPDATE SET setting_value"
          + " = s.v WHEN NOT MATCHED THEN INSERT (setting_name, setting_value) VALUES (s.n, s.v)"));
      assertEquals("b", db.jdbi().withHandle(h -> h.createQuery(
          "SELECT setting_value FROM node_setting WHERE setting_name = 'a'")
          .mapTo(String.class).one()));
    }
  }
}
