package ai.lepton.models;

import ai.lepton.LeptonException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One event of a {@link Model#fit} run, as every {@link Callback} receives it: plain immutable
 * values, safe to hand to another thread and ready to turn into JSON (a job runner streams them to
 * its UI as they come).
 *
 * <p>Epochs count from 0 and {@code epochs} is the epoch the run ends before, so a run resumed with
 * {@link Fit#initialEpoch} reports the same numbers as one that never stopped. Times are measured
 * from the start of this {@code fit} call.
 *
 * @param kind what happened
 * @param epoch the current epoch, from 0 ({@code initialEpoch} at TRAIN_BEGIN)
 * @param epochs the number of epochs asked for ({@link Fit#epochs})
 * @param step batches done in this epoch: 0 at EPOCH_BEGIN, {@code steps} at EPOCH_END
 * @param steps batches per epoch
 * @param globalStep batches done since epoch 0, {@code epoch * steps + step}; it continues across
 *     a resumed run
 * @param samples training samples seen in this epoch so far
 * @param logs the loss and metrics: running means over this epoch at BATCH_END, the epoch's values
 *     and validation results ({@code val_*}) at EPOCH_END, the last epoch's at TRAIN_END
 * @param samplesPerSecond samples of this epoch over the seconds since it began (0 before its
 *     first batch; at EPOCH_END the time includes validation)
 * @param elapsedSeconds seconds since this {@code fit} call began
 * @param etaSeconds estimated seconds until the run ends: the batches left times the mean time per
 *     batch so far (validation and callbacks included); 0 before the first batch, at the EPOCH_END
 *     of the last epoch and at TRAIN_END
 * @param cancelled true only at the TRAIN_END of a run stopped by {@link Cancellation#cancel()}
 */
public record TrainingEvent(Kind kind, int epoch, int epochs, int step, int steps,
    long globalStep, long samples, Map<String, Double> logs, double samplesPerSecond,
    double elapsedSeconds, double etaSeconds, boolean cancelled) {

  /** The points of a run at which callbacks hear from it, in Keras' order. */
  public enum Kind { TRAIN_BEGIN, EPOCH_BEGIN, BATCH_END, EPOCH_END, TRAIN_END }

  public TrainingEvent {
    if (kind == null || logs == null) {
      throw new LeptonException("TrainingEvent: expected a kind and logs, received kind=" + kind
          + ", logs=" + logs);
    }
    logs = Collections.unmodifiableMap(new LinkedHashMap<>(logs)); // keeps the display order
  }
}
