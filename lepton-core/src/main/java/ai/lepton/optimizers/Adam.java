package ai.lepton.optimizers;

import ai.lepton.tensor.Tensor;
import java.util.Map;
import java.util.Set;

/**
 * Adam with bias correction and epsilon added outside the square root, exactly PyTorch's default
 * formula: {@code m = b1 m + (1-b1) g}, {@code v = b2 v + (1-b2) g^2},
 * {@code p -= lr / (1-b1^t) * m / (sqrt(v / (1-b2^t)) + eps)}. (Keras folds {@code sqrt(1-b2^t)}
 * into the step size, which scales its epsilon by that factor; the two differ only while
 * {@code sqrt(v)} is as small as epsilon.) Keras defaults: lr 0.001, beta1 0.9, beta2 0.999,
 * epsilon 1e-7.
 */
public final class Adam extends Optimizer {
  private final AdamUpdate adam;

  /** Adam with Keras' defaults. */
  public Adam() {
    this(0.001f);
  }

  /** @throws ai.lepton.LeptonException if the rate is negative or not finite */
  public Adam(float learningRate) {
    this(learningRate, 0.9f, 0.999f, 1e-7f);
  }

  /**
   * @throws ai.lepton.LeptonException if the rate or epsilon is negative, or a beta is outside
   *     [0, 1)
   */
  public Adam(float learningRate, float beta1, float beta2, float epsilon) {
    this(constant(learningRate), beta1, beta2, epsilon);
  }

  /** @throws ai.lepton.LeptonException as {@link #Adam(float, float, float, float)} */
  public Adam(LearningRateSchedule learningRate, float beta1, float beta2, float epsilon) {
    super("adam", learningRate);
    this.adam = new AdamUpdate("adam", beta1, beta2, epsilon);
  }

  @Override
  protected void update(String name, Tensor parameter, Tensor gradient, float learningRate,
      long step) {
    adam.apply(parameter, gradient, slot(name, "m", parameter), slot(name, "v", parameter),
        learningRate, step);
  }

  @Override
  protected Set<String> slotNames() {
    return Set.of("m", "v");
  }

  @Override
  protected Map<String, Object> hyperParameters() {
    return adam.config();
  }
}
