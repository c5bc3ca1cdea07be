package ai.lepton.layers;

import static ai.lepton.LeptonAssertions.assertFailsWith;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.lepton.Golden;
import ai.lepton.LeptonException;
import ai.lepton.tensor.Tensor;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** MultiHeadAttention: PyTorch parity, masks, weights layout, harness. */
class MultiHeadAttentionTest {
  private final SplittableRandom rng = new SplittableRandom(11);

  private static MultiHeadAttention mha(int heads, int keyDim, Integer valueDim,
      Integer outputShape, boolean causal) {
    return new MultiHeadAttention(new MultiHeadAttention.Config(null, true, heads, keyDim,
        valueDim, 0f, true, outputShape, causal, "glorot_uniform", "random_uniform", null));
  }

  private static List<int[]> shapes(Tensor... inputs) {
    return Arrays.stream(inputs).map(t -> Arrays.copyOfRange(t.shape(), 1, t.rank())).toList();
  }

  @Test
  void matchesPyTorchMultiheadAttentionForwardAndBackwardWithMappedWeights() {
    JsonNode cases = Golden.cases("attention");
    Golden.caseNames(cases).forEach(name -> {
      JsonNode c = cases.get(name);
      Tensor query = Golden.tensor(c.get("query")).requiresGrad(true);
      Tensor value = Golden.tensor(c.get("value")).requiresGrad(true);
      Tensor key = Golden.tensor(c.get("key")).requiresGrad(true);
      MultiHeadAttention layer = mha(c.get("num_heads").asInt(), c.get("key_dim").asInt(), null,
          null, c.get("use_causal_mask").asBoolean());
      layer.name("mha");
      layer.build(shapes(query, value, key), rng);
      assertEquals(8, layer.weights().size(), "four kernels and four biases");
      c.get("weights").properties().forEach(
          w -> layer.weights().get(w.getKey()).assign(Golden.tensor(w.getValue())));
      Tensor valueMask = c.has("value_mask") ? Golden.tensor(c.get("value_mask")) : null;
      Tensor out = layer.apply(List.of(query, value, key), Arrays.asList(null, valueMask, null),
          false).get(0);
      Golden.assertClose(name, c.get("output"), out, 1e-4, 1e-5);
      out.backward(Golden.tensor(c.get("grad_output")));
      Golden.assertClose(name + " d/dquery", c.get("grads").get("query"), query.grad(), 1e-4, 1e-5);
      Golden.assertClose(name + " d/dvalue", c.get("grads").get("value"), value.grad(), 1e-4, 1e-5);
      Golden.assertClose(name + " d/dkey", c.get("grads").get("key"), key.grad(), 1e-4, 1e-5);
    });
  }

  @Test
  void weightsHaveKerasNamesAndLayouts() {
    MultiHeadAttention layer = mha(3, 4, 5, 7, false);
    layer.name("mha");
    layer.build(List.of(new int[] {2, 6}, new int[] {9, 10}, new int[] {9, 11}), rng);
    assertEquals(List.of("query/kernel", "query/bias", "key/kernel", "key/bias", "value/kernel",
        "value/bias", "attention_output/kernel", "attention_output/bias"),
        List.copyOf(layer.weights().keySet()));
    assertArrayEquals(new int[] {6, 3, 4}, layer.weights().get("query/kernel").shape());
    assertArrayEquals(new int[] {11, 3, 4}, layer.weights().get("key/kernel").shape());
    assertArrayEquals(new int[] {10, 3, 5}, layer.weights().get("value/kernel").shape());
    assertArrayEquals(new int[] {3, 5}, layer.weights().get("value/bias").shape());
    assertArrayEquals(new int[] {3, 5, 7}, layer.weights().get("attention_output/kernel").shape());
    assertArrayEquals(new int[] {7}, layer.weights().get("attention_output/bias").shape());
    assertArrayEquals(new int[] {2, 7}, layer.outputShapes(layer.inputShapes()).get(0));
  }

  @Test
  void harnessThroughMasksCausalAndSeparateKey() throws Exception {
    // query step 2 of the first sample and value steps 3-4 of the third are padding
    Tensor queryMask = Tensor.of(new float[] {1, 1, 0, 1, 1, 1, 1, 1, 1}, LayerHarness.BATCH, 3);
    Tensor valueMask = Tensor.of(new float[] {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0},
        LayerHarness.BATCH, 5);
    LayerHarness.check(mha(2, 3, null, null, false), List.of(new int[] {3, 4}, new int[] {5, 2}),
        Arrays.asList(queryMask, valueMask), 4 * 6 + 6 + 2 * 6 + 6 + 2 * 6 + 6 + 6 * 4 + 4);
    LayerHarness.check(mha(2, 2, 3, 5, false), List.of(new int[] {3, 4}, new int[] {5, 2},
        new int[] {5, 3}), Arrays.asList(null, valueMask, null),
        4 * 4 + 4 + 3 * 4 + 4 + 2 * 6 + 6 + 6 * 5 + 5);
    LayerHarness.check(mha(1, 2, null, null, true), List.of(new int[] {4, 3}, new int[] {4, 3}),
        Arrays.asList(null, null), 3 * 2 * 3 + 2 * 3 + 2 * 3 + 3);
  }

  @Test
  void paddedKeysDoNotChangeTheOutputOfAnyQuery() {
    MultiHeadAttention layer = mha(2, 4, null, null, false);
    layer.name("mha");
    layer.build(List.of(new int[] {3, 5}, new int[] {6, 5}), rng);
    Tensor query = Tensor.uniform(rng, -1f, 1f, 2, 3, 5);
    float[] v = Tensor.uniform(rng, -1f, 1f, 2, 6, 5).toFloatArray();
    Tensor mask = Tensor.of(new float[] {1, 1, 1, 1, 0, 0, 1, 1, 0, 0, 0, 0}, 2, 6);
    float[] before = layer.apply(List.of(query, Tensor.of(v, 2, 6, 5)),
        Arrays.asList(null, mask), false).get(0).toFloatArray();
    float[] unmasked = layer.apply(List.of(query, Tensor.of(v, 2, 6, 5)),
        Arrays.asList(null, null), false).get(0).toFloatArray();
    for (int i = 0; i < v.length; i++) {
      int step = (i / 5) % 6;
      int sample = i / 30;
      if (mask.get(sample, step) == 0f) {
        v[i] = 100f * (i % 7 - 3); // garbage in the padding
      }
    }
    float[] after = layer.apply(List.of(query, Tensor.of(v, 2, 6, 5)),
        Arrays.asList(null, mask), false).get(0).toFloatArray();
    assertArrayEquals(before, after, "padded keys and values must be invisible");
    assertNotEquals(Arrays.toString(before), Arrays.toString(unmasked), "the mask must matter");
  }

  @Test
  void causalMaskHidesLaterSteps() {
    MultiHeadAttention layer = mha(2, 3, null, null, true);
    layer.name("mha");
    layer.build(List.of(new int[] {5, 4}, new int[] {5, 4}), rng);
    float[] x = Tensor.uniform(rng, -1f, 1f, 1, 5, 4).toFloatArray();
    Tensor before = Tensor.of(x, 1, 5, 4);
    float[] y0 = layer.apply(List.of(before, before), Arrays.asList(null, null), false).get(0)
        .toFloatArray();
    x[3 * 4 + 1] += 1f; // change step 3
    Tensor after = Tensor.of(x, 1, 5, 4);
    float[] y1 = layer.apply(List.of(after, after), Arrays.asList(null, null), false).get(0)
        .toFloatArray();
    assertArrayEquals(Arrays.copyOf(y0, 3 * 4), Arrays.copyOf(y1, 3 * 4), "steps 0..2");
    assertNotEquals(y0[3 * 4], y1[3 * 4], "step 3 sees itself");
  }

  @Test
  void dropoutActsOnlyWhileTrainingAndTheQueryMaskPassesThrough() {
    MultiHeadAttention layer = new MultiHeadAttention(new MultiHeadAttention.Config(null, true, 2,
        4, null, 0.5f, true, null, false, "glorot_uniform", "zeros", 5L));
    layer.name("mha");
    layer.build(List.of(new int[] {4, 6}, new int[] {4, 6}), rng);
    Tensor x = Tensor.uniform(rng, -1f, 1f, 2, 4, 6);
    List<Tensor> in = List.of(x, x);
    List<Tensor> noMasks = Arrays.asList(null, null);
    assertArrayEquals(layer.apply(in, noMasks, false).get(0).toFloatArray(),
        layer.apply(in, noMasks, false).get(0).toFloatArray());
    assertNotEquals(Arrays.toString(layer.apply(in, noMasks, false).get(0).toFloatArray()),
        Arrays.toString(layer.apply(in, noMasks, true).get(0).toFloatArray()));
    Tensor mask = Tensor.ones(2, 4);
    assertEquals(mask, layer.computeMask(x, mask));
  }

  @Test
  void wrongInputsAreExplained() {
    MultiHeadAttention layer = mha(2, 4, null, null, false);
    layer.name("mha");
    LeptonException one = assertThrows(LeptonException.class,
        () -> layer.build(new int[] {3, 4}, rng));
    assertTrue(one.getMessage().contains("expected inputs [query, value] or [query, value, key], "
        + "received 1 input(s)"), one.getMessage());
    LeptonException pairs = assertThrows(LeptonException.class, () -> layer.build(
        List.of(new int[] {3, 4}, new int[] {5, 4}, new int[] {6, 4}), rng));
    assertTrue(pairs.getMessage().contains("the key has 6 steps but the value 5"),
        pairs.getMessage());
    layer.build(List.of(new int[] {3, 4}, new int[] {5, 4}), rng);
    LeptonException single = assertThrows(LeptonException.class,
        () -> layer.apply(Tensor.zeros(1, 3, 4), false));
    assertTrue(single.getMessage().contains("apply(List.of(query, value)"), single.getMessage());
    assertFailsWith("received num_heads=0", () -> mha(0, 4, null, null, false));
  }
}
