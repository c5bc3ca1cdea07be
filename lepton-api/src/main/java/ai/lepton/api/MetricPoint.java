package ai.lepton.api;

import java.time.Instant;

/**
 * One point of a run's metric history.
 *
 * @param epoch the epoch, from 0
 * @param step batches done since epoch 0 when it was recorded
 * @param name the metric: {@code loss}, {@code accuracy}, {@code val_loss}...
 * @param value its value
 * @param recordedAt when it was recorded
 */
public record MetricPoint(int epoch, long step, String name, double value, Instant recordedAt) {}
