package ai.lepton.layers;

import static ai.lepton.LeptonAssertions.assertFailsWith;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.lepton.LeptonException;
import ai.lepton.regularizers.Regularizers;
import ai.lepton.tensor.Tensor;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Conv2D's options: builder setters, their config round trip, and weight regularizers. */
class Conv2DTest {

  @Test
  void settersReachTheConfigTheOutputShapeAndTheJsonRoundTrip() throws Exception {
    Conv2D conv = new Conv2D(4, 3, 2, "relu").strides(2, 1).padding("same").dilationRate(1, 2)
        .useBias(false).kernelInitializer("he_normal").biasInitializer("ones")
        .kernelRegularizer(Regularizers.l2(0.5f)).biasRegularizer(Regularizers.l1(0.25f));
    Conv2D.Config c = conv.config();
    assertEquals(List.of(2, 1), c.strides());
    assertEquals("same", c.padding());
    assertEquals(List.of(1, 2), c.dilationRate());
    assertEquals(false, c.useBias());
    assertEquals("he_normal", c.kernelInitializer());
    assertEquals("ones", c.biasInitializer());
    assertEquals("l2", c.kernelRegularizer().get("name"));
    assertEquals("l1", c.biasRegularizer().get("name"));
    // same padding: ceil(7 / 2) x ceil(5 / 1)
    assertArrayEquals(new int[] {4, 5, 4}, conv.outputShape(new int[] {7, 5, 3}));

    Layer again = Layers.fromConfig(Layers.toConfig(conv));
    assertEquals(c, again.config());
    again.build(new int[] {7, 5, 3}, new SplittableRandom(1));
    assertArrayEquals(new int[] {3, 2, 3, 4}, again.weights().get("kernel").shape());
    assertNull(again.weights().get("bias"), "useBias(false) creates no bias");
    assertEquals(0.5f * sumOfSquares(again.weights().get("kernel")),
        again.regularization().item(), 1e-4, "the round-tripped kernel regularizer applies");
  }

  @Test
  void kernelAndBiasRegularizersAddTheirPenalties() {
    Conv2D conv = new Conv2D(2, 2, 2, "linear").biasInitializer("ones")
        .kernelRegularizer(Regularizers.l2(0.5f)).biasRegularizer(Regularizers.l1(0.25f));
    conv.build(new int[] {3, 3, 1}, new SplittableRandom(2));
    Tensor kernel = conv.weights().get("kernel");
    float expected = 0.5f * sumOfSquares(kernel) + 0.25f * 2; // bias = [1, 1]
    assertEquals(expected, conv.regularization().item(), 1e-5);
    assertNull(new Conv2D(2, 2, 2, "linear").regularization(), "no regularizer, no penalty");
  }

  @Test
  void optionsAreRefusedAfterBuildAndBadValuesSayWhatWasReceived() {
    Conv2D conv = new Conv2D(2, 2, 2, "linear");
    conv.build(new int[] {3, 3, 1}, new SplittableRandom(3));
    LeptonException late = assertThrows(LeptonException.class, () -> conv.padding("same"));
    assertTrue(late.getMessage().contains("before the layer is built"), late.getMessage());
    LeptonException bad = assertThrows(LeptonException.class,
        () -> new Conv2D(2, 2, 2, "linear").padding("full"));
    assertTrue(bad.getMessage().contains("\"full\""), bad.getMessage());
    assertFailsWith("received [2, 2], [0, 1], [1, 1]",
        () -> new Conv2D(2, 2, 2, "linear").strides(0, 1));
    assertFailsWith("unknown initializer \"no_such_initializer\"",
        () -> new Conv2D(2, 2, 2, "linear").kernelInitializer("no_such_initializer"));
  }

  private static float sumOfSquares(Tensor t) {
    float s = 0;
    for (float v : t.toFloatArray()) {
      s += v * v;
    }
    return s;
  }
}
