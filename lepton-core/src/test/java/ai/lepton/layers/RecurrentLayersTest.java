package ai.lepton.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.lepton.LeptonException;
import ai.lepton.models.Sequential;
import ai.lepton.tensor.Tensor;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** LSTM, GRU, SimpleRNN and Bidirectional: harness, states, direction, masks, dropout. */
class RecurrentLayersTest {
  private static <L extends Layer> L built(L layer, int... inputShape) {
    layer.name("rnn");
    layer.build(inputShape, new SplittableRandom(5));
    return layer;
  }

  private static Tensor rand(long seed, int... shape) {
    return Tensor.uniform(new SplittableRandom(seed), -1f, 1f, shape);
  }

  private static float[] row(Tensor t, int index) {
    int width = t.size() / t.dim(0);
    return Arrays.copyOfRange(t.toFloatArray(), index * width, (index + 1) * width);
  }

  @Test
  void recurrentLayersPassTheHarness() throws Exception {
    LayerHarness.check(new LSTM(2), new int[] {4, 3}, 3 * 8 + 2 * 8 + 8);
    LayerHarness.check(new LSTM(2).returnSequences(true).goBackwards(true), new int[] {3, 2},
        2 * 8 + 2 * 8 + 8);
    LayerHarness.check(new GRU(2).returnSequences(true), new int[] {4, 3}, 3 * 6 + 2 * 6 + 2 * 6);
    LayerHarness.check(new SimpleRNN(3), new int[] {4, 2}, 2 * 3 + 3 * 3 + 3);
    LayerHarness.check(new Bidirectional(new GRU(2).returnSequences(true)), new int[] {3, 2},
        2 * (2 * 6 + 2 * 6 + 2 * 6));
    LayerHarness.check(new Bidirectional(new LSTM(2), "ave"), new int[] {3, 2},
        2 * (2 * 8 + 2 * 8 + 8));
  }

  @Test
  void lstmStartsWithAForgetBiasOfOneAndAnOrthogonalRecurrentKernel() {
    LSTM lstm = built(new LSTM(3), 5, 2);
    assertArrayEquals(new float[] {0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0},
        lstm.weights().get("bias").toFloatArray());
    Tensor u = lstm.weights().get("recurrent_kernel"); // (3, 12): orthonormal rows
    Tensor gram = u.matmul(u, false, true);
    float[] g = gram.toFloatArray();
    for (int i = 0; i < 3; i++) {
      for (int j = 0; j < 3; j++) {
        assertEquals(i == j ? 1f : 0f, g[i * 3 + j], 1e-5f, "U U^T at " + i + "," + j);
      }
    }
  }

  @Test
  void returnStateGivesTheFinalStatesAfterTheOutput() {
    LSTM lstm = built(new LSTM(3).returnSequences(true).returnState(true), 4, 2);
    assertEquals(3, lstm.outputShapes(List.of(new int[] {4, 2})).size());
    List<Tensor> out = lstm.apply(List.of(rand(1, 2, 4, 2)), Collections.singletonList(null),
        false);
    assertArrayEquals(new int[] {2, 4, 3}, out.get(0).shape());
    assertArrayEquals(new int[] {2, 3}, out.get(1).shape());
    assertArrayEquals(new int[] {2, 3}, out.get(2).shape());
    assertArrayEquals(out.get(0).slice(1, 3, 4).reshape(2, 3).toFloatArray(),
        out.get(1).toFloatArray(), "h is the last output");
    assertNotEquals(Arrays.toString(out.get(1).toFloatArray()),
        Arrays.toString(out.get(2).toFloatArray()), "c differs from h");
  }

  @Test
  void goBackwardsEqualsRunningOnTheReversedSequence() {
    Tensor x = rand(2, 2, 5, 3);
    GRU backwards = built(new GRU(4).goBackwards(true), 5, 3);
    GRU forwards = built(new GRU(4), 5, 3);
    backwards.weights().forEach((k, v) -> forwards.weights().get(k).assign(v));
    assertArrayEquals(forwards.apply(Recurrent.reverseTime(x), false).toFloatArray(),
        backwards.apply(x, false).toFloatArray(), 1e-6f);
  }

  @Test
  void paddedSequencesGiveTheSameFinalOutputAsUnpaddedOnes() {
    // Embedding(mask_zero) -> LSTM in a Sequential: id 0 is padding, anywhere in the sequence
    Sequential model = new Sequential().add(new Embedding(10, 4, true)).add(new LSTM(3));
    model.build(7, 6);
    Sequential shortModel = new Sequential().add(new Embedding(10, 4, true)).add(new LSTM(3));
    shortModel.build(8, 3);
    shortModel.setWeights(model.copyWeights());
    Tensor padded = model.predict(Tensor.of(new float[] {0, 0, 3, 5, 0, 9, 7, 2, 2, 0, 0, 0}, 2,
        6));
    Tensor unpadded = shortModel.predict(Tensor.of(new float[] {3, 5, 9, 7, 2, 2}, 2, 3));
    assertArrayEquals(unpadded.toFloatArray(), padded.toFloatArray(), 1e-6f);
  }

  @Test
  void maskedBidirectionalSequencesPoolToTheSameValuesAsUnpaddedOnes() {
    // the mask flows Embedding -> Bidirectional(return_sequences) -> masked average over time
    Sequential model = new Sequential().add(new Embedding(10, 4, true))
        .add(new Bidirectional(new LSTM(3).returnSequences(true)))
        .add(new GlobalAveragePooling1D());
    model.build(7, 5);
    Sequential shortModel = new Sequential().add(new Embedding(10, 4, true))
        .add(new Bidirectional(new LSTM(3).returnSequences(true)))
        .add(new GlobalAveragePooling1D());
    shortModel.build(8, 3);
    shortModel.setWeights(model.copyWeights());
    Tensor padded = model.predict(Tensor.of(new float[] {4, 8, 1, 0, 0}, 1, 5));
    Tensor unpadded = shortModel.predict(Tensor.of(new float[] {4, 8, 1}, 1, 3));
    assertArrayEquals(unpadded.toFloatArray(), padded.toFloatArray(), 1e-6f);
  }

  @Test
  void maskedStepsRepeatTheLastOutputAloneAndAreZeroInsideBidirectional() {
    Tensor x = rand(3, 1, 4, 2);
    Tensor mask = Tensor.of(new float[] {1, 0, 1, 0}, 1, 4);
    SimpleRNN rnn = built(new SimpleRNN(2).returnSequences(true), 4, 2);
    float[] y = rnn.apply(x, mask, false).toFloatArray();
    assertArrayEquals(Arrays.copyOfRange(y, 0, 2), Arrays.copyOfRange(y, 2, 4));
    assertArrayEquals(Arrays.copyOfRange(y, 4, 6), Arrays.copyOfRange(y, 6, 8));

    Bidirectional bi = built(new Bidirectional(new SimpleRNN(2).returnSequences(true)), 4, 2);
    float[] b = bi.apply(x, mask, false).toFloatArray(); // (1, 4, 4)
    assertArrayEquals(new float[4], Arrays.copyOfRange(b, 4, 8), 0f);
    assertArrayEquals(new float[4], Arrays.copyOfRange(b, 12, 16), 0f);
    assertEquals(mask, bi.computeMask(x, mask));
  }

  @Test
  void bidirectionalConcatenatesTheForwardAndTheReversedBackwardPass() {
    Tensor x = rand(4, 2, 3, 2);
    Bidirectional bi = built(new Bidirectional(new LSTM(2).returnSequences(true)), 3, 2);
    LSTM fwd = built(new LSTM(2).returnSequences(true), 3, 2);
    LSTM bwd = built(new LSTM(2).returnSequences(true).goBackwards(true), 3, 2);
    bi.weights().forEach((k, v) -> (k.startsWith("forward/") ? fwd : bwd).weights()
        .get(k.substring(k.indexOf('/') + 1)).assign(v));
    Tensor expected = Tensor.concat(-1, fwd.apply(x, false),
        Recurrent.reverseTime(bwd.apply(x, false)));
    assertArrayEquals(expected.toFloatArray(), bi.apply(x, false).toFloatArray(), 1e-6f);
    assertArrayEquals(new int[] {3, 4}, bi.outputShape(new int[] {3, 2}));
    Bidirectional states = built(new Bidirectional(new LSTM(2).returnState(true), "sum"), 3, 2);
    assertEquals(5, states.apply(List.of(x), Collections.singletonList(null), false).size());
  }

  @Test
  void dropoutActsOnlyWhileTrainingWithOneMaskPerSequence() {
    Tensor x = rand(6, 8, 5, 3);
    LSTM lstm = built(new LSTM(4).dropout(0.5f).recurrentDropout(0.3f), 5, 3);
    assertArrayEquals(lstm.apply(x, false).toFloatArray(), lstm.apply(x, false).toFloatArray());
    assertNotEquals(Arrays.toString(lstm.apply(x, false).toFloatArray()),
        Arrays.toString(lstm.apply(x, true).toFloatArray()));
    // without recurrence each step sees the same input, so one mask per sequence gives each
    // sequence the same output at every step
    SimpleRNN rnn = built(new SimpleRNN(3).dropout(0.5f).returnSequences(true), 5, 3);
    rnn.weights().get("recurrent_kernel").assign(Tensor.zeros(3, 3));
    Tensor y = rnn.apply(Tensor.ones(8, 5, 3), true); // (8, 5, 3)
    for (int b = 0; b < 8; b++) {
      float[] steps = row(y, b);
      for (int t = 1; t < 5; t++) {
        assertArrayEquals(Arrays.copyOfRange(steps, 0, 3), Arrays.copyOfRange(steps, 3 * t,
            3 * t + 3), "sequence " + b + " step " + t);
      }
    }
  }

  @Test
  void rnnConfigsRoundTripWithKerasNames() {
    var config = Layers.toConfig(new LSTM(8).returnSequences(true).recurrentDropout(0.25f));
    assertEquals("LSTM", config.get("class_name").asText());
    var c = config.get("config");
    assertTrue(c.get("return_sequences").asBoolean());
    assertEquals("orthogonal", c.get("recurrent_initializer").asText());
    assertTrue(c.get("unit_forget_bias").asBoolean());
    assertEquals(0.25, c.get("recurrent_dropout").asDouble(), 1e-9);
    var bi = Layers.toConfig(new Bidirectional(new GRU(4), "mul"));
    assertEquals("GRU", bi.get("config").get("layer").get("class_name").asText());
    assertEquals("mul", bi.get("config").get("merge_mode").asText());
    Layer again = Layers.fromConfig(bi);
    assertEquals(((Bidirectional) again).config(), Layers.fromConfig(bi).config());
  }

  @Test
  void badConfigurationsAreExplained() {
    assertMessage(() -> new LSTM(0), "positive number of units");
    assertMessage(() -> new GRU(3).dropout(1f), "dropout in [0, 1)");
    assertMessage(() -> new Bidirectional(new Dense(3)), "expected a recurrent layer");
    assertMessage(() -> new Bidirectional(new LSTM(3), "max"), "merge_mode");
    assertMessage(() -> new LSTM(new LSTM.Config(null, true, 3, "relu", "sigmoid", true,
        "glorot_uniform", "orthogonal", "zeros", true, 0f, 0f, false, false, false, null)),
        "activation=\"tanh\"");
    assertMessage(() -> new GRU(new GRU.Config(null, true, 3, "tanh", "sigmoid", true,
        "glorot_uniform", "orthogonal", "zeros", 0f, 0f, false, false, false, false, null)),
        "reset_after=true");
    LSTM lstm = built(new LSTM(2), 4, 3);
    assertMessage(() -> lstm.outputShape(new int[] {3}), "(batch, time, features)");
    assertMessage(() -> lstm.returnSequences(true), "set return_sequences before the layer");
    assertNull(lstm.computeMask(rand(1, 1, 4, 3), Tensor.ones(1, 4)));
  }

  private static void assertMessage(org.junit.jupiter.api.function.Executable e, String part) {
    LeptonException ex = assertThrows(LeptonException.class, e);
    assertTrue(ex.getMessage().contains(part), ex.getMessage());
  }
}
