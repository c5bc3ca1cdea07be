package ai.lepton.server.tenancy;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;

/**
 * Failed sign-in attempts per account and per client address, in a sliding window: after
 * {@code maxFailures} failures within {@code window}, further attempts are refused until the
 * oldest failure leaves the window. Kept in memory, per server process: a restart forgets it, and
 * behind a load balancer each node counts its own (the limit then grows with the node count).
 * Thread-safe. The clock is injected so tests move time instead of sleeping.
 */
final class SignInLimiter {
  /** Past this many tracked keys the oldest are dropped, so a flood of addresses is bounded. */
  private static final int MAX_KEYS = 100_000;

  private final Clock clock;
  private final int maxFailures;
  private final Duration window;
  private final Map<String, Deque<Instant>> failures = new LinkedHashMap<>();

  SignInLimiter(Clock clock, int maxFailures, Duration window) {
    this.clock = clock;
    this.maxFailures = maxFailures;
    this.window = window;
  }

  /** How long until {@code key} may try again, or empty when it may now. */
  synchronized Optional<Duration> retryAfter(String key) {
    Deque<Instant> q = failures.get(key);
    if (q == null) {
      return Optional.empty();
    }
    Instant now = clock.instant();
    prune(q, now);
    if (q.isEmpty()) {
      failures.remove(key);
      return Optional.empty();
    }
    if (q.size() < maxFailures) {
      return Optional.empty();
    }
    return Optional.of(Duration.between(now, q.peekFirst().plus(window)));
  }

  synchronized void failed(String key) {
    if (failures.size() >= MAX_KEYS && !failures.containsKey(key)) {
      Iterator<String> oldest = failures.keySet().iterator();
      oldest.next();
      oldest.remove();
    }
    Deque<Instant> q = failures.computeIfAbsent(key, k -> new ArrayDeque<>());
    Instant now = clock.instant();
    prune(q, now);
    q.addLast(now);
    while (q.size() > maxFailures) {
      q.removeFirst();
    }
  }

  synchronized void succeeded(String key) {
    failures.remove(key);
  }

  private void prune(Deque<Instant> q, Instant now) {
    Instant start = now.minus(window);
    while (!q.isEmpty() && !q.peekFirst().isAfter(start)) {
      q.removeFirst();
    }
  }
}
