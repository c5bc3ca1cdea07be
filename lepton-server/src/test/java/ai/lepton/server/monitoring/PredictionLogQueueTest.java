package ai.lepton.server.monitoring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.lepton.server.blobs.BlobStore;
import ai.lepton.server.crypto.EncryptedBlobStore;
import ai.lepton.server.crypto.KeyService;
import ai.lepton.server.crypto.MasterKey;
import ai.lepton.server.db.Database;
import ai.lepton.server.db.TestDatabases;
import ai.lepton.server.monitoring.PredictionLog.Sample;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The prediction log never blocks or grows past its queue when writing is slow: it drops and
 * counts; a batch that cannot be written leaves nothing behind. Writing is held up by a blob
 * store that waits at its first write until the test lets it go (no sleeps).
 */
class PredictionLogQueueTest {
  @TempDir Path dir;

  /** A directory blob store whose first {@code put} waits for {@link #release}. */
  private static final class HeldBlobStore implements BlobStore {
    final BlobStore inner;
    final CountDownLatch entered = new CountDownLatch(1);
    final CountDownLatch release = new CountDownLatch(1);

    HeldBlobStore(Path root) {
      inner = BlobStore.directory(root);
    }

    @Override
    public long put(String key, InputStream in, long maxBytes) {
      entered.countDown();
      try {
        assertTrue(release.await(1, TimeUnit.MINUTES), "the test never released the writer");
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
      return inner.put(key, in, maxBytes);
    }

    @Override
    public InputStream open(String key) {
      return inner.open(key);
    }

    @Override
    public boolean exists(String key) {
      return inner.exists(key);
    }

    @Override
    public void delete(String key) {
      inner.delete(key);
    }

    @Override
    public List<String> list(String prefix) {
      return inner.list(prefix);
    }

    @Override
    public boolean ping() {
      return true;
    }
  }

  @Test
  void aFullQueueDropsAndCountsInsteadOfBlocking() throws InterruptedException {
    Database db = TestDatabases.h2();
    HeldBlobStore held = new HeldBlobStore(dir.resolve("blobs"));
    Clock clock = Clock.systemUTC();
    EncryptedBlobStore blobs = new EncryptedBlobStore(held, new KeyService(db,
        MasterKey.load(dir.resolve("master.key"), null, true), clock));
    MonitoringLimits limits = new MonitoringLimits(1.0, 1000, 64 * 1024, 2, 500, 1000, 30, 100);
    try (MonitoringService service = MonitoringService.create(db, blobs, null, null, clock,
        (o, v) -> java.util.Optional.empty(), Retrainer.NONE, limits)) {
      PredictionLog log = service.predictionLog();
      Sample sample = new Sample(Map.of("x", 1.0), "a", null, List.of(1.0));
      Set<String> ids = new HashSet<>();
      ids.add(log.log("org_1", "web", "mv_1", List.of(sample), Duration.ofMillis(1)));
      assertTrue(held.entered.await(1, TimeUnit.MINUTES)); // the writer holds the first
      for (int i = 0; i < 5; i++) { // two fill the queue, three are dropped
        ids.add(log.log("org_1", "web", "mv_1", List.of(sample), Duration.ofMillis(1)));
      }
      assertEquals(6, ids.size()); // every request gets its own id, kept or not
      assertEquals(3, service.droppedPredictions());
      held.release.countDown();
      service.flush();
      int rows = db.jdbi().withHandle(h -> h.createQuery("SELECT SUM(samples)"
          + " FROM prediction_batch").mapTo(Integer.class).one());
      assertEquals(3, rows);
    } finally {
      db.close();
    }
  }

  @ParameterizedTest
  @MethodSource("ai.lepton.server.db.TestDatabases#both")
  void aBatchThatCannotBeWrittenLeavesNoRowAndNoBlob(TestDatabases.Named kind)
      throws InterruptedException {
    Database db = kind.open().get();
    HeldBlobStore held = new HeldBlobStore(dir.resolve("blobs"));
    Clock clock = Clock.systemUTC();
    EncryptedBlobStore blobs = new EncryptedBlobStore(held, new KeyService(db,
        MasterKey.load(dir.resolve("master.key"), null, true), clock));
    try (MonitoringService service = MonitoringService.create(db, blobs, null, null, clock,
        (o, v) -> java.util.Optional.empty(), Retrainer.NONE, MonitoringLimits.DEFAULT)) {
      BatchingPredictionLog log = (BatchingPredictionLog) service.predictionLog();
      Sample good = new Sample(Map.of("x", 1.0), "a", null, List.of(1.0));
      log.log("org_1", "web", "mv_1", List.of(good), Duration.ofMillis(1));
      assertTrue(held.entered.await(1, TimeUnit.MINUTES)); // the writer holds the first
      // the next batch: 150 requests, one of a deployment whose name is longer than the column's
      // 100 characters: the database refuses its batch row, after the other's, which must be
      // rolled back
      for (int i = 0; i < 150; i++) {
        log.log("org_1", i == 120 ? "d".repeat(150) : "web", "mv_1", List.of(good),
            Duration.ofMillis(1));
      }
      held.release.countDown();
      service.flush();

      assertEquals(150, log.failed(), "the whole batch is lost, and counted");
      assertEquals(0, log.dropped());
      int rows = db.jdbi().withHandle(h -> h.createQuery("SELECT SUM(samples)"
          + " FROM prediction_batch").mapTo(Integer.class).one());
      assertEquals(1, rows, "only the first batch's sample");
      assertEquals(1, blobs.list("org_1", BatchingPredictionLog.BLOB_PREFIX).size(),
          "the failed batch's payload blob is deleted again");
    } finally {
      db.close();
    }
  }

  @Test
  void predictionIdsLeadWithTheTimeSoThatLaterIdsSortAfter() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    Instant t = Instant.parse("2026-12-03T00:00:00Z");
    Set<String> ids = new HashSet<>();
    String previous = "";
    for (int ms = 0; ms < 1000; ms++) {
      String id = BatchingPredictionLog.predictionId(t.plusMillis(ms), random);
      assertTrue(id.matches("prd_[0-9a-f]{32}"), id);
      assertTrue(id.substring(0, 16).compareTo(previous) > 0, id + " after " + previous);
      previous = id.substring(0, 16);
      ids.add(id);
      ids.add(BatchingPredictionLog.predictionId(t.plusMillis(ms), random)); // same millisecond
    }
    assertEquals(2000, ids.size(), "ids of the same millisecond differ by their random part");
    assertEquals("prd_01a239336800", BatchingPredictionLog.predictionId(t, random)
        .substring(0, 16), "the time in milliseconds, 12 hex digits");
  }
}
