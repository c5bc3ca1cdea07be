package ai.lepton.api;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A deployment's serving counters as they stand now, per version: cumulative since the server
 * started (or since the version was first served on it), read from the same meters as
 * {@code /metrics}. A caller that wants rates takes two readings and divides the differences by
 * the time between them; a count lower than the previous reading means the server restarted.
 *
 * @param deployment the deployment's name
 * @param at when the counters were read (the server's clock)
 * @param versions one entry per version this server has served under the name, the ones served
 *     now included, by version number
 */
public record DeploymentTraffic(String deployment, Instant at, List<Version> versions) {
  public DeploymentTraffic {
    versions = List.copyOf(versions);
  }

  /**
   * One version's counters.
   *
   * @param version the model version's number, as OIP responses name it ({@code model_version})
   * @param requests inference requests answered, by outcome: {@code ok}, {@code invalid},
   *     {@code too_large}, {@code rate_limited}, {@code error}
   * @param inFlight requests being answered at the moment of reading
   * @param latencySeconds the total time spent answering the requests counted, in seconds
   * @param latencyBuckets the latency histogram, cumulative: for each upper bound, ascending, how
   *     many requests took at most that long (the requests of every outcome together); those
   *     slower than the last bound are the total of {@code requests} less its count
   */
  public record Version(String version, Map<String, Long> requests, int inFlight,
      double latencySeconds, List<Bucket> latencyBuckets) {
    public Version {
      requests = Collections.unmodifiableMap(new LinkedHashMap<>(requests)); // outcomes in order
      latencyBuckets = List.copyOf(latencyBuckets);
    }
  }

  /**
   * One histogram bucket.
   *
   * @param le the bucket's upper bound in seconds ("less or equal", as Prometheus names it)
   * @param count how many requests took at most {@code le} seconds
   */
  public record Bucket(double le, long count) {}
}
