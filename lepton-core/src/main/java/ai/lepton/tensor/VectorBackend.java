package ai.lepton.tensor;

import ai.lepton.LeptonException;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector API kernels on all cores. Loaded by name from {@link Backends} only when
 * {@code jdk.incubator.vector} is present. Paths that are rare or hard to vectorize with the
 * reference's exact semantics (GELU, POW, max/argmax with their NaN rules...) go to
 * {@link ReferenceBackend}.
 *
 * <p>JIT rule for everything below: vector-typed values never cross a method boundary. A helper that
 * takes or returns a {@code FloatVector} and is not inlined turns every vector into a heap object
 * (GEMM falls from ~170 to ~10 GFLOP/s), so hot loops keep their vectors in locals.
 */
final class VectorBackend implements Backend {
  private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
  private static final int L = S.length();
  /** Int lanes matching S's float lanes one to one (both 32-bit), e.g. for pooling winners. */
  private static final VectorSpecies<Integer> I = S.withLanes(int.class);

  // GEMM blocking: row blocks (MC) over depth blocks (KC) over NR-panels over MR-panels.
  /**
   * Rows of the register tile: 8 x 2 accumulators + 2 B vectors + 1 broadcast fit AVX-512's 32
   * registers. (With AVX2's 16 registers this tile spills; it was only tuned for AVX-512.)
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
  /** Up to this depth a product into whole pairs of column vectors skips packing (see shallow). */
  private static final int SHALLOW_K = 32;
  /** From this depth on, a product with at most MC x MC outputs is split along its depth. */
  private static final int DEEP_K = 16 * KC;
  /** Shared packed buffers up to this many floats are kept per calling thread and reused. */
  private static final int MAX_CACHED_PACK = 1 << 22;

  /** Element-wise work is split across threads only from this many elements on. */
  private static final int PARALLEL_ELEMENTS = 1 << 16;

  /** All processors, or {@code -Dlepton.threads=N} (e.g. to pin a benchmark or share a machine). */
  private static final int THREADS = threads();
  /** Helpers for the calling thread, which always takes the first share itself. */
  private static final WorkerPool POOL = new WorkerPool(THREADS - 1);

  /** Each thread's own A block (MC x KC) or B chunk (KC_PANEL x NR). */
  private static final ThreadLocal<float[]> OWN_PACK =
      ThreadLocal.withInitial(() -> new float[MC * KC]);
  private static final ThreadLocal<float[]> TILE = ThreadLocal.withInitial(() -> new float[MR * NR]);
  /** The calling thread's buffer for the operand all threads share. */
  private static final ThreadLocal<float[][]> SHARED_PACK =
      ThreadLocal.withInitial(() -> new float[1][0]);

  private final ReferenceBackend reference = new ReferenceBackend();

  @Override
  public String name() {
    return "vector(" + S.vectorBitSize() + "-bit, " + THREADS + " threads)";
  }

  // ---------------------------------------------------------------- threads

  private static int threads() {
    int available = Runtime.getRuntime().availableProcessors();
    String configured = System.getProperty("lepton.threads");
    if (configured == null) {
      return available;
    }
    try {
      int n = Integer.parseInt(configured.trim());
      if (n >= 1) {
        return n;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new LeptonException("lepton.threads must be a positive integer. Received: '"
        + configured + "'; leave it unset to use all " + available + " processors");
  }

  /** Runs {@code body.accept(t)} for {@code t < tasks} across the pool and the caller. */
  private static void parallel(int tasks, IntConsumer body) {
    POOL.run(tasks, body);
  }

  /** Splits {@code [0, n)} into vector-aligned ranges, one per thread when {@code n} is large. */
  private static void forRanges(int n, RangeBody body) {
    forRanges(n, n, body);
  }

  /** As above, with the split decided by {@code work} elements touched rather than by {@code n}. */
  private static void forRanges(int n, long work, RangeBody body) {
    int tasks = work >= PARALLEL_ELEMENTS ? Math.min(THREADS, Math.max(1, n / L)) : 1;
    int chunk = (n / tasks + L - 1) / L * L;
    parallel(tasks, t -> {
      int from = Math.min(n, t * chunk);
      body.run(from, t == tasks - 1 ? n : Math.min(n, from + chunk));
    });
  }

  @Override
  public void forEachRange(int n, int grain, RangeBody body) {
    // a range's own kernels then find every worker busy and run on the range's thread
    int tasks = Math.max(1, Math.min(THREADS, n / Math.max(1, grain)));
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
      // A few rows (batch-1 inference): packing B would cost more than the product itself.
      int tasks = serial ? 1 : Math.min(THREADS, Math.max(1, n / NR));
      int chunk = (n / tasks + L - 1) / L * L;
      parallel(tasks, t -> fewRows(transA, transB, m, n, k, a, aOff, b, bOff, c, cOff, accumulate,
          Math.min(n, t * chunk), t == tasks - 1 ? n : Math.min(n, (t + 1) * chunk)));
      return;
    }
    if (!transA && !transB && k <= SHALLOW_K && n % (2 * L) == 0 && m >= 4 * MR) {
      // Row blocks of 4 rows (a multiple of MR), about four per thread, handed out in order.
      int tasks = serial ? 1 : THREADS;
      int blocks = (m + 3) / 4;
      parallel(tasks, t -> shallow(n, k, a, aOff, b, bOff, c, cOff, accumulate,
          Math.min(m, blocks * t / tasks * 4), Math.min(m, blocks * (t + 1) / tasks * 4)));
      return;
    }
    if (!serial && m <= MC && n <= MC && k >= DEEP_K) {
      byDepth(transA, transB, m, n, k, a, aOff, b, bOff, c, cOff, accumulate);
      return;
    }
    packed(transA, transB, m, n, k, a, aOff, b, bOff, c, cOff, accumulate, serial ? 1 : THREADS);
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
   * 246,016 output positions): each thread multiplies its own depth range into a private product
   * and the products are summed. Splitting rows or columns instead makes every thread stream all
   * of both operands, and packs op(A) once per 8 rows.
   */
  private static void byDepth(boolean transA, boolean transB, int m, int n, int k,
      float[] a, int aOff, float[] b, int bOff, float[] c, int cOff, boolean accumulate) {
    int panels = (n + NR - 1) / NR;
    float[][] parts = new float[THREADS][];
    parallel(THREADS, t -> {
      float[] part = new float[m * n];
      float[] ap = OWN_PACK.get();
      float[] bp = new float[panels * KC * NR];
      float[] tile = TILE.get();
      int end = (int) ((long) k * (t + 1) / THREADS);
      if (transA && !transB && n % (2 * L) == 0) {
        for (int p0 = (int) ((long) k * t / THREADS); p0 < end; p0 += KC_PANEL) {
          outerProducts(m, n, a, aOff, b, bOff, part, p0, Math.min(end, p0 + KC_PANEL));
        }
        parts[t] = part;
        return;
      }
      for (int p0 = (int) ((long) k * t / THREADS); p0 < end; p0 += KC) {
        int kc = Math.min(KC, end - p0);
        packA(transA, m, k, a, aOff, 0, m, p0, kc, ap, 0);
        for (int q = 0; q < panels; q++) {
          packB(transB, n, k, b, bOff, q, p0, kc, bp, q * kc * NR);
          for (int ir = 0; ir < m; ir += MR) {
            microKernel(ap, ir * kc, bp, q * kc * NR, kc, tile);
            writeTile(tile, part, ir * n + q * NR, n, Math.min(MR, m - ir),
                Math.min(NR, n - q * NR), false);
          }
        }
      }
      parts[t] = part;
    });
    for (int i = 0; i < m * n; i++) {
      float sum = accumulate ? c[cOff + i] : 0f;
      for (float[] part : parts) {
        sum += part[i];
      }
      c[cOff + i] = sum;
    }
  }

  @Override
  public float[] packB(float[] b, int k, int n) {
    checkBlock("packB", "b", b, 0, (long) k * n);
    int panels = (n + NR - 1) / NR;
    float[] bp = new float[Math.multiplyExact(panels * NR, k)]; // [panel][k][NR]
    for (int q = 0; q < panels; q++) {
      packB(false, n, k, b, 0, q, 0, k, bp, q * k * NR);
    }
    return bp;
  }

  @Override
  public void gemmPackedB(int m, int n, int k, float[] a, int aOff, float[] packedB,
      float[] c, int cOff, boolean accumulate) {
    checkBlock("gemmPackedB", "a", a, aOff, (long) m * k);
    checkBlock("gemmPackedB", "c", c, cOff, (long) m * n);
    if (packedB.length != (n + NR - 1) / NR * NR * k) {
      throw new LeptonException("gemmPackedB: packedB holds " + packedB.length + " floats, not a "
          + k + " x " + n + " operand from packB; pack it with packB(b, " + k + ", " + n + ")");
    }
    if (m == 0 || n == 0) {
      return;
    }
    if (k == 0) {
      if (!accumulate) {
        Arrays.fill(c, cOff, cOff + m * n, 0f);
      }
      return;
    }
    int threads = (long) m * n * k < PARALLEL_GEMM_MACS ? 1 : THREADS;
    byPanels(false, false, m, n, k, a, aOff, null, 0, packedB, c, cOff, accumulate, threads);
  }

  /**
   * Where gemm runs byPanels (at least a register tile of rows, more columns than rows, not shallow
   * and not split by depth; see gemm and packed): gemmPackedB runs byPanels too, with the same
   * depth chunks, so both give the same bits. Fewer rows are not packed at all, and for more rows
   * than columns gemm packs B whole once per call, a small part of the work.
   */
  @Override
  public boolean packedBMatchesGemm(int m, int n, int k) {
    boolean shallow = k <= SHALLOW_K && n % (2 * L) == 0 && m >= 4 * MR;
    boolean byDepth = (long) m * n * k >= PARALLEL_GEMM_MACS && m <= MC && n <= MC && k >= DEEP_K;
    return m >= MR && n > m && m <= MC && !shallow && !byDepth;
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
  private static void packed(boolean transA, boolean transB, int m, int n, int k,
      float[] a, int aOff, float[] b, int bOff, float[] c, int cOff, boolean accumulate,
      int threads) {
    if (n > m && m <= MC) {
      byPanels(transA, transB, m, n, k, a, aOff, b, bOff, null, c, cOff, accumulate, threads);
    } else {
      byRows(transA, transB, m, n, k, a, aOff, b, bOff, c, cOff, accumulate, threads);
    }
  }

  /**
   * Many rows (weight gradients, large batches): op(B) is packed whole and shared as
   * {@code [panel][k][NR]}, and each unit of rows packs its own A blocks as
   * {@code [MR-panel][kc][MR]}.
   */
  private static void byRows(boolean transA, boolean transB, int m, int n, int k,
      float[] a, int aOff, float[] b, int bOff, float[] c, int cOff, boolean accumulate,
      int threads) {
    int panels = (n + NR - 1) / NR;
    float[] bp = sharedBuffer((long) panels * k * NR, "op(B) of " + k + " x " + n, "n");
    // Work is handed out through counters rather than fixed shares: on a machine shared with
    // other jobs, a thread that loses its core leaves its remaining units to the others.
    int packUnits = Math.min(panels, 8 * threads);
    AtomicInteger nextPack = new AtomicInteger();
    parallel(Math.min(threads, packUnits), t -> {
      for (int u; (u = nextPack.getAndIncrement()) < packUnits; ) {
        for (int q = panels * u / packUnits; q < panels * (u + 1) / packUnits; q++) {
          packB(transB, n, k, b, bOff, q, 0, k, bp, q * k * NR);
        }
      }
    });

    // A unit is a block of rows times all panels, or (for few rows) all rows times a group of
    // panels; about four units per thread balance the load.
    int rowPanels = (m + MR - 1) / MR;
    boolean rowUnitsOnly = rowPanels >= 4 * threads || rowPanels >= panels;
    int rowsPerUnit = rowUnitsOnly
        ? Math.min(MC, Math.max(1, rowPanels / (4 * threads)) * MR)
        : m;
    int rowUnits = (m + rowsPerUnit - 1) / rowsPerUnit;
    int panelUnits = rowUnitsOnly ? 1 : Math.min(panels, 4 * threads);
    int units = rowUnits * panelUnits;
    AtomicInteger next = new AtomicInteger();
    parallel(Math.min(threads, units), t -> {
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
            for (int q = q0; q < q1; q++) {
              int j0 = q * NR;
              int cols = Math.min(NR, n - j0);
              int bi = q * k * NR + p0 * NR;
              for (int ir = 0; ir < mc; ir += MR) {
                microKernel(ap, ir * kc, bp, bi, kc, tile);
                writeTile(tile, c, cOff + (i0 + ir) * n + j0, n, Math.min(MR, mc - ir), cols,
                    overwrite);
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
  private static void byPanels(boolean transA, boolean transB, int m, int n, int k,
      float[] a, int aOff, float[] b, int bOff, float[] packedB, float[] c, int cOff,
      boolean accumulate, int threads) {
    int rowPanels = (m + MR - 1) / MR;
    float[] ap = sharedBuffer((long) rowPanels * k * MR, "op(A) of " + m + " x " + k, "m");
    int packUnits = Math.min(rowPanels, 8 * threads);
    AtomicInteger nextPack = new AtomicInteger();
    parallel(Math.min(threads, packUnits), t -> {
      for (int u; (u = nextPack.getAndIncrement()) < packUnits; ) {
        int i0 = rowPanels * u / packUnits * MR;
        int i1 = Math.min(m, rowPanels * (u + 1) / packUnits * MR);
        packA(transA, m, k, a, aOff, i0, i1 - i0, 0, k, ap, i0 * k);
      }
    });

    int panels = (n + NR - 1) / NR;
    int units = Math.min(panels, 4 * threads);
    // Equal depth chunks of at most KC_PANEL: 784 is cut into 4 x 196 rather than 3 x 256 + 16.
    int chunks = (k + KC_PANEL - 1) / KC_PANEL;
    int kcStep = (k + chunks - 1) / chunks;
    AtomicInteger next = new AtomicInteger();
    parallel(Math.min(threads, units), t -> {
      float[] bp = OWN_PACK.get();
      float[] tile = TILE.get();
      for (int u; (u = next.getAndIncrement()) < units; ) {
        int q0 = panels * u / units;
        int q1 = panels * (u + 1) / units;
        // Depth outermost: the A rows of one chunk (m x kc) stay in L2 across the unit's panels.
        for (int p0 = 0; p0 < k; p0 += kcStep) {
          int kc = Math.min(kcStep, k - p0);
          boolean overwrite = !accumulate && p0 == 0;
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
              microKernel(ap, i0 * k + p0 * MR, bq, bi, kc, tile);
              writeTile(tile, c, cOff + i0 * n + j0, n, Math.min(MR, m - i0), cols, overwrite);
            }
          }
        }
      }
    });
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

  /** {@code C[rows, cols] (+)= tile}: vector rows for full-width tiles, scalars at the edges. */
  private static void writeTile(float[] tile, float[] c, int ci, int ldc, int rows, int cols,
      boolean overwrite) {
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
        v0.intoArray(c, row);
        v1.intoArray(c, row + L);
      } else {
        for (int j = 0; j < cols; j++) {
          c[row + j] = overwrite ? tile[t + j] : c[row + j] + tile[t + j];
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
          float d = dot(ar, ao, b, bOff + j * k, k);
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
      for (; j < j1; j++) {
        float s = 0f;
        for (int p = 0; p < k; p++) {
          s += a[ai + p * as] * b[bOff + p * n + j];
        }
        c[ci + j] = accumulate ? c[ci + j] + s : s;
      }
    }
  }

  /** {@code sum x[xi+p] * y[yi+p]} over {@code p < len}, with four independent vector sums. */
  private static float dot(float[] x, int xi, float[] y, int yi, int len) {
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
    float s = s0.add(s1).add(s2.add(s3)).reduceLanes(VectorOperators.ADD);
    for (; p < len; p++) {
      s += x[xi + p] * y[yi + p];
    }
    return s;
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
      case GELU, POW, SOFTPLUS -> reference.unary(op, x, out, p1, p2);
      default -> forRanges(out.length, (from, to) -> unaryRange(op, x, out, p1, p2, from, to));
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
      case EXP -> {
        for (; i < end; i += L) {
          FloatVector.fromArray(S, x, i).lanewise(VectorOperators.EXP).intoArray(out, i);
        }
      }
      case LOG -> {
        for (; i < end; i += L) {
          FloatVector.fromArray(S, x, i).lanewise(VectorOperators.LOG).intoArray(out, i);
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
      case ELU -> {
        for (; i < end; i += L) {
          FloatVector v = FloatVector.fromArray(S, x, i);
          v.lanewise(VectorOperators.EXPM1).mul(p1).blend(v, v.compare(VectorOperators.GT, 0f))
              .intoArray(out, i);
        }
      }
      case SIGMOID -> {
        FloatVector one = FloatVector.broadcast(S, 1f);
        for (; i < end; i += L) {
          FloatVector v = FloatVector.fromArray(S, x, i);
          one.div(v.neg().lanewise(VectorOperators.EXP).add(one)).intoArray(out, i);
        }
      }
      case TANH -> {
        for (; i < end; i += L) {
          FloatVector.fromArray(S, x, i).lanewise(VectorOperators.TANH).intoArray(out, i);
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
      case NEG, EXP, RELU, LEAKY_RELU, SIGMOID, TANH -> forRanges(gradIn.length,
          (from, to) -> unaryBackwardRange(op, x, y, g, gradIn, p1, p2, from, to));
      default -> reference.unaryBackward(op, x, y, g, gradIn, p1, p2);
    }
  }

  private static void unaryBackwardRange(UnaryOp op, float[] x, float[] y, float[] g,
      float[] gradIn, float p1, float p2, int from, int to) {
    int i = from;
    int end = from + S.loopBound(to - from);
    FloatVector zero = FloatVector.zero(S);
    FloatVector one = FloatVector.broadcast(S, 1f);
    switch (op) {
      case NEG -> {
        for (; i < end; i += L) {
          FloatVector.fromArray(S, gradIn, i).sub(FloatVector.fromArray(S, g, i)).intoArray(gradIn, i);
        }
      }
      case EXP -> {
        for (; i < end; i += L) {
          FloatVector.fromArray(S, y, i).fma(FloatVector.fromArray(S, g, i),
              FloatVector.fromArray(S, gradIn, i)).intoArray(gradIn, i);
        }
      }
      case RELU, LEAKY_RELU -> {
        FloatVector slope = op == UnaryOp.RELU ? zero : FloatVector.broadcast(S, p1);
        for (; i < end; i += L) {
          FloatVector d = slope.blend(one, FloatVector.fromArray(S, x, i).compare(VectorOperators.GT, 0f));
          d.fma(FloatVector.fromArray(S, g, i), FloatVector.fromArray(S, gradIn, i)).intoArray(gradIn, i);
        }
      }
      case SIGMOID -> {
        for (; i < end; i += L) {
          FloatVector v = FloatVector.fromArray(S, y, i);
          v.mul(one.sub(v)).fma(FloatVector.fromArray(S, g, i), FloatVector.fromArray(S, gradIn, i))
              .intoArray(gradIn, i);
        }
      }
      case TANH -> {
        for (; i < end; i += L) {
          FloatVector v = FloatVector.fromArray(S, y, i);
          one.sub(v.mul(v)).fma(FloatVector.fromArray(S, g, i), FloatVector.fromArray(S, gradIn, i))
              .intoArray(gradIn, i);
        }
      }
      default -> throw new LeptonException("unaryBackward: no vector kernel for " + op
          + "; route it to the reference backend");
    }
    for (; i < to; i++) {
      gradIn[i] += ReferenceBackend.derivative(op, x[i], y[i], p1, p2) * g[i];
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
  private static void forChunks(int n, int period, RangeBody body) {
    int chunks = (n + period - 1) / period;
    int tasks = n >= PARALLEL_ELEMENTS ? Math.min(THREADS, chunks) : 1;
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
      // One [n, inner] slab (a column sum, e.g. a bias gradient): each thread sums a range of rows
      // into its own partial row, so each reads only its share of the slab; the partials add up.
      int tasks = x.length >= PARALLEL_ELEMENTS ? Math.min(THREADS, n) : 1;
      float[][] partial = new float[tasks][inner];
      parallel(tasks, t -> {
        int from = (int) ((long) n * t / tasks);
        int to = (int) ((long) n * (t + 1) / tasks);
        sumColumns(x, from * inner, to - from, inner, partial[t], 0, 0, inner);
      });
      System.arraycopy(partial[0], 0, out, 0, inner);
      for (int t = 1; t < tasks; t++) {
        for (int c = 0; c < inner; c++) {
          out[c] += partial[t][c];
        }
      }
      return;
    }
    int tasks = x.length >= PARALLEL_ELEMENTS ? Math.min(THREADS, outer) : 1;
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
    float s = s0.add(s1).reduceLanes(VectorOperators.ADD);
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
    for (; i < to; i++) {
      float first = g[i];
      if (m != null) {
        m[i] += w1 * (g[i] - m[i]);
        first = m[i];
      }
      v[i] += w2 * (g[i] * g[i] - v[i]);
      p[i] += step * first / ((float) Math.sqrt(v[i] + epsInside) + epsOutside);
    }
  }

  @Override
  public void softmax(float[] x, float[] out, int rows, int n, boolean log) {
    if (n < L) {
      reference.softmax(x, out, rows, n, log);
      return;
    }
    forRows(rows, n, r -> softmaxRow(x, out, r * n, n, log));
  }

  private static void forRows(int rows, int n, IntConsumer row) {
    int tasks = (long) rows * n >= PARALLEL_ELEMENTS ? Math.min(THREADS, rows) : 1;
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
    float max = vmax.reduceLanes(VectorOperators.MAX);
    for (; j < n; j++) {
      max = Math.max(max, x[base + j]);
    }
    // exp(x - max) <= 1, so even huge logits cannot overflow the sum.
    FloatVector vsum = FloatVector.zero(S);
    for (j = 0; j < end; j += L) {
      FloatVector e = FloatVector.fromArray(S, x, base + j).sub(max).lanewise(VectorOperators.EXP);
      if (!log) {
        e.intoArray(out, base + j);
      }
      vsum = vsum.add(e);
    }
    float sum = vsum.reduceLanes(VectorOperators.ADD);
    for (; j < n; j++) {
      float e = (float) Math.exp(x[base + j] - max);
      if (!log) {
        out[base + j] = e;
      }
      sum += e;
    }
    if (log) {
      float shift = max + (float) Math.log(sum);
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
    if (n < L) {
      reference.softmaxBackward(y, g, gradIn, rows, n, log);
      return;
    }
    forRows(rows, n, r -> softmaxBackwardRow(y, g, gradIn, r * n, n, log));
  }

  private static void softmaxBackwardRow(float[] y, float[] g, float[] gradIn, int base, int n,
      boolean log) {
    // dot = sum g (log-softmax) or sum g*y (softmax)
    float dot = log ? sum(g, base, n) : dot(g, base, y, base, n);
    int end = S.loopBound(n);
    int j = 0;
    for (; j < end; j += L) {
      FloatVector vy = FloatVector.fromArray(S, y, base + j);
      FloatVector vg = FloatVector.fromArray(S, g, base + j);
      FloatVector gi = FloatVector.fromArray(S, gradIn, base + j);
      FloatVector d = log
          ? vg.sub(vy.lanewise(VectorOperators.EXP).mul(dot))
          : vy.mul(vg.sub(dot));
      gi.add(d).intoArray(gradIn, base + j);
    }
    for (; j < n; j++) {
      float yj = y[base + j];
      gradIn[base + j] += log ? g[base + j] - (float) Math.exp(yj) * dot : yj * (g[base + j] - dot);
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
  private static void forImages(ConvGeometry g, RangeBody body) {
    long work = (long) g.rows() * g.cols();
    int tasks = work >= PARALLEL_ELEMENTS ? Math.min(THREADS, g.batch()) : 1;
    parallel(tasks, t -> body.run(g.batch() * t / tasks, g.batch() * (t + 1) / tasks));
  }

  /**
   * Vectorized across channels (contiguous in channels-last layout): each window's taps are
   * compared a vector of channels at a time, in the reference's tap order and with its strict
   * {@code >} and NaN rule, so ties and NaNs pick the same winner. Split by output rows across threads.
   */
  @Override
  public void maxPool(float[] x, ConvGeometry g, float[] out, int[] winner) {
    if ((long) g.kh() * g.w() * g.c() >= 1 << 24) {
      reference.maxPool(x, g, out, winner); // window offsets would not be exact as floats
      return;
    }
    forOutputRows(g, (from, to) -> maxPoolRows(x, g, out, winner, from, to));
  }

  /**
   * Max pooling of output rows {@code [from, to)} (row = image * outH + oy). The vector loop keeps
   * the winning tap's offset from the window's first cell in a float vector, blended under the
   * same mask as the maximum; offsets are exact floats below 2^24 (checked by the caller).
   */
  private static void maxPoolRows(float[] x, ConvGeometry g, float[] out, int[] winner, int from,
      int to) {
    int c = g.c();
    int vc = S.loopBound(c);
    IntVector lanes = IntVector.zero(I).addIndex(1);
    for (int r = from; r < to; r++) { // r = b * outH + oy
      int b = r / g.outH();
      int y0 = Math.max(0, r % g.outH() * g.strideH() - g.padTop());
      int y1 = Math.min(g.h(), r % g.outH() * g.strideH() - g.padTop() + g.kh());
      for (int ox = 0; ox < g.outW(); ox++) {
        int x0 = Math.max(0, ox * g.strideW() - g.padLeft());
        int x1 = Math.min(g.w(), ox * g.strideW() - g.padLeft() + g.kw());
        int o = (r * g.outW() + ox) * c;
        int first = ((b * g.h() + y0) * g.w() + x0) * c;
        for (int ch = 0; ch < vc; ch += L) {
          FloatVector best = FloatVector.fromArray(S, x, first + ch);
          IntVector tap = IntVector.zero(I); // each lane's winning offset from `first`
          for (int y = y0; y < y1; y++) {
            for (int xx = x0; xx < x1; xx++) {
              int offset = ((y - y0) * g.w() + xx - x0) * c;
              FloatVector v = FloatVector.fromArray(S, x, first + offset + ch);
              // the first NaN wins and then stays, as in the reference
              VectorMask<Float> wins = v.compare(VectorOperators.GT, best)
                  .or(v.test(VectorOperators.IS_NAN).andNot(best.test(VectorOperators.IS_NAN)));
              best = best.blend(v, wins);
              tap = tap.blend(offset, wins.cast(I));
            }
          }
          best.intoArray(out, o + ch);
          tap.add(lanes).add(first + ch).intoArray(winner, o + ch);
        }
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
          winner[o + ch] = at;
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
  private static void forOutputRows(ConvGeometry g, RangeBody body) {
    int rows = g.batch() * g.outH();
    long work = (long) rows * g.outW() * g.c() * g.kh() * g.kw();
    int tasks = work >= PARALLEL_ELEMENTS ? Math.min(THREADS, rows) : 1;
    parallel(tasks, t -> body.run(rows * t / tasks, rows * (t + 1) / tasks));
  }
}
