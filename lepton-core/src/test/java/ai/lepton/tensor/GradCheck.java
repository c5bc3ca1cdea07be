package ai.lepton.tensor;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.SplittableRandom;
import java.util.function.Function;

/**
 * Compares autograd gradients with central finite differences. The function's output is reduced to
 * a scalar by a fixed random projection, so every output element's gradient path is checked; the
 * differences and the projection are accumulated in double precision.
 */
final class GradCheck {
  private GradCheck() {}

  static void check(String what, Function<Tensor[], Tensor> f, Tensor... inputs) {
    check(what, 1e-2f, 2e-2, f, inputs);
  }

  static void check(String what, float eps, double tolerance, Function<Tensor[], Tensor> f,
      Tensor... inputs) {
    for (Tensor t : inputs) {
      t.zeroGrad();
      t.requiresGrad(true);
    }
    Tensor out = f.apply(inputs);
    float[] weights = new float[out.size()];
    SplittableRandom rng = new SplittableRandom(7);
    for (int i = 0; i < weights.length; i++) {
      weights[i] = (float) (rng.nextDouble() * 2 - 1);
    }
    out.backward(Tensor.of(weights, out.shape()));
    for (int which = 0; which < inputs.length; which++) {
      Tensor in = inputs[which];
      float[] analytic = in.grad() == null ? new float[in.size()] : in.grad().toFloatArray();
      float[] values = in.data();
      for (int i = 0; i < values.length; i++) {
        float saved = values[i];
        values[i] = saved + eps;
        double plus = project(f.apply(inputs), weights);
        values[i] = saved - eps;
        double minus = project(f.apply(inputs), weights);
        values[i] = saved;
        double numeric = (plus - minus) / (2.0 * eps);
        double err = Math.abs(numeric - analytic[i]);
        if (err > tolerance * Math.max(1.0, Math.abs(numeric))) {
          fail(what + ": gradient of input " + which + " at element " + i + " is " + analytic[i]
              + " but finite differences give " + numeric);
        }
      }
    }
  }

  private static double project(Tensor out, float[] weights) {
    float[] v = out.data();
    double s = 0;
    for (int i = 0; i < v.length; i++) {
      s += (double) v[i] * weights[i];
    }
    return s;
  }
}
