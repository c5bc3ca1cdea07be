package ai.lepton.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The Vector API backend's lane reductions and transcendental functions, built only from operations
 * whose every bit Java specifies (add, mul, div, fma, compare, integer bit operations), so that they
 * give the same bits interpreted, in C1 and in C2 code, on every JVM.
 *
 * <p>Why not the Vector API's own: {@code reduceLanes(ADD)} adds the lanes in an unspecified order
 * (a sequential fold when interpreted, a tree when compiled), and {@code lanewise(EXP)},
 * {@code LOG}, {@code TANH} run {@code Math.exp} per lane when interpreted but a vector math library
 * stub of different accuracy when compiled. Either made a model's output depend on how far the JIT
 * had got, e.g. on the load of the machine.
 *
 * <p>Each vector function has a scalar twin that performs the same operations in the same order,
 * so a value gives the same bits in a vector lane and in a loop's scalar tail: results never depend
 * on where a thread's range or a vector boundary falls.
 */
final class VectorMath {
  static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
  static final int L = S.length();

  // exp: x = n ln2 + r with |r| <= ln2 / 2, exp(r) by Cephes' expf polynomial (about 1 ulp).
  private static final float LOG2E = 1.44269504088896341f;
  /** ln 2 in two parts; the high part has so few bits that {@code n * LN2_HI} is exact. */
  private static final float LN2_HI = 0.693359375f;
  private static final float LN2_LO = -2.12194440e-4f;
  private static final float E0 = 1.9875691500e-4f;
  private static final float E1 = 1.3981999507e-3f;
  private static final float E2 = 8.3334519073e-3f;
  private static final float E3 = 4.1665795894e-2f;
  private static final float E4 = 1.6666665459e-1f;
  private static final float E5 = 5.0000001201e-1f;
  /**
   * 1.5 * 2^23: adding it rounds to an integer (to nearest even), which then sits in the low
   * mantissa bits.
   */
  private static final float ROUNDER = 12582912f;
  private static final int ROUNDER_BITS = Float.floatToRawIntBits(ROUNDER);
  /** Beyond these, exp is 0 or infinite in float; clamping keeps n within [-150, 128]. */
  private static final float EXP_LO = -104f;
  private static final float EXP_HI = 89f;

  // tanh (Cephes tanhf): an odd polynomial below TANH_SMALL, 1 - 2 / (exp(2|x|) + 1) above.
  private static final float TANH_SMALL = 0.625f;
  private static final float T0 = -5.70498872745e-3f;
  private static final float T1 = 2.06390887954e-2f;
  private static final float T2 = -5.37397155531e-2f;
  private static final float T3 = 1.33314422036e-1f;
  private static final float T4 = -3.33332819422e-1f;
  private static final int SIGN_BIT = 0x80000000;

  private VectorMath() {}

  /**
   * {@code e^x} in every lane: within 2 ulp of the exact value, 0 below -104, infinite above
   * 88.73, NaN for NaN. Bit for bit the same as {@link #exp(float)} in each lane.
   */
  static FloatVector exp(FloatVector v) {
    FloatVector x = v.max(EXP_LO).min(EXP_HI); // Java's max and min keep NaN
    FloatVector t = x.fma(LOG2E, ROUNDER);
    FloatVector n = t.sub(ROUNDER);
    FloatVector r = x.sub(n.mul(LN2_HI)).sub(n.mul(LN2_LO));
    FloatVector p = r.fma(E0, E1);
    p = p.fma(r, FloatVector.broadcast(S, E2));
    p = p.fma(r, FloatVector.broadcast(S, E3));
    p = p.fma(r, FloatVector.broadcast(S, E4));
    p = p.fma(r, FloatVector.broadcast(S, E5));
    FloatVector y = p.fma(r.mul(r), r).add(1f);
    // 2^n as two factors 2^(n >> 1) and 2^(n - (n >> 1)), each a normal float, so that results
    // near overflow and in the subnormal range still come out right.
    IntVector ni = t.reinterpretAsInts().sub(ROUNDER_BITS);
    IntVector n1 = ni.lanewise(VectorOperators.ASHR, 1);
    IntVector n2 = ni.sub(n1);
    FloatVector s1 = n1.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
    FloatVector s2 = n2.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
    return y.mul(s1).mul(s2);
  }

  /** The scalar twin of {@link #exp(FloatVector)}: the same operations in the same order. */
  static float exp(float v) {
    float x = Math.min(Math.max(v, EXP_LO), EXP_HI);
    float t = Math.fma(x, LOG2E, ROUNDER);
    float n = t - ROUNDER;
    float r = x - n * LN2_HI - n * LN2_LO;
    float p = Math.fma(r, E0, E1);
    p = Math.fma(p, r, E2);
    p = Math.fma(p, r, E3);
    p = Math.fma(p, r, E4);
    p = Math.fma(p, r, E5);
    float y = Math.fma(p, r * r, r) + 1f;
    int ni = Float.floatToRawIntBits(t) - ROUNDER_BITS;
    int n1 = ni >> 1;
    int n2 = ni - n1;
    return y * Float.intBitsToFloat((n1 + 127) << 23) * Float.intBitsToFloat((n2 + 127) << 23);
  }

  /**
   * {@code tanh(x)} in every lane, within a few ulp; bit for bit {@link #tanh(float)}. Computed for
   * {@code |x|} and given the sign of {@code x} by a bit copy, so that {@code tanh(-0) = -0}.
   */
  static FloatVector tanh(FloatVector x) {
    FloatVector z = x.abs();
    FloatVector one = FloatVector.broadcast(S, 1f);
    FloatVector large = one.sub(FloatVector.broadcast(S, 2f).div(exp(z.add(z)).add(one)));
    FloatVector s = z.mul(z);
    FloatVector p = s.fma(T0, T1);
    p = p.fma(s, FloatVector.broadcast(S, T2));
    p = p.fma(s, FloatVector.broadcast(S, T3));
    p = p.fma(s, FloatVector.broadcast(S, T4));
    FloatVector small = p.mul(s).fma(z, z);
    VectorMask<Float> isLarge = z.compare(VectorOperators.GT, TANH_SMALL);
    IntVector magnitude = small.blend(large, isLarge).reinterpretAsInts().and(~SIGN_BIT);
    return magnitude.or(x.reinterpretAsInts().and(SIGN_BIT)).reinterpretAsFloats();
  }

  /** The scalar twin of {@link #tanh(FloatVector)}. */
  static float tanh(float x) {
    float z = Math.abs(x);
    float r;
    if (z > TANH_SMALL) {
      r = 1f - 2f / (exp(z + z) + 1f);
    } else {
      float s = z * z;
      float p = Math.fma(s, T0, T1);
      p = Math.fma(p, s, T2);
      p = Math.fma(p, s, T3);
      p = Math.fma(p, s, T4);
      r = Math.fma(p * s, z, z);
    }
    return Math.copySign(r, x);
  }

  /** {@code 1 / (1 + e^-x)} in every lane; bit for bit {@link #sigmoid(float)}. */
  static FloatVector sigmoid(FloatVector x) {
    FloatVector one = FloatVector.broadcast(S, 1f);
    return one.div(exp(x.neg()).add(one));
  }

  /** The scalar twin of {@link #sigmoid(FloatVector)}. */
  static float sigmoid(float x) {
    return 1f / (exp(-x) + 1f);
  }

  /**
   * The sum of {@code lanes} (a vector's {@code toArray()}) from the first to the last: the fixed
   * order that {@code reduceLanes(ADD)} does not promise. Called once per reduction, never inside
   * a loop over the data.
   */
  static float addLanes(float[] lanes) {
    float s = 0f;
    for (float lane : lanes) {
      s += lane;
    }
    return s;
  }

  /** The largest of {@code lanes} with {@link Math#max}'s rules (NaN wins, +0 above -0). */
  static float maxLanes(float[] lanes) {
    float m = Float.NEGATIVE_INFINITY;
    for (float lane : lanes) {
      m = Math.max(m, lane);
    }
    return m;
  }

  /**
   * {@code sum x[xi+p] * y[yi+p]} over {@code p < len}: four independent vector sums, their lanes
   * added in a fixed order, then the tail with the same fused multiply-add as the lanes.
   */
  static float dot(float[] x, int xi, float[] y, int yi, int len) {
    FloatVector s0 = FloatVector.zero(S);
    FloatVector s1 = FloatVector.zero(S);
    FloatVector s2 = FloatVector.zero(S);
    FloatVector s3 = FloatVector.zero(S);
    int p = 0;
    for (; p + 4 * L <= len; p += 4 * L) {
      s0 = FloatVector.fromArray(S, x, xi + p).fma(FloatVector.fromArray(S, y, yi + p), s0);
      s1 = FloatVector.fromArray(S, x, xi + p + L).fma(FloatVector.fromArray(S, y, yi + p + L), s1);
      s2 = FloatVector.fromArray(S, x, xi + p + 2 * L)
          .fma(FloatVector.fromArray(S, y, yi + p + 2 * L), s2);
      s3 = FloatVector.fromArray(S, x, xi + p + 3 * L)
          .fma(FloatVector.fromArray(S, y, yi + p + 3 * L), s3);
    }
    for (; p + L <= len; p += L) {
      s0 = FloatVector.fromArray(S, x, xi + p).fma(FloatVector.fromArray(S, y, yi + p), s0);
    }
    float s = addLanes(s0.add(s1).add(s2.add(s3)).toArray());
    for (; p < len; p++) {
      s = Math.fma(x[xi + p], y[yi + p], s);
    }
    return s;
  }
}
