package ai.lepton.server.serving;

import java.time.Duration;
import java.util.Objects;

/**
 * How a servable coalesces concurrent requests into one forward pass (dynamic batching).
 *
 * @param maxBatchSize the most samples in one batch; 1 turns batching off (each request predicts
 *     on its own thread)
 * @param maxQueueDelay how long the first request of a batch waits for others to join it; zero
 *     takes only the requests already waiting when the previous batch finished, which batches
 *     under load and adds no delay when idle
 */
public record Batching(int maxBatchSize, Duration maxQueueDelay) {
  /** No batching. */
  public static final Batching NONE = new Batching(1, Duration.ZERO);

  /** @throws IllegalArgumentException for a size below 1 or a negative delay */
  public Batching {
    Objects.requireNonNull(maxQueueDelay, "maxQueueDelay");
    if (maxBatchSize < 1 || maxQueueDelay.isNegative()) {
      throw new IllegalArgumentException("batching needs maxBatchSize >= 1 and a delay >= 0;"
          + " received " + maxBatchSize + " and " + maxQueueDelay);
    }
  }

  /** Whether requests are batched at all. */
  public boolean enabled() {
    return maxBatchSize > 1;
  }
}
