package ai.lepton.server.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The caches of rows read on every request: kept until a change commits, never keeping a value
 * loaded across a change, never keeping an absent row, bounded.
 */
class ReadCacheTest {
  @Test
  void aValueIsLoadedOnceAndKeptUntilAChangeCommits() {
    try (Database db = TestDatabases.h2()) {
      ReadCache<String, String> cache = db.cache(10);
      AtomicInteger loads = new AtomicInteger();
      assertEquals("v1", cache.get("k", () -> Optional.of("v" + loads.incrementAndGet()))
          .orElseThrow());
      assertEquals("v1", cache.get("k", () -> Optional.of("v" + loads.incrementAndGet()))
          .orElseThrow());
      assertEquals(1, loads.get());

      // Inside a transaction the change is not committed yet: the cache still answers.
      db.jdbi().useTransaction(h -> {
        db.invalidateCaches(h);
        assertEquals(1, cache.size(), "emptied before the change committed");
      });
      assertEquals(0, cache.size(), "the commit empties it");
      assertEquals("v2", cache.get("k", () -> Optional.of("v" + loads.incrementAndGet()))
          .orElseThrow());

      // A transaction that rolls back changed nothing: the cache stays.
      assertThrows(IllegalStateException.class, () -> db.jdbi().useTransaction(h -> {
        db.invalidateCaches(h);
        throw new IllegalStateException("the change failed");
      }));
      assertEquals(1, cache.size());

      // A handle without a transaction committed each statement as it ran: emptied at once.
      db.jdbi().useHandle(db::invalidateCaches);
      assertEquals(0, cache.size());
    }
  }

  @Test
  void aValueLoadedWhileAChangeCommittedIsReturnedButNotKept() {
    try (Database db = TestDatabases.h2()) {
      ReadCache<String, String> cache = db.cache(10);
      // The loader read the row, then the change committed and emptied the (still empty) cache:
      // what was read is stale and must not stay for the next request.
      Optional<String> raced = cache.get("k", () -> {
        Optional<String> read = Optional.of("before the change");
        db.invalidateCaches();
        return read;
      });
      assertEquals("before the change", raced.orElseThrow());
      assertEquals(0, cache.size());
      assertEquals("after the change", cache.get("k", () -> Optional.of("after the change"))
          .orElseThrow());

      // Forgetting one key voids loads under way as well.
      cache.get("j", () -> {
        cache.forget("j");
        return Optional.of("stale");
      });
      assertEquals("fresh", cache.get("j", () -> Optional.of("fresh")).orElseThrow());
    }
  }

  @Test
  void anAbsentRowIsNotKeptSoARowThatAppearsNeedsNoInvalidation() {
    try (Database db = TestDatabases.h2()) {
      ReadCache<String, String> cache = db.cache(10);
      assertEquals(Optional.empty(), cache.get("k", Optional::empty));
      assertEquals("made", cache.get("k", () -> Optional.of("made")).orElseThrow());
    }
  }

  @Test
  void aFullCacheStartsOverAndEveryCacheOfTheDatabaseEmptiesTogether() {
    try (Database db = TestDatabases.h2()) {
      ReadCache<Integer, Integer> small = db.cache(3);
      ReadCache<Integer, Integer> other = db.cache(3);
      for (int i = 0; i < 3; i++) {
        int k = i;
        small.get(k, () -> Optional.of(k));
      }
      assertEquals(3, small.size());
      small.get(3, () -> Optional.of(3));
      assertEquals(1, small.size(), "past its bound it starts over");
      other.get(1, () -> Optional.of(1));
      db.invalidateCaches();
      assertEquals(0, small.size() + other.size());
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> db.cache(0));
      assertEquals("a cache holds at least 1 entry, received maxEntries=0", e.getMessage());
    }
  }
}
