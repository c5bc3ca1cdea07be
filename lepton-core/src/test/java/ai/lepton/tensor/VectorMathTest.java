package ai.lepton.tensor;

import static ai.lepton.tensor.VectorMath.L;
import static ai.lepton.tensor.VectorMath.S;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.SplittableRandom;
import java.util.function.DoubleUnaryOperator;
import java.util.function.UnaryOperator;
import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;

class VectorMathTest {
  /** Values that stress range reduction, overflow, the subnormal range and the special values. */
  private static final float[] EDGES = {0f, -0f, 1f, -1f, Float.NaN, Float.POSITIVE_INFINITY,
      Float.NEGATIVE_INFINITY, 88.72f, 88.7228f, 88.73f, 89f, 100f, -87.33f, -87.34f, -100f,
      -103.97f, -104f, -200f, 0.625f, -0.625f, 0.62500006f, 1e-7f, -1e-30f, Float.MIN_VALUE,
      0.34657359f, -0.34657359f, 9f, -9f, 20f, Float.MAX_VALUE, -Float.MAX_VALUE};

  private static float[] samples() {
    SplittableRandom rng = new SplittableRandom(3);
    float[] x = new float[EDGES.length + 40_000];
    System.arraycopy(EDGES, 0, x, 0, EDGES.length);
    for (int i = EDGES.length; i < x.length; i++) {
      // half over the whole useful range, half near zero where relative accuracy is hardest
      x[i] = i % 2 == 0 ? (float) rng.nextDouble(-105, 90) : (float) rng.nextDouble(-1, 1);
    }
    return x;
  }

  /** Runs {@code f} over {@code x} a vector at a time; the length is a whole number of vectors. */
  private static float[] lanes(float[] x, UnaryOperator<FloatVector> f) {
    float[] padded = new float[(x.length + L - 1) / L * L];
    System.arraycopy(x, 0, padded, 0, x.length);
    float[] out = new float[padded.length];
    for (int i = 0; i < padded.length; i += L) {
      f.apply(FloatVector.fromArray(S, padded, i)).intoArray(out, i);
    }
    return out;
  }

  private static void assertTwins(String name, float[] x, float[] vector,
      DoubleUnaryOperator scalar) {
    for (int i = 0; i < x.length; i++) {
      float s = (float) scalar.applyAsDouble(x[i]);
      if (Float.floatToIntBits(s) != Float.floatToIntBits(vector[i])) {
        fail(name + "(" + x[i] + "): vector lane " + vector[i] + " but scalar twin " + s);
      }
    }
  }

  /**
   * Fails unless {@code actual} is within {@code ulps} units in the last place of {@code exact}
   * wherever the exact value is a normal float, and equal where it is NaN, infinite or zero.
   */
  private static void assertWithinUlps(String name, float[] x, float[] actual,
      DoubleUnaryOperator exact, double ulps) {
    for (int i = 0; i < x.length; i++) {
      double e = exact.applyAsDouble(x[i]);
      float expected = (float) e;
      if (Float.isNaN(expected) || Float.isInfinite(expected) || expected == 0f) {
        assertEquals(expected, actual[i], name + "(" + x[i] + ")");
      } else if (Math.abs(expected) >= Float.MIN_NORMAL
          && Math.abs(actual[i] - e) > ulps * Math.ulp(expected)) {
        fail(name + "(" + x[i] + ") = " + actual[i] + " is more than " + ulps + " ulp from "
            + e);
      }
    }
  }

  @Test
  void vectorLanesAndScalarTwinsAgreeBitForBit() {
    float[] x = samples();
    assertTwins("exp", x, lanes(x, VectorMath::exp), v -> VectorMath.exp((float) v));
    assertTwins("tanh", x, lanes(x, VectorMath::tanh), v -> VectorMath.tanh((float) v));
    assertTwins("sigmoid", x, lanes(x, VectorMath::sigmoid), v -> VectorMath.sigmoid((float) v));
  }

  @Test
  void functionsAreWithinAFewUlpsOfTheExactValues() {
    float[] x = samples();
    assertWithinUlps("exp", x, lanes(x, VectorMath::exp), StrictMath::exp, 2);
    assertWithinUlps("tanh", x, lanes(x, VectorMath::tanh), StrictMath::tanh, 3);
    assertWithinUlps("sigmoid", x, lanes(x, VectorMath::sigmoid),
        v -> 1 / (1 + StrictMath.exp(-v)), 3);
  }

  @Test
  void exactValuesAtTheEdges() {
    assertEquals(1f, VectorMath.exp(0f));
    assertEquals(1f, VectorMath.exp(-0f));
    assertEquals(Float.POSITIVE_INFINITY, VectorMath.exp(89f));
    assertEquals(0f, VectorMath.exp(-104f));
    assertEquals(0f, VectorMath.exp(Float.NEGATIVE_INFINITY));
    assertTrue(Float.isNaN(VectorMath.exp(Float.NaN)));
    assertEquals(1f, VectorMath.tanh(Float.POSITIVE_INFINITY));
    assertEquals(-1f, VectorMath.tanh(-20f));
    assertEquals(Float.floatToIntBits(-0f), Float.floatToIntBits(VectorMath.tanh(-0f)));
    assertTrue(Float.isNaN(VectorMath.tanh(Float.NaN)));
    assertEquals(0.5f, VectorMath.sigmoid(0f));
  }

  @Test
  void laneSumsAddFromTheFirstLaneToTheLast() {
    // 1e8 + 1 - 1e8 ... is order-sensitive in float: only left-to-right gives exactly this
    // (1e8 + 1 rounds the 1 away; a tree order would add 1e8 + 1 and -1e8 + 1 and get 12.25)
    float[] lanes = {1e8f, 1f, -1e8f, 1f, 3f, 0.5f, -0.25f, 7f};
    assertEquals(11.25f, VectorMath.addLanes(lanes));
    assertTrue(Float.isNaN(VectorMath.maxLanes(new float[] {1f, Float.NaN, 2f})));
    assertEquals(Float.floatToIntBits(0f),
        Float.floatToIntBits(VectorMath.maxLanes(new float[] {-0f, 0f, -1f})));
  }
}
