package ai.lepton.optimizers;

import ai.lepton.tensor.Tensor;
import java.util.Map;

/** The Adam moment update shared by {@link Adam} and {@link AdamW}. */
final class AdamUpdate {
  private final float beta1;
  private final float beta2;
  private final float epsilon;

  AdamUpdate(String owner, float beta1, float beta2, float epsilon) {
    Checks.requireRange(owner, "beta_1", beta1, 0f, 1f, false);
    Checks.requireRange(owner, "beta_2", beta2, 0f, 1f, false);
    Checks.requireRange(owner, "epsilon", epsilon, 0f, Float.MAX_VALUE, true);
    this.beta1 = beta1;
    this.beta2 = beta2;
    this.epsilon = epsilon;
  }

  void apply(Tensor p, Tensor g, Tensor m, Tensor v, float lr, long step) {
    double bc1 = 1 - Math.pow(beta1, step);
    double sqrtBc2 = Math.sqrt(1 - Math.pow(beta2, step));
    // m = b1 m + (1 - b1) g, v = b2 v + (1 - b2) g^2, then PyTorch's
    // p -= lr/bc1 * m / (sqrt(v)/sqrt(bc2) + eps) with numerator and denominator multiplied by
    // sqrt(bc2), so that the whole update is one pass.
    p.adaptiveUpdateInPlace(g, m, v, beta1, beta2, (float) (-lr * sqrtBc2 / bc1), 0f,
        (float) (epsilon * sqrtBc2));
  }

  Map<String, Object> config() {
    return Map.of("beta_1", beta1, "beta_2", beta2, "epsilon", epsilon);
  }
}
