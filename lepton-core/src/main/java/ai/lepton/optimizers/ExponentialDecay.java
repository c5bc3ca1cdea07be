package ai.lepton.optimizers;

import ai.lepton.LeptonException;
import java.util.Map;

/**
 * {@code initialLearningRate * decayRate ^ (step / decaySteps)}, with the exponent rounded down
 * when {@code staircase} (Keras {@code ExponentialDecay}). With {@code staircase} this is also
 * PyTorch's {@code StepLR(step_size=decaySteps, gamma=decayRate)}, counted in updates.
 *
 * @param initialLearningRate the rate at step 0, positive
 * @param decaySteps the number of steps over which the rate is multiplied by {@code decayRate}
 * @param decayRate the factor per {@code decaySteps}, positive
 * @param staircase whether the rate drops in steps rather than continuously
 */
public record ExponentialDecay(float initialLearningRate, long decaySteps, float decayRate,
    boolean staircase) implements LearningRateSchedule {

  /** @throws LeptonException unless the rate, steps and decay rate are positive */
  public ExponentialDecay {
    Checks.requirePositive("ExponentialDecay", "initial_learning_rate", initialLearningRate);
    Checks.requirePositive("ExponentialDecay", "decay_rate", decayRate);
    if (decaySteps <= 0) {
      throw new LeptonException("ExponentialDecay: expected a positive decay_steps, received "
          + decaySteps);
    }
  }

  @Override
  public float at(long step) {
    double p = (double) step / decaySteps;
    return (float) (initialLearningRate * Math.pow(decayRate, staircase ? Math.floor(p) : p));
  }

  @Override
  public String name() {
    return "ExponentialDecay";
  }

  @Override
  public Map<String, Object> config() {
    return Map.of("initial_learning_rate", initialLearningRate, "decay_steps", decaySteps,
        "decay_rate", decayRate, "staircase", staircase);
  }
}
