package ai.lepton.server.serving;

import ai.lepton.api.DeploymentTraffic;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.CountAtBucket;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The Prometheus metrics of serving, per organization, model and version: requests by outcome
 * ({@code lepton_inference_requests_total}), latency ({@code lepton_inference_latency_seconds}),
 * samples per batch ({@code lepton_inference_batch_size}), time waiting for a batch
 * ({@code lepton_inference_queue_seconds}) and requests in flight
 * ({@code lepton_inference_in_flight}). Histograms have buckets, so dashboards can take
 * percentiles across servers.
 */
public final class ServingMetrics {
  /** How a request ended. */
  enum Outcome {
    OK, INVALID, TOO_LARGE, RATE_LIMITED, ERROR;

    String tag() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  private final MeterRegistry registry;
  private final Map<Tags, Meters> meters = new ConcurrentHashMap<>();

  public ServingMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  /** The meters of one served model version, registered on first use. */
  Meters meters(String organizationId, String model, String version) {
    Tags tags = Tags.of("organization", organizationId, "model", model, "version", version);
    return meters.computeIfAbsent(tags, t -> new Meters(registry, t));
  }

  /**
   * The counters of every version loaded under deployment {@code model} of
   * {@code organizationId} on this server since it started (a version's meters are registered
   * when it loads and stay after it is retired), by version number.
   */
  List<DeploymentTraffic.Version> traffic(String organizationId, String model) {
    List<DeploymentTraffic.Version> versions = new ArrayList<>();
    meters.forEach((tags, m) -> {
      if (organizationId.equals(tag(tags, "organization")) && model.equals(tag(tags, "model"))) {
        versions.add(m.read(tag(tags, "version")));
      }
    });
    // version numbers as numbers: "9" before "10"
    versions.sort(Comparator.comparing((DeploymentTraffic.Version v) -> v.version().length())
        .thenComparing(DeploymentTraffic.Version::version));
    return versions;
  }

  private static String tag(Tags tags, String key) {
    return tags.stream().filter(t -> t.getKey().equals(key)).findFirst().orElseThrow()
        .getValue();
  }

  /** One model version's meters; the batcher reports to it. */
  static final class Meters implements DynamicBatcher.Listener {
    private final Map<Outcome, Counter> requests = new EnumMap<>(Outcome.class);
    private final Timer latency;
    private final DistributionSummary batchSize;
    private final Timer queue;
    private final AtomicInteger inFlight;

    private Meters(MeterRegistry registry, Tags tags) {
      for (Outcome o : Outcome.values()) {
        requests.put(o, Counter.builder("lepton_inference_requests")
            .description("Inference requests by outcome").tags(tags).tag("outcome", o.tag())
            .register(registry));
      }
      latency = Timer.builder("lepton_inference_latency")
          .description("Time to answer an inference request, from its first byte read")
          .tags(tags).publishPercentileHistogram().register(registry);
      batchSize = DistributionSummary.builder("lepton_inference_batch_size")
          .description("Samples per forward pass").tags(tags)
          .serviceLevelObjectives(1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024)
          .register(registry);
      queue = Timer.builder("lepton_inference_queue")
          .description("Time a request waited for its batch").tags(tags)
          .publishPercentileHistogram().register(registry);
      inFlight = registry.gauge("lepton_inference_in_flight", tags, new AtomicInteger());
    }

    void started() {
      inFlight.incrementAndGet();
    }

    void finished(Outcome outcome, long nanos) {
      inFlight.decrementAndGet();
      requests.get(outcome).increment();
      latency.record(nanos, TimeUnit.NANOSECONDS);
    }

    /**
     * The counters now. The latency histogram of a Prometheus registry is cumulative since the
     * meter's start (no time window), so readings taken apart difference into rates.
     */
    DeploymentTraffic.Version read(String version) {
      Map<String, Long> counts = new LinkedHashMap<>();
      requests.forEach((o, c) -> counts.put(o.tag(), (long) c.count()));
      List<DeploymentTraffic.Bucket> buckets = new ArrayList<>();
      for (CountAtBucket b : latency.takeSnapshot().histogramCounts()) {
        double le = b.bucket(TimeUnit.SECONDS);
        if (Double.isFinite(le)) {
          buckets.add(new DeploymentTraffic.Bucket(le, (long) b.count()));
        }
      }
      return new DeploymentTraffic.Version(version, counts, inFlight.get(),
          latency.totalTime(TimeUnit.SECONDS), buckets);
    }

    @Override
    public void batch(int rows, int requests) {
      batchSize.record(rows);
    }

    @Override
    public void queued(long nanos) {
      queue.record(nanos, TimeUnit.NANOSECONDS);
    }
  }
}
