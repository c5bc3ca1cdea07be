package ai.lepton.layers;

import static ai.lepton.LeptonAssertions.assertFailsWith;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.lepton.LeptonException;
import ai.lepton.regularizers.Regularizers;
import ai.lepton.tensor.Tensor;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class LayersTest {

  @Test
  void denseHarness() throws Exception {
    LayerHarness.check(new Dense(4, "tanh"), new int[] {5}, 5 * 4 + 4);
    LayerHarness.check(new Dense(3).useBias(false).kernelInitializer("he_normal")
        .kernelRegularizer(Regularizers.l2(0.01f)), new int[] {2, 4}, 4 * 3);
  }

  @Test
  void conv2dHarness() throws Exception {
    LayerHarness.check(new Conv2D(3, 2, 3, "tanh"), new int[] {5, 4, 2}, 2 * 3 * 2 * 3 + 3);
  }

  @Test
  void poolingHarnessAndShapes() throws Exception {
    // small input: random values in one window must not tie within the finite-difference step
    LayerHarness.check(new MaxPooling2D(), new int[] {2, 2, 1}, 0);
    LayerHarness.check(new AveragePooling2D(2, 3), new int[] {5, 6, 2}, 0);
    MaxPooling2D same = new MaxPooling2D(new MaxPooling2D.Config(null, true, java.util.List.of(3, 3),
        java.util.List.of(2, 2), "same"));
    assertArrayEquals(new int[] {14, 14, 8}, same.outputShape(new int[] {28, 28, 8}));
    assertArrayEquals(new int[] {13, 13, 32}, new MaxPooling2D().outputShape(new int[] {27, 27, 32}));
    Tensor x = Tensor.of(new float[] {1, 5, 3, 2, 0, 7, 4, 6, 9}, 1, 3, 3, 1);
    MaxPooling2D p = new MaxPooling2D();
    p.name("p");
    p.build(new int[] {3, 3, 1}, new SplittableRandom(1));
    assertArrayEquals(new float[] {5}, p.apply(x, false).toFloatArray());
  }

  @Test
  void statelessLayersHarness() throws Exception {
    LayerHarness.check(new Activation("gelu"), new int[] {4}, 0);
    LayerHarness.check(new Dropout(0.5f), new int[] {6}, 0);
    LayerHarness.check(new SpatialDropout1D(0.5f), new int[] {4, 3}, 0);
    LayerHarness.check(new LayerNormalization(), new int[] {3, 4}, 8);
    LayerHarness.check(new BatchNormalization(), new int[] {3, 4}, 16);
    LayerHarness.check(new Flatten(), new int[] {2, 3}, 0);
    LayerHarness.check(new GlobalAveragePooling2D(), new int[] {3, 2, 4}, 0);
    LayerHarness.check(new GlobalMaxPooling2D(), new int[] {2, 2, 3}, 0);
    LayerHarness.check(new Reshape(3, -1), new int[] {6}, 0);
  }

  @Test
  void batchNormalizationUpdatesMovingStatisticsOnlyWhileTrainingAndTrainable() {
    BatchNormalization bn = new BatchNormalization();
    bn.name("bn");
    bn.build(new int[] {1}, new SplittableRandom(1));
    Tensor x = Tensor.of(new float[] {1f, 3f}, 2, 1); // batch mean 2, biased variance 1
    double mean = 0;
    double variance = 1;
    for (int step = 0; step < 3; step++) {
      float[] y = bn.apply(x, true).toFloatArray();
      assertEquals(-1 / Math.sqrt(1 + 1e-3), y[0], 1e-5, "training normalizes with batch stats");
      mean = mean * 0.99 + 2 * 0.01;
      variance = variance * 0.99 + 1 * 0.01;
    }
    assertEquals(mean, bn.weights().get("moving_mean").toFloatArray()[0], 1e-6);
    assertEquals(variance, bn.weights().get("moving_variance").toFloatArray()[0], 1e-6);
    float[] inference = bn.apply(x, false).toFloatArray();
    assertEquals((1 - mean) / Math.sqrt(variance + 1e-3), inference[0], 1e-5);

    bn.trainable(false);
    float[] frozen = bn.apply(x, true).toFloatArray();
    assertArrayEquals(inference, frozen, "a frozen layer runs in inference mode");
    assertEquals(mean, bn.weights().get("moving_mean").toFloatArray()[0], 1e-6);
  }

  @Test
  void embeddingHarness() throws Exception {
    LayerHarness.checkIds(new Embedding(7, 3), new int[] {4}, 7, 7 * 3);
    LayerHarness.checkIds(new TokenAndPositionEmbedding(7, 4, 3, true), new int[] {4}, 7,
        7 * 3 + 4 * 3);
  }

  @Test
  void embeddingLooksUpRowsAndNamesTheBadIdsPosition() {
    Embedding e = new Embedding(5, 3);
    e.name("emb");
    e.build(new int[] {2}, new SplittableRandom(1));
    float[] table = e.weights().get("embeddings").toFloatArray(); // (5, 3)
    Tensor y = e.apply(Tensor.of(new float[] {4f, 0f, 2f, 2f}, 2, 2), false);
    assertArrayEquals(new int[] {2, 2, 3}, y.shape());
    assertEquals(table[4 * 3 + 1], y.toFloatArray()[1]);
    assertEquals(table[2 * 3 + 2], y.toFloatArray()[3 * 3 + 2]);
    LeptonException outOfRange = assertThrows(LeptonException.class,
        () -> e.apply(Tensor.of(new float[] {0f, 5f}, 1, 2), false));
    assertTrue(outOfRange.getMessage().contains("position 1"), outOfRange.getMessage());
    LeptonException fraction = assertThrows(LeptonException.class,
        () -> e.apply(Tensor.of(new float[] {1.5f, 0f}, 1, 2), false));
    assertTrue(fraction.getMessage().contains("position 0"), fraction.getMessage());
  }

  @Test
  void embeddingWithMaskZeroMarksPaddingAndPassThroughLayersKeepTheMask() {
    Embedding e = new Embedding(5, 3, true);
    e.name("emb");
    e.build(new int[] {3}, new SplittableRandom(1));
    Tensor ids = Tensor.of(new float[] {0f, 2f, 3f, 4f, 0f, 0f}, 2, 3);
    Tensor mask = e.computeMask(ids, null);
    assertArrayEquals(new float[] {0f, 1f, 1f, 1f, 0f, 0f}, mask.toFloatArray());
    assertEquals(null, new Embedding(5, 3).computeMask(ids, null));
    Dense d = new Dense(2);
    d.name("d");
    d.build(new int[] {3, 3}, new SplittableRandom(2));
    Tensor h = e.apply(ids, false);
    assertArrayEquals(new int[] {2, 3, 2}, d.apply(h, mask, false).shape());
    assertEquals(mask, d.computeMask(h, mask));
    assertEquals(null, new Flatten().computeMask(h, mask));
    LeptonException wrongMask = assertThrows(LeptonException.class,
        () -> d.apply(h, Tensor.ones(2, 4), false));
    assertTrue(wrongMask.getMessage().contains("[batch, time]"), wrongMask.getMessage());
  }

  @Test
  void singleInputLayersRefuseSeveralInputs() {
    Dense d = new Dense(2);
    d.name("d");
    LeptonException e = assertThrows(LeptonException.class,
        () -> d.build(java.util.List.of(new int[] {3}, new int[] {3}), new SplittableRandom(1)));
    assertTrue(e.getMessage().contains("takes one input, received 2"), e.getMessage());
    d.build(new int[] {3}, new SplittableRandom(1));
    LeptonException count = assertThrows(LeptonException.class, () -> d.apply(
        java.util.List.of(Tensor.ones(1, 3), Tensor.ones(1, 3)),
        java.util.Arrays.asList(null, null), false));
    assertTrue(count.getMessage().contains("expected 1 input(s)"), count.getMessage());
  }

  @Test
  void layerNormalizationMatchesHandComputedValuesInDouble() {
    LayerNormalization ln = new LayerNormalization();
    ln.name("ln");
    ln.build(new int[] {4}, new SplittableRandom(1));
    float[] x = {1f, 2f, 4f, 7f, -3f, 0.5f, 0.25f, 9f};
    float[] y = ln.apply(Tensor.of(x, 2, 4), false).toFloatArray();
    for (int r = 0; r < 2; r++) {
      double mean = 0;
      for (int i = 0; i < 4; i++) {
        mean += x[r * 4 + i] / 4.0;
      }
      double variance = 0;
      for (int i = 0; i < 4; i++) {
        variance += (x[r * 4 + i] - mean) * (x[r * 4 + i] - mean) / 4.0;
      }
      for (int i = 0; i < 4; i++) {
        double expected = (x[r * 4 + i] - mean) / Math.sqrt(variance + 1e-3);
        assertEquals(expected, y[r * 4 + i], 1e-5, "row " + r + ", column " + i);
      }
    }
  }

  @Test
  void spatialDropout1DZeroesWholeChannelsOnlyWhileTraining() {
    SpatialDropout1D d = new SpatialDropout1D(0.5f);
    d.name("sdrop");
    d.build(new int[] {5, 200}, new SplittableRandom(1));
    Tensor x = Tensor.ones(2, 5, 200);
    float[] y = d.apply(x, true).toFloatArray();
    int dropped = 0;
    for (int b = 0; b < 2; b++) {
      for (int f = 0; f < 200; f++) {
        float first = y[(b * 5) * 200 + f];
        for (int t = 1; t < 5; t++) {
          assertEquals(first, y[(b * 5 + t) * 200 + f], "channel " + f + " differs over time");
        }
        dropped += first == 0f ? 1 : 0;
      }
    }
    assertTrue(dropped > 150 && dropped < 250, "dropped " + dropped + " of 400 channels");
    assertArrayEquals(x.toFloatArray(), d.apply(x, false).toFloatArray());
  }

  @Test
  void dropoutZeroesAboutRateOfTheInputsOnlyWhileTraining() {
    Dropout d = new Dropout(0.3f);
    d.name("drop");
    d.build(new int[] {10_000}, new SplittableRandom(1));
    Tensor x = Tensor.ones(1, 10_000);
    float[] y = d.apply(x, true).toFloatArray();
    int zeros = 0;
    for (float v : y) {
      zeros += v == 0f ? 1 : 0;
      assertTrue(v == 0f || Math.abs(v - 1f / 0.7f) < 1e-6);
    }
    assertEquals(3000, zeros, 150);
    assertArrayEquals(x.toFloatArray(), d.apply(x, false).toFloatArray());
  }

  @Test
  void dropoutMasksArePureFunctionsOfTheSeedAndTheEpoch() {
    Dropout dropout = new Dropout(0.5f);
    dropout.build(new int[] {64}, new SplittableRandom(0));
    Tensor ones = Tensor.full(1f, 1, 64);
    dropout.seedEpoch(7, 0);
    float[] epoch0 = dropout.apply(ones, true).toFloatArray();
    dropout.seedEpoch(7, 1);
    float[] epoch1 = dropout.apply(ones, true).toFloatArray();
    dropout.seedEpoch(7, 0);
    float[] epoch0Again = dropout.apply(ones, true).toFloatArray();
    assertArrayEquals(epoch0, epoch0Again);
    assertFalse(Arrays.equals(epoch0, epoch1), "each epoch draws new masks");
  }

  @Test
  void glorotUniformStaysWithinItsLimit() {
    Dense d = new Dense(200);
    d.name("d");
    d.build(new int[] {100}, new SplittableRandom(2));
    double limit = Math.sqrt(6.0 / 300);
    for (float v : d.weights().get("kernel").toFloatArray()) {
      assertTrue(Math.abs(v) <= limit);
    }
  }

  @Test
  void regularizerPenaltyIsTheL2SumOfTheKernel() {
    Dense d = new Dense(2).kernelRegularizer(Regularizers.l2(0.5f));
    d.name("d");
    d.build(new int[] {2}, new SplittableRandom(3));
    d.weights().get("kernel").assign(Tensor.of(new float[] {1, 2, 3, 4}, 2, 2));
    assertEquals(0.5f * 30f, d.regularization().item(), 1e-5);
  }

  @Test
  void badConfigurationsAreExplained() {
    LeptonException units = assertThrows(LeptonException.class, () -> new Dense(0));
    assertTrue(units.getMessage().contains("units=0"), units.getMessage());
    LeptonException act = assertThrows(LeptonException.class, () -> new Dense(3, "relu6"));
    assertTrue(act.getMessage().contains("unknown activation \"relu6\""), act.getMessage());
    assertFailsWith("expected a rate in [0, 1), received rate=1.0", () -> new Dropout(1f));
    LeptonException reshape = assertThrows(LeptonException.class, () -> {
      Reshape r = new Reshape(4, 4);
      r.name("r");
      r.build(new int[] {10}, new SplittableRandom(1));
    });
    assertTrue(reshape.getMessage().contains("cannot reshape"), reshape.getMessage());
    LeptonException shape = assertThrows(LeptonException.class, () -> {
      Dense d = new Dense(2);
      d.name("d");
      d.build(new int[] {3}, new SplittableRandom(1));
      d.apply(Tensor.zeros(4, 5), false);
    });
    assertTrue(shape.getMessage().contains("expected input of shape [batch, 3]"),
        shape.getMessage());
    ObjectMapper json = new ObjectMapper();
    LeptonException unknown = assertThrows(LeptonException.class, () -> Layers.fromConfig(
        json.readTree("{\"class_name\": \"Lambda\", \"config\": {}}")));
    assertTrue(unknown.getMessage().contains("unknown layer class \"Lambda\""),
        unknown.getMessage());
  }

  @Test
  void globalPoolingNamesTheExpectedImageShapeForFlatInputs() {
    LeptonException e = assertThrows(LeptonException.class,
        () -> new GlobalAveragePooling2D().outputShape(new int[] {784}));
    assertEquals("GlobalAveragePooling2D expects [batch, height, width, channels]; received "
        + "[batch, 784]; add a Reshape(height, width, channels) first", e.getMessage());
  }
}
