package ai.lepton.server.serving;

import ai.lepton.api.DeploymentLimits;

/**
 * What one inference request may ask of the server, or of one deployment: the server's limits
 * are the ceiling of every deployment's own ({@link #lowered}). Over {@code maxRequestBytes} or
 * {@code maxElements} a request answers 413; over {@code maxRows}, 400; over the rate, 429.
 *
 * @param maxRequestBytes the largest request body, in bytes
 * @param maxElements the most tensor elements (or raw instances) a request may send, all inputs
 *     together
 * @param maxRows the most samples one request may send
 * @param requestsPerSecond the sustained request rate each deployment accepts (a token bucket per
 *     deployment)
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

  /**
   * A deployment's limits in force: each of {@code own} that is given, but never above this
   * (the ceiling: a limit stored before the operator lowered it is held to the new one); the
   * rest, and the element limit, this.
   */
  ServingLimits lowered(DeploymentLimits own) {
    return new ServingLimits(
        own.maxRequestBytes() == null ? maxRequestBytes
            : Math.min(own.maxRequestBytes(), maxRequestBytes),
        maxElements,
        own.maxRequestSamples() == null ? maxRows : Math.min(own.maxRequestSamples(), maxRows),
        own.requestsPerSecond() == null ? requestsPerSecond
            : Math.min(own.requestsPerSecond(), requestsPerSecond),
        own.burst() == null ? burst : Math.min(own.burst(), burst));
  }
}
