package ai.lepton.server.jobs;

import ai.lepton.data.Dataset;
import ai.lepton.models.Model;
import java.util.List;
import java.util.Map;

/**
 * One training, ready to run: what {@code Training.prepare} makes of a {@link
 * ai.lepton.api.TrainingSpec} and its dataset version, and what a worker fits, checkpoints,
 * evaluates and publishes.
 *
 * @param model built and compiled, its preprocessing (fitted on the training split) set
 * @param train the training split, preprocessed
 * @param validation the validation split, or null when the spec holds none out
 * @param test the held-out split for the evaluation report, never trained on
 * @param epochs passes over {@code train}
 * @param batchSize samples per step
 * @param seed the seed of the shuffle
 * @param task {@code classification} or {@code regression}
 * @param classes the class names in label order (classification), empty for regression
 * @param parameters every resolved hyperparameter and choice, as the run records them
 */
public record PreparedTraining(Model model, Dataset train, Dataset validation, Dataset test,
    int epochs, int batchSize, long seed, String task, List<String> classes,
    Map<String, String> parameters) {
  public PreparedTraining {
    classes = List.copyOf(classes);
    parameters = Map.copyOf(parameters);
  }
}
