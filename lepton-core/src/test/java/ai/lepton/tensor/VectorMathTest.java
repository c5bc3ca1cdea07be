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

  /**
   * The largest error of {@code actual} from {@code exact} in units in the last place of the
   * exact value rounded to float (subnormal results in steps of {@link Float#MIN_VALUE});
   * NaN, infinite and exactly zero results must be equal, -0 and +0 included.
   */
  private static double maxUlps(String name, float[] x, float[] actual,
      DoubleUnaryOperator exact) {
    double worst = 0;
    for (int i = 0; i < x.length; i++) {
      double e = exact.applyAsDouble(x[i]);
      float expected = (float) e;
      if (Float.isNaN(expected) || Float.isInfinite(expected) || e == 0) {
        if (Float.floatToIntBits(expected) != Float.floatToIntBits(actual[i])) {
          fail(name + "(" + x[i] + ") = " + actual[i] + " but exactly " + expected);
        }
      } else {
        worst = Math.max(worst, Math.abs(actual[i] - e) / Math.ulp(expected));
      }
    }
    return worst;
  }

  private static void assertMaxUlps(String name, float[] x, UnaryOperator<FloatVector> f,
      DoubleUnaryOperator exact, double ulps) {
    double worst = maxUlps(name, x, lanes(x, f), exact);
    assertTrue(worst <= ulps, name + " is " + worst + " ulp off somewhere, more than " + ulps);
  }

  /** Positive floats of every exponent, subnormals included, and many near 1. */
  private static float[] positiveSamples() {
    SplittableRandom rng = new SplittableRandom(5);
    float[] x = new float[60_000];
    for (int i = 0; i < x.length; i++) {
      x[i] = i % 2 == 0 ? Float.intBitsToFloat(rng.nextInt(0x7f800000))
          : (float) rng.nextDouble(0.5, 2);
    }
    x[0] = Float.MIN_VALUE;
    x[1] = Float.MIN_NORMAL;
    x[2] = Float.MAX_VALUE;
    x[3] = 1f;
    x[4] = Math.nextUp(1f);
    x[5] = Math.nextDown(1f);
    return x;
  }

  /** Values over [-lo, hi] and [-1, 1], tiny ones of every exponent, and the edges. */
  private static float[] spread(double lo, double hi) {
    SplittableRandom rng = new SplittableRandom(9);
    float[] x = new float[EDGES.length + 60_000];
    System.arraycopy(EDGES, 0, x, 0, EDGES.length);
    for (int i = EDGES.length; i < x.length; i++) {
      x[i] = switch (i % 3) {
        case 0 -> (float) rng.nextDouble(lo, hi);
        case 1 -> (float) rng.nextDouble(-1, 1);
        default -> Float.intBitsToFloat(rng.nextInt(0x3f000000) | (i % 2 == 0 ? 0x80000000 : 0));
      };
    }
    return x;
  }

  /** erfc(z) for z >= 0 to about 1e-13 relative: a series below 3, a continued fraction above. */
  static double erfc(double z) {
    if (z < 3) {
      double term = z;
      double sum = z;
      for (int n = 1; term > 1e-18 * sum; n++) {
        term *= 2 * z * z / (2 * n + 1);
        sum += term;
      }
      return 1 - 2 / Math.sqrt(Math.PI) * Math.exp(-z * z) * sum;
    }
    double f = z;
    for (int k = 80; k >= 1; k--) {
      f = z + k / 2.0 / f;
    }
    return Math.exp(-z * z) / (Math.sqrt(Math.PI) * f);
  }

  /** The normal distribution's CDF, Phi(x) = erfc(-x / sqrt 2) / 2, accurate in both tails. */
  private static double normalCdf(double x) {
    double tail = 0.5 * erfc(Math.abs(x) / Math.sqrt(2));
    return x < 0 ? tail : 1 - tail;
  }

  private static double gelu(double x) {
    return x * normalCdf(x);
  }

  private static double geluDerivative(double x) {
    return normalCdf(x) + x * Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI);
  }

  @Test
  void theTestsErfcMatchesPublishedValues() {
    assertEquals(0.1572992070502851, erfc(1), 1e-13 * 0.1572992070502851);
    assertEquals(2.209049699858544e-5, erfc(3), 1e-13 * 2.209049699858544e-5);
    assertEquals(1.5374597944280349e-12, erfc(5), 1e-13 * 1.5374597944280349e-12);
    assertEquals(2.088487583762545e-45, erfc(10), 1e-13 * 2.088487583762545e-45);
  }

  @Test
  void newFunctionsAgreeWithTheirScalarTwinsBitForBit() {
    float[] x = spread(-105, 90);
    float[] positive = positiveSamples();
    assertTwins("log", positive, lanes(positive, VectorMath::log), v -> VectorMath.log((float) v));
    assertTwins("log", x, lanes(x, VectorMath::log), v -> VectorMath.log((float) v));
    assertTwins("expm1", x, lanes(x, VectorMath::expm1), v -> VectorMath.expm1((float) v));
    assertTwins("softplus", x, lanes(x, VectorMath::softplus),
        v -> VectorMath.softplus((float) v));
    assertTwins("gelu", x, lanes(x, VectorMath::gelu), v -> VectorMath.gelu((float) v));
    assertTwins("Phi", x, lanes(x, VectorMath::normalCdf), v -> VectorMath.normalCdf((float) v));
    assertTwins("phi", x, lanes(x, VectorMath::normalDensity),
        v -> VectorMath.normalDensity((float) v));
  }

  @Test
  void newFunctionsAreWithinAFewUlpsOfTheExactValuesSubnormalsIncluded() {
    float[] positive = positiveSamples();
    assertMaxUlps("log", positive, VectorMath::log, StrictMath::log, 1);
    float[] x = spread(-105, 90);
    assertMaxUlps("expm1", x, VectorMath::expm1, StrictMath::expm1, 2);
    assertMaxUlps("softplus", x, VectorMath::softplus,
        v -> Math.max(v, 0) + StrictMath.log1p(StrictMath.exp(-Math.abs(v))), 3);
    float[] near = spread(-16, 16);
    // the erfc approximation (1.1e-7), its polynomial's rounding and exp's 2 ulp add up
    assertMaxUlps("gelu", near, VectorMath::gelu, VectorMathTest::gelu, 8);
    assertMaxUlps("Phi", near, VectorMath::normalCdf, VectorMathTest::normalCdf, 8);
    assertMaxUlps("phi", near, VectorMath::normalDensity,
        v -> Math.exp(-0.5 * v * v) / Math.sqrt(2 * Math.PI), 4);
  }

  /**
   * GELU's derivative {@code Phi(x) + x phi(x)} (as the vector backend adds it up) crosses 0 near
   * -0.75, where no float formula keeps a relative error: its error is bounded in ulp of the
   * larger of the two terms.
   */
  @Test
  void geluDerivativeIsWithinAFewUlpsOfItsTerms() {
    float[] x = spread(-16, 16);
    float[] cdf = lanes(x, VectorMath::normalCdf);
    float[] density = lanes(x, VectorMath::normalDensity);
    for (int i = 0; i < x.length; i++) {
      float actual = cdf[i] + x[i] * density[i];
      double scale = Math.max(normalCdf(x[i]),
          Math.abs(x[i]) * Math.exp(-0.5 * x[i] * x[i]) / Math.sqrt(2 * Math.PI));
      double error = Math.abs(actual - geluDerivative(x[i]));
      // x phi(x) multiplies phi's subnormal rounding by |x| <= 15: 16 more of the smallest steps
      if (error > 8 * Math.ulp((float) scale) + 16 * Float.MIN_VALUE) {
        fail("gelu'(" + x[i] + ") = " + actual + " but exactly " + geluDerivative(x[i]));
      }
    }
  }

  @Test
  void newFunctionsAtTheEdges() {
    assertEquals(Float.NEGATIVE_INFINITY, VectorMath.log(0f));
    assertEquals(Float.NEGATIVE_INFINITY, VectorMath.log(-0f));
    assertTrue(Float.isNaN(VectorMath.log(-1f)));
    assertTrue(Float.isNaN(VectorMath.log(Float.NEGATIVE_INFINITY)));
    assertTrue(Float.isNaN(VectorMath.log(Float.NaN)));
    assertEquals(Float.POSITIVE_INFINITY, VectorMath.log(Float.POSITIVE_INFINITY));
    assertEquals(0f, VectorMath.log(1f));
    assertEquals(-103.27893f, VectorMath.log(Float.MIN_VALUE));
    assertEquals(-0f, VectorMath.expm1(-0f));
    assertEquals(Float.MIN_VALUE, VectorMath.expm1(Float.MIN_VALUE));
    assertEquals(-1f, VectorMath.expm1(-20f));
    assertEquals(-1f, VectorMath.expm1(Float.NEGATIVE_INFINITY));
    assertEquals(Float.POSITIVE_INFINITY, VectorMath.expm1(88.73f));
    assertEquals(Float.POSITIVE_INFINITY, VectorMath.expm1(Float.POSITIVE_INFINITY));
    assertTrue(Float.isNaN(VectorMath.expm1(Float.NaN)));
    assertEquals((float) Math.log(2), VectorMath.softplus(0f));
    assertEquals(Float.POSITIVE_INFINITY, VectorMath.softplus(Float.POSITIVE_INFINITY));
    assertEquals(0f, VectorMath.softplus(Float.NEGATIVE_INFINITY));
    assertEquals(Float.MAX_VALUE, VectorMath.softplus(Float.MAX_VALUE));
    assertTrue(Float.isNaN(VectorMath.softplus(Float.NaN)));
    assertEquals(-0f, VectorMath.gelu(-0f));
    assertEquals(0f, VectorMath.gelu(0f));
    assertEquals(-0f, VectorMath.gelu(-20f));
    assertEquals(Float.POSITIVE_INFINITY, VectorMath.gelu(Float.POSITIVE_INFINITY));
    assertEquals(Float.MAX_VALUE, VectorMath.gelu(Float.MAX_VALUE));
    // as the reference: -infinity times a CDF of 0
    assertTrue(Float.isNaN(VectorMath.gelu(Float.NEGATIVE_INFINITY)));
    assertTrue(Float.isNaN(VectorMath.gelu(Float.NaN)));
    assertEquals(0.5f, VectorMath.normalCdf(0f));
    assertEquals(0.5f, VectorMath.normalCdf(-0f));
    assertEquals(1f, VectorMath.normalCdf(Float.POSITIVE_INFINITY));
    assertEquals(0f, VectorMath.normalCdf(Float.NEGATIVE_INFINITY));
    assertTrue(Float.isNaN(VectorMath.normalCdf(Float.NaN)));
    assertEquals((float) (1 / Math.sqrt(2 * Math.PI)), VectorMath.normalDensity(0f));
    assertEquals(0f, VectorMath.normalDensity(Float.NEGATIVE_INFINITY));
    assertTrue(Float.isNaN(VectorMath.normalDensity(Float.NaN)));
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
