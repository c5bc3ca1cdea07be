package ai.lepton.layers;

import ai.lepton.Golden;
import ai.lepton.GradCheck;
import ai.lepton.tensor.Tensor;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
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
    Map<String, Tensor> targets = new LinkedHashMap<>();
    targets.put("x", x);
    targets.put("gamma", bn.weights().get("gamma"));
    targets.put("beta", bn.weights().get("beta"));
    GradCheck.check("training-mode BatchNormalization", () -> bn.apply(x, true), targets);
  }
}
