package ai.lepton.tensor;

import static ai.lepton.tensor.VectorMath.L;
import static ai.lepton.tensor.VectorMath.S;

import ai.lepton.LeptonException;
import java.util.Arrays;
import java.util.function.IntConsumer;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector API kernels on the threads of one {@link WorkerPool} (one per {@link ComputeContext}).
 * Loaded by name only when {@code jdk.incubator.vector} is present. Paths that are rare or hard to
 * vectorize with the reference's exact semantics (POW, max/argmax with their NaN rules...) go to
 * {@link ReferenceBackend}. The matrix product lives in {@link VectorGemm}.
 *
 * <p>Reproducibility: every kernel gives the same bits for the same shapes and inputs whatever the
 * thread count, the machine's load or the JIT's progress. Element-wise and row-wise work is split
 * into ranges that only decide which thread computes an element, not how; lane reductions and
 * transcendental functions come from {@link VectorMath}, whose vector lanes and scalar tails agree
 * bit for bit; sums split between threads are cut into a fixed number of parts and combined in
 * part order.
 *
 * <p>JIT rule for everything below: vector-typed values never cross a method boundary (except
 * into {@link VectorMath}'s small functions, which inline). A helper that takes or returns a
 * {@code FloatVector} and is not inlined turns every vector into a heap object (GEMM falls from
 * ~170 to ~10 GFLOP/s), so hot loops keep their vectors in locals.
 */
final class VectorBackend implements Backend {
  /** Int lanes matching S's float lanes one to one (both 32-bit), e.g. for pooling winners. */
  private static final VectorSpecies<Integer> I = S.withLanes(int.class);

  /** Element-wise work is split across threads only from this many elements on. */
  private static final int PARALLEL_ELEMENTS = 1 << 16;
  /**
   * A column sum over many rows is cut into at most this many row ranges whatever the thread
   * count, and their partial sums are added in range order, so the bits depend on the shape only.
   */
  private static final int ROW_PARTS = 16;

  /** The calling thread plus the pool's workers. */
  private final int threads;
  private final WorkerPool pool;
  private final VectorGemm gemm;
  private final ReferenceBackend reference = new ReferenceBackend();

  /** Kernels split between the calling thread and {@code pool}'s workers. */
  VectorBackend(WorkerPool pool) {
    this.pool = pool;
    this.threads = pool.helpers() + 1;
    this.gemm = new VectorGemm(pool);
  }

  @Override
  public String name() {
    return "vector(" + S.vectorBitSize() + "-bit, " + threads + " threads)";
  }

  // ---------------------------------------------------------------- threads

  /** Runs {@code body.accept(t)} for {@code t < tasks} across the pool and the caller. */
  private void parallel(int tasks, IntConsumer body) {
    pool.run(tasks, body);
  }

  /** Splits {@code [0, n)} into vector-aligned ranges, one per thread when {@code n} is large. */
  private void forRanges(int n, RangeBody body) {
    forRanges(n, n, body);
  }

  /** As above, with the split decided by {@code work} elements touched rather than by {@code n}. */
  private void forRanges(int n, long work, RangeBody body) {
    int tasks = work >= PARALLEL_ELEMENTS ? Math.min(threads, Math.max(1, n / L)) : 1;
    int chunk = (n / tasks + L - 1) / L * L;
    parallel(tasks, t -> {
      int from = Math.min(n, t * chunk);
      body.run(from, t == tasks - 1 ? n : Math.min(n, from + chunk));
    });
  }

  @Override
  public void forEachRange(int n, int grain, RangeBody body) {
    // a range's own kernels then find every worker busy and run on the range's thread
    int tasks = Math.max(1, Math.min(threads, n / Math.max(1, grain)));
    parallel(tasks, t -> {
      int from = (int) ((long) n * t / tasks);
      int to = (int) ((long) n * (t + 1) / tasks);
      if (from < to) {
        body.run(from, to);
      }
    });
  }

  // ---------------------------------------------------------------- gemm

  @Override
  public void gemm(boolean transA, boolean transB, int m, int n, int k,
      float[] a, int aOff, float[] b, int bOff, float[] c, int cOff, boolean accumulate) {
    gemm.gemm(transA, transB, m, n, k, a, aOff, b, bOff, c, cOff, accumulate);
  }

  @Override
  public float[] packB(float[] b, int k, int n) {
    return gemm.packB(b, k, n);
  }

  @Override
  public void gemmPackedB(int m, int n, int k, float[] a, int aOff, float[] packedB,
      float[] bias, boolean relu, float[] c, int cOff, boolean accumulate) {
    gemm.gemmPackedB(m, n, k, a, aOff, packedB, bias, relu, c, cOff, accumulate);
  }

  @Override
  public boolean packedBMatchesGemm(int m, int n, int k) {
    return gemm.packedBMatchesGemm(m, n, k);
  }

  // ---------------------------------------------------------------- element-wise

  /**
   * {@code x - x} is 0 for a finite value and NaN for NaN or an infinity, and NaN survives every
   * add: the sum is 0 exactly when all are finite, whatever the order. No branch and no early
   * exit, so the pass runs at the speed of the loads (a scalar loop with an exit does not
   * vectorize, and at batch 64 of 784 features it would cost a sizeable part of an MLP's
   * inference).
   */
  @Override
  public boolean allFinite(float[] x) {
    FloatVector acc0 = FloatVector.zero(S);
    FloatVector acc1 = FloatVector.zero(S);
    int i = 0;
    for (; i + 2 * L <= x.length; i += 2 * L) {
      FloatVector v0 = FloatVector.fromArray(S, x, i);
      FloatVector v1 = FloatVector.fromArray(S, x, i + L);
      acc0 = acc0.add(v0.sub(v0));
      acc1 = acc1.add(v1.sub(v1));
    }
    float sum = acc0.add(acc1).reduceLanes(VectorOperators.ADD);
    for (; i < x.length; i++) {
      sum += x[i] - x[i];
    }
    return sum == 0f;
  }

  @Override
  public void unary(UnaryOp op, float[] x, float[] out, float p1, float p2) {
    switch (op) {
      // x^p1 for any p1 needs log and exp in more than float precision to stay within a few
      // ulp (an error in p1 log x is multiplied into the result); the reference's StrictMath
      case POW -> reference.unary(op, x, out, p1, p2);
      // each transcendental loop is its own method: inlined together into one switch, their
      // polynomials outgrew C2's inlining budget and ran 2-3x slower
      case EXP -> forRanges(out.length, (from, to) -> expRange(x, out, from, to));
      case SIGMOID -> forRanges(out.length, (from, to) -> sigmoidRange(x, out, from, to));
      case TANH -> forRanges(out.length, (from, to) -> tanhRange(x, out, from, to));
      case LOG -> forRanges(out.length, (from, to) -> logRange(x, out, from, to));
      case ELU -> forRanges(out.length, (from, to) -> eluRange(x, out, p1, from, to));
      case GELU -> forRanges(out.length, (from, to) -> geluRange(x, out, from, to));
      case SOFTPLUS -> forRanges(out.length, (from, to) -> softplusRange(x, out, from, to));
      default -> forRanges(out.length, (from, to) -> unaryRange(op, x, out, p1, p2, from, to));
    }
  }

  /** {@code out = e^x} over {@code [from, to)}; the tail with the lanes' scalar twin. */
  private static void expRange(float[] x, float[] out, int from, int to) {
    int i = from;
    for (int end = from + S.loopBound(to - from); i < end; i += L) {
      VectorMath.exp(FloatVector.fromArray(S, x, i)).intoArray(out, i);
    }
    for (; i < to; i++) {
      out[i] = VectorMath.exp(x[i]);
    }
  }

  private static void sigmoidRange(float[] x, float[] out, int from, int to) {
    int i = from;
    for (int end = from + S.loopBound(to - from); i < end; i += L) {
      VectorMath.sigmoid(FloatVector.fromArray(S, x, i)).intoArray(out, i);
    }
    for (; i < to; i++) {
      out[i] = VectorMath.sigmoid(x[i]);
    }
  }

  private static void tanhRange(float[] x, float[] out, int from, int to) {
    int i = from;
    for (int end = from + S.loopBound(to - from); i < end; i += L) {
      VectorMath.tanh(FloatVector.fromArray(S, x, i)).intoArray(out, i);
    }
    for (; i < to; i++) {
      out[i] = VectorMath.tanh(x[i]);
    }
  }

  private static void logRange(float[] x, float[] out, int from, int to) {
    int i = from;
    for (int end = from + S.loopBound(to - from); i < end; i += L) {
      VectorMath.log(FloatVector.fromArray(S, x, i)).intoArray(out, i);
    }
    for (; i < to; i++) {
      out[i] = VectorMath.log(x[i]);
    }
  }

  /** {@code x > 0 ? x : alpha (e^x - 1)}, as the reference. */
  private static void eluRange(float[] x, float[] out, float alpha, int from, int to) {
    int i = from;
    for (int end = from + S.loopBound(to - from); i < end; i += L) {
      FloatVector v = FloatVector.fromArray(S, x, i);
      VectorMath.expm1(v).mul(alpha).blend(v, v.compare(VectorOperators.GT, 0f)).intoArray(out, i);
    }
    for (; i < to; i++) {
      out[i] = x[i] > 0f ? x[i] : alpha * VectorMath.expm1(x[i]);
    }
  }

  private static void geluRange(float[] x, float[] out, int from, int to) {
    int i = from;
    for (int end = from + S.loopBound(to - from); i < end; i += L) {
      VectorMath.gelu(FloatVector.fromArray(S, x, i)).intoArray(out, i);
    }
    for (; i < to; i++) {
      out[i] = VectorMath.gelu(x[i]);
    }
  }

  private static void softplusRange(float[] x, float[] out, int from, int to) {
    int i = from;
    for (int end = from + S.loopBound(to - from); i < end; i += L) {
      VectorMath.softplus(FloatVector.fromArray(S, x, i)).intoArray(out, i);
    }
    for (; i < to; i++) {
      out[i] = VectorMath.softplus(x[i]);
    }
  }

  private static void unaryRange(UnaryOp op, float[] x, float[] out, float p1, float p2,
      int from, int to) {
    int i = from;
    int end = from + S.loopBound(to - from);
    FloatVector zero = FloatVector.zero(S);
    switch (op) {
      case NEG -> {
        for (; i < end; i += L) {
          FloatVector.fromArray(S, x, i).neg().intoArray(out, i);
        }
      }
      case SQRT -> {
        for (; i < end; i += L) {
          FloatVector.fromArray(S, x, i).sqrt().intoArray(out, i);
        }
      }
      case ABS -> {
        for (; i < end; i += L) {
          FloatVector.fromArray(S, x, i).abs().intoArray(out, i);
        }
      }
      case RELU -> {
        // 0 where v <= 0, else v: NaN (never <= 0) passes through, as in the reference and
        // PyTorch. A compare and a blend, cheaper than max with Java's NaN and -0.0 rules.
        for (; i < end; i += L) {
          FloatVector v = FloatVector.fromArray(S, x, i);
          v.blend(zero, v.compare(VectorOperators.LE, 0f)).intoArray(out, i);
        }
      }
      case LEAKY_RELU -> {
        for (; i < end; i += L) {
          FloatVector v = FloatVector.fromArray(S, x, i);
          v.mul(p1).blend(v, v.compare(VectorOperators.GT, 0f)).intoArray(out, i);
        }
      }
      case CLAMP -> {
        for (; i < end; i += L) {
          FloatVector.fromArray(S, x, i).max(p1).min(p2).intoArray(out, i);
        }
      }
      default -> throw new LeptonException("unary: no vector kernel for " + op
          + "; route it to the reference backend");
    }
    for (; i < to; i++) {
      out[i] = ReferenceBackend.apply(op, x[i], p1, p2);
    }
  }

  @Override
  public void unaryBackward(UnaryOp op, float[] x, float[] y, float[] g, float[] gradIn,
      float p1, float p2) {
    switch (op) {
      case POW -> reference.unaryBackward(op, x, y, g, gradIn, p1, p2); // as its forward
      // own methods for the derivatives that call VectorMath (see unary)
      case GELU -> forRanges(gradIn.length,
          (from, to) -> geluBackwardRange(x, g, gradIn, from, to));
      case SOFTPLUS -> forRanges(gradIn.length,
          (from, to) -> softplusBackwardRange(x, g, gradIn, from, to));
      default -> forRanges(gradIn.length,
          (from, to) -> unaryBackwardRange(op, x, y, g, gradIn, p1, p2, from, to));
    }
  }

  /**
   * {@code gradIn += d * g} with the derivative {@code d} of {@code op} from {@code x} or the
   * output {@code y}, in one fused multiply-add; the tail computes the same {@code d} with
   * {@link #derivative} and the same fused multiply-add, so an element's bits do not depend on
   * its position.
   */
  private static void unaryBackwardRange(UnaryOp op, float[] x, float[] y, float[] g,
      float[] gradIn, float p1, float p2, int from, int to) {
    int i = from;
    int end = from + S.loopBound(to - from);
    FloatVector zero = FloatVector.zero(S);
    FloatVector one = FloatVector.broadcast(S, 1f);
    switch (op) {
      case NEG -> {
        FloatVector minusOne = one.neg();
        for (; i < end; i += L) {
          minusOne.fma(FloatVector.fromArray(S, g, i), FloatVector.fromArray(S, gradIn, i))
              .intoArray(gradIn, i);
        }
      }
      case EXP -> {
        for (; i < end; i += L) {
          FloatVector d = FloatVector.fromArray(S, y, i);
          d.fma(FloatVector.fromArray(S, g, i), FloatVector.fromArray(S, gradIn, i))
              .intoArray(gradIn, i);
        }
      }
      case LOG -> {
        for (; i < end; i += L) {
          FloatVector d = one.div(FloatVector.fromArray(S, x, i));
          d.fma(FloatVector.fromArray(S, g, i), FloatVector.fromArray(S, gradIn, i))
              .intoArray(gradIn, i);
        }
      }
      case SQRT -> {
        for (; i < end; i += L) {
          FloatVector d = FloatVector.broadcast(S, 0.5f).div(FloatVector.fromArray(S, y, i));
          d.fma(FloatVector.fromArray(S, g, i), FloatVector.fromArray(S, gradIn, i))
              .intoArray(gradIn, i);
        }
      }
      case ABS -> {
        FloatVector minusOne = one.neg();
        for (; i < end; i += L) {
          FloatVector v = FloatVector.fromArray(S, x, i);
          FloatVector d = zero.blend(one, v.compare(VectorOperators.GT, 0f))
              .blend(minusOne, v.compare(VectorOperators.LT, 0f));
          d.fma(FloatVector.fromArray(S, g, i), FloatVector.fromArray(S, gradIn, i))
              .intoArray(gradIn, i);
        }
      }
      case RELU, LEAKY_RELU -> {
        FloatVector slope = op == UnaryOp.RELU ? zero : FloatVector.broadcast(S, p1);
        for (; i < end; i += L) {
          FloatVector d = slope.blend(one, FloatVector.fromArray(S, x, i).compare(VectorOperators.GT, 0f));
          d.fma(FloatVector.fromArray(S, g, i), FloatVector.fromArray(S, gradIn, i))
              .intoArray(gradIn, i);
        }
      }
      case ELU -> {
        for (; i < end; i += L) {
          FloatVector d = FloatVector.fromArray(S, y, i).add(p1)
              .blend(one, FloatVector.fromArray(S, x, i).compare(VectorOperators.GT, 0f));
          d.fma(FloatVector.fromArray(S, g, i), FloatVector.fromArray(S, gradIn, i))
              .intoArray(gradIn, i);
        }
      }
      case SIGMOID -> {
        for (; i < end; i += L) {
          FloatVector v = FloatVector.fromArray(S, y, i);
          FloatVector d = v.mul(one.sub(v));
          d.fma(FloatVector.fromArray(S, g, i), FloatVector.fromArray(S, gradIn, i))
              .intoArray(gradIn, i);
        }
      }
      case TANH -> {
        for (; i < end; i += L) {
          FloatVector v = FloatVector.fromArray(S, y, i);
          FloatVector d = one.sub(v.mul(v));
          d.fma(FloatVector.fromArray(S, g, i), FloatVector.fromArray(S, gradIn, i))
              .intoArray(gradIn, i);
        }
      }
      case CLAMP -> {
        for (; i < end; i += L) {
          FloatVector v = FloatVector.fromArray(S, x, i);
          FloatVector d = zero.blend(one, v.compare(VectorOperators.GE, p1)
              .and(v.compare(VectorOperators.LE, p2)));
          d.fma(FloatVector.fromArray(S, g, i), FloatVector.fromArray(S, gradIn, i))
              .intoArray(gradIn, i);
        }
      }
      default -> throw new LeptonException("unaryBackward: no vector kernel for " + op
          + "; route it to the reference backend");
    }
    for (; i < to; i++) {
      gradIn[i] = Math.fma(derivative(op, x[i], y[i], p1, p2), g[i], gradIn[i]);
    }
  }

  /**
   * The lanes' derivative in {@link #unaryBackwardRange} for one element: the reference's
   * {@link ReferenceBackend#derivative} in float operations.
   */
  private static float derivative(UnaryOp op, float x, float y, float p1, float p2) {
    return switch (op) {
      case NEG -> -1f;
      case EXP -> y;
      case LOG -> 1f / x;
      case SQRT -> 0.5f / y;
      case ABS -> x > 0f ? 1f : x < 0f ? -1f : 0f;
      case RELU -> x > 0f ? 1f : 0f;
      case LEAKY_RELU -> x > 0f ? 1f : p1;
      case ELU -> x > 0f ? 1f : y + p1;
      case SIGMOID -> y * (1f - y);
      case TANH -> 1f - y * y;
      case CLAMP -> x >= p1 && x <= p2 ? 1f : 0f;
      default -> throw new LeptonException("unaryBackward: no vector kernel for " + op
          + "; route it to the reference backend");
    };
  }

  /**
   * {@code gradIn += (Phi(x) + x phi(x)) g} in two passes, {@code gradIn += Phi(x) g} then
   * {@code gradIn += x phi(x) g}, each in its own method: each needs an exponential, and with both
   * in one method C2 stopped inlining at its node count and boxed the second one's vectors.
   */
  private static void geluBackwardRange(float[] x, float[] g, float[] gradIn, int from, int to) {
    geluCdfPass(x, g, gradIn, from, to);
    geluDensityPass(x, g, gradIn, from, to);
  }

  private static void geluCdfPass(float[] x, float[] g, float[] gradIn, int from, int to) {
    int i = from;
    for (int end = from + S.loopBound(to - from); i < end; i += L) {
      FloatVector d = VectorMath.normalCdf(FloatVector.fromArray(S, x, i));
      d.fma(FloatVector.fromArray(S, g, i), FloatVector.fromArray(S, gradIn, i))
          .intoArray(gradIn, i);
    }
    for (; i < to; i++) {
      gradIn[i] = Math.fma(VectorMath.normalCdf(x[i]), g[i], gradIn[i]);
    }
  }

  private static void geluDensityPass(float[] x, float[] g, float[] gradIn, int from, int to) {
    int i = from;
    for (int end = from + S.loopBound(to - from); i < end; i += L) {
      FloatVector v = FloatVector.fromArray(S, x, i);
      FloatVector d = v.mul(VectorMath.normalDensity(v));
      d.fma(FloatVector.fromArray(S, g, i), FloatVector.fromArray(S, gradIn, i))
          .intoArray(gradIn, i);
    }
    for (; i < to; i++) {
      gradIn[i] = Math.fma(x[i] * VectorMath.normalDensity(x[i]), g[i], gradIn[i]);
    }
  }

  /** The derivative of softplus is the sigmoid. */
  private static void softplusBackwardRange(float[] x, float[] g, float[] gradIn, int from,
      int to) {
    int i = from;
    for (int end = from + S.loopBound(to - from); i < end; i += L) {
      FloatVector d = VectorMath.sigmoid(FloatVector.fromArray(S, x, i));
      d.fma(FloatVector.fromArray(S, g, i), FloatVector.fromArray(S, gradIn, i))
              .intoArray(gradIn, i);
    }
    for (; i < to; i++) {
      gradIn[i] = Math.fma(VectorMath.sigmoid(x[i]), g[i], gradIn[i]);
    }
  }

  /**
   * Same-length spans go straight to the kernel. A broadcast operand (a bias row or a scalar,
   * whose length divides {@code out.length}) is first repeated to a period of at least 256 floats,
   * so that the output splits into chunks where both operands are again contiguous spans.
   */
  @Override
  public void binary(BinaryOp op, float[] a, float[] b, float[] out) {
    int n = out.length;
    if (a.length == n && b.length == n) {
      forRanges(n, (from, to) -> binarySpan(op, a, from, b, from, out, from, to - from));
    } else if (a.length == n) {
      float[] bp = repeat(b);
      forChunks(n, bp.length, (i, len) -> binarySpan(op, a, i, bp, 0, out, i, len));
    } else if (b.length == n) {
      float[] ap = repeat(a);
      forChunks(n, ap.length, (i, len) -> binarySpan(op, ap, 0, b, i, out, i, len));
    } else {
      reference.binary(op, a, b, out);
    }
  }

  /** {@code x} repeated to a length of at least 256 (a whole number of copies). */
  private static float[] repeat(float[] x) {
    if (x.length >= 256) {
      return x;
    }
    int copies = (256 + x.length - 1) / x.length;
    float[] r = new float[copies * x.length];
    for (int i = 0; i < copies; i++) {
      System.arraycopy(x, 0, r, i * x.length, x.length);
    }
    return r;
  }

  /** Calls {@code body(start, len)} for consecutive chunks of {@code period} covering {@code [0, n)}. */
  private void forChunks(int n, int period, RangeBody body) {
    int chunks = (n + period - 1) / period;
    int tasks = n >= PARALLEL_ELEMENTS ? Math.min(threads, chunks) : 1;
    parallel(tasks, t -> {
      for (int q = chunks * t / tasks; q < chunks * (t + 1) / tasks; q++) {
        int start = q * period;
        body.run(start, Math.min(period, n - start));
      }
    });
  }

  private static void binarySpan(BinaryOp op, float[] a, int ai, float[] b, int bi,
      float[] out, int oi, int len) {
    int i = 0;
    int end = S.loopBound(len);
    FloatVector one = FloatVector.broadcast(S, 1f);
    FloatVector zero = FloatVector.zero(S);
    switch (op) {
      case ADD -> {
        for (; i < end; i += L) {
          FloatVector.fromArray(S, a, ai + i).add(FloatVector.fromArray(S, b, bi + i)).intoArray(out, oi + i);
        }
      }
      case SUB -> {
        for (; i < end; i += L) {
          FloatVector.fromArray(S, a, ai + i).sub(FloatVector.fromArray(S, b, bi + i)).intoArray(out, oi + i);
        }
      }
      case MUL -> {
        for (; i < end; i += L) {
          FloatVector.fromArray(S, a, ai + i).mul(FloatVector.fromArray(S, b, bi + i)).intoArray(out, oi + i);
        }
      }
      case DIV -> {
        for (; i < end; i += L) {
          FloatVector.fromArray(S, a, ai + i).div(FloatVector.fromArray(S, b, bi + i)).intoArray(out, oi + i);
        }
      }
      case MAX -> {
        for (; i < end; i += L) {
          FloatVector.fromArray(S, a, ai + i).max(FloatVector.fromArray(S, b, bi + i)).intoArray(out, oi + i);
        }
      }
      case MIN -> {
        for (; i < end; i += L) {
          FloatVector.fromArray(S, a, ai + i).min(FloatVector.fromArray(S, b, bi + i)).intoArray(out, oi + i);
        }
      }
      case GT, GE, EQ -> {
        VectorOperators.Comparison cmp = op == BinaryOp.GT ? VectorOperators.GT
            : op == BinaryOp.GE ? VectorOperators.GE : VectorOperators.EQ;
        for (; i < end; i += L) {
          zero.blend(one, FloatVector.fromArray(S, a, ai + i).compare(cmp, FloatVector.fromArray(S, b, bi + i)))
              .intoArray(out, oi + i);
        }
      }
    }
    for (; i < len; i++) {
      out[oi + i] = ReferenceBackend.apply(op, a[ai + i], b[bi + i]);
    }
  }

  // ---------------------------------------------------------------- reductions

  /** SUM is vectorized (rows when {@code inner == 1}, otherwise across {@code inner}); MAX, MIN and
   * ARGMAX keep the reference's NaN rules by going to it. */
  @Override
  public void reduce(ReduceOp op, float[] x, float[] out, int outer, int n, int inner) {
    if (op != ReduceOp.SUM) {
      reference.reduce(op, x, out, outer, n, inner);
      return;
    }
    if (outer == 1 && inner > 1) {
      // One [n, inner] slab (a column sum, e.g. a bias gradient): each range of rows is summed
      // into its own partial row, so each thread reads only its share of the slab; the partials
      // are then added in range order. The ranges depend on the shape alone, not on the threads.
      int parts = x.length >= PARALLEL_ELEMENTS ? Math.min(ROW_PARTS, n) : 1;
      int tasks = Math.min(threads, parts);
      float[][] partial = new float[parts][inner];
      parallel(tasks, t -> {
        for (int part = t; part < parts; part += tasks) {
          int from = (int) ((long) n * part / parts);
          int to = (int) ((long) n * (part + 1) / parts);
          sumColumns(x, from * inner, to - from, inner, partial[part], 0, 0, inner);
        }
      });
      System.arraycopy(partial[0], 0, out, 0, inner);
      for (int part = 1; part < parts; part++) {
        for (int c = 0; c < inner; c++) {
          out[c] += partial[part][c];
        }
      }
      return;
    }
    int tasks = x.length >= PARALLEL_ELEMENTS ? Math.min(threads, outer) : 1;
    parallel(tasks, t -> {
      for (int o = outer * t / tasks; o < outer * (t + 1) / tasks; o++) {
        if (inner == 1) {
          out[o] = sum(x, o * n, n);
        } else {
          sumColumns(x, o * n * inner, n, inner, out, o * inner, 0, inner);
        }
      }
    });
  }

  private static float sum(float[] x, int from, int len) {
    FloatVector s0 = FloatVector.zero(S);
    FloatVector s1 = FloatVector.zero(S);
    int i = 0;
    for (; i + 2 * L <= len; i += 2 * L) {
      s0 = s0.add(FloatVector.fromArray(S, x, from + i));
      s1 = s1.add(FloatVector.fromArray(S, x, from + i + L));
    }
    for (; i + L <= len; i += L) {
      s0 = s0.add(FloatVector.fromArray(S, x, from + i));
    }
    float s = VectorMath.addLanes(s0.add(s1).toArray());
    for (; i < len; i++) {
      s += x[from + i];
    }
    return s;
  }

  /** {@code out[oi + c] = sum_j x[xi + j*inner + c]} for columns {@code c} in {@code [from, to)}. */
  private static void sumColumns(float[] x, int xi, int n, int inner, float[] out, int oi,
      int from, int to) {
    Arrays.fill(out, oi + from, oi + to, 0f);
    int end = from + S.loopBound(to - from);
    for (int j = 0; j < n; j++) {
      int row = xi + j * inner;
      int c = from;
      for (; c < end; c += L) {
        FloatVector.fromArray(S, out, oi + c).add(FloatVector.fromArray(S, x, row + c)).intoArray(out, oi + c);
      }
      for (; c < to; c++) {
        out[oi + c] += x[row + c];
      }
    }
  }

  // ---------------------------------------------------------------- softmax

  @Override
  public void adaptiveUpdate(float[] p, float[] g, float[] m, float[] v, float beta1, float beta2,
      float step, float epsInside, float epsOutside) {
    forRanges(p.length, 4L * p.length, (from, to) -> adaptiveRange(p, g, m, v, beta1, beta2, step,
        epsInside, epsOutside, from, to));
  }

  private static void adaptiveRange(float[] p, float[] g, float[] m, float[] v, float beta1,
      float beta2, float step, float epsInside, float epsOutside, int from, int to) {
    int i = from;
    int end = from + S.loopBound(to - from);
    float w1 = 1f - beta1;
    float w2 = 1f - beta2;
    FloatVector w1v = FloatVector.broadcast(S, w1);
    FloatVector w2v = FloatVector.broadcast(S, w2);
    FloatVector stepv = FloatVector.broadcast(S, step);
    for (; i < end; i += L) {
      FloatVector gv = FloatVector.fromArray(S, g, i);
      FloatVector first = gv;
      if (m != null) {
        FloatVector mv = FloatVector.fromArray(S, m, i);
        first = gv.sub(mv).fma(w1v, mv);
        first.intoArray(m, i);
      }
      FloatVector vv = FloatVector.fromArray(S, v, i);
      vv = gv.mul(gv).sub(vv).fma(w2v, vv);
      vv.intoArray(v, i);
      FloatVector denominator = vv.add(epsInside).sqrt().add(epsOutside);
      first.div(denominator).fma(stepv, FloatVector.fromArray(S, p, i)).intoArray(p, i);
    }
    // the tail with the lanes' own operations, so a parameter's bits do not depend on its index
    for (; i < to; i++) {
      float first = g[i];
      if (m != null) {
        m[i] = Math.fma(g[i] - m[i], w1, m[i]);
        first = m[i];
      }
      v[i] = Math.fma(g[i] * g[i] - v[i], w2, v[i]);
      p[i] = Math.fma(first / ((float) Math.sqrt(v[i] + epsInside) + epsOutside), step, p[i]);
    }
  }

  @Override
  public void softmax(float[] x, float[] out, int rows, int n, boolean log) {
    if (n < L) {
      forRowRanges(rows, n, (r0, r1) -> softmaxShortRows(x, out, r0, r1, n, log));
    } else {
      forRows(rows, n, r -> softmaxRow(x, out, r * n, n, log));
    }
  }

  /**
   * Softmax of rows {@code [r0, r1)} shorter than a vector (10 classes): the shifted values of all
   * rows go through the vector exp together, as one contiguous run, instead of ten scalar exps per
   * row. The exp's scalar twin gives the same bits, and each row's sum runs in the same order as
   * in softmaxRow, so the result is the bits softmaxRow gives.
   */
  private static void softmaxShortRows(float[] x, float[] out, int r0, int r1, int n,
      boolean log) {
    for (int r = r0; r < r1; r++) {
      int base = r * n;
      float max = Float.NEGATIVE_INFINITY;
      for (int j = 0; j < n; j++) {
        max = Math.max(max, x[base + j]);
      }
      for (int j = 0; j < n; j++) {
        out[base + j] = x[base + j] - max;
      }
    }
    expRange(out, out, r0 * n, r1 * n);
    for (int r = r0; r < r1; r++) {
      int base = r * n;
      float sum = 0f;
      for (int j = 0; j < n; j++) {
        sum += out[base + j];
      }
      if (log) {
        float max = Float.NEGATIVE_INFINITY;
        for (int j = 0; j < n; j++) {
          max = Math.max(max, x[base + j]);
        }
        float shift = max + (float) StrictMath.log(sum);
        for (int j = 0; j < n; j++) {
          out[base + j] = x[base + j] - shift;
        }
      } else {
        float inv = 1f / sum;
        for (int j = 0; j < n; j++) {
          out[base + j] *= inv;
        }
      }
    }
  }

  /** Calls {@code body(r0, r1)} for consecutive ranges of rows, split as {@link #forRows}. */
  private void forRowRanges(int rows, int n, RangeBody body) {
    int tasks = (long) rows * n >= PARALLEL_ELEMENTS ? Math.min(threads, rows) : 1;
    parallel(tasks, t -> body.run(rows * t / tasks, rows * (t + 1) / tasks));
  }

  private void forRows(int rows, int n, IntConsumer row) {
    int tasks = (long) rows * n >= PARALLEL_ELEMENTS ? Math.min(threads, rows) : 1;
    parallel(tasks, t -> {
      for (int r = rows * t / tasks; r < rows * (t + 1) / tasks; r++) {
        row.accept(r);
      }
    });
  }

  private static void softmaxRow(float[] x, float[] out, int base, int n, boolean log) {
    int end = S.loopBound(n);
    FloatVector vmax = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
    int j = 0;
    for (; j < end; j += L) {
      vmax = vmax.max(FloatVector.fromArray(S, x, base + j));
    }
    float max = VectorMath.maxLanes(vmax.toArray());
    for (; j < n; j++) {
      max = Math.max(max, x[base + j]);
    }
    // exp(x - max) <= 1, so even huge logits cannot overflow the sum.
    FloatVector vsum = FloatVector.zero(S);
    for (j = 0; j < end; j += L) {
      FloatVector e = VectorMath.exp(FloatVector.fromArray(S, x, base + j).sub(max));
      if (!log) {
        e.intoArray(out, base + j);
      }
      vsum = vsum.add(e);
    }
    float sum = VectorMath.addLanes(vsum.toArray());
    for (; j < n; j++) {
      float e = VectorMath.exp(x[base + j] - max);
      if (!log) {
        out[base + j] = e;
      }
      sum += e;
    }
    if (log) {
      float shift = max + (float) StrictMath.log(sum);
      for (j = 0; j < end; j += L) {
        FloatVector.fromArray(S, x, base + j).sub(shift).intoArray(out, base + j);
      }
      for (; j < n; j++) {
        out[base + j] = x[base + j] - shift;
      }
    } else {
      float inv = 1f / sum;
      for (j = 0; j < end; j += L) {
        FloatVector.fromArray(S, out, base + j).mul(inv).intoArray(out, base + j);
      }
      for (; j < n; j++) {
        out[base + j] *= inv;
      }
    }
  }

  @Override
  public void softmaxBackward(float[] y, float[] g, float[] gradIn, int rows, int n, boolean log) {
    forRows(rows, n, r -> softmaxBackwardRow(y, g, gradIn, r * n, n, log));
  }

  private static void softmaxBackwardRow(float[] y, float[] g, float[] gradIn, int base, int n,
      boolean log) {
    // dot = sum g (log-softmax) or sum g*y (softmax)
    float dot = log ? sum(g, base, n) : VectorMath.dot(g, base, y, base, n);
    int end = S.loopBound(n);
    int j = 0;
    for (; j < end; j += L) {
      FloatVector vy = FloatVector.fromArray(S, y, base + j);
      FloatVector vg = FloatVector.fromArray(S, g, base + j);
      FloatVector gi = FloatVector.fromArray(S, gradIn, base + j);
      FloatVector d = log
          ? vg.sub(VectorMath.exp(vy).mul(dot))
          : vy.mul(vg.sub(dot));
      gi.add(d).intoArray(gradIn, base + j);
    }
    for (; j < n; j++) {
      float yj = y[base + j];
      gradIn[base + j] += log ? g[base + j] - VectorMath.exp(yj) * dot : yj * (g[base + j] - dot);
    }
  }

  // ---------------------------------------------------------------- convolution and pooling

  /** Split by images across threads; col2im may be too, since windows never cross images. */
  @Override
  public void im2col(float[] x, ConvGeometry g, float[] cols) {
    forImages(g, (from, to) -> copyWindows(x, g, cols, false, from, to));
  }

  @Override
  public void col2im(float[] cols, ConvGeometry g, float[] gradIn) {
    forImages(g, (from, to) -> copyWindows(gradIn, g, cols, true, from, to));
  }

  /**
   * Where gemm would run its shallow kernel (few input channels: conv1 of the Fashion-MNIST CNN,
   * 1 channel, k = 9) and every window lies inside the image: the same FMA chains read from
   * {@code x} in place. im2col would copy each 3-float kernel row of a window on its own, which
   * cost as much as the product (conv1 at batch 1: 27 us of which 9 us im2col).
   */
  @Override
  public boolean conv2dDirect(float[] x, ConvGeometry g, float[] kernel, int filters,
      float[] bias, boolean relu, float[] out) {
    boolean inImage = g.padTop() == 0 && g.padLeft() == 0
        && (g.outH() - 1L) * g.strideH() + (g.kh() - 1L) * g.dilationH() < g.h()
        && (g.outW() - 1L) * g.strideW() + (g.kw() - 1L) * g.dilationW() < g.w();
    if (!inImage || !VectorGemm.isShallow(g.rows(), filters, g.cols())) {
      return false;
    }
    int[] taps = new int[g.cols()]; // each column's offset in x from its window's first cell
    for (int i = 0, p = 0; i < g.kh(); i++) {
      for (int j = 0; j < g.kw(); j++) {
        for (int ch = 0; ch < g.c(); ch++, p++) {
          taps[p] = (i * g.dilationH() * g.w() + j * g.dilationW()) * g.c() + ch;
        }
      }
    }
    forOutputRows(g, (from, to) -> directRows(x, g, taps, kernel, filters, bias, relu, out, from,
        to));
    return true;
  }

  /**
   * {@link #conv2dDirect} for output rows {@code [from, to)} (row = image * outH + oy): four
   * positions at a time against a pair of kernel vectors, as gemm's shallow kernel, with the taps
   * in one flat loop (vector accumulators carried through nested loops are boxed by JDK 17).
   */
  private static void directRows(float[] x, ConvGeometry g, int[] taps, float[] kernel, int n,
      float[] bias, boolean relu, float[] out, int from, int to) {
    int k = taps.length;
    int step = g.strideW() * g.c(); // from one position's window to the next one's
    FloatVector zero = FloatVector.zero(S);
    for (int r = from; r < to; r++) {
      int first = (r / g.outH() * g.h() + r % g.outH() * g.strideH()) * g.w() * g.c();
      for (int j = 0; j < n; j += 2 * L) {
        FloatVector bias0 = bias == null ? zero : FloatVector.fromArray(S, bias, j);
        FloatVector bias1 = bias == null ? zero : FloatVector.fromArray(S, bias, j + L);
        int ox = 0;
        for (; ox + 4 <= g.outW(); ox += 4) {
          FloatVector c00 = zero;
          FloatVector c01 = zero;
          FloatVector c10 = zero;
          FloatVector c11 = zero;
          FloatVector c20 = zero;
          FloatVector c21 = zero;
          FloatVector c30 = zero;
          FloatVector c31 = zero;
          int at = first + ox * step;
          for (int p = 0; p < k; p++) {
            FloatVector b0 = FloatVector.fromArray(S, kernel, p * n + j);
            FloatVector b1 = FloatVector.fromArray(S, kernel, p * n + j + L);
            int xi = at + taps[p];
            FloatVector a0 = FloatVector.broadcast(S, x[xi]);
            c00 = a0.fma(b0, c00);
            c01 = a0.fma(b1, c01);
            FloatVector a1 = FloatVector.broadcast(S, x[xi + step]);
            c10 = a1.fma(b0, c10);
            c11 = a1.fma(b1, c11);
            FloatVector a2 = FloatVector.broadcast(S, x[xi + 2 * step]);
            c20 = a2.fma(b0, c20);
            c21 = a2.fma(b1, c21);
            FloatVector a3 = FloatVector.broadcast(S, x[xi + 3 * step]);
            c30 = a3.fma(b0, c30);
            c31 = a3.fma(b1, c31);
          }
          int ci = (r * g.outW() + ox) * n + j;
          if (bias != null) {
            c00 = c00.add(bias0);
            c01 = c01.add(bias1);
            c10 = c10.add(bias0);
            c11 = c11.add(bias1);
            c20 = c20.add(bias0);
            c21 = c21.add(bias1);
            c30 = c30.add(bias0);
            c31 = c31.add(bias1);
          }
          if (relu) { // as the RELU kernel: zero at or below zero, NaN stays
            c00 = c00.blend(zero, c00.compare(VectorOperators.LE, 0f));
            c01 = c01.blend(zero, c01.compare(VectorOperators.LE, 0f));
            c10 = c10.blend(zero, c10.compare(VectorOperators.LE, 0f));
            c11 = c11.blend(zero, c11.compare(VectorOperators.LE, 0f));
            c20 = c20.blend(zero, c20.compare(VectorOperators.LE, 0f));
            c21 = c21.blend(zero, c21.compare(VectorOperators.LE, 0f));
            c30 = c30.blend(zero, c30.compare(VectorOperators.LE, 0f));
            c31 = c31.blend(zero, c31.compare(VectorOperators.LE, 0f));
          }
          c00.intoArray(out, ci);
          c01.intoArray(out, ci + L);
          c10.intoArray(out, ci + n);
          c11.intoArray(out, ci + n + L);
          c20.intoArray(out, ci + 2 * n);
          c21.intoArray(out, ci + 2 * n + L);
          c30.intoArray(out, ci + 3 * n);
          c31.intoArray(out, ci + 3 * n + L);
        }
        for (; ox < g.outW(); ox++) {
          FloatVector s0 = zero;
          FloatVector s1 = zero;
          int at = first + ox * step;
          for (int p = 0; p < k; p++) {
            FloatVector a = FloatVector.broadcast(S, x[at + taps[p]]);
            s0 = a.fma(FloatVector.fromArray(S, kernel, p * n + j), s0);
            s1 = a.fma(FloatVector.fromArray(S, kernel, p * n + j + L), s1);
          }
          if (bias != null) {
            s0 = s0.add(bias0);
            s1 = s1.add(bias1);
          }
          if (relu) {
            s0 = s0.blend(zero, s0.compare(VectorOperators.LE, 0f));
            s1 = s1.blend(zero, s1.compare(VectorOperators.LE, 0f));
          }
          int ci = (r * g.outW() + ox) * n + j;
          s0.intoArray(out, ci);
          s1.intoArray(out, ci + L);
        }
      }
    }
  }

  /**
   * The reference's copyWindows for images {@code [from, to)}, moving whole rows of taps
   * at once: with dilation 1 the {@code kw} taps of a kernel row read {@code kw * c} contiguous
   * input floats into {@code kw * c} contiguous columns (9 floats per copy instead of 3 for an RGB
   * 3x3 kernel). col2im adds those runs back with vectors.
   */
  private static void copyWindows(float[] x, ConvGeometry g, float[] cols, boolean back, int from,
      int to) {
    int c = g.c();
    int run = g.kw() * c;
    int row = from * g.outH() * g.outW();
    for (int b = from; b < to; b++) {
      for (int oy = 0; oy < g.outH(); oy++) {
        for (int ox = 0; ox < g.outW(); ox++, row++) {
          int x0 = ox * g.strideW() - g.padLeft();
          boolean wholeRow = g.dilationW() == 1 && x0 >= 0 && x0 + g.kw() <= g.w();
          for (int i = 0; i < g.kh(); i++) {
            int col = row * g.cols() + i * run;
            int y = oy * g.strideH() + i * g.dilationH() - g.padTop();
            if (y < 0 || y >= g.h()) {
              if (!back) {
                Arrays.fill(cols, col, col + run, 0f);
              }
              continue;
            }
            int line = (b * g.h() + y) * g.w();
            if (wholeRow) {
              moveRun(x, (line + x0) * c, cols, col, run, back);
              continue;
            }
            for (int j = 0; j < g.kw(); j++, col += c) {
              int xx = x0 + j * g.dilationW();
              if (xx >= 0 && xx < g.w()) {
                moveRun(x, (line + xx) * c, cols, col, c, back);
              } else if (!back) {
                Arrays.fill(cols, col, col + c, 0f);
              }
            }
          }
        }
      }
    }
  }

  /** {@code cols[col..] = x[at..]}, or with {@code back} {@code x[at..] += cols[col..]}. */
  private static void moveRun(float[] x, int at, float[] cols, int col, int len, boolean back) {
    if (!back) {
      System.arraycopy(x, at, cols, col, len);
      return;
    }
    int k = 0;
    for (; k + L <= len; k += L) {
      FloatVector.fromArray(S, x, at + k).add(FloatVector.fromArray(S, cols, col + k))
          .intoArray(x, at + k);
    }
    for (; k < len; k++) {
      x[at + k] += cols[col + k];
    }
  }

  /** Splits the images of {@code g} across threads when the input and windows are large. */
  private void forImages(ConvGeometry g, RangeBody body) {
    long work = (long) g.rows() * g.cols();
    int tasks = work >= PARALLEL_ELEMENTS ? Math.min(threads, g.batch()) : 1;
    parallel(tasks, t -> body.run(g.batch() * t / tasks, g.batch() * (t + 1) / tasks));
  }

  /**
   * Vectorized across channels (contiguous in channels-last layout): each window's taps are
   * compared a vector of channels at a time, in the reference's tap order and with its strict
   * {@code >} and NaN rule, so ties and NaNs pick the same winner. Split by output rows across threads.
   */
  @Override
  public void maxPool(float[] x, ConvGeometry g, float[] out, int[] winner) {
    forOutputRows(g, (from, to) -> maxPoolRows(x, g, out, winner, from, to));
  }

  /**
   * Max pooling of output rows {@code [from, to)} (row = image * outH + oy): whole vectors of
   * channels in {@link #windowMaxima}, the remaining channels one at a time.
   */
  private static void maxPoolRows(float[] x, ConvGeometry g, float[] out, int[] winner, int from,
      int to) {
    int c = g.c();
    int vc = S.loopBound(c);
    for (int r = from; r < to; r++) { // r = b * outH + oy
      int b = r / g.outH();
      int y0 = Math.max(0, r % g.outH() * g.strideH() - g.padTop());
      int y1 = Math.min(g.h(), r % g.outH() * g.strideH() - g.padTop() + g.kh());
      for (int ox = 0; ox < g.outW(); ox++) {
        int x0 = Math.max(0, ox * g.strideW() - g.padLeft());
        int x1 = Math.min(g.w(), ox * g.strideW() - g.padLeft() + g.kw());
        int o = (r * g.outW() + ox) * c;
        int first = ((b * g.h() + y0) * g.w() + x0) * c;
        windowMaxima(x, first, (y1 - y0) * g.w() * c, g.w() * c, (x1 - x0) * c, c, out, winner,
            o, vc);
        for (int ch = vc; ch < c; ch++) {
          float best = x[first + ch];
          int at = first + ch;
          for (int y = y0; y < y1; y++) {
            for (int xx = x0; xx < x1; xx++) {
              int idx = ((b * g.h() + y) * g.w() + xx) * c + ch;
              if (x[idx] > best || Float.isNaN(x[idx]) && !Float.isNaN(best)) {
                best = x[idx];
                at = idx;
              }
            }
          }
          out[o + ch] = best;
          if (winner != null) {
            winner[o + ch] = at;
          }
        }
      }
    }
  }

  /**
   * Max pooling of one window, channels {@code [0, vc)}: {@code out[o..]} = the maxima over the
   * window's taps, at {@code x[first + row + col + ch]} for rows up to {@code rows} by
   * {@code rowStep} and columns up to {@code cols} by {@code c}, and unless {@code winner} is null
   * (inference) {@code winner[o..]} = their flat indices in x. The running maxima and winners live
   * in the output arrays, not in vector locals carried through the tap loops: JDK 17 boxed those
   * (pool1 allocated 184 KB per call, 120 bytes per tap and vector, and took 20 us). Each tap
   * replaces the maximum unless it is at most the maximum (false when either is NaN) or the
   * maximum is already NaN, as in the reference (the first NaN wins; ties keep the first); a
   * replaced maximum is one whose bits changed.
   */
  private static void windowMaxima(float[] x, int first, int rows, int rowStep, int cols, int c,
      float[] out, int[] winner, int o, int vc) {
    System.arraycopy(x, first, out, o, vc);
    if (winner != null) {
      for (int ch = 0; ch < vc; ch += L) {
        IntVector.zero(I).addIndex(1).add(first + ch).intoArray(winner, o + ch);
      }
    }
    for (int row = 0; row < rows; row += rowStep) {
      for (int col = row == 0 ? c : 0; col < cols; col += c) {
        int at = first + row + col;
        for (int ch = 0; ch < vc; ch += L) {
          FloatVector best = FloatVector.fromArray(S, out, o + ch);
          FloatVector v = FloatVector.fromArray(S, x, at + ch);
          FloatVector unlessNan = best.blend(v, best.compare(VectorOperators.EQ, best));
          FloatVector next = unlessNan.blend(best, v.compare(VectorOperators.LE, best));
          next.intoArray(out, o + ch);
          if (winner != null) {
            VectorMask<Integer> replaced = next.reinterpretAsInts()
                .compare(VectorOperators.NE, best.reinterpretAsInts());
            IntVector.fromArray(I, winner, o + ch)
                .blend(IntVector.zero(I).addIndex(1).add(at + ch), replaced)
                .intoArray(winner, o + ch);
          }
        }
      }
    }
  }

  /** Split by images: an image's winners lie in that image, so threads write disjoint cells. */
  @Override
  public void maxPoolBackward(float[] gradOut, int[] winner, ConvGeometry g, float[] gradIn) {
    int perImage = g.outH() * g.outW() * g.c();
    forImages(g, (from, to) -> {
      for (int o = from * perImage; o < to * perImage; o++) {
        gradIn[winner[o]] += gradOut[o];
      }
    });
  }

  @Override
  public void avgPool(float[] x, ConvGeometry g, float[] out) {
    forOutputRows(g, (from, to) -> averageWindows(x, g, out, from, to, false));
  }

  /** Split by images: windows of one image may overlap, so one thread owns each image's cells. */
  @Override
  public void avgPoolBackward(float[] gradOut, ConvGeometry g, float[] gradIn) {
    forImages(g, (from, to) -> averageWindows(gradIn, g, gradOut, from * g.outH(),
        to * g.outH(), true));
  }

  /**
   * For the output rows {@code [from, to)} (row = image * outH + oy): {@code out = } each window's
   * mean of {@code x}, or with {@code back} {@code x +=} each output's {@code out / count} at every
   * cell of its window.
   */
  private static void averageWindows(float[] x, ConvGeometry g, float[] out, int from, int to,
      boolean back) {
    int c = g.c();
    int vc = S.loopBound(c);
    for (int r = from; r < to; r++) {
      int b = r / g.outH();
      int y0 = Math.max(0, r % g.outH() * g.strideH() - g.padTop());
      int y1 = Math.min(g.h(), r % g.outH() * g.strideH() - g.padTop() + g.kh());
      for (int ox = 0; ox < g.outW(); ox++) {
        int x0 = Math.max(0, ox * g.strideW() - g.padLeft());
        int x1 = Math.min(g.w(), ox * g.strideW() - g.padLeft() + g.kw());
        float count = (y1 - y0) * (x1 - x0);
        int o = (r * g.outW() + ox) * c;
        for (int ch = 0; ch < vc; ch += L) {
          FloatVector acc = back ? FloatVector.fromArray(S, out, o + ch).div(count)
              : FloatVector.zero(S);
          for (int y = y0; y < y1; y++) {
            for (int xx = x0; xx < x1; xx++) {
              int base = ((b * g.h() + y) * g.w() + xx) * c + ch;
              if (back) {
                FloatVector.fromArray(S, x, base).add(acc).intoArray(x, base);
              } else {
                acc = acc.add(FloatVector.fromArray(S, x, base).div(count));
              }
            }
          }
          if (!back) {
            acc.intoArray(out, o + ch);
          }
        }
        for (int ch = vc; ch < c; ch++) {
          float acc = back ? out[o + ch] / count : 0f;
          for (int y = y0; y < y1; y++) {
            for (int xx = x0; xx < x1; xx++) {
              int idx = ((b * g.h() + y) * g.w() + xx) * c + ch;
              if (back) {
                x[idx] += acc;
              } else {
                acc += x[idx] / count;
              }
            }
          }
          if (!back) {
            out[o + ch] = acc;
          }
        }
      }
    }
  }

  /** Splits the output rows (image, oy) of {@code g} across threads when the output is large. */
  private void forOutputRows(ConvGeometry g, RangeBody body) {
    int rows = g.batch() * g.outH();
    long work = (long) rows * g.outW() * g.c() * g.kh() * g.kw();
    int tasks = work >= PARALLEL_ELEMENTS ? Math.min(threads, rows) : 1;
    parallel(tasks, t -> body.run(rows * t / tasks, rows * (t + 1) / tasks));
  }
}
