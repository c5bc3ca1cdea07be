package ai.lepton.callbacks;

import ai.lepton.internal.Args;
import ai.lepton.models.Callback;
import ai.lepton.models.Model;
import ai.lepton.models.TrainingEvent;
import java.nio.file.Path;
import java.util.Map;

/**
 * Saves the model to a {@code .lepton} file after each epoch, as Keras' ModelCheckpoint. The path may
 * hold {@code {epoch}} (counted from 1), e.g. {@code "ckpt-{epoch}.lepton"}; with
 * {@code saveBestOnly} it is written only when the monitored quantity improves. Each save is atomic.
 *
 * <p>The file holds the weights and the optimizer's state, so it is a resumable checkpoint: after a
 * crash, {@code Model.load} the file of epoch {@code k} (counted from 1) and fit again with
 * {@code Fit.initialEpoch(k)} and the run's seed to finish the run as if it had never stopped.
 * Epochs stopped by a {@code Cancellation} are not saved.
 */
public final class ModelCheckpoint implements Callback {
  private final String path;
  private final Monitor monitor;
  private final boolean saveBestOnly;
  private Model model;
  private double best;

  public ModelCheckpoint(String path, String monitor, boolean saveBestOnly) {
    this.path = Args.nonNull(path, "ModelCheckpoint", "path");
    this.monitor = Monitor.of(monitor, 0);
    this.saveBestOnly = saveBestOnly;
  }

  @Override
  public void setModel(Model model) {
    this.model = Args.nonNull(model, "ModelCheckpoint.setModel", "model");
  }

  @Override
  public void onEvent(TrainingEvent event) {
    Args.nonNull(event, "ModelCheckpoint.onEvent", "event");
    switch (event.kind()) {
      case TRAIN_BEGIN -> best = monitor.worst();
      case EPOCH_END -> epochEnd(event.epoch(), event.logs());
      default -> { }
    }
  }

  private void epochEnd(int epoch, Map<String, Double> logs) {
    if (saveBestOnly) {
      double value = monitor.read(logs);
      if (!monitor.improves(value, best)) {
        return;
      }
      best = value;
    }
    model.save(Path.of(path.replace("{epoch}", Integer.toString(epoch + 1))));
  }
}
