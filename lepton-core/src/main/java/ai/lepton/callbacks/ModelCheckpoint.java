package ai.lepton.callbacks;

import ai.lepton.models.Model;
import java.nio.file.Path;
import java.util.Map;

/**
 * Saves the model to a {@code .lepton} file after each epoch, as Keras' ModelCheckpoint. The path may
 * hold {@code {epoch}} (counted from 1), e.g. {@code "ckpt-{epoch}.lepton"}; with
 * {@code saveBestOnly} it is written only when the monitored quantity improves. Each save is atomic.
 */
public final class ModelCheckpoint implements Callback {
  private final String path;
  private final Monitor monitor;
  private final boolean saveBestOnly;
  private Model model;
  private double best;

  public ModelCheckpoint(String path, String monitor, boolean saveBestOnly) {
    this.path = path;
    this.monitor = Monitor.of(monitor, 0);
    this.saveBestOnly = saveBestOnly;
  }

  @Override
  public void onTrainBegin(Model m) {
    model = m;
    best = monitor.worst();
  }

  @Override
  public void onEpochEnd(int epoch, Map<String, Double> logs) {
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
