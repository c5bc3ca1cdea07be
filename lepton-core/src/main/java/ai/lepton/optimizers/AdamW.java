package ai.lepton.optimizers;

import ai.lepton.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Adam with decoupled weight decay (PyTorch's and Keras' AdamW): each step first shrinks the
 * parameter, {@code p -= lr * weightDecay * p}, then applies the {@link Adam} update. Unlike an L2
 * penalty in the loss, the decay does not pass through Adam's scaling. Keras defaults: lr 0.001,
 * weight decay 0.004, beta1 0.9, beta2 0.999, epsilon 1e-7 (PyTorch's default decay is 0.01).
 */
public final class AdamW extends Optimizer {
  private final float weightDecay;
  private final AdamUpdate adam;

  /** AdamW with Keras' defaults. */
  public AdamW() {
    this(0.001f);
  }

  /** @throws ai.lepton.LeptonException if the rate is negative or not finite */
  public AdamW(float learningRate) {
    this(learningRate, 0.004f);
  }

  /** @throws ai.lepton.LeptonException if the rate or the weight decay is negative */
  public AdamW(float learningRate, float weightDecay) {
    this(learningRate, weightDecay, 0.9f, 0.999f, 1e-7f);
  }

  /**
   * @throws ai.lepton.LeptonException if the rate, weight decay or epsilon is negative, or a beta
   *     is outside [0, 1)
   */
  public AdamW(float learningRate, float weightDecay, float beta1, float beta2, float epsilon) {
    this(constant(learningRate), weightDecay, beta1, beta2, epsilon);
  }

  /** @throws ai.lepton.LeptonException as {@link #AdamW(float, float, float, float, float)} */
  public AdamW(LearningRateSchedule learningRate, float weightDecay, float beta1, float beta2,
      float epsilon) {
    super("adamw", learningRate);
    Checks.requireRange("adamw", "weight_decay", weightDecay, 0f, Float.MAX_VALUE, true);
    this.weightDecay = weightDecay;
    this.adam = new AdamUpdate("adamw", beta1, beta2, epsilon);
  }

  @Override
  protected void update(String name, Tensor parameter, Tensor gradient, float learningRate,
      long step) {
    if (weightDecay != 0f) {
      parameter.mulInPlace(1f - learningRate * weightDecay);
    }
    adam.apply(parameter, gradient, slot(name, "m", parameter), slot(name, "v", parameter),
        learningRate, step);
  }

  @Override
  protected Set<String> slotNames() {
    return Set.of("m", "v");
  }

  @Override
  protected Map<String, Object> hyperParameters() {
    Map<String, Object> c = new LinkedHashMap<>(adam.config());
    c.put("weight_decay", weightDecay);
    return c;
  }
}
