package ai.lepton.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * NaN goes through every op that could swallow it, as in PyTorch 1.13 (checked with Debian's
 * python3-torch: {@code torch.relu(nan)}, {@code leaky_relu}, {@code elu}, {@code gelu},
 * {@code clamp}, {@code maximum}, {@code minimum}, {@code max} and {@code max_pool2d} all give
 * NaN), while finite inputs and their gradients are what they were.
 */
class NaNPropagationTest {
  private static final float NAN = Float.NaN;

  @Test
  void activationsKeepNaNAndMapFiniteValuesAsBefore() {
    Tensor x = Tensor.of(new float[] {NAN, -2f, 0f, 3f}, 4);
    Object[][] cases = {
        {"relu", (UnaryOperator<Tensor>) Tensor::relu, new float[] {0f, 0f, 3f}},
        {"leakyRelu", (UnaryOperator<Tensor>) t -> t.leakyRelu(0.2f), new float[] {-0.4f, 0f, 3f}},
        {"elu", (UnaryOperator<Tensor>) t -> t.elu(1f),
            new float[] {(float) Math.expm1(-2), 0f, 3f}},
        {"clamp", (UnaryOperator<Tensor>) t -> t.clamp(-1f, 1f), new float[] {-1f, 0f, 1f}},
        {"gelu", (UnaryOperator<Tensor>) Tensor::gelu, new float[] {-0.0455001f, 0f, 2.9959502f}},
        {"softplus", (UnaryOperator<Tensor>) Tensor::softplus,
            new float[] {0.126928f, 0.6931472f, 3.0485873f}}};
    for (Object[] c : cases) {
      @SuppressWarnings("unchecked")
      float[] y = ((UnaryOperator<Tensor>) c[1]).apply(x).toFloatArray();
      assertTrue(Float.isNaN(y[0]), c[0] + "(NaN) gave " + y[0]);
      float[] finite = {y[1], y[2], y[3]};
      assertArrayEquals((float[]) c[2], finite, 1e-6f, c[0] + " of finite values");
    }
  }

  @Test
  void maximumMinimumMaxAndMaxPoolingKeepNaN() {
    Tensor a = Tensor.of(new float[] {NAN, 1f, 5f, -1f}, 4);
    Tensor b = Tensor.of(new float[] {0f, NAN, 2f, 7f}, 4);
    assertArrayEquals(new float[] {NAN, NAN, 5f, 7f}, a.maximum(b).toFloatArray());
    assertArrayEquals(new float[] {NAN, NAN, 2f, -1f}, a.minimum(b).toFloatArray());
    assertTrue(Float.isNaN(b.max(0, false).item()));

    // one 2x2 window per channel: channel 0 has NaN last in the window, channel 1 none
    Tensor image = Tensor.of(new float[] {1f, 1f, 9f, 2f, 3f, 3f, NAN, 4f}, 1, 2, 2, 2);
    Tensor pooled = image.maxPool2d(2, 2, 2, 2, false);
    assertTrue(Float.isNaN(pooled.toFloatArray()[0]), "max_pool2d over a NaN");
    assertEquals(4f, pooled.toFloatArray()[1]);
  }

  @Test
  void reluAndMaxPoolGradientsOfFiniteInputsAreUnchanged() {
    Tensor x = Tensor.of(new float[] {-2f, 0.5f, 3f, -0.1f}, 4).requiresGrad(true);
    x.relu().sum().backward();
    assertArrayEquals(new float[] {0f, 1f, 1f, 0f}, x.grad().toFloatArray());

    Tensor image = Tensor.of(new float[] {1f, 7f, 2f, 5f}, 1, 2, 2, 1).requiresGrad(true);
    image.maxPool2d(2, 2, 2, 2, false).sum().backward();
    assertArrayEquals(new float[] {0f, 1f, 0f, 0f}, image.grad().toFloatArray());
  }
}
