package ai.lepton.optimizers;

import ai.lepton.LeptonException;
import ai.lepton.tensor.Tensor;
import java.util.Map;
import java.util.Set;

/**
 * Stochastic gradient descent with optional (Nesterov) momentum, in PyTorch's form:
 * {@code b = momentum * b + g}, then {@code p -= lr * b}, or with Nesterov
 * {@code p -= lr * (g + momentum * b)}. With a constant learning rate this is exactly Keras'
 * {@code SGD} (Keras keeps {@code -lr * b} as its velocity instead); keeping the velocity free of
 * the learning rate makes a learning-rate change take effect at once. Keras defaults: lr 0.01, no
 * momentum.
 */
public final class SGD extends Optimizer {
  private final float momentum;
  private final boolean nesterov;

  /** Plain SGD with Keras' default learning rate 0.01. */
  public SGD() {
    this(0.01f);
  }

  /** @throws LeptonException if the rate is negative or not finite */
  public SGD(float learningRate) {
    this(learningRate, 0f, false);
  }

  /**
   * @throws LeptonException if the rate is negative, momentum is outside [0, 1], or
   *     Nesterov is asked for without momentum
   */
  public SGD(float learningRate, float momentum, boolean nesterov) {
    this(constant(learningRate), momentum, nesterov);
  }

  /** @throws LeptonException as {@link #SGD(float, float, boolean)} */
  public SGD(LearningRateSchedule learningRate, float momentum, boolean nesterov) {
    super("sgd", learningRate);
    Checks.requireRange("sgd", "momentum", momentum, 0f, 1f, true);
    if (nesterov && momentum == 0f) {
      throw new LeptonException("sgd: Nesterov momentum needs a positive momentum, "
          + "received momentum=0; pass e.g. momentum=0.9 or nesterov=false");
    }
    this.momentum = momentum;
    this.nesterov = nesterov;
  }

  @Override
  protected void update(String name, Tensor parameter, Tensor gradient, float learningRate,
      long step) {
    if (momentum == 0f) {
      parameter.addInPlace(gradient, -learningRate);
      return;
    }
    Tensor velocity = slot(name, "momentum", parameter);
    velocity.mulInPlace(momentum); // b = momentum * b + g
    velocity.addInPlace(gradient, 1f);
    if (nesterov) {
      parameter.addInPlace(gradient, -learningRate);
      parameter.addInPlace(velocity, -learningRate * momentum);
    } else {
      parameter.addInPlace(velocity, -learningRate);
    }
  }

  @Override
  protected Set<String> slotNames() {
    return momentum == 0f ? Set.of() : Set.of("momentum");
  }

  @Override
  protected Map<String, Object> hyperParameters() {
    return Map.of("momentum", momentum, "nesterov", nesterov);
  }
}
