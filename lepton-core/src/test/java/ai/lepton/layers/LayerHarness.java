package ai.lepton.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.fail;

import ai.lepton.tensor.Tensor;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Arrays;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The checks every layer passes, as Keras' layer test harness: output shapes, weight counts, config
 * and weights round trip, gradients against finite differences (double-precision accumulation), and
 * one training step that changes the trainable weights.
 */
final class LayerHarness {
  private static final ObjectMapper JSON = new ObjectMapper();

  private LayerHarness() {}

  /**
   * @param layer an unbuilt layer
   * @param inputShape one sample's shape
   * @param expectedWeights the expected number of weight values
   */
  static void check(Layer layer, int[] inputShape, long expectedWeights) throws Exception {
    int batch = 3;
    SplittableRandom rng = new SplittableRandom(9);
    layer.name("under_test");
    layer.build(inputShape, rng);
    assertEquals(expectedWeights, layer.parameterCount(), "weight count");

    int[] xShape = new int[inputShape.length + 1];
    xShape[0] = batch;
    System.arraycopy(inputShape, 0, xShape, 1, inputShape.length);
    Tensor x = Tensor.uniform(rng, -1f, 1f, xShape);
    Tensor y = layer.apply(x, false);
    int[] out = layer.outputShape(inputShape);
    int[] expectedOut = new int[out.length + 1];
    expectedOut[0] = batch;
    System.arraycopy(out, 0, expectedOut, 1, out.length);
    assertArrayEquals(expectedOut, y.shape(), "output shape");

    // config round trip through JSON, then the same weights give the same outputs
    JsonNode config = JSON.readTree(JSON.writeValueAsString(Layers.toConfig(layer)));
    Layer copy = Layers.fromConfig(config);
    assertEquals(layer.getClass(), copy.getClass());
    assertEquals(layer.config(), copy.config(), "config round trip");
    copy.build(inputShape, new SplittableRandom(123));
    for (Map.Entry<String, Tensor> w : layer.weights().entrySet()) {
      copy.weights().get(w.getKey()).assign(w.getValue());
    }
    assertArrayEquals(y.toFloatArray(), copy.apply(x, false).toFloatArray(), "weights round trip");

    gradientCheck(layer, x);
    trainingStepChangesWeights(layer, x);
  }

  private static void gradientCheck(Layer layer, Tensor x) {
    Tensor input = Tensor.of(x.toFloatArray(), x.shape()).requiresGrad(true);
    Tensor probe = Tensor.uniform(new SplittableRandom(4), -1f, 1f,
        layer.apply(input, false).shape());
    for (Tensor w : layer.weights().values()) {
      w.zeroGrad();
    }
    layer.apply(input, false).mul(probe).sum().backward();
    checkAgainstNumeric(layer, input, input, probe, "input");
    for (Map.Entry<String, Tensor> w : layer.trainableWeights().entrySet()) {
      checkAgainstNumeric(layer, input, w.getValue(), probe, w.getKey());
    }
  }

  private static void checkAgainstNumeric(Layer layer, Tensor input, Tensor target, Tensor probe,
      String what) {
    float[] analytic = target.grad().toFloatArray();
    float[] values = target.toFloatArray();
    float eps = 1e-2f;
    for (int i = 0; i < values.length; i++) {
      float saved = values[i];
      values[i] = saved + eps;
      target.assign(Tensor.of(values, target.shape()));
      double plus = project(layer, input, probe);
      values[i] = saved - eps;
      target.assign(Tensor.of(values, target.shape()));
      double minus = project(layer, input, probe);
      values[i] = saved;
      target.assign(Tensor.of(values, target.shape()));
      double numeric = (plus - minus) / (2.0 * eps);
      if (Math.abs(numeric - analytic[i]) > 2e-2 * Math.max(1.0, Math.abs(numeric))) {
        fail(layer + ": gradient of " + what + " at " + i + " is " + analytic[i]
            + " but finite differences give " + numeric);
      }
    }
  }

  private static double project(Layer layer, Tensor input, Tensor probe) {
    try (var scope = Tensor.noGrad()) {
      float[] out = layer.apply(input, false).toFloatArray();
      float[] p = probe.toFloatArray();
      double s = 0;
      for (int i = 0; i < out.length; i++) {
        s += (double) out[i] * p[i];
      }
      return s;
    }
  }

  private static void trainingStepChangesWeights(Layer layer, Tensor x) {
    if (layer.trainableWeights().isEmpty()) {
      return;
    }
    Map<String, Tensor> before = new java.util.LinkedHashMap<>();
    layer.trainableWeights().forEach((k, v) -> before.put(k, Tensor.of(v.toFloatArray(),
        v.shape())));
    for (Tensor w : layer.weights().values()) {
      w.zeroGrad();
    }
    Tensor loss = layer.apply(x, true).square().mean();
    loss.backward();
    var sgd = new ai.lepton.optimizers.SGD(0.1f);
    sgd.step(layer.trainableWeights());
    layer.trainableWeights().forEach((k, v) -> assertNotEquals(
        Arrays.toString(before.get(k).toFloatArray()), Arrays.toString(v.toFloatArray()),
        "training step should change " + k));
  }
}
