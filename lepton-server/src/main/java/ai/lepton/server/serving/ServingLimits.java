package ai.lepton.server.serving;

/**
 * What one inference request may ask of the server. Over {@code maxRequestBytes},
 * {@code maxElements} or {@code maxRows} a request answers 413; over the rate, 429.
 *
 * @param maxRequestBytes the largest request body, in bytes
 * @param maxElements the most tensor elements (or raw instances) a request may send, all inputs
 *     together
 * @param maxRows the most samples one request may send
 * @param requestsPerSecond the sustained request rate each model accepts (a token bucket per
 *     model and organization)
 * @param burst how many requests above the rate a model accepts at once (the bucket's size)
 */
public record ServingLimits(long maxRequestBytes, long maxElements, int maxRows,
    double requestsPerSecond, int burst) {
  /**
   * 8 MiB, 4 million elements (16 MB of float32), 1,024 samples, 20,000 requests per second with
   * bursts of 20,000: above what one server answers on a small machine, so the rate limit guards
   * against floods, not normal load.
   */
  public static final ServingLimits DEFAULT = new ServingLimits(8L << 20, 4_000_000, 1024,
      20_000, 20_000);

  /** @throws IllegalArgumentException for a limit below 1 */
  public ServingLimits {
    if (maxRequestBytes < 1 || maxElements < 1 || maxRows < 1 || !(requestsPerSecond > 0)
        || burst < 1) {
      throw new IllegalArgumentException("serving limits must all be at least 1; received "
          + "maxRequestBytes=" + maxRequestBytes + ", maxElements=" + maxElements + ", maxRows="
          + maxRows + ", requestsPerSecond=" + requestsPerSecond + ", burst=" + burst);
    }
  }
}
