package ai.lepton.server.datasets;

import java.util.TreeSet;

/**
 * Counts distinct strings in bounded memory (a k-minimum-values sketch): it keeps the {@code k}
 * smallest 64-bit hashes seen. Below {@code k} distinct values the count is exact (barring hash
 * collisions, negligible at 64 bits); past it the count is estimated as {@code (k - 1) / h}, where
 * {@code h} is the k-th smallest hash as a fraction of the hash range (about 1/sqrt(k) relative
 * error).
 */
final class Sketch {
  private final int k;
  private final TreeSet<Long> smallest = new TreeSet<>(); // hashes with the sign bit flipped

  Sketch(int k) {
    this.k = k;
  }

  void add(String value) {
    long h = hash(value) ^ Long.MIN_VALUE; // signed order of h ^ MIN is unsigned order of h
    if (smallest.size() < k) {
      smallest.add(h);
    } else if (h < smallest.last() && smallest.add(h)) {
      smallest.pollLast();
    }
  }

  boolean estimated() {
    return smallest.size() >= k;
  }

  long count() {
    if (!estimated()) {
      return smallest.size();
    }
    double fraction = ((double) smallest.last() + 0x1p63 + 1) / 0x1p64;
    return Math.round((k - 1) / fraction);
  }

  /** FNV-1a over the characters, then SplitMix64's finalizer to spread the bits. */
  static long hash(String s) {
    long h = 0xcbf29ce484222325L;
    for (int i = 0; i < s.length(); i++) {
      h = (h ^ s.charAt(i)) * 0x100000001b3L;
    }
    h = (h ^ (h >>> 30)) * 0xbf58476d1ce4e5b9L;
    h = (h ^ (h >>> 27)) * 0x94d049bb133111ebL;
    return h ^ (h >>> 31);
  }
}
