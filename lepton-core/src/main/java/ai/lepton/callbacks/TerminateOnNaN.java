package ai.lepton.callbacks;

import ai.lepton.internal.Args;
import ai.lepton.models.Callback;
import ai.lepton.models.Model;
import ai.lepton.models.TrainingEvent;

/** Stops training as soon as the loss becomes NaN or infinite, as Keras' TerminateOnNaN. */
public final class TerminateOnNaN implements Callback {
  private Model model;
  private boolean terminated;

  @Override
  public void setModel(Model model) {
    this.model = Args.nonNull(model, "TerminateOnNaN.setModel", "model");
  }

  @Override
  public void onEvent(TrainingEvent event) {
    Args.nonNull(event, "TerminateOnNaN.onEvent", "event");
    if (event.kind() == TrainingEvent.Kind.TRAIN_BEGIN) {
      terminated = false;
    } else if (event.kind() == TrainingEvent.Kind.BATCH_END) {
      Double loss = event.logs().get("loss");
      if (loss != null && !Double.isFinite(loss)) {
        terminated = true;
        model.stopTraining();
      }
    }
  }

  /** Whether the last training run was stopped for a non-finite loss. */
  public boolean terminated() {
    return terminated;
  }
}
