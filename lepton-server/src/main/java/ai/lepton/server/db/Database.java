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
  private static final String EMBEDDED_NAME = "lepton";

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

  /**
   * The H2 file database under {@code dir} ({@link #embeddedFile}, created if missing), encrypted
   * with H2's {@code CIPHER=AES} under {@code filePassword} (no spaces; see {@code
   * ai.lepton.server.crypto.DatabaseFileKey}, which makes and keeps it). H2's trace file is off:
   * it would hold failed statements and their values in plaintext beside the encrypted file.
   */
  public static Database embedded(Path dir, String filePassword) {
    if (filePassword.isEmpty() || filePassword.indexOf(' ') >= 0) {
      throw new IllegalArgumentException("the file password of the embedded database must be"
          + " non-empty and without spaces (H2 reads \"filePassword userPassword\")");
    }
    String url = "jdbc:h2:file:" + dir.resolve(EMBEDDED_NAME).toAbsolutePath()
        + ";CIPHER=AES;TRACE_LEVEL_FILE=0"
        + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH";
    // With CIPHER, H2 takes the password as "filePassword userPassword"; the user's is empty.
    return connect(url, "sa", filePassword + " ");
  }

  /** The file of the embedded database under {@code dir}: {@code dir/lepton.mv.db}. */
  public static Path embeddedFile(Path dir) {
    return dir.resolve(EMBEDDED_NAME + ".mv.db");
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
