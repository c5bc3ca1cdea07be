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

  // log (musl's logf, from fdlibm): x = 2^k m with m in [sqrt(2)/2, sqrt(2)), f = m - 1,
  // s = f / (2 + f), log(m) = f - f^2/2 + s (f^2/2 + R(s^2)); below 1 ulp.
  /** Adding this to x's bits carries into the exponent exactly when m would be >= sqrt(2). */
  private static final int LOG_SHIFT = 0x3f800000 - 0x3f3504f3;
  private static final int MANTISSA = 0x007fffff;
  private static final int SQRT_HALF_BITS = 0x3f3504f3;
  /**
   * sqrt(2) as log's reduction rounds it (SQRT_HALF_BITS one exponent up): from here on, log takes
   * k = 1 and m = x / 2.
   */
  private static final float SQRT2 = Float.intBitsToFloat(SQRT_HALF_BITS + (1 << 23));
  /** ln 2 in two parts for k ln 2, as musl splits it for log. */
  private static final float LOG_LN2_HI = 0x1.62e3p-1f;
  private static final float LOG_LN2_LO = 0x1.2fefa2p-17f;
  private static final float LG1 = 0xaaaaaa.0p-24f;
  private static final float LG2 = 0xccce13.0p-25f;
  private static final float LG3 = 0x91e9ee.0p-25f;
  private static final float LG4 = 0xf89e26.0p-26f;
  /** Subnormals are scaled by 2^25 into the normal range first. */
  private static final float TWO_25 = 0x1p25f;

  // expm1: as exp, then 2^n (1 + q) - 1 = 2 (2^(n-1) q + (2^(n-1) - 1/2)), where the sum in the
  // brackets is exact for the small n at which cancellation would hurt.
  /** Below this expm1 is -1 in float; clamping keeps 2^(n-1) a normal float. */
  private static final float EXPM1_LO = -30f;
  /** Below this |x|, expm1(x) rounds to x itself (this also keeps -0 and subnormals). */
  private static final float EXPM1_TINY = 0x1p-25f;

  // The normal distribution's tail Phi(-a) = erfc(z) / 2, z = a / sqrt(2), by Numerical Recipes'
  // erfcc: erfc(z) = t e^(-z^2 + P(t)), t = 1 / (1 + z / 2), relative error below 1.1e-7 for all
  // z >= 0. -z^2 is carried in two floats (it reaches -105, where one float's rounding error
  // alone would be 100 ulp of the result).
  private static final float INV_SQRT2 = 0.70710678118654752f;
  private static final float INV_SQRT_2PI = 0.39894228040143268f;
  private static final float P0 = -1.26551223f;
  private static final float P1 = 1.00002368f;
  private static final float P2 = 0.37409196f;
  private static final float P3 = 0.09678418f;
  private static final float P4 = -0.18628806f;
  private static final float P5 = 0.27886807f;
  private static final float P6 = -1.13520398f;
  private static final float P7 = 1.48851587f;
  private static final float P8 = -0.82215223f;
  private static final float P9 = 0.17087277f;
  /** Beyond this |x|, Phi(-|x|) * 15 underflows to 0; clamping keeps infinities out of a^2. */
  private static final float TAIL_MAX = 15f;

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
    float y = expm1Reduced(r) + 1f;
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
   * {@code ln x} in every lane, within 1 ulp: -infinity for ±0, NaN below 0 and for NaN,
   * infinity for infinity; subnormals are exact inputs too. Bit for bit {@link #log(float)}.
   */
  static FloatVector log(FloatVector x) {
    VectorMask<Float> subnormal = x.compare(VectorOperators.LT, Float.MIN_NORMAL);
    FloatVector scaled = x.blend(x.mul(TWO_25), subnormal);
    IntVector bits = scaled.reinterpretAsInts().add(LOG_SHIFT);
    // k as a float without a conversion: ROUNDER's bits plus k are the float ROUNDER + k
    FloatVector k = bits.lanewise(VectorOperators.LSHR, 23).add(ROUNDER_BITS - 127)
        .reinterpretAsFloats().sub(ROUNDER)
        .sub(FloatVector.zero(S).blend(25f, subnormal));
    FloatVector f = bits.and(MANTISSA).add(SQRT_HALF_BITS).reinterpretAsFloats().sub(1f);
    FloatVector s = f.div(f.add(2f));
    FloatVector z = s.mul(s);
    FloatVector w = z.mul(z);
    FloatVector r = z.mul(w.fma(LG3, LG1)).add(w.mul(w.fma(LG4, LG2)));
    FloatVector hfsq = f.mul(0.5f).mul(f);
    FloatVector y = s.mul(hfsq.add(r)).add(k.mul(LOG_LN2_LO)).sub(hfsq).add(f)
        .add(k.mul(LOG_LN2_HI));
    return y.blend(x, x.compare(VectorOperators.NE, x)
            .or(x.compare(VectorOperators.EQ, Float.POSITIVE_INFINITY)))
        .blend(Float.NaN, x.compare(VectorOperators.LT, 0f))
        .blend(Float.NEGATIVE_INFINITY, x.compare(VectorOperators.EQ, 0f));
  }

  /** The scalar twin of {@link #log(FloatVector)}. */
  static float log(float x) {
    boolean subnormal = x < Float.MIN_NORMAL;
    float scaled = subnormal ? x * TWO_25 : x;
    int bits = Float.floatToRawIntBits(scaled) + LOG_SHIFT;
    float k = Float.intBitsToFloat((bits >>> 23) + ROUNDER_BITS - 127) - ROUNDER
        - (subnormal ? 25f : 0f);
    float f = Float.intBitsToFloat((bits & MANTISSA) + SQRT_HALF_BITS) - 1f;
    float s = f / (f + 2f);
    float z = s * s;
    float w = z * z;
    float r = z * Math.fma(w, LG3, LG1) + w * Math.fma(w, LG4, LG2);
    float hfsq = f * 0.5f * f;
    float y = s * (hfsq + r) + k * LOG_LN2_LO - hfsq + f + k * LOG_LN2_HI;
    if (Float.isNaN(x) || x == Float.POSITIVE_INFINITY) {
      return x;
    }
    if (x < 0f) {
      return Float.NaN;
    }
    return x == 0f ? Float.NEGATIVE_INFINITY : y;
  }

  /**
   * {@code e^x - 1} in every lane, within 2 ulp, without exp's cancellation near 0: x itself for
   * tiny x (so -0 stays -0), -1 below -17.4, infinite above 88.73, NaN for NaN. Bit for bit
   * {@link #expm1(float)}.
   */
  static FloatVector expm1(FloatVector v) {
    FloatVector x = v.max(EXPM1_LO).min(EXP_HI);
    FloatVector t = x.fma(LOG2E, ROUNDER);
    FloatVector n = t.sub(ROUNDER);
    FloatVector r = x.sub(n.mul(LN2_HI)).sub(n.mul(LN2_LO));
    FloatVector p = r.fma(E0, E1);
    p = p.fma(r, FloatVector.broadcast(S, E2));
    p = p.fma(r, FloatVector.broadcast(S, E3));
    p = p.fma(r, FloatVector.broadcast(S, E4));
    p = p.fma(r, FloatVector.broadcast(S, E5));
    FloatVector q = p.fma(r.mul(r), r); // e^r - 1
    // h = 2^(n-1), normal for every n in [-43, 128]; h - 1/2 is exact for n >= -23
    FloatVector h = t.reinterpretAsInts().sub(ROUNDER_BITS - 126).lanewise(VectorOperators.LSHL, 23)
        .reinterpretAsFloats();
    FloatVector y = q.fma(h, h.sub(0.5f)).mul(2f);
    return y.blend(v, v.abs().compare(VectorOperators.LT, EXPM1_TINY));
  }

  /**
   * {@code e^r - 1} for the reduced argument {@code |r| <= ln2/2} of the scalar exp and expm1
   * twins: the vector functions' polynomial, the same operations in the same order.
   */
  private static float expm1Reduced(float r) {
    float p = Math.fma(r, E0, E1);
    p = Math.fma(p, r, E2);
    p = Math.fma(p, r, E3);
    p = Math.fma(p, r, E4);
    p = Math.fma(p, r, E5);
    return Math.fma(p, r * r, r);
  }

  /** The scalar twin of {@link #expm1(FloatVector)}. */
  static float expm1(float v) {
    float x = Math.min(Math.max(v, EXPM1_LO), EXP_HI);
    float t = Math.fma(x, LOG2E, ROUNDER);
    float n = t - ROUNDER;
    float r = x - n * LN2_HI - n * LN2_LO;
    float q = expm1Reduced(r);
    float h = Float.intBitsToFloat((Float.floatToRawIntBits(t) - (ROUNDER_BITS - 126)) << 23);
    float y = Math.fma(q, h, h - 0.5f) * 2f;
    return Math.abs(v) < EXPM1_TINY ? v : y;
  }

  /**
   * {@code log(1 + e^x)} in every lane as {@code max(x, 0) + log1p(e^-|x|)}, which neither
   * overflows nor loses small values; within 3 ulp. Bit for bit {@link #softplus(float)}.
   */
  static FloatVector softplus(FloatVector x) {
    FloatVector e = exp(x.abs().neg());
    // log1p(e) for e in (0, 1]: log(u) + c / u, where u = 1 + e rounded and c = e - (u - 1) its
    // exact rounding error. log(u) is log's formula without its special cases (log itself would
    // not inline here after exp: C2 stops inlining at a node count), with u = 2^k m, k in {0, 1}.
    FloatVector u = e.add(1f);
    FloatVector c = e.sub(u.sub(1f));
    VectorMask<Float> high = u.compare(VectorOperators.GE, SQRT2);
    FloatVector k = FloatVector.zero(S).blend(1f, high);
    FloatVector f = u.blend(u.mul(0.5f), high).sub(1f);
    FloatVector s = f.div(f.add(2f));
    FloatVector z = s.mul(s);
    FloatVector w = z.mul(z);
    FloatVector r = z.mul(w.fma(LG3, LG1)).add(w.mul(w.fma(LG4, LG2)));
    FloatVector hfsq = f.mul(0.5f).mul(f);
    FloatVector log = s.mul(hfsq.add(r)).add(k.mul(LOG_LN2_LO)).sub(hfsq).add(f)
        .add(k.mul(LOG_LN2_HI));
    return x.max(0f).add(log.add(c.div(u)));
  }

  /** The scalar twin of {@link #softplus(FloatVector)}. */
  static float softplus(float x) {
    float e = exp(-Math.abs(x));
    float u = e + 1f;
    float c = e - (u - 1f);
    boolean high = u >= SQRT2;
    float k = high ? 1f : 0f;
    float f = (high ? u * 0.5f : u) - 1f;
    float s = f / (f + 2f);
    float z = s * s;
    float w = z * z;
    float r = z * Math.fma(w, LG3, LG1) + w * Math.fma(w, LG4, LG2);
    float hfsq = f * 0.5f * f;
    float log = s * (hfsq + r) + k * LOG_LN2_LO - hfsq + f + k * LOG_LN2_HI;
    return Math.max(x, 0f) + (log + c / u);
  }

  /**
   * GELU, {@code x Phi(x)} with the normal CDF Phi (not the tanh approximation), in every lane;
   * within a few ulp where the result is a normal float. NaN for NaN and -infinity (as the
   * reference's {@code -inf * 0}), infinity for infinity, -0 for -0. Bit for bit
   * {@link #gelu(float)}.
   */
  static FloatVector gelu(FloatVector x) {
    FloatVector a = x.abs().min(TAIL_MAX);
    VectorMask<Float> negative = x.compare(VectorOperators.LT, 0f);
    // x Phi(x) is x Phi(-a) below 0 and x - x Phi(-a) above; a stands for x there, so that
    // +infinity meets no infinity * 0
    FloatVector tail = tail(a, a.blend(x, negative));
    return x.sub(tail).blend(tail, negative);
  }

  /** The scalar twin of {@link #gelu(FloatVector)}. */
  static float gelu(float x) {
    float a = Math.min(Math.abs(x), TAIL_MAX);
    boolean negative = x < 0f;
    float tail = tail(a, negative ? x : a);
    return negative ? tail : x - tail;
  }

  /**
   * The normal distribution's CDF Phi in every lane, within a few ulp (both tails included);
   * bit for bit {@link #normalCdf(float)}. GELU's derivative is {@code Phi(x) + x phi(x)}.
   */
  static FloatVector normalCdf(FloatVector x) {
    FloatVector one = FloatVector.broadcast(S, 1f);
    FloatVector tail = tail(x.abs().min(TAIL_MAX), one);
    return one.sub(tail).blend(tail, x.compare(VectorOperators.LT, 0f));
  }

  /** The scalar twin of {@link #normalCdf(FloatVector)}. */
  static float normalCdf(float x) {
    float tail = tail(Math.min(Math.abs(x), TAIL_MAX), 1f);
    return x < 0f ? tail : 1f - tail;
  }

  /**
   * The normal density {@code phi(x) = e^(-x^2 / 2) / sqrt(2 pi)} in every lane, within a few
   * ulp; bit for bit {@link #normalDensity(float)}.
   */
  static FloatVector normalDensity(FloatVector x) {
    // e^(-x^2 / 2) with x^2 = hi + lo exactly: e^(-hi/2) (1 - lo/2); |x| clamped, so that
    // infinities give 0 and not NaN from inf - inf
    FloatVector a = x.abs().min(TAIL_MAX);
    FloatVector hi = a.mul(a);
    FloatVector lo = a.fma(a, hi.neg());
    FloatVector g = exp(hi.mul(-0.5f)).mul(INV_SQRT_2PI);
    return lo.mul(-0.5f).fma(g, g);
  }

  /** The scalar twin of {@link #normalDensity(FloatVector)}. */
  static float normalDensity(float x) {
    float a = Math.min(Math.abs(x), TAIL_MAX);
    float hi = a * a;
    float lo = Math.fma(a, a, -hi);
    float g = exp(hi * -0.5f) * INV_SQRT_2PI;
    return Math.fma(lo * -0.5f, g, g);
  }

  /**
   * {@code m Phi(-a)} for {@code 0 <= a <= TAIL_MAX} (NaN gives NaN): m erfc(z) / 2 with
   * erfc(z) = t e^(-z^2 + P(t)); m times the small factors first, so that the one factor that
   * may be subnormal, the exponential, is rounded last.
   */
  private static FloatVector tail(FloatVector a, FloatVector m) {
    FloatVector t = FloatVector.broadcast(S, 1f).div(a.mul(INV_SQRT2).fma(0.5f, 1f));
    FloatVector p = t.fma(P9, P8);
    p = p.fma(t, FloatVector.broadcast(S, P7));
    p = p.fma(t, FloatVector.broadcast(S, P6));
    p = p.fma(t, FloatVector.broadcast(S, P5));
    p = p.fma(t, FloatVector.broadcast(S, P4));
    p = p.fma(t, FloatVector.broadcast(S, P3));
    p = p.fma(t, FloatVector.broadcast(S, P2));
    p = p.fma(t, FloatVector.broadcast(S, P1));
    p = p.fma(t, FloatVector.broadcast(S, P0));
    // -z^2 = -a^2 / 2 = u + lo / 2 exactly; u + p = sum + err exactly (Knuth's two-sum)
    FloatVector hi = a.mul(a);
    FloatVector lo = a.fma(a, hi.neg());
    FloatVector u = hi.mul(-0.5f);
    FloatVector sum = u.add(p);
    FloatVector back = sum.sub(u);
    FloatVector err = u.sub(sum.sub(back)).add(p.sub(back));
    FloatVector corr = err.sub(lo.mul(0.5f));
    FloatVector k = m.mul(t).mul(0.5f);
    return k.fma(corr, k).mul(exp(sum));
  }

  /** The scalar twin of {@link #tail(FloatVector, FloatVector)}. */
  private static float tail(float a, float m) {
    float t = 1f / Math.fma(a * INV_SQRT2, 0.5f, 1f);
    float p = Math.fma(t, P9, P8);
    p = Math.fma(p, t, P7);
    p = Math.fma(p, t, P6);
    p = Math.fma(p, t, P5);
    p = Math.fma(p, t, P4);
    p = Math.fma(p, t, P3);
    p = Math.fma(p, t, P2);
    p = Math.fma(p, t, P1);
    p = Math.fma(p, t, P0);
    float hi = a * a;
    float lo = Math.fma(a, a, -hi);
    float u = hi * -0.5f;
    float sum = u + p;
    float back = sum - u;
    float err = (u - (sum - back)) + (p - back);
    float corr = err - lo * 0.5f;
    float k = m * t * 0.5f;
    return Math.fma(k, corr, k) * exp(sum);
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
