package ai.lepton;

import static org.junit.jupiter.api.Assertions.fail;

import ai.lepton.tensor.Tensor;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The one gradient check of the test suites: autograd gradients against central finite
 * differences. The output is reduced to a scalar by a fixed random projection, so every output
 * element's gradient path is checked, and the differences and the projection are accumulated in
 * double precision. Values are perturbed through the public {@link Tensor#assign}, so the same
 * check serves a tensor op, a layer's weights and its inputs.
 */
public final class GradCheck {
  /** Step of the central differences: large enough that float32 rounding does not dominate. */
  public static final float EPS = 1e-2f;
  /** Allowed error, relative to {@code max(1, |numeric|)}. */
  public static final double TOLERANCE = 2e-2;

  private GradCheck() {}

  /** Checks the gradients of {@code f} with respect to each of its inputs, named "input i". */
  public static void check(String op, Function<Tensor[], Tensor> f, Tensor... inputs) {
    check(op, EPS, TOLERANCE, f, inputs);
  }

  /** As {@link #check(String, Function, Tensor...)} with a chosen step and tolerance. */
  public static void check(String op, float eps, double tolerance, Function<Tensor[], Tensor> f,
      Tensor... inputs) {
    Map<String, Tensor> targets = new LinkedHashMap<>();
    for (int i = 0; i < inputs.length; i++) {
      targets.put("input " + i, inputs[i].requiresGrad(true));
    }
    check(op, eps, tolerance, () -> f.apply(inputs), targets);
  }

  /**
   * Checks the gradients of {@code output} with respect to {@code targets} (tensors that require
   * gradients, such as a layer's inputs and weights), by name. {@code output} is evaluated again
   * for each perturbed value, so it must read the targets' current values and nothing random.
   */
  public static void check(String what, Supplier<Tensor> output, Map<String, Tensor> targets) {
    check(what, EPS, TOLERANCE, output, targets);
  }

  private static void check(String what, float eps, double tolerance, Supplier<Tensor> output,
      Map<String, Tensor> targets) {
    targets.values().forEach(Tensor::zeroGrad);
    Tensor out = output.get();
    float[] probe = new float[out.size()];
    SplittableRandom rng = new SplittableRandom(7);
    for (int i = 0; i < probe.length; i++) {
      probe[i] = (float) (rng.nextDouble() * 2 - 1);
    }
    out.backward(Tensor.of(probe, out.shape()));
    for (Map.Entry<String, Tensor> target : targets.entrySet()) {
      Tensor t = target.getValue();
      // a target the output does not read (PositionEmbedding uses only its input's shape) gets none
      float[] analytic = t.grad() == null ? new float[t.size()] : t.grad().toFloatArray();
      float[] values = t.toFloatArray();
      for (int i = 0; i < values.length; i++) {
        float saved = values[i];
        values[i] = saved + eps;
        double plus = project(output, t, values, probe);
        values[i] = saved - eps;
        double minus = project(output, t, values, probe);
        values[i] = saved;
        t.assign(Tensor.of(values, t.shape()));
        double numeric = (plus - minus) / (2.0 * eps);
        if (Math.abs(numeric - analytic[i]) > tolerance * Math.max(1.0, Math.abs(numeric))) {
          fail(what + ": the gradient of " + target.getKey() + " at element " + i + " "
              + Arrays.toString(index(t.shape(), i)) + " (value " + saved + ") is " + analytic[i]
              + " but central differences with eps " + eps + " give " + numeric);
        }
      }
    }
  }

  /** {@code sum(output * probe)} in double, with {@code t} holding {@code values}. */
  private static double project(Supplier<Tensor> output, Tensor t, float[] values, float[] probe) {
    t.assign(Tensor.of(values, t.shape()));
    try (var scope = Tensor.noGrad()) {
      float[] v = output.get().toFloatArray();
      double s = 0;
      for (int i = 0; i < v.length; i++) {
        s += (double) v[i] * probe[i];
      }
      return s;
    }
  }

  /** The multi-index of flat element {@code flat} in a row-major tensor of {@code shape}. */
  private static int[] index(int[] shape, int flat) {
    int[] at = new int[shape.length];
    for (int d = shape.length - 1; d >= 0; d--) {
      at[d] = flat % shape[d];
      flat /= shape[d];
    }
    return at;
  }
}
