package ai.lepton.server.serving;

import java.util.function.LongSupplier;

/**
 * One deployment's request limits in force and the token bucket of its rate, shared by the
 * versions it serves (a canary takes from the same budget as the primary), and by no other
 * deployment. A change holds from the next request on: the limits are swapped and the bucket
 * resized in place, with no reload and no restart.
 */
final class Limiter {
  private final TokenBucket bucket;
  private volatile ServingLimits limits;

  /** @param nanoTime the bucket's clock ({@code System::nanoTime}; tests move their own) */
  Limiter(ServingLimits limits, LongSupplier nanoTime) {
    this.limits = limits;
    this.bucket = new TokenBucket(limits.requestsPerSecond(), limits.burst(), nanoTime);
  }

  ServingLimits limits() {
    return limits;
  }

  /** @return 0 when the request may go on, else the whole seconds to wait (Retry-After) */
  long take() {
    return bucket.take();
  }

  /** Puts {@code next} in force for the next request. */
  synchronized void change(ServingLimits next) {
    bucket.resize(next.requestsPerSecond(), next.burst());
    limits = next;
  }
}
