package ai.lepton.server.db;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.nio.file.Path;
import org.flywaydb.core.Flyway;
import org.jdbi.v3.core.Jdbi;

/**
 * The metadata database: a connection pool, the schema migrated at start (one set of SQL for H2 in
 * PostgreSQL mode and for PostgreSQL), and JDBI on top. Stores take it and run their SQL through
 * {@link #jdbi()}.
 */
public final class Database implements AutoCloseable {
  private final HikariDataSource pool;
  private final Jdbi jdbi;
  private final boolean postgres;

  private Database(HikariDataSource pool) {
    this.pool = pool;
    this.postgres = pool.getJdbcUrl().startsWith("jdbc:postgresql:");
    Flyway.configure()
        .dataSource(pool)
        .locations("classpath:db/migration")
        .failOnMissingLocations(true)
        .load()
        .migrate();
    this.jdbi = Jdbi.create(pool);
  }

  /** An H2 file database under {@code dir} (created if missing). */
  public static Database embedded(Path dir) {
    String url = "jdbc:h2:file:" + dir.resolve("lepton").toAbsolutePath()
        + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH";
    return connect(url, "sa", "");
  }

  /** The database at a JDBC URL (PostgreSQL, or H2 for tests). */
  public static Database connect(String url, String user, String password) {
    HikariConfig cfg = new HikariConfig();
    cfg.setJdbcUrl(url);
    cfg.setUsername(user);
    cfg.setPassword(password);
    cfg.setMaximumPoolSize(16);
    cfg.setPoolName("lepton-db");
    return new Database(new HikariDataSource(cfg));
  }

  public Jdbi jdbi() {
    return jdbi;
  }

  /** Whether this is PostgreSQL (else H2). */
  public boolean postgres() {
    return postgres;
  }

  /** Whether the database answers a trivial query now (readiness). */
  public boolean ping() {
    try {
      return jdbi.withHandle(h -> h.createQuery("SELECT 1").mapTo(Integer.class).one()) == 1;
    } catch (RuntimeException e) {
      return false;
    }
  }

  @Override
  public void close() {
    pool.close();
  }
}
