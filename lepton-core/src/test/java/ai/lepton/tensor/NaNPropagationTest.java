package ai.lepton.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * NaN goes through every op that could swallow it, as in PyTorch 1.13 (checked with Debian's
 * python3-torch: {@code torch.relu(nan)}, {@code leaky_relu}, {@code elu}, {@code gelu},
 * {@code clamp}, {@code softplus}, {@code maximum}, {@code minimum}, {@code max} and
 * {@code max_pool2d} all give NaN), while the other values and the gradients of finite inputs are
 * what they were; their values against PyTorch are GoldenOpsTest's.
 */
class NaNPropagationTest {
  private static final float NAN = Float.NaN;

  @Test
  void activationsKeepNaNAndMapTheOtherValuesAsWithoutIt() {
    // 40 values: a vector of 16 lanes, and a tail; NaN in the vector part and in the tail
    float[] clean = new float[40];
    for (int i = 0; i < clean.length; i++) {
      clean[i] = (i - 20) / 4f;
    }
    float[] dirty = clean.clone();
    dirty[3] = NAN;
    dirty[37] = NAN;
    List<UnaryOperator<Tensor>> ops = List.of(Tensor::relu, t -> t.leakyRelu(0.2f),
        t -> t.elu(1f), Tensor::gelu, t -> t.clamp(-1f, 1f), Tensor::softplus, Tensor::sigmoid,
        Tensor::tanh);
    for (int k = 0; k < ops.size(); k++) {
      float[] expected = ops.get(k).apply(Tensor.of(clean, 40)).toFloatArray();
      float[] y = ops.get(k).apply(Tensor.of(dirty, 40)).toFloatArray();
      for (int i = 0; i < y.length; i++) {
        if (Float.isNaN(dirty[i])) {
          assertTrue(Float.isNaN(y[i]), "op " + k + " turned NaN at " + i + " into " + y[i]);
        } else {
          assertEquals(expected[i], y[i], "op " + k + " at " + i);
        }
      }
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
