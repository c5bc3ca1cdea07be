package ai.lepton.api;

import java.util.Map;

/**
 * One event of a job's progress, as {@code GET .../jobs/{job}/events} streams it (Server-Sent
 * Events, event name = {@code type}): first the run's recorded history, then live events, and last
 * the job's terminal state.
 *
 * @param type {@code batch} (live progress, at most one a second), {@code epoch} (an epoch's end,
 *     also kept in the run's history) or {@code state} (the job's state changed)
 * @param jobId the job
 * @param epoch the epoch, from 0 (batch and epoch events), else null
 * @param epochs the epochs of the run (batch and epoch events), else null
 * @param step batches done since epoch 0 (batch and epoch events), else null
 * @param logs the loss and metrics: running means at a batch, the epoch's values at its end;
 *     empty for state events
 * @param samplesPerSecond training samples per second in this epoch, or null
 * @param etaSeconds estimated seconds until the training ends, or null
 * @param state the job's state (state events), else null
 * @param error why the job failed (a failed state event), else null
 */
public record JobEvent(String type, String jobId, Integer epoch, Integer epochs, Long step,
    Map<String, Double> logs, Double samplesPerSecond, Double etaSeconds, String state,
    String error) {
  public JobEvent {
    logs = logs == null ? Map.of() : Map.copyOf(logs);
  }

  /** Whether this event ends the stream: a terminal state. */
  public boolean terminal() {
    return "state".equals(type) && ("succeeded".equals(state) || "failed".equals(state)
        || "cancelled".equals(state));
  }
}
