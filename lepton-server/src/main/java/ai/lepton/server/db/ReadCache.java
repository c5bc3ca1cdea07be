package ai.lepton.server.db;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Rows read on every request (a token, a membership, a dataset version), kept in memory between
 * requests and emptied by {@link Database#invalidateCaches(org.jdbi.v3.core.Handle)} after any
 * transaction that changes what they say. Made by {@link Database#cache}; all caches of one
 * {@link Database} empty together, so a store marks only that it changed something, not which
 * entries it touched.
 *
 * <p>A value is cached only if no invalidation happened while it was loaded: the loader may have
 * read the row just before a change committed, and the invalidation that followed found nothing
 * to remove. Absent rows are never cached, so a row that appears needs no invalidation. At most
 * {@code maxEntries} are kept; past that the cache starts over.
 *
 * <p>This is correct for one server process per database: a change committed by another server
 * is not seen here. See docs/tenancy.md, "What is kept in memory".
 */
public final class ReadCache<K, V> {
  private final Database.Generation generation;
  private final int maxEntries;
  private final Map<K, V> entries = new ConcurrentHashMap<>();

  ReadCache(Database.Generation generation, int maxEntries) {
    if (maxEntries < 1) {
      throw new IllegalArgumentException("a cache holds at least 1 entry, received maxEntries="
          + maxEntries);
    }
    this.generation = generation;
    this.maxEntries = maxEntries;
  }

  /** The value of {@code key}: the cached one, or what {@code loader} reads now (kept if found). */
  public Optional<V> get(K key, Supplier<Optional<V>> loader) {
    V known = entries.get(key);
    if (known != null) {
      return Optional.of(known);
    }
    long before = generation.now(); // read before loading: a change after it voids the load
    Optional<V> loaded = loader.get();
    loaded.ifPresent(v -> generation.putIfUnchanged(before, () -> {
      if (entries.size() >= maxEntries) {
        entries.clear();
      }
      entries.put(key, v);
    }));
    return loaded;
  }

  /**
   * Forgets {@code key} now, and voids loads of any key under way. For a change that concerns
   * only this entry and is already committed.
   */
  public void forget(K key) {
    generation.advance(() -> entries.remove(key));
  }

  void clear() {
    entries.clear();
  }

  int size() {
    return entries.size();
  }
}
