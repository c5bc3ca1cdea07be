package ai.lepton.server.monitoring;

/**
 * The bounds of monitoring; {@link #DEFAULT} unless configured.
 *
 * @param sampleFraction the share of requests whose inputs and outputs are kept, 0 to 1
 * @param maxKeptPerSecond at most this many requests of one deployment keep their payload per
 *     second, whatever the fraction
 * @param maxPayloadBytes a sample's inputs and outputs longer than this (as JSON) are not kept
 * @param queueCapacity requests waiting to be written; past it they are dropped and counted
 * @param batchRecords the most requests written in one batch
 * @param maxRecordsPerDeployment the newest samples kept per deployment; older ones go at the
 *     next sweep
 * @param retentionDays predictions (with their payloads and feedback) older than this go at the
 *     next sweep
 * @param maxDriftSamples the newest kept payloads a drift computation reads
 */
public record MonitoringLimits(double sampleFraction, int maxKeptPerSecond, int maxPayloadBytes,
    int queueCapacity, int batchRecords, int maxRecordsPerDeployment, int retentionDays,
    int maxDriftSamples) {
  /** Every request kept up to 1,000 a second per deployment, 64 KiB each, 30 days, 1M rows. */
  public static final MonitoringLimits DEFAULT = new MonitoringLimits(1.0, 1000, 64 * 1024,
      10_000, 500, 1_000_000, 30, 5000);

  public MonitoringLimits {
    if (!(sampleFraction >= 0 && sampleFraction <= 1)) {
      throw new IllegalArgumentException("the prediction log's sample fraction is a share from "
          + "0 to 1; received " + sampleFraction);
    }
    positive("maxKeptPerSecond", maxKeptPerSecond);
    positive("maxPayloadBytes", maxPayloadBytes);
    positive("queueCapacity", queueCapacity);
    positive("batchRecords", batchRecords);
    positive("maxRecordsPerDeployment", maxRecordsPerDeployment);
    positive("retentionDays", retentionDays);
    positive("maxDriftSamples", maxDriftSamples);
  }

  /** These limits with another sample fraction. */
  public MonitoringLimits withSampleFraction(double fraction) {
    return new MonitoringLimits(fraction, maxKeptPerSecond, maxPayloadBytes, queueCapacity,
        batchRecords, maxRecordsPerDeployment, retentionDays, maxDriftSamples);
  }

  private static void positive(String name, int value) {
    if (value <= 0) {
      throw new IllegalArgumentException("monitoring limit " + name + " must be positive; "
          + "received " + value);
    }
  }
}
