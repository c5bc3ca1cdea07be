package ai.lepton.callbacks;

import ai.lepton.models.Model;
import java.util.Map;

/**
 * Hooks into {@code Model.fit}, as Keras callbacks. Epochs and batches count from 0. {@code logs} hold
 * the running means of the loss and metrics ({@code "loss"}, {@code "accuracy"}, ...) and, at epoch
 * end, the validation results ({@code "val_loss"}, ...). A callback stops training with
 * {@link Model#stopTraining()}.
 */
public interface Callback {
  default void onTrainBegin(Model model) {}

  default void onEpochBegin(int epoch) {}

  default void onBatchEnd(int batch, Map<String, Double> logs) {}

  default void onEpochEnd(int epoch, Map<String, Double> logs) {}

  default void onTrainEnd(Map<String, Double> logs) {}
}
