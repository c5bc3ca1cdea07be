package ai.lepton.layers;

import ai.lepton.LeptonException;
import ai.lepton.tensor.Tensor;
import java.util.List;
import java.util.random.RandomGenerator;

/** Weight initializers by their Keras names, with Keras' definitions of fan-in and fan-out. */
final class Initializers {
  static final List<String> NAMES = List.of("glorot_uniform", "glorot_normal", "he_uniform",
      "he_normal", "lecun_uniform", "lecun_normal", "random_normal", "random_uniform", "zeros",
      "ones");

  private Initializers() {}

  static void validate(String name) {
    if (!NAMES.contains(name)) {
      throw new LeptonException("unknown initializer \"" + name + "\"; use one of " + NAMES);
    }
  }

  /**
   * Initial values for a weight of {@code shape}. Fans follow Keras: for a kernel
   * {@code [..receptive field.., in, out]}, fanIn = field * in and fanOut = field * out.
   */
  static Tensor create(String name, int[] shape, RandomGenerator rng) {
    validate(name);
    int field = 1;
    for (int i = 0; i < shape.length - 2; i++) {
      field *= shape[i];
    }
    double fanIn = shape.length >= 2 ? field * (double) shape[shape.length - 2]
        : shape.length == 1 ? shape[0] : 1;
    double fanOut = shape.length >= 2 ? field * (double) shape[shape.length - 1]
        : shape.length == 1 ? shape[0] : 1;
    return switch (name) {
      case "zeros" -> Tensor.zeros(shape);
      case "ones" -> Tensor.ones(shape);
      case "random_normal" -> Tensor.randn(rng, 0f, 0.05f, shape);
      case "random_uniform" -> Tensor.uniform(rng, -0.05f, 0.05f, shape);
      case "glorot_uniform" -> uniform(rng, Math.sqrt(6.0 / (fanIn + fanOut)), shape);
      case "he_uniform" -> uniform(rng, Math.sqrt(6.0 / fanIn), shape);
      case "lecun_uniform" -> uniform(rng, Math.sqrt(3.0 / fanIn), shape);
      case "glorot_normal" -> truncatedNormal(rng, Math.sqrt(2.0 / (fanIn + fanOut)), shape);
      case "he_normal" -> truncatedNormal(rng, Math.sqrt(2.0 / fanIn), shape);
      case "lecun_normal" -> truncatedNormal(rng, Math.sqrt(1.0 / fanIn), shape);
      default -> throw new IllegalStateException(name);
    };
  }

  private static Tensor uniform(RandomGenerator rng, double limit, int[] shape) {
    return Tensor.uniform(rng, (float) -limit, (float) limit, shape);
  }

  /**
   * A normal distribution truncated at two standard deviations, scaled so that the truncated values
   * have the requested standard deviation (Keras' variance-scaling constant 0.8796...).
   */
  private static Tensor truncatedNormal(RandomGenerator rng, double std, int[] shape) {
    double scale = std / 0.87962566103423978;
    int n = 1;
    for (int d : shape) {
      n = Math.multiplyExact(n, d);
    }
    float[] v = new float[n];
    for (int i = 0; i < v.length; i++) {
      double g;
      do {
        g = rng.nextGaussian();
      } while (Math.abs(g) > 2.0);
      v[i] = (float) (g * scale);
    }
    return Tensor.of(v, shape);
  }
}
