package ai.lepton.tensor;

import java.util.Arrays;

/**
 * The scan over time behind {@link Tensor}'s recurrent ops, each cell's step written forward and
 * backward side by side. The input projections {@code x · kernel} of all steps come in precomputed
 * (one big GEMM outside); each step here adds one GEMM {@code h · recurrentKernel} over the stacked
 * gates and then runs the gate nonlinearities and state update as a few fused passes, so a 100-step
 * sequence is 100 small GEMMs rather than a graph of a thousand tiny ops.
 *
 * <p>Masked steps (mask 0) carry every state over unchanged, and the step's output is that carried
 * state, as Keras' {@code backend.rnn} without {@code zero_output_for_mask}. States are kept
 * time-major, {@code (time + 1, batch, units)} with block 0 the zero initial state, because each
 * step's GEMM needs its {@code (batch, units)} block contiguous.
 */
final class Recurrence {
  /** A cell: gate blocks per step, states carried, and floats cached per unit for backward. */
  enum Cell {
    /** {@code h = tanh(x + h U)}. */
    SIMPLE(1, 1, 0),
    /** Keras' reset-after GRU, gates z, r, h; caches z, r, hh and the recurrent h-part. */
    GRU(3, 1, 4),
    /** Keras' LSTM, gates i, f, c, o; caches the four activated gates and tanh(c). */
    LSTM(4, 2, 5);

    final int gates;
    final int states;
    final int cached;

    Cell(int gates, int states, int cached) {
      this.gates = gates;
      this.states = states;
      this.cached = cached;
    }
  }

  /** The fewest batch rows a thread scans alone: fewer make each step's GEMM too thin. */
  private static final int MIN_ROWS = 16;

  /** The backend of the context current when the op ran, kept for its backward pass. */
  private final Backend be;
  private final Cell cell;
  private final int batch;
  private final int time;
  private final int n; // units
  private final int gw; // gates * units
  private final float[] mask; // (batch, time) or null
  private final float[] drop; // (batch, units) recurrent dropout or null
  private float[] h; // (time + 1, batch, units)
  private float[] c; // (time + 1, batch, units), LSTM only
  private float[] hIn; // (time, batch, units): h as fed to the recurrent GEMM (dropped out)
  private float[] cache; // (time, batch, cached * units)

  Recurrence(Backend be, Cell cell, int batch, int time, int units, float[] mask, float[] drop) {
    this.be = be;
    this.cell = cell;
    this.batch = batch;
    this.time = time;
    this.n = units;
    this.gw = cell.gates * units;
    this.mask = mask;
    this.drop = drop;
  }

  private boolean masked(int b, int t) {
    return mask != null && mask[b * time + t] == 0f;
  }

  /**
   * Runs the recurrence over {@code x} {@code (batch, time, gates * units)}; returns every step's
   * states {@code (batch, time, states * units)}: {@code [h]}, or {@code [h | c]} for the LSTM.
   *
   * @param up the recurrent kernel {@code (units, gates * units)}, as {@code packB(u, units,
   *     gates * units)} of the current backend lays it out
   * @param bias null, or added to every step's projection {@code (gates * units)}; for the GRU
   *     {@code (2, gates * units)}: the input bias, then the recurrent bias that r scales with h U
   */
  float[] forward(float[] x, float[] up, float[] bias) {
    int block = batch * n;
    h = new float[(time + 1) * block];
    c = cell == Cell.LSTM ? new float[(time + 1) * block] : null;
    hIn = drop == null ? h : new float[time * block];
    cache = new float[time * batch * cell.cached * n];
    float[] out = new float[batch * time * cell.states * n];
    // Rows of the batch never meet in the scan, so each range of rows runs all its steps alone:
    // the threads meet once per sequence instead of twice per step around a small GEMM.
    be.forEachRange(batch, MIN_ROWS, (b0, b1) -> scan(b0, b1, x, up, bias, out));
    return out;
  }

  /** The forward scan of rows {@code [b0, b1)}, writing their rows of the states and of out. */
  private void scan(int b0, int b1, float[] x, float[] up, float[] bias, float[] out) {
    int block = batch * n;
    int rows = b1 - b0;
    Step step = new Step(rows * gw, rows * n);
    for (int t = 0; t < time; t++) {
      int prev = t * block + b0 * n; // this range's rows of h_t, (rows, units)
      if (drop != null) {
        for (int i = 0; i < rows * n; i++) {
          hIn[prev + i] = h[prev + i] * drop[b0 * n + i];
        }
      }
      if (cell == Cell.GRU) {
        // the reset gate scales the recurrent h-part alone, so it stays apart from x
        be.gemmPackedB(rows, gw, n, hIn, prev, up, null, false, step.pre, 0, false);
      } else {
        for (int b = b0; b < b1; b++) {
          int xi = (b * time + t) * gw;
          int pi = (b - b0) * gw;
          if (bias == null) {
            System.arraycopy(x, xi, step.pre, pi, gw);
          } else {
            for (int j = 0; j < gw; j++) {
              step.pre[pi + j] = x[xi + j] + bias[j];
            }
          }
        }
        be.gemmPackedB(rows, gw, n, hIn, prev, up, null, false, step.pre, 0, true);
      }
      switch (cell) {
        case SIMPLE -> simpleForward(step);
        case GRU -> gruForward(x, t, bias, step, b0, b1);
        case LSTM -> lstmForward(t, step, b0, b1);
      }
      for (int b = b0; b < b1; b++) {
        int row = t * block + b * n;
        int next = row + block;
        int local = (b - b0) * n;
        boolean carry = masked(b, t);
        System.arraycopy(carry ? h : step.h, carry ? row : local, h, next, n);
        if (c != null) {
          System.arraycopy(carry ? c : step.c, carry ? row : local, c, next, n);
        }
      }
    }
    int sn = cell.states * n;
    for (int b = b0; b < b1; b++) {
      for (int t = 0; t < time; t++) {
        int src = (t + 1) * block + b * n;
        System.arraycopy(h, src, out, (b * time + t) * sn, n);
        if (c != null) {
          System.arraycopy(c, src, out, (b * time + t) * sn + n, n);
        }
      }
    }
  }

  /**
   * Backpropagates {@code g} {@code (batch, time, states * units)} through time, adding into the
   * gradients of the recurrent kernel {@code gu} and the bias {@code gb} (each may be null), and
   * returns the projections' gradient {@code (batch, time, gates * units)} in a new array.
   */
  float[] backward(float[] g, float[] u, float[] gu, float[] gb) {
    int block = batch * n;
    // d(h U + bias) of every step, batch-major like the projections: for the LSTM and SimpleRNN it
    // is also their gradient, so no second (batch, time, gates * units) array is written
    float[] dr = new float[batch * time * gw];
    float[] dx = cell == Cell.GRU ? new float[batch * time * gw] : dr;
    // U^T (gates * units, units), transposed and packed once for the per-step products
    float[] ut = new float[gw * n];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < gw; j++) {
        ut[j * n + i] = u[i * gw + j];
      }
    }
    float[] utp = be.packB(ut, gw, n);
    // as forward: each range of rows runs back through all its steps alone
    be.forEachRange(batch, MIN_ROWS, (b0, b1) -> backScan(b0, b1, g, utp, dr, dx));
    if (gu != null) {
      // every step at once: (batch * time, units)^T x (batch * time, gates * units), with the
      // recurrent inputs copied into dr's batch-major order
      float[] hB = new float[batch * time * n];
      for (int t = 0; t < time; t++) {
        for (int b = 0; b < batch; b++) {
          System.arraycopy(hIn, t * block + b * n, hB, (b * time + t) * n, n);
        }
      }
      be.gemm(true, false, n, gw, batch * time, hB, 0, dr, 0, gu, 0, true);
    }
    if (gb != null) {
      // the bias enters every step's projection (for the GRU, row 1 enters beside h U)
      float[] sums = new float[gw];
      be.reduce(ReduceOp.SUM, dx, sums, 1, batch * time, gw);
      if (cell == Cell.GRU) {
        float[] rowSums = new float[gw];
        be.reduce(ReduceOp.SUM, dr, rowSums, 1, batch * time, gw);
        for (int j = 0; j < gw; j++) {
          gb[j] += sums[j];
          gb[gw + j] += rowSums[j];
        }
      } else {
        be.binary(BinaryOp.ADD, gb, sums, gb);
      }
    }
    return dx;
  }

  /**
   * Backpropagates rows {@code [b0, b1)} through time, writing their rows of {@code dr} and
   * {@code dx}; the state gradients are the range's own, {@code (rows, units)}.
   */
  private void backScan(int b0, int b1, float[] g, float[] utp, float[] dr,
      float[] dx) {
    int block = batch * n;
    int sn = cell.states * n;
    int rows = b1 - b0;
    float[] dh = new float[rows * n]; // gradient reaching the state after step t
    float[] dhPrev = new float[rows * n];
    float[] dc = c != null ? new float[rows * n] : null;
    float[] dcPrev = c != null ? new float[rows * n] : null;
    float[] drStep = new float[rows * gw]; // this step's rows of dr, contiguous for the GEMM
    float[] back = new float[rows * n];
    for (int t = time - 1; t >= 0; t--) {
      for (int b = b0; b < b1; b++) {
        int s = (b - b0) * n;
        int ri = (b - b0) * gw;
        int gi = (b * time + t) * sn;
        for (int j = 0; j < n; j++) {
          dh[s + j] += g[gi + j];
        }
        if (dc != null) {
          for (int j = 0; j < n; j++) {
            dc[s + j] += g[gi + n + j];
          }
        }
        if (masked(b, t)) {
          // the state was carried over: its gradient goes straight to the previous state
          System.arraycopy(dh, s, dhPrev, s, n);
          if (dc != null) {
            System.arraycopy(dc, s, dcPrev, s, n);
          }
          Arrays.fill(drStep, ri, ri + gw, 0f);
          continue;
        }
        int row = t * block + b * n;
        int xi = (b * time + t) * gw;
        int ci = (t * batch + b) * cell.cached * n;
        switch (cell) {
          case SIMPLE -> simpleBackward(dh, dhPrev, s, row + block, drStep, ri);
          case GRU -> gruBackward(dh, dhPrev, s, row, drStep, ri, ci, dx, xi);
          case LSTM -> lstmBackward(dh, dhPrev, dc, dcPrev, s, row, drStep, ri, ci);
        }
        System.arraycopy(drStep, ri, dr, xi, gw);
      }
      if (t > 0) {
        // dh_{t-1} += (d(h U) · U^T) ⊙ dropout mask
        be.gemmPackedB(rows, n, gw, drStep, 0, utp, null, false, back, 0, false);
        if (drop == null) {
          for (int i = 0; i < rows * n; i++) {
            dhPrev[i] += back[i];
          }
        } else {
          for (int i = 0; i < rows * n; i++) {
            dhPrev[i] += back[i] * drop[b0 * n + i];
          }
        }
      }
      float[] swap = dh;
      dh = dhPrev;
      dhPrev = swap;
      if (dc != null) {
        swap = dc;
        dc = dcPrev;
        dcPrev = swap;
      }
    }
  }

  /**
   * One step's scratch: the pre-activations and their activations for all rows, and the new states
   * before masked rows keep their old ones. The nonlinearities run as whole-array backend kernels
   * (vectorized), not per element: scalar Math.tanh and exp were 3/4 of the LSTM's forward time.
   */
  private static final class Step {
    final float[] pre; // (batch, gates * units)
    final float[] sig; // (batch, gates * units)
    final float[] tnh; // (batch, gates * units)
    final float[] h; // (batch, units)
    final float[] c; // (batch, units)
    final float[] tc; // (batch, units)

    Step(int gates, int states) {
      pre = new float[gates];
      sig = new float[gates];
      tnh = new float[gates];
      h = new float[states];
      c = new float[states];
      tc = new float[states];
    }
  }

  // ---------------------------------------------------------------- SimpleRNN

  private void simpleForward(Step s) {
    be.unary(UnaryOp.TANH, s.pre, s.h, 0f, 0f);
  }

  private void simpleBackward(float[] dh, float[] dhPrev, int s, int next, float[] dr, int ri) {
    for (int j = 0; j < n; j++) {
      float hv = h[next + j];
      dr[ri + j] = dh[s + j] * (1f - hv * hv);
      dhPrev[s + j] = 0f; // h reaches h_{t-1} only through the recurrent kernel
    }
  }

  // ---------------------------------------------------------------- GRU (reset after)

  private void gruForward(float[] x, int t, float[] bias, Step s, int b0, int b1) {
    // s.pre holds h U; s.tnh first collects the z and r pre-activations, (batch, 2 * units)
    float[] zr = s.tnh;
    for (int b = b0; b < b1; b++) {
      int xi = (b * time + t) * gw;
      int l = b - b0;
      int ri = l * gw;
      for (int j = 0; j < 2 * n; j++) {
        float b2 = bias != null ? bias[j] + bias[gw + j] : 0f; // input and recurrent bias
        zr[l * 2 * n + j] = x[xi + j] + s.pre[ri + j] + b2;
      }
    }
    be.unary(UnaryOp.SIGMOID, zr, s.sig, 0f, 0f); // (batch, 2 * units): z | r per row
    for (int b = b0; b < b1; b++) {
      int xi = (b * time + t) * gw + 2 * n;
      int l = b - b0;
      int ri = l * gw + 2 * n;
      for (int j = 0; j < n; j++) {
        float rh = s.pre[ri + j] + (bias != null ? bias[gw + 2 * n + j] : 0f);
        float xh = x[xi + j] + (bias != null ? bias[2 * n + j] : 0f);
        s.c[l * n + j] = xh + s.sig[l * 2 * n + n + j] * rh; // candidate pre-activation
        s.pre[ri + j] = rh;
      }
    }
    be.unary(UnaryOp.TANH, s.c, s.tc, 0f, 0f); // hh, (batch, units)
    for (int b = b0; b < b1; b++) {
      int row = t * batch * n + b * n;
      int ci = (t * batch + b) * cell.cached * n;
      int l = b - b0;
      for (int j = 0; j < n; j++) {
        float z = s.sig[l * 2 * n + j];
        float hh = s.tc[l * n + j];
        s.h[l * n + j] = z * h[row + j] + (1f - z) * hh;
        cache[ci + j] = z;
        cache[ci + n + j] = s.sig[l * 2 * n + n + j];
        cache[ci + 2 * n + j] = hh;
        cache[ci + 3 * n + j] = s.pre[l * gw + 2 * n + j];
      }
    }
  }

  /**
   * Writes d(h U + b) into {@code dr} and the projection's gradient into {@code dx}: they differ in
   * the h block, where the recurrent part is scaled by r.
   */
  private void gruBackward(float[] dh, float[] dhPrev, int s, int row, float[] dr, int ri,
      int ci, float[] dx, int xi) {
    for (int j = 0; j < n; j++) {
      float z = cache[ci + j];
      float r = cache[ci + n + j];
      float hh = cache[ci + 2 * n + j];
      float rh = cache[ci + 3 * n + j];
      float d = dh[s + j];
      float dpreH = d * (1f - z) * (1f - hh * hh);
      float dpreZ = d * (h[row + j] - hh) * z * (1f - z);
      float dpreR = dpreH * rh * r * (1f - r);
      dr[ri + j] = dpreZ;
      dr[ri + n + j] = dpreR;
      dr[ri + 2 * n + j] = dpreH * r;
      dhPrev[s + j] = d * z;
      dx[xi + j] = dpreZ;
      dx[xi + n + j] = dpreR;
      dx[xi + 2 * n + j] = dpreH;
    }
  }

  // ---------------------------------------------------------------- LSTM

  private void lstmForward(int t, Step s, int b0, int b1) {
    // both nonlinearities over every gate: four times the tanh needed, but two vector kernels
    be.unary(UnaryOp.SIGMOID, s.pre, s.sig, 0f, 0f);
    be.unary(UnaryOp.TANH, s.pre, s.tnh, 0f, 0f);
    for (int b = b0; b < b1; b++) {
      int row = t * batch * n + b * n;
      int gi = (b - b0) * gw;
      for (int j = 0; j < n; j++) {
        s.c[(b - b0) * n + j] =
            s.sig[gi + n + j] * c[row + j] + s.sig[gi + j] * s.tnh[gi + 2 * n + j];
      }
    }
    be.unary(UnaryOp.TANH, s.c, s.tc, 0f, 0f);
    for (int b = b0; b < b1; b++) {
      int l = b - b0;
      int gi = l * gw;
      int ci = (t * batch + b) * cell.cached * n;
      for (int j = 0; j < n; j++) {
        s.h[l * n + j] = s.sig[gi + 3 * n + j] * s.tc[l * n + j];
      }
      // the cache is (i, f) | g | o | tanh(c): block copies rather than five stores per unit
      System.arraycopy(s.sig, gi, cache, ci, 2 * n);
      System.arraycopy(s.tnh, gi + 2 * n, cache, ci + 2 * n, n);
      System.arraycopy(s.sig, gi + 3 * n, cache, ci + 3 * n, n);
      System.arraycopy(s.tc, l * n, cache, ci + 4 * n, n);
    }
  }

  private void lstmBackward(float[] dh, float[] dhPrev, float[] dc, float[] dcPrev, int s,
      int row, float[] dr, int ri, int ci) {
    // Short loops over few arrays each, which C2 vectorizes; the single loop over all eleven
    // streams stayed scalar (11% of a single-threaded training step). The cache is i | f | g | o
    // | tanh(c), and dc becomes the whole gradient of c_t in place.
    int i = ci;
    int f = ci + n;
    int g = ci + 2 * n;
    int o = ci + 3 * n;
    int tc = ci + 4 * n;
    for (int j = 0; j < n; j++) {
      float t = cache[tc + j];
      dc[s + j] += dh[s + j] * cache[o + j] * (1f - t * t);
    }
    for (int j = 0; j < n; j++) {
      float iv = cache[i + j];
      float gv = cache[g + j];
      dr[ri + j] = dc[s + j] * gv * iv * (1f - iv);
      dr[ri + 2 * n + j] = dc[s + j] * iv * (1f - gv * gv);
    }
    for (int j = 0; j < n; j++) {
      float fv = cache[f + j];
      dr[ri + n + j] = dc[s + j] * c[row + j] * fv * (1f - fv);
      dcPrev[s + j] = dc[s + j] * fv;
    }
    for (int j = 0; j < n; j++) {
      float ov = cache[o + j];
      dr[ri + 3 * n + j] = dh[s + j] * cache[tc + j] * ov * (1f - ov);
    }
    Arrays.fill(dhPrev, s, s + n, 0f); // h reaches h_{t-1} only through the recurrent kernel
  }

}
