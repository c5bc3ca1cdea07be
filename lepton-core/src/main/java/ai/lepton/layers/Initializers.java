package ai.lepton.layers;

import ai.lepton.LeptonException;
import ai.lepton.internal.Args;
import ai.lepton.internal.WeightFill;
import ai.lepton.tensor.Tensor;
import java.util.List;
import java.util.random.RandomGenerator;

/** Weight initializers by their Keras names, with Keras' definitions of fan-in and fan-out. */
final class Initializers {
  static final List<String> NAMES = List.of("glorot_uniform", "glorot_normal", "he_uniform",
      "he_normal", "lecun_uniform", "lecun_normal", "random_normal", "random_uniform", "zeros",
      "ones", "orthogonal");

  private Initializers() {}

  /** @param key the setting's name, e.g. "kernelInitializer", for the message */
  static void validate(String owner, String key, String name) {
    if (!NAMES.contains(Args.nonNull(name, owner, key))) {
      throw new LeptonException(owner + ": unknown " + key + " \"" + name + "\"; use one of "
          + NAMES);
    }
  }

  /**
   * Initial values for a weight of {@code shape}. Fans follow Keras: for a kernel
   * {@code [..receptive field.., in, out]}, fanIn = field * in and fanOut = field * out. Zeros
   * inside {@link WeightFill#skip()}, where the caller overwrites every weight.
   */
  static Tensor create(String name, int[] shape, RandomGenerator rng) {
    validate("Initializers.create", "name", name);
    if (WeightFill.skipped()) { // a loaded model's values come from its file
      return Tensor.zeros(shape);
    }
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
      case "orthogonal" -> orthogonal(rng, shape);
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

  /**
   * Keras' orthogonal initializer (gain 1): the weight viewed as {@code (rows, cols)}, with
   * {@code cols} its last dimension, gets orthonormal columns (or rows, when it is wide), from the QR
   * decomposition of a Gaussian matrix. Recurrent kernels use it so that repeated products with it
   * neither blow up nor vanish.
   */
  private static Tensor orthogonal(RandomGenerator rng, int[] shape) {
    if (shape.length < 2) {
      throw new LeptonException("orthogonal initializer: expected a weight of rank 2 or more, "
          + "received shape " + java.util.Arrays.toString(shape) + "; use another initializer");
    }
    int cols = shape[shape.length - 1];
    int rows = 1;
    for (int i = 0; i < shape.length - 1; i++) {
      rows = Math.multiplyExact(rows, shape[i]);
    }
    int tall = Math.max(rows, cols);
    int narrow = Math.min(rows, cols);
    double[][] q = new double[narrow][tall]; // the columns of a (tall, narrow) Gaussian matrix
    for (double[] column : q) {
      for (int i = 0; i < tall; i++) {
        column[i] = rng.nextGaussian();
      }
    }
    // modified Gram-Schmidt: Q of the QR decomposition with a positive diagonal in R, which is
    // Keras' Q after its sign correction
    for (int j = 0; j < narrow; j++) {
      for (int k = 0; k < j; k++) {
        double dot = 0;
        for (int i = 0; i < tall; i++) {
          dot += q[k][i] * q[j][i];
        }
        for (int i = 0; i < tall; i++) {
          q[j][i] -= dot * q[k][i];
        }
      }
      double norm = 0;
      for (int i = 0; i < tall; i++) {
        norm += q[j][i] * q[j][i];
      }
      norm = Math.sqrt(norm);
      for (int i = 0; i < tall; i++) {
        q[j][i] /= norm;
      }
    }
    float[] v = new float[rows * cols];
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < cols; c++) {
        v[r * cols + c] = (float) (rows >= cols ? q[c][r] : q[r][c]);
      }
    }
    return Tensor.of(v, shape);
  }
}
