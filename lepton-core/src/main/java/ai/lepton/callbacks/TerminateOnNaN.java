package ai.lepton.callbacks;

import ai.lepton.models.Model;
import java.util.Map;

/** Stops training as soon as the loss becomes NaN or infinite, as Keras' TerminateOnNaN. */
public final class TerminateOnNaN implements Callback {
  private Model model;
  private boolean terminated;

  @Override
  public void onTrainBegin(Model m) {
    model = m;
    terminated = false;
  }

  @Override
  public void onBatchEnd(int batch, Map<String, Double> logs) {
    Double loss = logs.get("loss");
    if (loss != null && !Double.isFinite(loss)) {
      terminated = true;
      model.stopTraining();
    }
  }

  /** Whether the last training run was stopped for a non-finite loss. */
  public boolean terminated() {
    return terminated;
  }
}
