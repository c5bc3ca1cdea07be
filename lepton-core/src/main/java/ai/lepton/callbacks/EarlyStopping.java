package ai.lepton.callbacks;

import ai.lepton.LeptonException;
import ai.lepton.internal.Args;
import ai.lepton.models.Callback;
import ai.lepton.models.Model;
import ai.lepton.models.TrainingEvent;
import ai.lepton.tensor.Tensor;
import java.util.Map;

/**
 * Stops training when the monitored quantity stops improving for {@code patience} epochs, as
 * Keras' EarlyStopping; with {@code restoreBestWeights} the model ends with the weights of its best
 * epoch.
 */
public final class EarlyStopping implements Callback {
  private final Monitor monitor;
  private final int patience;
  private final boolean restoreBestWeights;
  private Model model;
  private double best;
  private int wait;
  private int stoppedEpoch = -1;
  private Map<String, Tensor> bestWeights;

  /**
   * @param monitor the quantity to watch, e.g. "val_loss"
   * @param minDelta the smallest change that counts as an improvement
   * @param patience epochs without improvement before stopping
   * @param restoreBestWeights whether to end with the best epoch's weights
   */
  public EarlyStopping(String monitor, double minDelta, int patience, boolean restoreBestWeights) {
    if (patience < 0) {
      throw new LeptonException("EarlyStopping: expected patience >= 0, received " + patience);
    }
    this.monitor = Monitor.of(monitor, minDelta);
    this.patience = patience;
    this.restoreBestWeights = restoreBestWeights;
  }

  @Override
  public void setModel(Model model) {
    this.model = Args.nonNull(model, "EarlyStopping.setModel", "model");
  }

  @Override
  public void onEvent(TrainingEvent event) {
    Args.nonNull(event, "EarlyStopping.onEvent", "event");
    switch (event.kind()) {
      case TRAIN_BEGIN -> {
        best = monitor.worst();
        wait = 0;
        stoppedEpoch = -1;
        bestWeights = null;
      }
      case EPOCH_END -> epochEnd(event.epoch(), event.logs());
      case TRAIN_END -> {
        if (restoreBestWeights && bestWeights != null && stoppedEpoch >= 0) {
          model.setWeights(bestWeights);
        }
      }
      default -> { }
    }
  }

  private void epochEnd(int epoch, Map<String, Double> logs) {
    double value = monitor.read(logs);
    if (monitor.improves(value, best)) {
      best = value;
      wait = 0;
      if (restoreBestWeights) {
        bestWeights = model.copyWeights();
      }
      return;
    }
    if (++wait >= patience) {
      stoppedEpoch = epoch;
      model.stopTraining();
    }
  }

  /** The epoch at which training was stopped, or -1 if it ran to the end. */
  public int stoppedEpoch() {
    return stoppedEpoch;
  }
}
