package ai.lepton.layers;

import static org.junit.jupiter.api.Assertions.fail;

import ai.lepton.Golden;
import ai.lepton.tensor.Tensor;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/** BatchNormalization in training mode: PyTorch parity and finite-difference gradients. */
class BatchNormalizationTest {
  private static final JsonNode CASES = Golden.cases("conv");

  private static BatchNormalization built(float momentum, float epsilon, int[] shape) {
    BatchNormalization bn = new BatchNormalization(
        new BatchNormalization.Config("bn", true, momentum, epsilon, true, true));
    bn.build(java.util.Arrays.copyOfRange(shape, 1, shape.length), new SplittableRandom(1));
    return bn;
  }

  @TestFactory
  Stream<DynamicTest> trainingModeMatchesPyTorchAndUpdatesMovingStatisticsTheKerasWay() {
    return Golden.caseNames(CASES).filter(name -> name.startsWith("batch_norm"))
        .map(name -> DynamicTest.dynamicTest(name, () -> {
          JsonNode c = CASES.get(name);
          Tensor x = Golden.tensor(c.get("inputs").get("x")).requiresGrad(true);
          BatchNormalization bn = built((float) c.get("config").get("momentum").asDouble(),
              (float) c.get("config").get("epsilon").asDouble(), x.shape());
          Map<String, Tensor> w = bn.weights();
          w.get("gamma").assign(Golden.tensor(c.get("inputs").get("gamma")));
          w.get("beta").assign(Golden.tensor(c.get("inputs").get("beta")));
          w.get("moving_mean").assign(Golden.tensor(c.get("moving_before").get("mean")));
          w.get("moving_variance").assign(Golden.tensor(c.get("moving_before").get("variance")));

          Tensor y = bn.apply(x, true);
          Golden.assertClose(name + " forward", c.get("output"), y, 1e-4, 1e-5);
          y.backward(Golden.tensor(c.get("grad_output")));
          Golden.assertClose(name + " d/dx", c.get("grads").get("x"), x.grad(), 1e-3, 1e-4);
          Golden.assertClose(name + " d/dgamma", c.get("grads").get("gamma"),
              w.get("gamma").grad(), 1e-4, 1e-5);
          Golden.assertClose(name + " d/dbeta", c.get("grads").get("beta"),
              w.get("beta").grad(), 1e-4, 1e-5);
          // Keras' momentum is PyTorch's 1 - momentum; the moving variance uses the biased
          // batch variance (PyTorch's running_var uses the unbiased one).
          Golden.assertClose(name + " moving mean", c.get("moving_after").get("mean"),
              w.get("moving_mean"), 1e-5, 1e-6);
          Golden.assertClose(name + " moving variance", c.get("moving_after").get("variance"),
              w.get("moving_variance"), 1e-5, 1e-6);
        }));
  }

  @Test
  void trainingModeGradientsMatchFiniteDifferences() {
    int[] shape = {3, 2, 2, 3}; // (batch, h, w, channels): statistics over 12 positions
    SplittableRandom rng = new SplittableRandom(5);
    Tensor x = Tensor.uniform(rng, -2f, 2f, shape).requiresGrad(true);
    BatchNormalization bn = built(0.9f, 1e-3f, shape);
    bn.weights().get("gamma").assign(Tensor.uniform(rng, 0.5f, 1.5f, 3));
    bn.weights().get("beta").assign(Tensor.uniform(rng, -1f, 1f, 3));
    Tensor probe = Tensor.uniform(rng, -1f, 1f, shape);
    bn.apply(x, true).mul(probe).sum().backward();
    check(bn, x, x, probe, "x");
    check(bn, x, bn.weights().get("gamma"), probe, "gamma");
    check(bn, x, bn.weights().get("beta"), probe, "beta");
  }

  /** Central differences of {@code sum(bn(x) * probe)} in training mode, in double. */
  private static void check(BatchNormalization bn, Tensor x, Tensor target, Tensor probe,
      String what) {
    float[] analytic = target.grad().toFloatArray();
    float[] values = target.toFloatArray();
    float eps = 1e-2f;
    for (int i = 0; i < values.length; i++) {
      float saved = values[i];
      values[i] = saved + eps;
      target.assign(Tensor.of(values, target.shape()));
      double plus = project(bn, x, probe);
      values[i] = saved - eps;
      target.assign(Tensor.of(values, target.shape()));
      double minus = project(bn, x, probe);
      values[i] = saved;
      target.assign(Tensor.of(values, target.shape()));
      double numeric = (plus - minus) / (2.0 * eps);
      if (Math.abs(numeric - analytic[i]) > 2e-2 * Math.max(1.0, Math.abs(numeric))) {
        fail("training-mode BatchNormalization: gradient of " + what + " at " + i + " is "
            + analytic[i] + " but finite differences give " + numeric);
      }
    }
  }

  private static double project(BatchNormalization bn, Tensor x, Tensor probe) {
    try (var scope = Tensor.noGrad()) {
      float[] out = bn.apply(x, true).toFloatArray();
      float[] p = probe.toFloatArray();
      double s = 0;
      for (int i = 0; i < out.length; i++) {
        s += (double) out[i] * p[i];
      }
      return s;
    }
  }
}
