package ai.lepton.callbacks;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One training progress event, as streamed to a {@link ProgressListener}: plain values, ready to
 * turn into JSON.
 *
 * @param kind what happened
 * @param epoch the epoch, from 0
 * @param epochs the number of epochs asked for
 * @param step batches done in this epoch
 * @param steps batches per epoch
 * @param samplesPerSecond training throughput in this epoch so far
 * @param elapsedSeconds seconds since this epoch began (since training began for TRAIN_END)
 * @param etaSeconds estimated seconds left in this epoch
 * @param logs running loss and metrics; validation results at EPOCH_END
 */
public record Progress(Kind kind, int epoch, int epochs, int step, int steps,
    double samplesPerSecond, double elapsedSeconds, double etaSeconds, Map<String, Double> logs) {

  public enum Kind { TRAIN_BEGIN, EPOCH_BEGIN, BATCH_END, EPOCH_END, TRAIN_END }

  public Progress {
    logs = Collections.unmodifiableMap(new LinkedHashMap<>(logs)); // keeps the display order
  }
}
