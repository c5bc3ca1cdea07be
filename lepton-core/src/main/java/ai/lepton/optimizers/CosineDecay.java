package ai.lepton.optimizers;

import ai.lepton.LeptonException;
import java.util.Map;

/**
 * Cosine annealing from {@code initialLearningRate} down to {@code alpha * initialLearningRate}
 * over {@code decaySteps}, then constant (Keras {@code CosineDecay} without warm-up):
 * {@code initial * ((1 - alpha) * 0.5 * (1 + cos(pi * min(step, decaySteps) / decaySteps)) + alpha)}.
 *
 * @param initialLearningRate the rate at step 0, positive
 * @param decaySteps the length of the decay, positive
 * @param alpha the final rate as a fraction of the initial one, in {@code [0, 1]}
 */
public record CosineDecay(float initialLearningRate, long decaySteps, float alpha)
    implements LearningRateSchedule {

  /** @throws LeptonException for a non-positive rate or steps, or alpha outside [0, 1] */
  public CosineDecay {
    Checks.requirePositive("CosineDecay", "initial_learning_rate", initialLearningRate);
    if (decaySteps <= 0) {
      throw new LeptonException("CosineDecay: expected a positive decay_steps, received "
          + decaySteps);
    }
    if (!(alpha >= 0f && alpha <= 1f)) {
      throw new LeptonException("CosineDecay: expected alpha in [0, 1], received alpha=" + alpha);
    }
  }

  @Override
  public float at(long step) {
    double progress = (double) Math.min(step, decaySteps) / decaySteps;
    double cosine = 0.5 * (1 + Math.cos(Math.PI * progress));
    return (float) (initialLearningRate * ((1 - alpha) * cosine + alpha));
  }

  @Override
  public String name() {
    return "CosineDecay";
  }

  @Override
  public Map<String, Object> config() {
    return Map.of("initial_learning_rate", initialLearningRate, "decay_steps", decaySteps,
        "alpha", alpha);
  }
}
