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
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** TransformerEncoder and TokenAndPositionEmbedding. */
class TransformerTest {
  private final SplittableRandom rng = new SplittableRandom(21);

  /** Hidden 4, 2 heads of 2, feed-forward 6: attention 4 * 20, two norms of 8, dense 30 + 28. */
  private static final long ENCODER_WEIGHTS = 4 * 20 + 2 * 8 + (4 * 6 + 6) + (6 * 4 + 4);

  private static TransformerEncoder encoder(float dropout, String activation,
      boolean normalizeFirst) {
    return new TransformerEncoder(new TransformerEncoder.Config(null, true, 6, 2, dropout,
        activation, 1e-5f, "glorot_uniform", "random_uniform", normalizeFirst));
  }

  @Test
  void encoderHarnessPostAndPreNormWithAndWithoutMask() throws Exception {
    // gelu: a smooth activation keeps the finite differences away from relu's kink
    LayerHarness.check(encoder(0f, "gelu", false), new int[] {3, 4}, ENCODER_WEIGHTS);
    Tensor mask = Tensor.of(new float[] {1, 1, 0, 1, 0, 0, 1, 1, 1}, LayerHarness.BATCH, 3);
    LayerHarness.check(encoder(0.1f, "gelu", false), List.of(new int[] {3, 4}),
        Arrays.asList(mask), ENCODER_WEIGHTS);
    LayerHarness.check(encoder(0f, "tanh", true), List.of(new int[] {3, 4}),
        Arrays.asList(mask), ENCODER_WEIGHTS);
  }

  @Test
  void encoderMatchesPyTorchTransformerEncoderLayerForwardAndBackward() {
    JsonNode cases = Golden.cases("transformer");
    Golden.caseNames(cases).forEach(name -> {
      JsonNode c = cases.get(name);
      Tensor x = Golden.tensor(c.get("x")).requiresGrad(true);
      TransformerEncoder e = new TransformerEncoder(new TransformerEncoder.Config(null, true,
          c.get("intermediate_dim").asInt(), c.get("num_heads").asInt(), 0f, "relu", 1e-5f,
          "glorot_uniform", "zeros", c.get("normalize_first").asBoolean()));
      e.name("encoder");
      e.build(Arrays.copyOfRange(x.shape(), 1, 3), rng);
      assertEquals(e.weights().size(), c.get("weights").size(), "every weight is mapped");
      c.get("weights").properties().forEach(
          w -> e.weights().get(w.getKey()).assign(Golden.tensor(w.getValue())));
      Tensor out = e.apply(x, Golden.tensor(c.get("mask")), false);
      Golden.assertClose(name, c.get("output"), out, 1e-4, 1e-5);
      out.backward(Golden.tensor(c.get("grad_output")));
      Golden.assertClose(name + " d/dx", c.get("grads").get("x"), x.grad(), 1e-4, 1e-5);
    });
  }

  @Test
  void encoderWeightsCarryKerasHubNames() {
    TransformerEncoder e = encoder(0f, "relu", false);
    e.name("encoder");
    e.build(new int[] {5, 4}, rng);
    assertEquals(List.of("self_attention_layer/query/kernel", "self_attention_layer/query/bias",
        "self_attention_layer/key/kernel", "self_attention_layer/key/bias",
        "self_attention_layer/value/kernel", "self_attention_layer/value/bias",
        "self_attention_layer/attention_output/kernel",
        "self_attention_layer/attention_output/bias", "self_attention_layer_norm/gamma",
        "self_attention_layer_norm/beta", "feedforward_intermediate_dense/kernel",
        "feedforward_intermediate_dense/bias", "feedforward_output_dense/kernel",
        "feedforward_output_dense/bias", "feedforward_layer_norm/gamma",
        "feedforward_layer_norm/beta"), List.copyOf(e.weights().keySet()));
    assertArrayEquals(new int[] {4, 2, 2}, e.weights().get("self_attention_layer/query/kernel")
        .shape());
    assertEquals(ENCODER_WEIGHTS, e.parameterCount());
  }

  @Test
  void paddedStepsDoNotChangeTheValidStepsOfAnEncoder() {
    TransformerEncoder e = encoder(0f, "relu", false);
    e.name("encoder");
    e.build(new int[] {5, 4}, rng);
    Tensor mask = Tensor.of(new float[] {1, 1, 1, 0, 0, 1, 1, 1, 1, 1}, 2, 5);
    float[] x = Tensor.uniform(rng, -1f, 1f, 2, 5, 4).toFloatArray();
    float[] before = e.apply(Tensor.of(x, 2, 5, 4), mask, false).toFloatArray();
    for (int i = 3 * 4; i < 5 * 4; i++) {
      x[i] = 50f; // steps 3 and 4 of the first sequence are padding
    }
    float[] after = e.apply(Tensor.of(x, 2, 5, 4), mask, false).toFloatArray();
    assertArrayEquals(Arrays.copyOf(before, 3 * 4), Arrays.copyOf(after, 3 * 4), "valid steps");
    assertArrayEquals(Arrays.copyOfRange(before, 20, 40), Arrays.copyOfRange(after, 20, 40),
        "the other sequence");
    float[] unmasked = e.apply(Tensor.of(x, 2, 5, 4), false).toFloatArray();
    assertNotEquals(after[0], unmasked[0], "without the mask the padding is attended to");
    assertEquals(mask, e.computeMask(Tensor.of(x, 2, 5, 4), mask));
  }

  @Test
  void tokenAndPositionEmbeddingAddsTheRowOfEachIdAndPosition() throws Exception {
    TokenAndPositionEmbedding emb = new TokenAndPositionEmbedding(6, 5, 3, true);
    emb.name("emb");
    emb.build(new int[] {4}, rng);
    assertEquals(List.of("token_embedding/embeddings", "position_embedding/embeddings"),
        List.copyOf(emb.weights().keySet()));
    float[] tokens = emb.weights().get("token_embedding/embeddings").toFloatArray(); // (6, 3)
    float[] positions = emb.weights().get("position_embedding/embeddings").toFloatArray(); // (5, 3)
    Tensor ids = Tensor.of(new float[] {4, 2, 0, 0, 1, 5, 3, 0}, 2, 4);
    float[] y = emb.apply(ids, false).toFloatArray();
    assertEquals(tokens[2 * 3 + 1] + positions[1 * 3 + 1], y[(0 * 4 + 1) * 3 + 1], 1e-7);
    assertEquals(tokens[3 * 3 + 2] + positions[2 * 3 + 2], y[(1 * 4 + 2) * 3 + 2], 1e-7);
    assertArrayEquals(new float[] {1, 1, 0, 0, 1, 1, 1, 0}, emb.computeMask(ids, null)
        .toFloatArray());

    ObjectMapper json = new ObjectMapper();
    Layer copy = Layers.fromConfig(json.readTree(json.writeValueAsString(Layers.toConfig(emb))));
    assertEquals(emb.config(), copy.config());

    Tensor table = emb.weights().get("token_embedding/embeddings");
    Tensor positionTable = emb.weights().get("position_embedding/embeddings");
    table.zeroGrad();
    positionTable.zeroGrad();
    emb.apply(ids, true).sum().backward();
    assertEquals(3f, table.grad().get(0, 0), "id 0 appears three times");
    assertEquals(2f, positionTable.grad().get(3, 1), "position 3 in both sequences");
    assertEquals(0f, positionTable.grad().get(4, 1), "position 4 is beyond the sequences");
  }

  @Test
  void positionEmbeddingGivesTheFirstRowsForEverySequence() throws Exception {
    LayerHarness.check(new PositionEmbedding(5), new int[] {3, 2}, 5 * 2);
    PositionEmbedding p = new PositionEmbedding(5);
    p.name("pos");
    p.build(new int[] {3, 2}, rng);
    float[] rows = p.weights().get("embeddings").toFloatArray(); // (5, 2)
    float[] y = p.apply(Tensor.uniform(rng, -1f, 1f, 2, 3, 2), false).toFloatArray();
    assertArrayEquals(Arrays.copyOf(rows, 6), Arrays.copyOf(y, 6), "first sequence");
    assertArrayEquals(Arrays.copyOf(rows, 6), Arrays.copyOfRange(y, 6, 12), "second sequence");
  }

  @Test
  void wrongShapesAndConfigsAreExplained() {
    LeptonException tooLong = assertThrows(LeptonException.class,
        () -> new TokenAndPositionEmbedding(10, 4, 8, false).outputShape(new int[] {6}));
    assertTrue(tooLong.getMessage().contains("time <= sequence_length=4"), tooLong.getMessage());
    LeptonException flat = assertThrows(LeptonException.class,
        () -> new TransformerEncoder(8, 2).outputShape(new int[] {16}));
    assertTrue(flat.getMessage().contains("put an Embedding in front"), flat.getMessage());
    LeptonException heads = assertThrows(LeptonException.class,
        () -> new TransformerEncoder(8, 4).outputShape(new int[] {5, 2}));
    assertTrue(heads.getMessage().contains("use fewer heads"), heads.getMessage());
    assertFailsWith("received dropout=1.0", () -> encoder(1f, "relu", false));
  }
}
