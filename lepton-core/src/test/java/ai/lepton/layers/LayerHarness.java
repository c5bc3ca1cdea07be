package ai.lepton.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import ai.lepton.GradCheck;
import ai.lepton.tensor.Tensor;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The checks every layer passes, as Keras' layer test harness: output shapes, weight counts, config
 * and weights round trip, gradients against finite differences (double-precision accumulation), and
 * one training step that changes the trainable weights.
 */
final class LayerHarness {
  /** The batch size of every check; masks passed in are {@code [BATCH, time]}. */
  static final int BATCH = 3;
  private static final ObjectMapper JSON = new ObjectMapper();

  private LayerHarness() {}

  /**
   * @param layer an unbuilt layer
   * @param inputShape one sample's shape
   * @param expectedWeights the expected number of weight values
   */
  static void check(Layer layer, int[] inputShape, long expectedWeights) throws Exception {
    check(layer, List.of(inputShape), Collections.singletonList(null), expectedWeights);
  }

  /**
   * The same checks through the list protocol, for layers with several inputs or masked inputs: the
   * first output is checked.
   *
   * @param masks one per input, {@code [BATCH, time]} or {@code null}
   */
  static void check(Layer layer, List<int[]> inputShapes, List<Tensor> masks,
      long expectedWeights) throws Exception {
    check(layer, inputShapes, masks, expectedWeights, 0);
  }

  /**
   * The checks for a layer fed integer ids (Embedding): inputs are ids in {@code [0, vocabulary)},
   * and only the weights' gradients are checked, since ids have none.
   */
  static void checkIds(Layer layer, int[] inputShape, int vocabulary, long expectedWeights)
      throws Exception {
    check(layer, List.of(inputShape), Collections.singletonList(null), expectedWeights,
        vocabulary);
  }

  /** {@code vocabulary > 0}: integer-id inputs, as {@link #checkIds}. */
  private static void check(Layer layer, List<int[]> inputShapes, List<Tensor> masks,
      long expectedWeights, int vocabulary) throws Exception {
    SplittableRandom rng = new SplittableRandom(9);
    layer.name("under_test");
    layer.build(inputShapes, rng);
    assertEquals(expectedWeights, layer.parameterCount(), "weight count");

    List<Tensor> x = new ArrayList<>();
    for (int[] inputShape : inputShapes) {
      int[] xShape = new int[inputShape.length + 1];
      xShape[0] = BATCH;
      System.arraycopy(inputShape, 0, xShape, 1, inputShape.length);
      Tensor values = Tensor.uniform(rng, -1f, 1f, xShape);
      if (vocabulary > 0) {
        float[] ids = Tensor.uniform(rng, 0f, vocabulary, xShape).toFloatArray();
        for (int i = 0; i < ids.length; i++) {
          ids[i] = Math.min(vocabulary - 1, (float) Math.floor(ids[i]));
        }
        values = Tensor.of(ids, xShape);
      }
      x.add(values);
    }
    Tensor y = apply(layer, x, masks, false);
    int[] out = layer.outputShapes(inputShapes).get(0);
    int[] expectedOut = new int[out.length + 1];
    expectedOut[0] = BATCH;
    System.arraycopy(out, 0, expectedOut, 1, out.length);
    assertArrayEquals(expectedOut, y.shape(), "output shape");

    // config round trip through JSON, then the same weights give the same outputs
    JsonNode config = JSON.readTree(JSON.writeValueAsString(Layers.toConfig(layer)));
    Layer copy = Layers.fromConfig(config);
    assertEquals(layer.getClass(), copy.getClass());
    assertEquals("under_test", copy.name(), "the config keeps the layer's name");
    assertEquals(layer.config(), copy.config(), "config round trip");
    copy.build(inputShapes, new SplittableRandom(123));
    for (Map.Entry<String, Tensor> w : layer.weights().entrySet()) {
      copy.weights().get(w.getKey()).assign(w.getValue());
    }
    assertArrayEquals(y.toFloatArray(), apply(copy, x, masks, false).toFloatArray(),
        "weights round trip");

    gradientCheck(layer, x, masks, vocabulary == 0);
    trainingStepChangesWeights(layer, x, masks);
  }

  private static Tensor apply(Layer layer, List<Tensor> x, List<Tensor> masks, boolean training) {
    return layer.apply(x, masks, training).get(0);
  }

  private static void gradientCheck(Layer layer, List<Tensor> x, List<Tensor> masks,
      boolean inputGradients) {
    Map<String, Tensor> targets = new LinkedHashMap<>();
    List<Tensor> inputs = new ArrayList<>();
    for (Tensor t : x) {
      Tensor input = Tensor.of(t.toFloatArray(), t.shape()).requiresGrad(inputGradients);
      inputs.add(input);
      if (inputGradients) {
        targets.put("input " + targets.size(), input);
      }
    }
    targets.putAll(layer.trainableWeights());
    GradCheck.check(layer.toString(), () -> apply(layer, inputs, masks, false), targets);
  }

  private static void trainingStepChangesWeights(Layer layer, List<Tensor> x, List<Tensor> masks) {
    if (layer.trainableWeights().isEmpty()) {
      return;
    }
    Map<String, Tensor> before = new LinkedHashMap<>();
    layer.trainableWeights().forEach((k, v) -> before.put(k, Tensor.of(v.toFloatArray(),
        v.shape())));
    for (Tensor w : layer.weights().values()) {
      w.zeroGrad();
    }
    Tensor loss = apply(layer, x, masks, true).square().mean();
    loss.backward();
    // A weight the output is invariant to still gets a (zero) gradient, which the finite-difference
    // check has confirmed: attention's key bias shifts a query's scores evenly, and softmax ignores
    // that. Only a weight no gradient reaches at all is a broken graph.
    List<String> invariant = new ArrayList<>();
    layer.trainableWeights().forEach((k, v) -> {
      assertNotNull(v.grad(), "no gradient reaches " + k);
      if (maxAbs(v.grad()) < 1e-6) {
        invariant.add(k);
      }
    });
    var sgd = new ai.lepton.optimizers.SGD(0.1f);
    sgd.step(layer.trainableWeights());
    layer.trainableWeights().forEach((k, v) -> {
      if (!invariant.contains(k)) {
        assertNotEquals(Arrays.toString(before.get(k).toFloatArray()),
            Arrays.toString(v.toFloatArray()), "training step should change " + k);
      }
    });
  }

  private static double maxAbs(Tensor t) {
    double max = 0;
    for (float v : t.toFloatArray()) {
      max = Math.max(max, Math.abs(v));
    }
    return max;
  }
}
