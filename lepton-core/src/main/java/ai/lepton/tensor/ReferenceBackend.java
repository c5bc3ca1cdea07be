package ai.lepton.tensor;

import ai.lepton.LeptonException;
import java.util.Arrays;

/**
 * Plain loops, one thread: the algorithmic reference every faster backend is checked against. Kept
 * simple on purpose; it is never removed.
 *
 * <p>Transcendental functions come from {@link StrictMath}, whose results Java fixes bit for bit:
 * {@code Math.exp} and friends may differ between the interpreter, compiled code and JVMs, which
 * made a model's output depend on the JIT's progress.
 */
final class ReferenceBackend implements Backend {

  @Override
  public String name() {
    return "reference";
  }

  @Override
  public void gemm(boolean transA, boolean transB, int m, int n, int k,
      float[] a, int aOff, float[] b, int bOff, float[] c, int cOff, boolean accumulate) {
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < n; j++) {
        float sum = 0f;
        for (int p = 0; p < k; p++) {
          float av = transA ? a[aOff + p * m + i] : a[aOff + i * k + p];
          float bv = transB ? b[bOff + j * k + p] : b[bOff + p * n + j];
          sum += av * bv;
        }
        int ci = cOff + i * n + j;
        c[ci] = accumulate ? c[ci] + sum : sum;
      }
    }
  }

  @Override
  public boolean allFinite(float[] x) {
    for (float v : x) {
      if (!Float.isFinite(v)) {
        return false;
      }
    }
    return true;
  }

  @Override
  public void unary(UnaryOp op, float[] x, float[] out, float p1, float p2) {
    for (int i = 0; i < out.length; i++) {
      out[i] = apply(op, x[i], p1, p2);
    }
  }

  static float apply(UnaryOp op, float v, float p1, float p2) {
    return switch (op) {
      case NEG -> -v;
      case EXP -> (float) StrictMath.exp(v);
      case LOG -> (float) StrictMath.log(v);
      case SQRT -> (float) Math.sqrt(v);
      case ABS -> Math.abs(v);
      // max rather than v > 0 ? v : 0, which would turn NaN into a confident 0; PyTorch keeps it
      case RELU -> Math.max(v, 0f);
      case LEAKY_RELU -> v > 0f ? v : p1 * v;
      case ELU -> v > 0f ? v : p1 * (float) StrictMath.expm1(v);
      case GELU -> gelu(v);
      case SIGMOID -> (float) (1.0 / (1.0 + StrictMath.exp(-v)));
      case TANH -> (float) StrictMath.tanh(v);
      case POW -> (float) pow(v, p1);
      case CLAMP -> Math.min(Math.max(v, p1), p2);
      case SOFTPLUS -> (float) (Math.max(v, 0.0) + StrictMath.log1p(StrictMath.exp(-Math.abs(v))));
    };
  }

  @Override
  public void unaryBackward(UnaryOp op, float[] x, float[] y, float[] g, float[] gradIn,
      float p1, float p2) {
    for (int i = 0; i < gradIn.length; i++) {
      gradIn[i] += derivative(op, x[i], y[i], p1, p2) * g[i];
    }
  }

  static float derivative(UnaryOp op, float x, float y, float p1, float p2) {
    return switch (op) {
      case NEG -> -1f;
      case EXP -> y;
      case LOG -> 1f / x;
      case SQRT -> 0.5f / y;
      case ABS -> x > 0f ? 1f : x < 0f ? -1f : 0f;
      case RELU -> x > 0f ? 1f : 0f;
      case LEAKY_RELU -> x > 0f ? 1f : p1;
      case ELU -> x > 0f ? 1f : y + p1;
      case GELU -> (float) (normalCdf(x) + x * StrictMath.exp(-0.5 * x * x) * INV_SQRT_2PI);
      case SIGMOID -> y * (1f - y);
      case TANH -> 1f - y * y;
      case POW -> p1 == 0f ? 0f : (float) (p1 * pow(x, p1 - 1.0));
      case CLAMP -> x >= p1 && x <= p2 ? 1f : 0f;
      case SOFTPLUS -> (float) (1.0 / (1.0 + StrictMath.exp(-x)));
    };
  }

  /**
   * {@code x^p} as PyTorch computes it: for p = 1/2 and -1/2 it takes the square root, so
   * {@code (-0)^(1/2)} is -0 and {@code (-infinity)^(1/2)} is NaN, where {@code pow} answers 0 and
   * infinity. The derivative of {@code x^(3/2)} meets the same rule through {@code x^(1/2)}.
   */
  private static double pow(double x, double p) {
    if (p == 0.5) {
      return Math.sqrt(x);
    }
    if (p == -0.5) {
      return 1.0 / Math.sqrt(x);
    }
    return StrictMath.pow(x, p);
  }

  private static final double TWO_OVER_SQRT_PI = 1.1283791670955126;
  private static final double SQRT_PI = 1.772453850905516;
  private static final double INV_SQRT_2 = 0.7071067811865476;
  private static final double INV_SQRT_2PI = 0.3989422804014327;
  /** Below this |x| erf sums its series; from it on, erfc's continued fraction converges fast. */
  private static final double ERF_SERIES_MAX = 2.0;
  /** Series terms: below |x| = 2, terms past the 30th are under 1e-16 of the sum. */
  private static final int ERF_TERMS = 40;
  /** Continued-fraction levels: at |x| = 2, levels past about 40 change no bit of the result. */
  private static final int ERFC_LEVELS = 50;

  /**
   * GELU, {@code v Phi(v)}, rounded once to float. For |v| below about 1e-16 Phi(v) rounds to 1/2
   * and the product to exactly v/2, which for a subnormal v can fall halfway between two floats;
   * the true value lies a hair above v/2 (v (Phi(v) - 1/2) is never negative), so the tie is
   * broken upwards, as rounding the true value would.
   */
  private static float gelu(float v) {
    double y = v * normalCdf(v);
    return (float) (y == 0.5 * v && v != 0f ? Math.nextUp(y) : y);
  }

  /**
   * The normal distribution's CDF, {@code Phi(x) = erfc(-x / sqrt 2) / 2}: through erfc, so that
   * the far left tail keeps its relative accuracy (GELU(-10) is about -7.6e-23, not 0).
   */
  static double normalCdf(double x) {
    return 0.5 * erfc(-x * INV_SQRT_2);
  }

  /**
   * The error function to double precision: within 6e-16 (5 units in the last place) of the
   * true value. Below |x| = 2 it sums {@code erf(x) = 2/sqrt(pi) e^(-x^2) sum_n 2^n x^(2n+1) /
   * (2n+1)!!} (Abramowitz and Stegun 7.1.6), whose terms are all positive, so the sum does not
   * cancel; from 2 on, it is {@code 1 - erfc(x)}.
   */
  static double erf(double x) {
    double a = Math.abs(x);
    double r = a < ERF_SERIES_MAX ? erfSeries(a) : 1.0 - erfcTail(a);
    return Math.copySign(r, x);
  }

  /**
   * {@code 1 - erf(x)}, to a relative error below 1e-13, and below 1e-15 where it is small (x of 2
   * and more): there it comes from the continued fraction, not from a difference of nearly equal
   * numbers.
   */
  static double erfc(double x) {
    double a = Math.abs(x);
    if (a < ERF_SERIES_MAX) {
      return 1.0 - erf(x);
    }
    double tail = erfcTail(a); // NaN stays NaN
    return x > 0 ? tail : 2.0 - tail;
  }

  /**
   * erf(a) for 0 <= a < 2 by the series above, nested as {@code a (1 + r_1 (1 + r_2 (1 + ...)))}
   * with {@code r_n = 2a^2 / (2n + 1)} and evaluated from the innermost term out: each term then
   * carries one rounding instead of the product of all the ratios before it (2 ulp of the sum
   * instead of 10).
   */
  private static double erfSeries(double a) {
    double twoSquare = 2.0 * a * a;
    double nested = 1.0;
    for (int n = ERF_TERMS; n >= 1; n--) {
      nested = Math.fma(twoSquare / (2 * n + 1), nested, 1.0);
    }
    return TWO_OVER_SQRT_PI * expMinusSquare(a) * (a * nested);
  }

  /**
   * erfc(a) for a >= 2 by Laplace's continued fraction (Abramowitz and Stegun 7.1.14),
   * {@code e^(-a^2) / sqrt(pi) / (a + (1/2) / (a + 1 / (a + (3/2) / (a + 2 / (a + ...)))))},
   * evaluated from the bottom level up.
   */
  private static double erfcTail(double a) {
    // erfc(28) is below the smallest double; clamping keeps infinity from giving infinity * 0
    double x = Math.min(a, 28.0);
    double f = x;
    for (int k = ERFC_LEVELS; k >= 1; k--) {
      f = x + 0.5 * k / f;
    }
    return expMinusSquare(x) / (SQRT_PI * f);
  }

  /**
   * {@code e^(-a^2)}, with {@code a^2} split exactly into {@code hi + lo}: the rounding of
   * {@code a^2} would otherwise cost up to 1e-13 of relative accuracy at a = 20.
   */
  private static double expMinusSquare(double a) {
    double hi = a * a;
    double lo = Math.fma(a, a, -hi);
    double e = StrictMath.exp(-hi);
    return Math.fma(-lo, e, e); // e^(-hi) (1 - lo)
  }

  @Override
  public void binary(BinaryOp op, float[] a, float[] b, float[] out) {
    int na = a.length;
    int nb = b.length;
    for (int i = 0; i < out.length; i++) {
      out[i] = apply(op, a[na == out.length ? i : i % na], b[nb == out.length ? i : i % nb]);
    }
  }

  static float apply(BinaryOp op, float a, float b) {
    return switch (op) {
      case ADD -> a + b;
      case SUB -> a - b;
      case MUL -> a * b;
      case DIV -> a / b;
      case MAX -> Math.max(a, b);
      case MIN -> Math.min(a, b);
      case GT -> a > b ? 1f : 0f;
      case GE -> a >= b ? 1f : 0f;
      case EQ -> a == b ? 1f : 0f;
    };
  }

  @Override
  public void reduce(ReduceOp op, float[] x, float[] out, int outer, int n, int inner) {
    for (int o = 0; o < outer; o++) {
      for (int in = 0; in < inner; in++) {
        int base = o * n * inner + in;
        float acc = x[base];
        int best = 0;
        if (op == ReduceOp.SUM) {
          acc = 0f;
          for (int j = 0; j < n; j++) {
            acc += x[base + j * inner];
          }
        } else {
          for (int j = 1; j < n; j++) {
            float v = x[base + j * inner];
            boolean better = op == ReduceOp.MIN ? v < acc : v > acc;
            // NaN wins, as in PyTorch: a max, min or argmax over a NaN is the NaN.
            if (!Float.isNaN(acc) && (better || Float.isNaN(v))) {
              acc = v;
              best = j;
            }
          }
        }
        out[o * inner + in] = op == ReduceOp.ARGMAX ? best : acc;
      }
    }
  }

  @Override
  public void adaptiveUpdate(float[] p, float[] g, float[] m, float[] v, float beta1, float beta2,
      float step, float epsInside, float epsOutside) {
    for (int i = 0; i < p.length; i++) {
      float first = g[i];
      if (m != null) {
        m[i] += (1f - beta1) * (g[i] - m[i]);
        first = m[i];
      }
      v[i] += (1f - beta2) * (g[i] * g[i] - v[i]);
      p[i] += step * first / ((float) Math.sqrt(v[i] + epsInside) + epsOutside);
    }
  }

  @Override
  public void softmax(float[] x, float[] out, int rows, int n, boolean log) {
    for (int r = 0; r < rows; r++) {
      int base = r * n;
      float max = Float.NEGATIVE_INFINITY;
      for (int j = 0; j < n; j++) {
        max = Math.max(max, x[base + j]);
      }
      double sum = 0;
      for (int j = 0; j < n; j++) {
        sum += StrictMath.exp(x[base + j] - max);
      }
      if (log) {
        float logSum = (float) StrictMath.log(sum) + max;
        for (int j = 0; j < n; j++) {
          out[base + j] = x[base + j] - logSum;
        }
      } else {
        for (int j = 0; j < n; j++) {
          out[base + j] = (float) (StrictMath.exp(x[base + j] - max) / sum);
        }
      }
    }
  }

  @Override
  public void softmaxBackward(float[] y, float[] g, float[] gradIn, int rows, int n, boolean log) {
    for (int r = 0; r < rows; r++) {
      int base = r * n;
      float dot = 0f;
      for (int j = 0; j < n; j++) {
        dot += log ? g[base + j] : g[base + j] * y[base + j];
      }
      for (int j = 0; j < n; j++) {
        float yj = y[base + j];
        gradIn[base + j] += log
            ? g[base + j] - (float) StrictMath.exp(yj) * dot
            : yj * (g[base + j] - dot);
      }
    }
  }

  @Override
  public void im2col(float[] x, ConvGeometry g, float[] cols) {
    copyWindows(x, g, cols, false);
  }

  /** None: the reference convolves as im2col and gemm, the definition. */
  @Override
  public boolean conv2dDirect(float[] x, ConvGeometry g, float[] kernel, int filters,
      float[] bias, boolean relu, float[] out) {
    return false;
  }

  @Override
  public void col2im(float[] cols, ConvGeometry g, float[] gradIn) {
    copyWindows(gradIn, g, cols, true);
  }

  /**
   * Walks every (output position, tap) pair once: copies the input's channel run into the columns
   * ({@code back=false}) or adds the columns back onto the input ({@code back=true}).
   */
  private static void copyWindows(float[] x, ConvGeometry g, float[] cols, boolean back) {
    int c = g.c();
    int row = 0;
    for (int b = 0; b < g.batch(); b++) {
      for (int oy = 0; oy < g.outH(); oy++) {
        for (int ox = 0; ox < g.outW(); ox++, row++) {
          int col = row * g.cols();
          for (int i = 0; i < g.kh(); i++) {
            int y = oy * g.strideH() + i * g.dilationH() - g.padTop();
            for (int j = 0; j < g.kw(); j++, col += c) {
              int xx = ox * g.strideW() + j * g.dilationW() - g.padLeft();
              boolean inside = y >= 0 && y < g.h() && xx >= 0 && xx < g.w();
              int at = ((b * g.h() + y) * g.w() + xx) * c;
              if (back && inside) {
                for (int ch = 0; ch < c; ch++) {
                  x[at + ch] += cols[col + ch];
                }
              } else if (inside) {
                System.arraycopy(x, at, cols, col, c);
              } else if (!back) {
                java.util.Arrays.fill(cols, col, col + c, 0f);
              }
            }
          }
        }
      }
    }
  }

  @Override
  public void maxPool(float[] x, ConvGeometry g, float[] out, int[] winner) {
    int c = g.c();
    int o = 0;
    for (int b = 0; b < g.batch(); b++) {
      for (int oy = 0; oy < g.outH(); oy++) {
        for (int ox = 0; ox < g.outW(); ox++) {
          for (int ch = 0; ch < c; ch++, o++) {
            float best = Float.NEGATIVE_INFINITY;
            int at = -1;
            for (int i = 0; i < g.kh(); i++) {
              int y = oy * g.strideH() - g.padTop() + i;
              for (int j = 0; j < g.kw(); j++) {
                int xx = ox * g.strideW() - g.padLeft() + j;
                if (y >= 0 && y < g.h() && xx >= 0 && xx < g.w()) {
                  int idx = ((b * g.h() + y) * g.w() + xx) * c + ch;
                  // NaN wins, as in PyTorch's max_pool2d and this backend's max reduction
                  // (the first NaN of the window, so the gradient has one place to go)
                  if (at < 0 || x[idx] > best || Float.isNaN(x[idx]) && !Float.isNaN(best)) {
                    best = x[idx];
                    at = idx;
                  }
                }
              }
            }
            out[o] = best;
            if (winner != null) {
              winner[o] = at;
            }
          }
        }
      }
    }
  }

  @Override
  public void forEachRange(int n, int grain, RangeBody body) {
    if (n > 0) {
      body.run(0, n);
    }
  }

  @Override
  public void maxPoolBackward(float[] gradOut, int[] winner, ConvGeometry g, float[] gradIn) {
    for (int o = 0; o < winner.length; o++) {
      gradIn[winner[o]] += gradOut[o];
    }
  }

  @Override
  public void avgPool(float[] x, ConvGeometry g, float[] out) {
    java.util.Arrays.fill(out, 0f);
    poolCells(g, (o, idx, count) -> out[o] += x[idx] / count);
  }

  @Override
  public void avgPoolBackward(float[] gradOut, ConvGeometry g, float[] gradIn) {
    poolCells(g, (o, idx, count) -> gradIn[idx] += gradOut[o] / count);
  }

  /** Receives each (output, input cell) pair of a pooling, with the window's count of cells. */
  @FunctionalInterface
  private interface PoolCell {
    void accept(int out, int in, int count);
  }

  /** Visits every in-image cell of every pooling window of {@code g}, channels innermost. */
  private static void poolCells(ConvGeometry g, PoolCell cell) {
    int c = g.c();
    int o = 0;
    for (int b = 0; b < g.batch(); b++) {
      for (int oy = 0; oy < g.outH(); oy++) {
        int y0 = Math.max(0, oy * g.strideH() - g.padTop());
        int y1 = Math.min(g.h(), oy * g.strideH() - g.padTop() + g.kh());
        for (int ox = 0; ox < g.outW(); ox++, o += c) {
          int x0 = Math.max(0, ox * g.strideW() - g.padLeft());
          int x1 = Math.min(g.w(), ox * g.strideW() - g.padLeft() + g.kw());
          int count = (y1 - y0) * (x1 - x0);
          for (int y = y0; y < y1; y++) {
            for (int xx = x0; xx < x1; xx++) {
              int base = ((b * g.h() + y) * g.w() + xx) * c;
              for (int ch = 0; ch < c; ch++) {
                cell.accept(o + ch, base + ch, count);
              }
            }
          }
        }
      }
    }
  }

  @Override
  public float[] packB(float[] b, int k, int n) {
    if (k < 0 || n < 0 || (long) k * n > b.length) {
      throw new LeptonException("packB: b must hold k x n = " + k + " x " + n + " floats but holds "
          + b.length + "; pass the operand's own sizes");
    }
    return Arrays.copyOf(b, k * n);
  }

  /**
   * Always: the packed B is a plain copy and the product the same loop. Nothing is gained, but
   * runs on this backend then check the inference path that keeps packed weights.
   */
  @Override
  public boolean packedBMatchesGemm(int m, int n, int k) {
    return true;
  }

  @Override
  public void gemmPackedB(int m, int n, int k, float[] a, int aOff, float[] packedB,
      float[] bias, boolean relu, float[] c, int cOff, boolean accumulate) {
    gemm(false, false, m, n, k, a, aOff, packedB, 0, c, cOff, accumulate);
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < n; j++) {
        float v = bias == null ? c[cOff + i * n + j] : c[cOff + i * n + j] + bias[j];
        c[cOff + i * n + j] = relu ? Math.max(v, 0f) : v;
      }
    }
  }
}
