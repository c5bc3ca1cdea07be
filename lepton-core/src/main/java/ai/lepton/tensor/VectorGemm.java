package ai.lepton.tensor;

import static ai.lepton.tensor.VectorMath.L;
import static ai.lepton.tensor.VectorMath.S;

import ai.lepton.LeptonException;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * The Vector API backend's matrix product: packing, register-tile micro-kernels, blocking, and the
 * products with a B packed once beforehand. Split between the threads of one {@link WorkerPool}.
 *
 * <p>Reproducibility: every element of C is computed by one thread with the same sequence of
 * operations whatever the thread count and whichever thread takes which unit of work (units are
 * handed out through counters, so that is left to timing); only {@link #byDepth} combines partial
 * products, and it cuts the depth into a fixed number of parts and adds them in part order.
 *
 * <p>JIT rule: vector-typed values never cross a method boundary. A helper that takes or returns a
 * {@code FloatVector} and is not inlined turns every vector into a heap object (GEMM falls from
 * ~170 to ~10 GFLOP/s), so the kernels keep their vectors in locals.
 */
final class VectorGemm {
  // GEMM blocking: row blocks (MC) over depth blocks (KC) over NR-panels over MR-panels.
  /**
   * Rows of the register tile: 8 x 2 accumulators + 2 B vectors + 1 broadcast fit AVX-512's 32
   * registers. (With AVX2's 16 registers this tile spills; it was only tuned for AVX-512.)
   * The kernel's loop already compiles to 2 loads, 8 memory broadcasts and 16 FMAs with no bounds
   * checks. A 12 x 32 tile (24 accumulators, B reused by 12 rows) was tried against it on JDK 17
   * (2026-12-02, single thread, CPU time, on a loaded machine): no faster at n=1024, about 10%
   * slower at n=2048, and twice it ran at half speed; it also pads a batch of 64 to 72 rows.
   */
  private static final int MR = 8;
  /** Columns of the register tile: two vectors. */
  private static final int NR = 2 * L;
  /**
   * Depth of a packed block. Deep blocks mean fewer passes over C; the A micro-panel (KC x MR,
   * 16 KiB) stays in L1 and the B micro-panel (KC x NR, 64 KiB) streams from L2. 256, 384, 512 and
   * 1024 were measured on Zen 5: 512 and up were best (~220 GFLOP/s on one core at n=1024).
   */
  private static final int KC = 512;
  /** Rows of a packed A block (MC x KC floats = 256 KiB, well inside a 1 MiB L2). */
  private static final int MC = 128;
  /**
   * Depth of a B chunk when the work is split by column panels: its KC_PANEL x NR floats (32 KiB)
   * stay in L1 while every row panel of A streams past them.
   */
  private static final int KC_PANEL = 256;
  /** Below this many multiply-adds a GEMM runs on the calling thread: hand-off costs dominate. */
  private static final long PARALLEL_GEMM_MACS = 1L << 20;
  /** From this many elements of B on, a product of fewer than MR rows is split by columns. */
  private static final long PARALLEL_FEW_ROWS_B = 1L << 16;
  /** Up to this depth a product into whole pairs of column vectors skips packing (see shallow). */
  private static final int SHALLOW_K = 32;
  /** From this depth on, a product with at most MC x MC outputs is split along its depth. */
  private static final int DEEP_K = 16 * KC;
  /**
   * The depth ranges of such a product, whatever the thread count (at most this many threads work
   * on it): each range's product is summed in range order, so the bits depend on the shape only.
   */
  private static final int DEPTH_PARTS = 16;
  /** Shared packed buffers up to this many floats are kept per calling thread and reused. */
  private static final int MAX_CACHED_PACK = 1 << 22;

  /** Each thread's own A block (MC x KC) or B chunk (KC_PANEL x NR). */
  private static final ThreadLocal<float[]> OWN_PACK =
      ThreadLocal.withInitial(() -> new float[MC * KC]);
  private static final ThreadLocal<float[]> TILE = ThreadLocal.withInitial(() -> new float[MR * NR]);
  /** The calling thread's buffer for the operand all threads share. */
  private static final ThreadLocal<float[][]> SHARED_PACK =
      ThreadLocal.withInitial(() -> new float[1][0]);

  /** The calling thread plus the pool's workers. */
  private final int threads;
  private final WorkerPool pool;

  /** Splits products between the calling thread and {@code pool}'s workers. */
  VectorGemm(WorkerPool pool) {
    this.threads = pool.helpers() + 1;
    this.pool = pool;
  }

  /** {@link Backend#gemm}. */
  void gemm(boolean transA, boolean transB, int m, int n, int k,
      float[] a, int aOff, float[] b, int bOff, float[] c, int cOff, boolean accumulate) {
    if (m < 0 || n < 0 || k < 0) {
      throw new LeptonException("gemm: sizes must be non-negative. Received: m=" + m + ", n=" + n
          + ", k=" + k);
    }
    checkBlock("gemm", "a", a, aOff, (long) m * k);
    checkBlock("gemm", "b", b, bOff, (long) k * n);
    checkBlock("gemm", "c", c, cOff, (long) m * n);
    if (m == 0 || n == 0) {
      return;
    }
    if (k == 0) {
      if (!accumulate) {
        Arrays.fill(c, cOff, cOff + m * n, 0f);
      }
      return;
    }
    long macs = (long) m * n * k;
    boolean serial = macs < PARALLEL_GEMM_MACS;
    if (m < MR) {
      // A few rows (batch-1 inference): packing B would cost more than the product itself. The
      // product streams B once, so its size decides the split: each thread reads its own columns
      // (the same ones call after call, which its core then keeps in cache).
      boolean streamAlone = (long) k * n < PARALLEL_FEW_ROWS_B;
      int tasks = streamAlone ? 1 : Math.min(threads, Math.max(1, n / NR));
      int chunk = (n / tasks + L - 1) / L * L;
      pool.run(tasks, t -> fewRows(transA, transB, m, n, k, a, aOff, b, bOff, c, cOff, accumulate,
          Math.min(n, t * chunk), t == tasks - 1 ? n : Math.min(n, (t + 1) * chunk)));
      return;
    }
    if (!transA && !transB && isShallow(m, n, k)) {
      // Row blocks of 4 rows (a multiple of MR), about four per thread, handed out in order.
      int tasks = serial ? 1 : threads;
      int blocks = (m + 3) / 4;
      pool.run(tasks, t -> shallow(n, k, a, aOff, b, bOff, c, cOff, accumulate,
          Math.min(m, blocks * t / tasks * 4), Math.min(m, blocks * (t + 1) / tasks * 4)));
      return;
    }
    if (!serial && m <= MC && n <= MC && k >= DEEP_K) {
      byDepth(transA, transB, m, n, k, a, aOff, b, bOff, c, cOff, accumulate);
      return;
    }
    if (!transA && n <= L) {
      float[] bp = sharedBuffer((long) k * NR, "op(B) of " + k + " x " + n, "k");
      packB(transB, n, k, b, bOff, 0, 0, k, bp, 0);
      narrow(m, n, k, a, aOff, bp, null, false, c, cOff, accumulate, serial ? 1 : threads);
      return;
    }
    packed(transA, transB, m, n, k, a, aOff, b, bOff, c, cOff, accumulate, serial ? 1 : threads);
  }

  /**
   * Whether gemm of untransposed operands runs {@link #shallow}: then every element of C is one
   * chain of FMAs from zero over the depth in order, whatever the split.
   */
  static boolean isShallow(int m, int n, int k) {
    return k <= SHALLOW_K && n % (2 * L) == 0 && m >= 4 * MR;
  }

  /**
   * A shallow product into whole pairs of vectors of columns (a convolution over few input
   * channels: [positions, kh*kw*c] x [kh*kw*c, filters], k = 9 or 27): rows {@code [i0, i1)} of C
   * four at a time straight from unpacked A and B, eight accumulators per pair of vectors. At such
   * depths packing A costs as much as the product, and one microkernel call per 27 steps spends
   * more on its tile than on its FMAs.
   */
  private static void shallow(int n, int k, float[] a, int aOff, float[] b, int bOff,
      float[] c, int cOff, boolean accumulate, int i0, int i1) {
    for (int j = 0; j < n; j += 2 * L) {
      int i = i0;
      for (; i + 4 <= i1; i += 4) {
        FloatVector c00 = FloatVector.zero(S);
        FloatVector c01 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S);
        FloatVector c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S);
        FloatVector c21 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S);
        FloatVector c31 = FloatVector.zero(S);
        int ai = aOff + i * k;
        for (int p = 0; p < k; p++) {
          int bi = bOff + p * n + j;
          FloatVector b0 = FloatVector.fromArray(S, b, bi);
          FloatVector b1 = FloatVector.fromArray(S, b, bi + L);
          FloatVector a0 = FloatVector.broadcast(S, a[ai + p]);
          c00 = a0.fma(b0, c00);
          c01 = a0.fma(b1, c01);
          FloatVector a1 = FloatVector.broadcast(S, a[ai + k + p]);
          c10 = a1.fma(b0, c10);
          c11 = a1.fma(b1, c11);
          FloatVector a2 = FloatVector.broadcast(S, a[ai + 2 * k + p]);
          c20 = a2.fma(b0, c20);
          c21 = a2.fma(b1, c21);
          FloatVector a3 = FloatVector.broadcast(S, a[ai + 3 * k + p]);
          c30 = a3.fma(b0, c30);
          c31 = a3.fma(b1, c31);
        }
        int ci = cOff + i * n + j;
        if (accumulate) {
          c00 = c00.add(FloatVector.fromArray(S, c, ci));
          c01 = c01.add(FloatVector.fromArray(S, c, ci + L));
          c10 = c10.add(FloatVector.fromArray(S, c, ci + n));
          c11 = c11.add(FloatVector.fromArray(S, c, ci + n + L));
          c20 = c20.add(FloatVector.fromArray(S, c, ci + 2 * n));
          c21 = c21.add(FloatVector.fromArray(S, c, ci + 2 * n + L));
          c30 = c30.add(FloatVector.fromArray(S, c, ci + 3 * n));
          c31 = c31.add(FloatVector.fromArray(S, c, ci + 3 * n + L));
        }
        c00.intoArray(c, ci);
        c01.intoArray(c, ci + L);
        c10.intoArray(c, ci + n);
        c11.intoArray(c, ci + n + L);
        c20.intoArray(c, ci + 2 * n);
        c21.intoArray(c, ci + 2 * n + L);
        c30.intoArray(c, ci + 3 * n);
        c31.intoArray(c, ci + 3 * n + L);
      }
      for (; i < i1; i++) {
        FloatVector s0 = FloatVector.zero(S);
        FloatVector s1 = FloatVector.zero(S);
        for (int p = 0; p < k; p++) {
          FloatVector va = FloatVector.broadcast(S, a[aOff + i * k + p]);
          s0 = va.fma(FloatVector.fromArray(S, b, bOff + p * n + j), s0);
          s1 = va.fma(FloatVector.fromArray(S, b, bOff + p * n + j + L), s1);
        }
        int ci = cOff + i * n + j;
        if (accumulate) {
          s0 = s0.add(FloatVector.fromArray(S, c, ci));
          s1 = s1.add(FloatVector.fromArray(S, c, ci + L));
        }
        s0.intoArray(c, ci);
        s1.intoArray(c, ci + L);
      }
    }
  }

  /**
   * {@code part[m, n] += sum over p in [p0, p1) of A[p, :]^T B[p, :]} with A stored {@code [k, m]}
   * and B {@code [k, n]}, n a whole number of vector pairs: a kernel gradient, cols^T x grad,
   * whose rows of A and B are contiguous. Read in place: packing A would transpose every element
   * for n / L FMAs of use. The depth chunk of B stays in L1 while each group of four rows passes.
   */
  private static void outerProducts(int m, int n, float[] a, int aOff, float[] b, int bOff,
      float[] part, int p0, int p1) {
    for (int j = 0; j < n; j += 2 * L) {
      int i = 0;
      for (; i + 4 <= m; i += 4) {
        int ci = i * n + j;
        FloatVector c00 = FloatVector.fromArray(S, part, ci);
        FloatVector c01 = FloatVector.fromArray(S, part, ci + L);
        FloatVector c10 = FloatVector.fromArray(S, part, ci + n);
        FloatVector c11 = FloatVector.fromArray(S, part, ci + n + L);
        FloatVector c20 = FloatVector.fromArray(S, part, ci + 2 * n);
        FloatVector c21 = FloatVector.fromArray(S, part, ci + 2 * n + L);
        FloatVector c30 = FloatVector.fromArray(S, part, ci + 3 * n);
        FloatVector c31 = FloatVector.fromArray(S, part, ci + 3 * n + L);
        for (int p = p0; p < p1; p++) {
          int bi = bOff + p * n + j;
          int ai = aOff + p * m + i;
          FloatVector b0 = FloatVector.fromArray(S, b, bi);
          FloatVector b1 = FloatVector.fromArray(S, b, bi + L);
          FloatVector a0 = FloatVector.broadcast(S, a[ai]);
          c00 = a0.fma(b0, c00);
          c01 = a0.fma(b1, c01);
          FloatVector a1 = FloatVector.broadcast(S, a[ai + 1]);
          c10 = a1.fma(b0, c10);
          c11 = a1.fma(b1, c11);
          FloatVector a2 = FloatVector.broadcast(S, a[ai + 2]);
          c20 = a2.fma(b0, c20);
          c21 = a2.fma(b1, c21);
          FloatVector a3 = FloatVector.broadcast(S, a[ai + 3]);
          c30 = a3.fma(b0, c30);
          c31 = a3.fma(b1, c31);
        }
        c00.intoArray(part, ci);
        c01.intoArray(part, ci + L);
        c10.intoArray(part, ci + n);
        c11.intoArray(part, ci + n + L);
        c20.intoArray(part, ci + 2 * n);
        c21.intoArray(part, ci + 2 * n + L);
        c30.intoArray(part, ci + 3 * n);
        c31.intoArray(part, ci + 3 * n + L);
      }
      for (; i < m; i++) {
        int ci = i * n + j;
        FloatVector s0 = FloatVector.fromArray(S, part, ci);
        FloatVector s1 = FloatVector.fromArray(S, part, ci + L);
        for (int p = p0; p < p1; p++) {
          FloatVector va = FloatVector.broadcast(S, a[aOff + p * m + i]);
          s0 = va.fma(FloatVector.fromArray(S, b, bOff + p * n + j), s0);
          s1 = va.fma(FloatVector.fromArray(S, b, bOff + p * n + j + L), s1);
        }
        s0.intoArray(part, ci);
        s1.intoArray(part, ci + L);
      }
    }
  }

  /**
   * A small output over a long depth (a convolution's kernel gradient, e.g. 27 x 32 summed over
   * 246,016 output positions): the depth is cut into {@link #DEPTH_PARTS} ranges, each multiplied
   * into a private product, and the products are summed in range order. Splitting rows or columns
   * instead makes every thread stream all of both operands, and packs op(A) once per 8 rows. The
   * number of ranges is fixed, not the thread count, so the sum is the same on any machine.
   */
  private void byDepth(boolean transA, boolean transB, int m, int n, int k,
      float[] a, int aOff, float[] b, int bOff, float[] c, int cOff, boolean accumulate) {
    int panels = (n + NR - 1) / NR;
    float[][] parts = new float[DEPTH_PARTS][];
    int tasks = Math.min(threads, DEPTH_PARTS);
    pool.run(tasks, t -> {
      float[] ap = OWN_PACK.get();
      float[] bp = new float[panels * KC * NR];
      float[] tile = TILE.get();
      for (int part = t; part < DEPTH_PARTS; part += tasks) {
        parts[part] = depthRange(transA, transB, m, n, k, a, aOff, b, bOff, ap, bp, tile,
            (int) ((long) k * part / DEPTH_PARTS), (int) ((long) k * (part + 1) / DEPTH_PARTS));
      }
    });
    for (int i = 0; i < m * n; i++) {
      float sum = accumulate ? c[cOff + i] : 0f;
      for (float[] part : parts) {
        sum += part[i];
      }
      c[cOff + i] = sum;
    }
  }

  /** The product over depths {@code [p0, end)} alone, {@code [m, n]}, with the given scratch. */
  private static float[] depthRange(boolean transA, boolean transB, int m, int n, int k,
      float[] a, int aOff, float[] b, int bOff, float[] ap, float[] bp, float[] tile, int p0,
      int end) {
    float[] part = new float[m * n];
    if (transA && !transB && n % (2 * L) == 0) {
      for (int p = p0; p < end; p += KC_PANEL) {
        outerProducts(m, n, a, aOff, b, bOff, part, p, Math.min(end, p + KC_PANEL));
      }
      return part;
    }
    int panels = (n + NR - 1) / NR;
    for (int p = p0; p < end; p += KC) {
      int kc = Math.min(KC, end - p);
      packA(transA, m, k, a, aOff, 0, m, p, kc, ap, 0);
      for (int q = 0; q < panels; q++) {
        packB(transB, n, k, b, bOff, q, p, kc, bp, q * kc * NR);
        for (int ir = 0; ir < m; ir += MR) {
          microKernel(ap, ir * kc, bp, q * kc * NR, kc, tile);
          writeTile(tile, part, ir * n + q * NR, n, Math.min(MR, m - ir),
              Math.min(NR, n - q * NR), false, null, 0, false);
        }
      }
    }
    return part;
  }


  /** {@link Backend#packB}. */
  float[] packB(float[] b, int k, int n) {
    checkBlock("packB", "b", b, 0, (long) k * n);
    int panels = (n + NR - 1) / NR;
    float[] bp = new float[Math.multiplyExact(panels * NR, k)]; // [panel][k][NR]
    for (int q = 0; q < panels; q++) {
      packB(false, n, k, b, 0, q, 0, k, bp, q * k * NR);
    }
    return bp;
  }

  /** {@link Backend#gemmPackedB}. */
  void gemmPackedB(int m, int n, int k, float[] a, int aOff, float[] packedB, float[] bias,
      boolean relu, float[] c, int cOff, boolean accumulate) {
    checkBlock("gemmPackedB", "a", a, aOff, (long) m * k);
    checkBlock("gemmPackedB", "c", c, cOff, (long) m * n);
    if (packedB.length != (n + NR - 1) / NR * NR * k) {
      throw new LeptonException("gemmPackedB: packedB holds " + packedB.length + " floats, not a "
          + k + " x " + n + " operand from packB; pack it with packB(b, " + k + ", " + n + ")");
    }
    if (bias != null) {
      checkBlock("gemmPackedB", "bias", bias, 0, n);
    }
    if (m == 0 || n == 0) {
      return;
    }
    if (k == 0) {
      if (!accumulate) {
        Arrays.fill(c, cOff, cOff + m * n, 0f);
      }
      for (int i = 0; i < m * n; i++) {
        float v = bias == null ? c[cOff + i] : c[cOff + i] + bias[i % n];
        c[cOff + i] = relu && v <= 0f ? 0f : v;
      }
      return;
    }
    int split = (long) m * n * k < PARALLEL_GEMM_MACS ? 1 : threads;
    if (n <= L) {
      narrow(m, n, k, a, aOff, packedB, bias, relu, c, cOff, accumulate, split);
      return;
    }
    if (n > m && m <= MC) {
      byPanels(false, false, m, n, k, a, aOff, null, 0, packedB, bias, relu, c, cOff, accumulate,
          split);
    } else {
      byRows(false, false, m, n, k, a, aOff, null, 0, packedB, bias, relu, c, cOff, accumulate,
          split);
    }
  }

  /**
   * {@link Backend#packedBMatchesGemm}: where gemm runs byPanels, byRows or narrow (at least a
   * register tile of rows, not shallow and not split by depth), gemmPackedB runs the same with the
   * same depth chunks, so both give the same bits. Fewer rows are not packed at all. byRows packs
   * B whole once per call: for a convolution at batch 1 (121 x 288 by 288 x 64) that was about a
   * tenth of the product.
   */
  boolean packedBMatchesGemm(int m, int n, int k) {
    boolean byDepth = (long) m * n * k >= PARALLEL_GEMM_MACS && m <= MC && n <= MC && k >= DEEP_K;
    return m >= MR && !byDepth && !isShallow(m, n, k);
  }

  /**
   * At most one vector of columns (a classifier's last layer, 10 classes): rows of A read in place
   * eight at a time against the first vector of each depth of B packed as {@code [k][NR]}, one
   * accumulator per row over the whole depth. A register tile would spend two thirds of its FMAs on
   * padding columns, and packing A would cost as much as the product.
   */
  private void narrow(int m, int n, int k, float[] a, int aOff, float[] bp, float[] bias,
      boolean relu, float[] c, int cOff, boolean accumulate, int split) {
    int rowPanels = (m + MR - 1) / MR;
    int tasks = Math.min(split, rowPanels);
    pool.run(tasks, t -> {
      float[] tile = TILE.get();
      for (int q = rowPanels * t / tasks; q < rowPanels * (t + 1) / tasks; q++) {
        int i0 = q * MR;
        int rows = Math.min(MR, m - i0);
        narrowKernel(a, aOff + i0 * k, k, rows, bp, k, tile);
        for (int r = 0; r < rows; r++) {
          int ci = cOff + (i0 + r) * n;
          for (int j = 0; j < n; j++) {
            float v = accumulate ? c[ci + j] + tile[r * L + j] : tile[r * L + j];
            v = bias == null ? v : v + bias[j];
            c[ci + j] = relu && v <= 0f ? 0f : v;
          }
        }
      }
    });
  }

  /**
   * {@code tile[MR][L] = A rows x Bpanel[k][NR]'s first vector}: {@code rows} rows of A from
   * {@code a[ai]} on, {@code lda} apart (missing rows repeat the last, as in {@link #rowsKernel}).
   */
  private static void narrowKernel(float[] a, int ai, int lda, int rows, float[] bp, int k,
      float[] tile) {
    int a0 = ai;
    int a1 = ai + Math.min(1, rows - 1) * lda;
    int a2 = ai + Math.min(2, rows - 1) * lda;
    int a3 = ai + Math.min(3, rows - 1) * lda;
    int a4 = ai + Math.min(4, rows - 1) * lda;
    int a5 = ai + Math.min(5, rows - 1) * lda;
    int a6 = ai + Math.min(6, rows - 1) * lda;
    int a7 = ai + Math.min(7, rows - 1) * lda;
    FloatVector c0 = FloatVector.zero(S);
    FloatVector c1 = FloatVector.zero(S);
    FloatVector c2 = FloatVector.zero(S);
    FloatVector c3 = FloatVector.zero(S);
    FloatVector c4 = FloatVector.zero(S);
    FloatVector c5 = FloatVector.zero(S);
    FloatVector c6 = FloatVector.zero(S);
    FloatVector c7 = FloatVector.zero(S);
    for (int p = 0; p < k; p++) {
      FloatVector vb = FloatVector.fromArray(S, bp, p * NR);
      c0 = FloatVector.broadcast(S, a[a0 + p]).fma(vb, c0);
      c1 = FloatVector.broadcast(S, a[a1 + p]).fma(vb, c1);
      c2 = FloatVector.broadcast(S, a[a2 + p]).fma(vb, c2);
      c3 = FloatVector.broadcast(S, a[a3 + p]).fma(vb, c3);
      c4 = FloatVector.broadcast(S, a[a4 + p]).fma(vb, c4);
      c5 = FloatVector.broadcast(S, a[a5 + p]).fma(vb, c5);
      c6 = FloatVector.broadcast(S, a[a6 + p]).fma(vb, c6);
      c7 = FloatVector.broadcast(S, a[a7 + p]).fma(vb, c7);
    }
    c0.intoArray(tile, 0);
    c1.intoArray(tile, L);
    c2.intoArray(tile, 2 * L);
    c3.intoArray(tile, 3 * L);
    c4.intoArray(tile, 4 * L);
    c5.intoArray(tile, 5 * L);
    c6.intoArray(tile, 6 * L);
    c7.intoArray(tile, 7 * L);
  }

  private static void checkBlock(String op, String name, float[] arr, int off, long len) {
    if (off < 0 || off + len > arr.length) {
      throw new LeptonException(op + ": operand " + name + " needs " + len + " floats from offset "
          + off + " but its array holds " + arr.length + "; pass sizes and offsets that fit the arrays");
    }
  }

  /**
   * Packed, blocked GEMM. The larger of op(A) and op(B) is split between the threads and the
   * smaller one is packed once, by all threads together, and shared: each thread then streams
   * only its own part of the large operand. Padding rows and columns are zero, so the
   * micro-kernel always computes a full MR x NR tile and only the write-back looks at edges.
   */
  private void packed(boolean transA, boolean transB, int m, int n, int k,
      float[] a, int aOff, float[] b, int bOff, float[] c, int cOff, boolean accumulate,
      int split) {
    if (n > m && m <= MC) {
      byPanels(transA, transB, m, n, k, a, aOff, b, bOff, null, null, false, c, cOff, accumulate,
          split);
    } else {
      byRows(transA, transB, m, n, k, a, aOff, b, bOff, null, null, false, c, cOff, accumulate,
          split);
    }
  }

  /**
   * Many rows (weight gradients, large batches, a convolution's windows): op(B) is packed whole
   * and shared as {@code [panel][k][NR]}, the layout of {@link #packB(float[], int, int)}, so a
   * {@code packedB} from there is read in place instead (a convolution kernel at inference); each
   * unit of rows packs its own A blocks as {@code [MR-panel][kc][MR]}. The bias and ReLU, unless
   * null and false, go on each tile after its last depth block.
   */
  private void byRows(boolean transA, boolean transB, int m, int n, int k,
      float[] a, int aOff, float[] b, int bOff, float[] packedB, float[] bias, boolean relu,
      float[] c, int cOff, boolean accumulate, int split) {
    int panels = (n + NR - 1) / NR;
    float[] bp = packedB != null ? packedB
        : sharedBuffer((long) panels * k * NR, "op(B) of " + k + " x " + n, "n");
    // Work is handed out through counters rather than fixed shares: on a machine shared with
    // other jobs, a thread that loses its core leaves its remaining units to the others.
    int packUnits = packedB != null ? 0 : Math.min(panels, 8 * split);
    AtomicInteger nextPack = new AtomicInteger();
    pool.run(Math.min(split, packUnits), t -> {
      for (int u; (u = nextPack.getAndIncrement()) < packUnits; ) {
        for (int q = panels * u / packUnits; q < panels * (u + 1) / packUnits; q++) {
          packB(transB, n, k, b, bOff, q, 0, k, bp, q * k * NR);
        }
      }
    });

    // A unit is a block of rows times all panels, or (for few rows) all rows times a group of
    // panels; about four units per thread balance the load.
    int rowPanels = (m + MR - 1) / MR;
    boolean rowUnitsOnly = rowPanels >= 4 * split || rowPanels >= panels;
    int rowsPerUnit = rowUnitsOnly
        ? Math.min(MC, Math.max(1, rowPanels / (4 * split)) * MR)
        : m;
    int rowUnits = (m + rowsPerUnit - 1) / rowsPerUnit;
    int panelUnits = rowUnitsOnly ? 1 : Math.min(panels, 4 * split);
    int units = rowUnits * panelUnits;
    AtomicInteger next = new AtomicInteger();
    pool.run(Math.min(split, units), t -> {
      float[] ap = OWN_PACK.get();
      float[] tile = TILE.get();
      for (int u; (u = next.getAndIncrement()) < units; ) {
        int r0 = u / panelUnits * rowsPerUnit;
        int r1 = Math.min(m, r0 + rowsPerUnit);
        int pu = u % panelUnits;
        int q0 = panels * pu / panelUnits;
        int q1 = panels * (pu + 1) / panelUnits;
        for (int i0 = r0; i0 < r1; i0 += MC) {
          int mc = Math.min(MC, r1 - i0);
          for (int p0 = 0; p0 < k; p0 += KC) {
            int kc = Math.min(KC, k - p0);
            packA(transA, m, k, a, aOff, i0, mc, p0, kc, ap, 0);
            boolean overwrite = !accumulate && p0 == 0;
            boolean last = p0 + kc == k;
            for (int q = q0; q < q1; q++) {
              int j0 = q * NR;
              int cols = Math.min(NR, n - j0);
              int bi = q * k * NR + p0 * NR;
              for (int ir = 0; ir < mc; ir += MR) {
                microKernel(ap, ir * kc, bp, bi, kc, tile);
                writeTile(tile, c, cOff + (i0 + ir) * n + j0, n, Math.min(MR, mc - ir), cols,
                    overwrite, last ? bias : null, j0, last && relu);
              }
            }
          }
        }
      }
    });
  }

  /**
   * Few rows, more columns (the forward and input-gradient products of a small batch): op(A) is
   * packed whole and shared as {@code [MR-panel][k][MR]} (64 x 784 is 200 KiB: it stays in L2),
   * and each unit of NR-panels packs depth chunks of its own columns of op(B) into an L1-sized
   * buffer that every row panel then reuses. Each thread so reads only its half of B, once; the
   * forward 64x784 @ 784x256 used to stream all 800 KB of packed B through both cores. A
   * {@code packedB} from {@link #packB(float[], int, int)} is read in place and nothing of B is
   * packed here (a recurrence's kernel, packed once for all its steps).
   */
  private void byPanels(boolean transA, boolean transB, int m, int n, int k,
      float[] a, int aOff, float[] b, int bOff, float[] packedB, float[] bias, boolean relu,
      float[] c, int cOff, boolean accumulate, int split) {
    // A stored [m][k] is read in place (rowsKernel); A stored [k][m] is packed first, by all
    // threads, and shared.
    float[] ap = transA ? packAWhole(m, k, a, aOff, split) : null;

    int panels = (n + NR - 1) / NR;
    int units = Math.min(panels, 4 * split);
    // Equal depth chunks of at most KC_PANEL: 784 is cut into 4 x 196 rather than 3 x 256 + 16.
    int chunks = (k + KC_PANEL - 1) / KC_PANEL;
    int kcStep = (k + chunks - 1) / chunks;
    int tasks = Math.min(split, units);
    Deal deal = new Deal(units, tasks);
    pool.run(tasks, t -> {
      float[] bp = OWN_PACK.get();
      float[] tile = TILE.get();
      for (int u; (u = deal.next(t)) >= 0; ) {
        int q0 = panels * u / units;
        int q1 = panels * (u + 1) / units;
        // Depth outermost: the A rows of one chunk (m x kc) stay in L2 across the unit's panels.
        for (int p0 = 0; p0 < k; p0 += kcStep) {
          int kc = Math.min(kcStep, k - p0);
          boolean overwrite = !accumulate && p0 == 0;
          boolean last = p0 + kc == k;
          for (int q = q0; q < q1; q++) {
            // a B packed beforehand holds this chunk as [kc][NR] at (q * k + p0) * NR
            float[] bq = packedB != null ? packedB : bp;
            int bi = packedB != null ? (q * k + p0) * NR : 0;
            if (packedB == null) {
              packB(transB, n, k, b, bOff, q, p0, kc, bp, 0);
            }
            int j0 = q * NR;
            int cols = Math.min(NR, n - j0);
            for (int i0 = 0; i0 < m; i0 += MR) {
              if (ap == null) {
                rowsKernel(a, aOff + i0 * k + p0, k, Math.min(MR, m - i0), bq, bi, kc, tile);
              } else {
                microKernel(ap, i0 * k + p0 * MR, bq, bi, kc, tile);
              }
              writeTile(tile, c, cOff + i0 * n + j0, n, Math.min(MR, m - i0), cols, overwrite,
                  last ? bias : null, j0, last && relu);
            }
          }
        }
      }
    });
  }

  /** op(A) of a transposed A, {@code [k][m]}, packed whole as {@code [MR-panel][k][MR]}. */
  private float[] packAWhole(int m, int k, float[] a, int aOff, int split) {
    int rowPanels = (m + MR - 1) / MR;
    float[] ap = sharedBuffer((long) rowPanels * k * MR, "op(A) of " + m + " x " + k, "m");
    int packUnits = Math.min(rowPanels, 8 * split);
    AtomicInteger nextPack = new AtomicInteger();
    pool.run(Math.min(split, packUnits), t -> {
      for (int u; (u = nextPack.getAndIncrement()) < packUnits; ) {
        int i0 = rowPanels * u / packUnits * MR;
        int i1 = Math.min(m, rowPanels * (u + 1) / packUnits * MR);
        packA(true, m, k, a, aOff, i0, i1 - i0, 0, k, ap, i0 * k);
      }
    });
    return ap;
  }

  /**
   * Units {@code [0, units)} dealt to {@code tasks} in fixed contiguous ranges, so that a serving
   * thread meets the same columns of a kept weight call after call and finds them in its core's
   * cache (the first layer of a batch-64 MLP ran 15% faster than with units handed out in turn).
   * A task that has finished its own range takes what is left of the others', so a thread that
   * loses its core on a busy machine is not waited for.
   */
  private static final class Deal {
    private final int units;
    private final int tasks;
    private final AtomicInteger[] next;

    Deal(int units, int tasks) {
      this.units = units;
      this.tasks = tasks;
      next = new AtomicInteger[tasks];
      for (int t = 0; t < tasks; t++) {
        next[t] = new AtomicInteger(units * t / tasks);
      }
    }

    /** The next unit for task {@code t}: its own first, then the others'; -1 when none is left. */
    int next(int t) {
      for (int i = 0; i < tasks; i++) {
        int owner = (t + i) % tasks;
        int end = units * (owner + 1) / tasks;
        if (next[owner].get() < end) {
          int u = next[owner].getAndIncrement();
          if (u < end) {
            return u;
          }
        }
      }
      return -1;
    }
  }

  /**
   * The calling thread's buffer for a packed operand shared by all threads (grown as needed and
   * kept up to {@link #MAX_CACHED_PACK} floats).
   */
  private static float[] sharedBuffer(long size, String what, String splitAlong) {
    if (size > Integer.MAX_VALUE - 16) {
      throw new LeptonException("gemm: " + what + " is too large to pack into one Java array ("
          + size + " floats with padding); split the product along " + splitAlong);
    }
    if (size > MAX_CACHED_PACK) {
      return new float[(int) size];
    }
    float[][] holder = SHARED_PACK.get();
    if (holder[0].length < size) {
      holder[0] = new float[(int) size];
    }
    return holder[0];
  }

  /**
   * Packs depths {@code [p0, p0+kc)} of columns {@code [q*NR, q*NR+NR)} of op(B) as
   * {@code [kc][NR]} from {@code bp[dst]} on.
   */
  private static void packB(boolean transB, int n, int k, float[] b, int bOff, int q, int p0,
      int kc, float[] bp, int dst) {
    int j0 = q * NR;
    int cols = Math.min(NR, n - j0);
    if (!transB) {
      // Rows of B are contiguous: copy NR floats per k (the full-panel case is two vector moves).
      for (int p = p0; p < p0 + kc; p++, dst += NR) {
        int src = bOff + p * n + j0;
        if (cols == NR) {
          FloatVector.fromArray(S, b, src).intoArray(bp, dst);
          FloatVector.fromArray(S, b, src + L).intoArray(bp, dst + L);
        } else {
          System.arraycopy(b, src, bp, dst, cols);
          Arrays.fill(bp, dst + cols, dst + NR, 0f);
        }
      }
    } else {
      // B is stored [n][k]: walk each source row contiguously, writing with stride NR.
      for (int j = 0; j < NR; j++) {
        if (j < cols) {
          int src = bOff + (j0 + j) * k + p0;
          for (int p = 0; p < kc; p++) {
            bp[dst + p * NR + j] = b[src + p];
          }
        } else {
          for (int p = 0; p < kc; p++) {
            bp[dst + p * NR + j] = 0f;
          }
        }
      }
    }
  }

  /**
   * Packs rows {@code [i0, i0+mc)} and depths {@code [p0, p0+kc)} of op(A) as
   * {@code [panel][kc][MR]} from {@code ap[base]} on.
   */
  private static void packA(boolean transA, int m, int k, float[] a, int aOff,
      int i0, int mc, int p0, int kc, float[] ap, int base) {
    for (int ir = 0; ir < mc; ir += MR) {
      int rows = Math.min(MR, mc - ir);
      int dst = base + ir * kc;
      if (transA) {
        // A is stored [k][m]: each depth holds MR consecutive rows, one block copy when full (the
        // per-element select was 5% of an LSTM step, whose kernel gradients pack 128 x 6400).
        for (int p = 0; p < kc; p++) {
          int src = aOff + (p0 + p) * m + i0 + ir;
          int d = dst + p * MR;
          System.arraycopy(a, src, ap, d, rows);
          if (rows < MR) {
            Arrays.fill(ap, d + rows, d + MR, 0f);
          }
        }
      } else {
        for (int r = 0; r < MR; r++) {
          if (r < rows) {
            int src = aOff + (i0 + ir + r) * k + p0;
            for (int p = 0; p < kc; p++) {
              ap[dst + p * MR + r] = a[src + p];
            }
          } else {
            for (int p = 0; p < kc; p++) {
              ap[dst + p * MR + r] = 0f;
            }
          }
        }
      }
    }
  }

  /**
   * One MR x NR tile: {@code tile[MR][NR] = Apanel[kc][MR] * Bpanel[kc][NR]}, the 16 accumulators
   * in registers for the whole depth. It is kept branch-free and small on purpose: with the C
   * update and edge handling inlined here, C2 sometimes gave up on the grown method after a
   * deoptimization and left it in C1 code (25 instead of 400 GFLOP/s). Writing the tile through
   * scratch costs 32 memory operations per KC x 16 FMAs.
   */
  private static void microKernel(float[] ap, int ai, float[] bp, int bi, int kc, float[] tile) {
    FloatVector c00 = FloatVector.zero(S);
    FloatVector c01 = FloatVector.zero(S);
    FloatVector c10 = FloatVector.zero(S);
    FloatVector c11 = FloatVector.zero(S);
    FloatVector c20 = FloatVector.zero(S);
    FloatVector c21 = FloatVector.zero(S);
    FloatVector c30 = FloatVector.zero(S);
    FloatVector c31 = FloatVector.zero(S);
    FloatVector c40 = FloatVector.zero(S);
    FloatVector c41 = FloatVector.zero(S);
    FloatVector c50 = FloatVector.zero(S);
    FloatVector c51 = FloatVector.zero(S);
    FloatVector c60 = FloatVector.zero(S);
    FloatVector c61 = FloatVector.zero(S);
    FloatVector c70 = FloatVector.zero(S);
    FloatVector c71 = FloatVector.zero(S);
    for (int p = 0; p < kc; p++) {
      int a0 = ai + p * MR;
      int b0 = bi + p * NR;
      FloatVector vb0 = FloatVector.fromArray(S, bp, b0);
      FloatVector vb1 = FloatVector.fromArray(S, bp, b0 + L);
      FloatVector va = FloatVector.broadcast(S, ap[a0]);
      c00 = va.fma(vb0, c00);
      c01 = va.fma(vb1, c01);
      va = FloatVector.broadcast(S, ap[a0 + 1]);
      c10 = va.fma(vb0, c10);
      c11 = va.fma(vb1, c11);
      va = FloatVector.broadcast(S, ap[a0 + 2]);
      c20 = va.fma(vb0, c20);
      c21 = va.fma(vb1, c21);
      va = FloatVector.broadcast(S, ap[a0 + 3]);
      c30 = va.fma(vb0, c30);
      c31 = va.fma(vb1, c31);
      va = FloatVector.broadcast(S, ap[a0 + 4]);
      c40 = va.fma(vb0, c40);
      c41 = va.fma(vb1, c41);
      va = FloatVector.broadcast(S, ap[a0 + 5]);
      c50 = va.fma(vb0, c50);
      c51 = va.fma(vb1, c51);
      va = FloatVector.broadcast(S, ap[a0 + 6]);
      c60 = va.fma(vb0, c60);
      c61 = va.fma(vb1, c61);
      va = FloatVector.broadcast(S, ap[a0 + 7]);
      c70 = va.fma(vb0, c70);
      c71 = va.fma(vb1, c71);
    }
    c00.intoArray(tile, 0);
    c01.intoArray(tile, L);
    c10.intoArray(tile, NR);
    c11.intoArray(tile, NR + L);
    c20.intoArray(tile, 2 * NR);
    c21.intoArray(tile, 2 * NR + L);
    c30.intoArray(tile, 3 * NR);
    c31.intoArray(tile, 3 * NR + L);
    c40.intoArray(tile, 4 * NR);
    c41.intoArray(tile, 4 * NR + L);
    c50.intoArray(tile, 5 * NR);
    c51.intoArray(tile, 5 * NR + L);
    c60.intoArray(tile, 6 * NR);
    c61.intoArray(tile, 6 * NR + L);
    c70.intoArray(tile, 7 * NR);
    c71.intoArray(tile, 7 * NR + L);
  }

  /**
   * {@link #microKernel} with A read in place: {@code rows} (at most MR) rows of A from
   * {@code a[ai]} on, {@code lda} apart, each contiguous over the depth. The same multiply-adds
   * in the same order as on a packed A, so the same bits; packing the 64 x 784 input of a batch-64
   * inference cost as much as a third of its product, and a barrier between the threads. Missing
   * rows of a last panel repeat its last row: their tile rows are computed and never written.
   */
  private static void rowsKernel(float[] a, int ai, int lda, int rows, float[] bp, int bi, int kc,
      float[] tile) {
    int a0 = ai;
    int a1 = ai + Math.min(1, rows - 1) * lda;
    int a2 = ai + Math.min(2, rows - 1) * lda;
    int a3 = ai + Math.min(3, rows - 1) * lda;
    int a4 = ai + Math.min(4, rows - 1) * lda;
    int a5 = ai + Math.min(5, rows - 1) * lda;
    int a6 = ai + Math.min(6, rows - 1) * lda;
    int a7 = ai + Math.min(7, rows - 1) * lda;
    FloatVector c00 = FloatVector.zero(S);
    FloatVector c01 = FloatVector.zero(S);
    FloatVector c10 = FloatVector.zero(S);
    FloatVector c11 = FloatVector.zero(S);
    FloatVector c20 = FloatVector.zero(S);
    FloatVector c21 = FloatVector.zero(S);
    FloatVector c30 = FloatVector.zero(S);
    FloatVector c31 = FloatVector.zero(S);
    FloatVector c40 = FloatVector.zero(S);
    FloatVector c41 = FloatVector.zero(S);
    FloatVector c50 = FloatVector.zero(S);
    FloatVector c51 = FloatVector.zero(S);
    FloatVector c60 = FloatVector.zero(S);
    FloatVector c61 = FloatVector.zero(S);
    FloatVector c70 = FloatVector.zero(S);
    FloatVector c71 = FloatVector.zero(S);
    for (int p = 0; p < kc; p++) {
      int b0 = bi + p * NR;
      FloatVector vb0 = FloatVector.fromArray(S, bp, b0);
      FloatVector vb1 = FloatVector.fromArray(S, bp, b0 + L);
      FloatVector va = FloatVector.broadcast(S, a[a0 + p]);
      c00 = va.fma(vb0, c00);
      c01 = va.fma(vb1, c01);
      va = FloatVector.broadcast(S, a[a1 + p]);
      c10 = va.fma(vb0, c10);
      c11 = va.fma(vb1, c11);
      va = FloatVector.broadcast(S, a[a2 + p]);
      c20 = va.fma(vb0, c20);
      c21 = va.fma(vb1, c21);
      va = FloatVector.broadcast(S, a[a3 + p]);
      c30 = va.fma(vb0, c30);
      c31 = va.fma(vb1, c31);
      va = FloatVector.broadcast(S, a[a4 + p]);
      c40 = va.fma(vb0, c40);
      c41 = va.fma(vb1, c41);
      va = FloatVector.broadcast(S, a[a5 + p]);
      c50 = va.fma(vb0, c50);
      c51 = va.fma(vb1, c51);
      va = FloatVector.broadcast(S, a[a6 + p]);
      c60 = va.fma(vb0, c60);
      c61 = va.fma(vb1, c61);
      va = FloatVector.broadcast(S, a[a7 + p]);
      c70 = va.fma(vb0, c70);
      c71 = va.fma(vb1, c71);
    }
    c00.intoArray(tile, 0);
    c01.intoArray(tile, L);
    c10.intoArray(tile, NR);
    c11.intoArray(tile, NR + L);
    c20.intoArray(tile, 2 * NR);
    c21.intoArray(tile, 2 * NR + L);
    c30.intoArray(tile, 3 * NR);
    c31.intoArray(tile, 3 * NR + L);
    c40.intoArray(tile, 4 * NR);
    c41.intoArray(tile, 4 * NR + L);
    c50.intoArray(tile, 5 * NR);
    c51.intoArray(tile, 5 * NR + L);
    c60.intoArray(tile, 6 * NR);
    c61.intoArray(tile, 6 * NR + L);
    c70.intoArray(tile, 7 * NR);
    c71.intoArray(tile, 7 * NR + L);
  }

  /**
   * {@code C[rows, cols] (+)= tile}, then {@code + bias[j0 + j]} unless {@code bias} is null, then
   * ReLU if {@code relu} (as the RELU kernel: zero where at or below zero, NaN stays): vector rows
   * for full-width tiles, scalars at the edges.
   */
  private static void writeTile(float[] tile, float[] c, int ci, int ldc, int rows, int cols,
      boolean overwrite, float[] bias, int j0, boolean relu) {
    for (int r = 0; r < rows; r++) {
      int row = ci + r * ldc;
      int t = r * NR;
      if (cols == NR) {
        FloatVector v0 = FloatVector.fromArray(S, tile, t);
        FloatVector v1 = FloatVector.fromArray(S, tile, t + L);
        if (!overwrite) {
          v0 = v0.add(FloatVector.fromArray(S, c, row));
          v1 = v1.add(FloatVector.fromArray(S, c, row + L));
        }
        if (bias != null) {
          v0 = v0.add(FloatVector.fromArray(S, bias, j0));
          v1 = v1.add(FloatVector.fromArray(S, bias, j0 + L));
        }
        if (relu) {
          v0 = v0.blend(0f, v0.compare(VectorOperators.LE, 0f));
          v1 = v1.blend(0f, v1.compare(VectorOperators.LE, 0f));
        }
        v0.intoArray(c, row);
        v1.intoArray(c, row + L);
      } else {
        for (int j = 0; j < cols; j++) {
          float v = overwrite ? tile[t + j] : c[row + j] + tile[t + j];
          v = bias == null ? v : v + bias[j0 + j];
          c[row + j] = relu && v <= 0f ? 0f : v;
        }
      }
    }
  }

  /**
   * Unpacked GEMM for {@code m < MR} rows, columns {@code [j0, j1)} only. Without transB each C row
   * is accumulated in registers, 4 vectors wide, streaming B's rows; with transB each C element is a
   * dot product of two contiguous rows.
   */
  private static void fewRows(boolean transA, boolean transB, int m, int n, int k,
      float[] a, int aOff, float[] b, int bOff, float[] c, int cOff, boolean accumulate,
      int j0, int j1) {
    float[] row = transA && m > 1 ? new float[k] : null;
    for (int i = 0; i < m; i++) {
      int ci = cOff + i * n;
      if (transB) {
        float[] ar = a;
        int ao = aOff + i * k;
        if (row != null) {
          for (int p = 0; p < k; p++) {
            row[p] = a[aOff + p * m + i];
          }
          ar = row;
          ao = 0;
        }
        for (int j = j0; j < j1; j++) {
          float d = VectorMath.dot(ar, ao, b, bOff + j * k, k);
          c[ci + j] = accumulate ? c[ci + j] + d : d;
        }
        continue;
      }
      // op(A)[i, p] lives at a[ai + p * as]
      int ai = transA ? aOff + i : aOff + i * k;
      int as = transA ? m : 1;
      int j = j0;
      for (; j + 4 * L <= j1; j += 4 * L) {
        FloatVector s0 = FloatVector.zero(S);
        FloatVector s1 = FloatVector.zero(S);
        FloatVector s2 = FloatVector.zero(S);
        FloatVector s3 = FloatVector.zero(S);
        for (int p = 0; p < k; p++) {
          FloatVector va = FloatVector.broadcast(S, a[ai + p * as]);
          int bi = bOff + p * n + j;
          s0 = va.fma(FloatVector.fromArray(S, b, bi), s0);
          s1 = va.fma(FloatVector.fromArray(S, b, bi + L), s1);
          s2 = va.fma(FloatVector.fromArray(S, b, bi + 2 * L), s2);
          s3 = va.fma(FloatVector.fromArray(S, b, bi + 3 * L), s3);
        }
        if (accumulate) {
          s0 = s0.add(FloatVector.fromArray(S, c, ci + j));
          s1 = s1.add(FloatVector.fromArray(S, c, ci + j + L));
          s2 = s2.add(FloatVector.fromArray(S, c, ci + j + 2 * L));
          s3 = s3.add(FloatVector.fromArray(S, c, ci + j + 3 * L));
        }
        s0.intoArray(c, ci + j);
        s1.intoArray(c, ci + j + L);
        s2.intoArray(c, ci + j + 2 * L);
        s3.intoArray(c, ci + j + 3 * L);
      }
      for (; j + L <= j1; j += L) {
        FloatVector s = FloatVector.zero(S);
        for (int p = 0; p < k; p++) {
          s = FloatVector.broadcast(S, a[ai + p * as]).fma(FloatVector.fromArray(S, b, bOff + p * n + j), s);
        }
        if (accumulate) {
          s = s.add(FloatVector.fromArray(S, c, ci + j));
        }
        s.intoArray(c, ci + j);
      }
      // the last columns, fewer than a vector (a classifier's few outputs): the same fused
      // multiply-adds as a vector lane, four columns' chains at once, since each waits on its
      // previous FMA
      for (; j + 4 <= j1; j += 4) {
        float s0 = 0f;
        float s1 = 0f;
        float s2 = 0f;
        float s3 = 0f;
        for (int p = 0; p < k; p++) {
          float ap = a[ai + p * as];
          int bi = bOff + p * n + j;
          s0 = Math.fma(ap, b[bi], s0);
          s1 = Math.fma(ap, b[bi + 1], s1);
          s2 = Math.fma(ap, b[bi + 2], s2);
          s3 = Math.fma(ap, b[bi + 3], s3);
        }
        c[ci + j] = accumulate ? c[ci + j] + s0 : s0;
        c[ci + j + 1] = accumulate ? c[ci + j + 1] + s1 : s1;
        c[ci + j + 2] = accumulate ? c[ci + j + 2] + s2 : s2;
        c[ci + j + 3] = accumulate ? c[ci + j + 3] + s3 : s3;
      }
      for (; j < j1; j++) {
        float s = 0f;
        for (int p = 0; p < k; p++) {
          s = Math.fma(a[ai + p * as], b[bOff + p * n + j], s);
        }
        c[ci + j] = accumulate ? c[ci + j] + s : s;
      }
    }
  }
}
