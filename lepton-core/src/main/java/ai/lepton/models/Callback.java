package ai.lepton.models;

import ai.lepton.internal.Args;

/**
 * Listens to {@link Model#fit}, as Keras callbacks do; the one way to follow or steer training. The
 * progress bar, {@code EarlyStopping}, {@code ModelCheckpoint} and a job runner streaming events to
 * a web UI are all callbacks.
 *
 * <p>One method receives every event rather than one method per kind, because a job runner wants
 * the whole stream ({@code Fit.epochs(5).callbacks(events::add)}), while a Keras-style callback
 * switches on {@link TrainingEvent#kind()} and handles the kinds it cares about.
 *
 * <p>Callbacks run on the training thread, in the order given to {@link Fit#callbacks}, and
 * training waits for them: hand slow work (network, disk) to another thread. A callback stops
 * training with {@link Model#stopTraining()} on the model it received in {@link #setModel}; another
 * thread stops it with a {@link Cancellation}.
 */
@FunctionalInterface
public interface Callback {
  /**
   * Receives the model being trained, before its first event (Keras' {@code set_model}); by default
   * ignored.
   */
  default void setModel(Model model) {
    Args.nonNull(model, "Callback.setModel", "model");
  }

  /** Receives one event; an exception thrown here stops {@code fit} with that exception. */
  void onEvent(TrainingEvent event);
}
