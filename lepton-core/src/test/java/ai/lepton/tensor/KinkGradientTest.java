package ai.lepton.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import ai.lepton.GradCheck;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * The non-differentiable points of relu, abs, leaky relu, clamp, maximum, minimum, max and max
 * pooling. On each side of a kink the gradient matches finite differences whose step stays on that
 * side; exactly at the kink it is pinned to PyTorch's choice (its {@code derivatives.yaml}), so a
 * model trained here and there takes the same steps: relu'(0) = 0, abs'(0) = 0 (sign(0)),
 * leaky_relu'(0) = negative_slope, clamp' = 1 on both bounds, a tie of maximum/minimum splits the
 * gradient in half, and max along an axis and max pooling send it to the first maximum.
 */
class KinkGradientTest {
  /** Distance of the checked points from the kink; the finite-difference step is a quarter. */
  private static final float NEAR = 1e-3f;
  private static final float STEP = NEAR / 4;

  private static void checkBothSides(String op, float kink, Function<Tensor[], Tensor> f) {
    Tensor x = Tensor.of(
        new float[] {kink - NEAR, kink + NEAR, kink - 8 * NEAR, kink + 8 * NEAR}, 4);
    GradCheck.check(op + " beside its kink at " + kink, STEP, 1e-3, f, x);
  }

  /** The gradient of {@code sum(f(x))} at {@code x}. */
  private static float[] gradient(Function<Tensor, Tensor> f, Tensor x) {
    x.requiresGrad(true);
    f.apply(x).sum().backward();
    return x.grad().toFloatArray();
  }

  @Test
  void reluAbsAndLeakyReluMatchFiniteDifferencesOnBothSidesOfZero() {
    checkBothSides("relu", 0f, in -> in[0].relu());
    checkBothSides("abs", 0f, in -> in[0].abs());
    checkBothSides("leakyRelu", 0f, in -> in[0].leakyRelu(0.2f));
    checkBothSides("clamp", -0.5f, in -> in[0].clamp(-0.5f, 0.5f));
    checkBothSides("clamp", 0.5f, in -> in[0].clamp(-0.5f, 0.5f));
  }

  @Test
  void atZeroReluAndAbsHaveGradientZeroAndLeakyReluHasTheSlope() {
    assertArrayEquals(new float[] {0f}, gradient(Tensor::relu, Tensor.of(new float[] {0f}, 1)));
    assertArrayEquals(new float[] {0f}, gradient(Tensor::abs, Tensor.of(new float[] {0f}, 1)));
    assertArrayEquals(new float[] {0.2f},
        gradient(t -> t.leakyRelu(0.2f), Tensor.of(new float[] {0f}, 1)));
    assertArrayEquals(new float[] {1f, 1f},
        gradient(t -> t.clamp(-0.5f, 0.5f), Tensor.of(new float[] {-0.5f, 0.5f}, 2)));
  }

  @Test
  void maximumAndMinimumMatchFiniteDifferencesOnBothSidesOfATie() {
    Tensor other = Tensor.full(0.3f, 4);
    checkBothSides("maximum", 0.3f, in -> in[0].maximum(other));
    checkBothSides("minimum", 0.3f, in -> in[0].minimum(other));
    checkBothSides("maximum (other side)", 0.3f, in -> other.maximum(in[0]));
  }

  @Test
  void aTieOfMaximumOrMinimumSplitsTheGradientInHalf() {
    for (String op : new String[] {"maximum", "minimum"}) {
      Tensor a = Tensor.of(new float[] {1f, 2f, 3f}, 3).requiresGrad(true);
      Tensor b = Tensor.of(new float[] {1f, 1f, 4f}, 3).requiresGrad(true);
      (op.equals("maximum") ? a.maximum(b) : a.minimum(b)).sum().backward();
      float[] ga = op.equals("maximum") ? new float[] {0.5f, 1f, 0f} : new float[] {0.5f, 0f, 1f};
      float[] gb = op.equals("maximum") ? new float[] {0.5f, 0f, 1f} : new float[] {0.5f, 1f, 0f};
      assertArrayEquals(ga, a.grad().toFloatArray(), op + ": first operand");
      assertArrayEquals(gb, b.grad().toFloatArray(), op + ": second operand");
    }
    // broadcast: a scalar tied with two of three elements collects half of each tie
    Tensor s = Tensor.scalar(1f).requiresGrad(true);
    Tensor.of(new float[] {1f, 0f, 1f}, 3).maximum(s).sum().backward();
    assertArrayEquals(new float[] {2f}, s.grad().toFloatArray());
  }

  @Test
  void maxAlongAnAxisMatchesFiniteDifferencesBesideATieAndPicksTheFirstMaximumOnIt() {
    GradCheck.check("max beside a tie", STEP, 1e-3, in -> in[0].max(1, false),
        Tensor.of(new float[] {1f, 1f + NEAR, 0f, 1f + NEAR, 1f, 0f}, 2, 3));
    assertArrayEquals(new float[] {0f, 1f, 0f, 1f, 0f, 0f},
        gradient(t -> t.max(1, false), Tensor.of(new float[] {0f, 2f, 2f, 3f, 3f, 3f}, 2, 3)));
  }

  @Test
  void maxPoolingMatchesFiniteDifferencesBesideATieAndPicksTheFirstMaximumOnIt() {
    // one 2x2 window, one channel: (1, 2, 2, 1)
    GradCheck.check("maxPool2d beside a tie", STEP, 1e-3,
        in -> in[0].maxPool2d(2, 2, 2, 2, false),
        Tensor.of(new float[] {1f, 1f + NEAR, 0f, 1f - NEAR}, 1, 2, 2, 1));
    // row-major scan order within the window, as PyTorch's CPU kernel
    assertArrayEquals(new float[] {0f, 1f, 0f, 0f},
        gradient(t -> t.maxPool2d(2, 2, 2, 2, false),
            Tensor.of(new float[] {0f, 5f, 5f, 5f}, 1, 2, 2, 1)));
  }
}
