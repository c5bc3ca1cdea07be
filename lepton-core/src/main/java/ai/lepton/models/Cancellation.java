package ai.lepton.models;

/**
 * Lets another thread stop a running {@link Model#fit}: pass it with {@link Fit#cancellation} and
 * call {@link #cancel()} from anywhere, at any time, even before fit starts. Training stops at the
 * next batch boundary, after the current batch's update, so the weights and optimizer state are
 * those of a whole number of steps; the unfinished epoch is neither validated nor recorded,
 * {@link History#cancelled()} is true and the last event is a TRAIN_END with
 * {@link TrainingEvent#cancelled()} set. Resume from the last epoch's checkpoint with
 * {@link Fit#initialEpoch}.
 *
 * <p>A cancellation stays cancelled; use a new one for each run.
 */
public final class Cancellation {
  private volatile boolean cancelled;

  /** Asks the run to stop at its next batch boundary; safe from any thread, idempotent. */
  public void cancel() {
    cancelled = true;
  }

  /** Whether {@link #cancel()} has been called. */
  public boolean cancelled() {
    return cancelled;
  }
}
