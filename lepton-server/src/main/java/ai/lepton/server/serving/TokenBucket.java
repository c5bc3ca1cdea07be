package ai.lepton.server.serving;

import java.util.function.LongSupplier;

/**
 * A token bucket: {@code burst} tokens at most, refilled at {@code perSecond}; each request takes
 * one or is refused. Time comes from an injected nanosecond ticker, so tests move it instead of
 * sleeping.
 */
final class TokenBucket {
  private final LongSupplier nanoTime;
  private double perNano;
  private double burst;
  private double tokens;
  private long last;

  TokenBucket(double perSecond, int burst, LongSupplier nanoTime) {
    this.nanoTime = nanoTime;
    this.perNano = perSecond / 1e9;
    this.burst = burst;
    this.tokens = burst;
    this.last = nanoTime.getAsLong();
  }

  /**
   * Takes a token.
   *
   * @return 0 when taken, else the whole seconds until one will be there (for Retry-After)
   */
  synchronized long take() {
    refill();
    if (tokens >= 1) {
      tokens -= 1;
      return 0;
    }
    return Math.max(1, (long) Math.ceil((1 - tokens) / perNano / 1e9));
  }

  /**
   * A new rate and size from the next request on. The tokens there are stay (at most the new
   * size): a smaller bucket refuses at once what the old one would have taken, and changing the
   * limits never fills a bucket a flood has emptied.
   */
  synchronized void resize(double perSecond, int burst) {
    refill(); // what accrued so far, at the old rate
    this.perNano = perSecond / 1e9;
    this.burst = burst;
    tokens = Math.min(tokens, burst);
  }

  private void refill() {
    long now = nanoTime.getAsLong();
    tokens = Math.min(burst, tokens + (now - last) * perNano);
    last = now;
  }
}
