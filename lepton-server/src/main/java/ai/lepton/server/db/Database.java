package ai.lepton.server.db;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.flywaydb.core.Flyway;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * The metadata database: a connection pool, the schema migrated at start (one set of SQL for H2 in
 * PostgreSQL mode and for PostgreSQL), and JDBI on top. Stores take it and run their SQL through
 * {@link #jdbi()}. What is read on every request may be kept in {@link ReadCache}s made here;
 * a store that changes such rows calls {@link #invalidateCaches(Handle)} with its transaction.
 */
public final class Database implements AutoCloseable {
  private static final String EMBEDDED_NAME = "lepton";

  private final HikariDataSource pool;
  private final Jdbi jdbi;
  private final boolean postgres;
  private final Generation generation = new Generation();
  private final List<ReadCache<?, ?>> caches = new CopyOnWriteArrayList<>();

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

  /** A new cache of at most {@code maxEntries} rows, emptied by {@link #invalidateCaches}. */
  public <K, V> ReadCache<K, V> cache(int maxEntries) {
    ReadCache<K, V> cache = new ReadCache<>(generation, maxEntries);
    caches.add(cache);
    return cache;
  }

  /**
   * Empties every {@link ReadCache} once {@code tx} commits (nothing if it rolls back), or now
   * when {@code tx} has no transaction open (its statements committed as they ran). Call it in a
   * store method that changes rows a cache may hold, after its statements.
   */
  public void invalidateCaches(Handle tx) {
    if (tx.isInTransaction()) {
      tx.afterCommit(this::invalidateCaches);
    } else {
      invalidateCaches();
    }
  }

  /** Empties every {@link ReadCache} now; for changes already committed. */
  public void invalidateCaches() {
    generation.advance(() -> caches.forEach(ReadCache::clear));
  }

  /**
   * Counts invalidations, so a cache keeps a loaded value only if none happened since its load
   * began. A lock orders each check-and-put against each invalidation: without it, a load could
   * pass the check, the invalidation clear the cache, and the stale value land after it.
   */
  static final class Generation {
    private volatile long count;

    long now() {
      return count;
    }

    synchronized void putIfUnchanged(long seen, Runnable put) {
      if (count == seen) {
        put.run();
      }
    }

    synchronized void advance(Runnable clear) {
      count++;
      clear.run();
    }
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
