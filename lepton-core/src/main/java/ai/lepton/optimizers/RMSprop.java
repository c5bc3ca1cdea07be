package ai.lepton.optimizers;

import ai.lepton.tensor.Tensor;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * RMSprop with Keras' semantics: {@code v = rho v + (1-rho) g^2}; centered also tracks
 * {@code a = rho a + (1-rho) g} and uses {@code v - a^2}; the step is
 * {@code lr * g / sqrt(v + epsilon)} (epsilon inside the square root, unlike PyTorch), and with
 * momentum it accumulates into {@code b = momentum b + step} before {@code p -= b}. Keras defaults:
 * lr 0.001, rho 0.9, momentum 0, epsilon 1e-7, not centered.
 */
public final class RMSprop extends Optimizer {
  private final float rho;
  private final float momentum;
  private final float epsilon;
  private final boolean centered;

  /** RMSprop with Keras' defaults. */
  public RMSprop() {
    this(0.001f);
  }

  /** @throws ai.lepton.LeptonException if the rate is negative or not finite */
  public RMSprop(float learningRate) {
    this(learningRate, 0.9f, 0f, 1e-7f, false);
  }

  /**
   * @throws ai.lepton.LeptonException if the rate or epsilon is negative, rho is outside [0, 1)
   *     or momentum outside [0, 1]
   */
  public RMSprop(float learningRate, float rho, float momentum, float epsilon, boolean centered) {
    this(constant(learningRate), rho, momentum, epsilon, centered);
  }

  /** @throws ai.lepton.LeptonException as {@link #RMSprop(float, float, float, float, boolean)} */
  public RMSprop(LearningRateSchedule learningRate, float rho, float momentum, float epsilon,
      boolean centered) {
    super("rmsprop", learningRate);
    Checks.requireRange("rmsprop", "rho", rho, 0f, 1f, false);
    Checks.requireRange("rmsprop", "momentum", momentum, 0f, 1f, true);
    Checks.requireRange("rmsprop", "epsilon", epsilon, 0f, Float.MAX_VALUE, true);
    this.rho = rho;
    this.momentum = momentum;
    this.epsilon = epsilon;
    this.centered = centered;
  }

  @Override
  protected void update(String name, Tensor parameter, Tensor gradient, float learningRate,
      long step) {
    Tensor velocity = slot(name, "velocity", parameter);
    if (!centered && momentum == 0f) {
      // v = rho v + (1 - rho) g^2, p -= lr g / sqrt(v + eps), in one pass
      parameter.adaptiveUpdateInPlace(gradient, null, velocity, 0f, rho, -learningRate, epsilon,
          0f);
      return;
    }
    velocity.lerpInPlace(gradient.square(), 1f - rho);
    Tensor denominator = velocity;
    if (centered) {
      Tensor average = slot(name, "average_gradient", parameter);
      average.lerpInPlace(gradient, 1f - rho);
      denominator = velocity.sub(average.square());
    }
    Tensor direction = gradient.div(denominator.add(epsilon).sqrt());
    if (momentum > 0f) {
      Tensor buffer = slot(name, "momentum", parameter);
      buffer.mulInPlace(momentum); // b = momentum b + lr g / sqrt(v + eps)
      buffer.addInPlace(direction, learningRate);
      parameter.addInPlace(buffer, -1f);
    } else {
      parameter.addInPlace(direction, -learningRate);
    }
  }

  @Override
  protected Set<String> slotNames() {
    Set<String> names = new HashSet<>(Set.of("velocity"));
    if (centered) {
      names.add("average_gradient");
    }
    if (momentum > 0f) {
      names.add("momentum");
    }
    return names;
  }

  @Override
  protected Map<String, Object> hyperParameters() {
    return Map.of("rho", rho, "momentum", momentum, "epsilon", epsilon, "centered", centered);
  }
}
