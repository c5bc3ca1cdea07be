package ai.lepton.api;

import java.time.Instant;

/**
 * One point of a run's metric history.
 *
 * @param kind {@code epoch} (an epoch's end) or {@code batch} (running means during an epoch,
 *     recorded at most once a second)
 * @param epoch the epoch, from 0
 * @param step batches done since epoch 0 when it was recorded
 * @param name the metric: {@code loss}, {@code accuracy}, {@code val_loss}..., and
 *     {@code samples_per_second} and {@code eta_seconds} (the training's speed and the seconds
 *     it then expected to have left)
 * @param value its value
 * @param recordedAt when it was recorded
 */
public record MetricPoint(String kind, int epoch, long step, String name, double value,
    Instant recordedAt) {}
