package ai.lepton.tensor;

/**
 * The kernels every tensor op runs on. Arrays are dense, row-major and exactly sized; a backend never
 * sees shapes beyond the sizes passed here and never sees gradients as such (autograd lives in
 * {@link Tensor}). {@link ReferenceBackend} is the plain-loop reference; every backend passes the same
 * conformance suite.
 */
interface Backend {

  String name();

  /**
   * {@code c[m,n] = op(a)[m,k] * op(b)[k,n]}, or {@code c += ...} when {@code accumulate}. With
   * {@code transA} the block of {@code a} at {@code aOff} is stored as {@code [k,m]}, otherwise as
   * {@code [m,k]}; with {@code transB} the block of {@code b} is stored as {@code [n,k]}, otherwise
   * {@code [k,n]}. {@code c} is stored as {@code [m,n]} at {@code cOff}.
   */
  void gemm(boolean transA, boolean transB, int m, int n, int k,
      float[] a, int aOff, float[] b, int bOff, float[] c, int cOff, boolean accumulate);

  /**
   * {@code b} {@code [k,n]} laid out once for many {@link #gemmPackedB} products (a recurrent
   * kernel used at every step), so that no product packs it again. The array is opaque: only this
   * backend's {@link #gemmPackedB} with the same {@code k} and {@code n} reads it.
   */
  float[] packB(float[] b, int k, int n);

  /**
   * {@code gemm(false, false, m, n, k, a, aOff, b, 0, c, cOff, accumulate)} with {@code b} given as
   * {@code packB(b, k, n)}; then, unless {@code bias} is null, {@code bias[j]} added to every
   * element of column j, and with {@code relu} every element below or at zero set to zero (NaN
   * stays): the bits of those steps done afterwards, in one pass over C instead of three.
   */
  void gemmPackedB(int m, int n, int k, float[] a, int aOff, float[] packedB, float[] bias,
      boolean relu, float[] c, int cOff, boolean accumulate);

  /**
   * Whether {@link #gemmPackedB} gives, bit for bit, what {@code gemm(false, false, m, n, k, ...)}
   * gives, and is worth a B packed beforehand: then a weight packed once may stand in for itself
   * in such products (inference), and the results do not depend on whether it was.
   */
  boolean packedBMatchesGemm(int m, int n, int k);

  /**
   * Whether every value of {@code x} is finite, neither NaN nor infinite: predict's check of its
   * inputs, on the path of every call, so a backend makes it one fast pass.
   */
  boolean allFinite(float[] x);

  /**
   * {@code out[i] = op(x[i])}; {@code p1}, {@code p2} are the op's parameters (see {@link UnaryOp}).
   * NaN in gives NaN out, as in PyTorch (relu too; only {@code pow(NaN, 0)} is 1, as there).
   */
  void unary(UnaryOp op, float[] x, float[] out, float p1, float p2);

  /**
   * {@code gradIn[i] += op'(x[i]) * g[i]}, where {@code y = op(x)} is given too, since many
   * derivatives are cheapest from the output.
   */
  void unaryBackward(UnaryOp op, float[] x, float[] y, float[] g, float[] gradIn, float p1, float p2);

  /**
   * {@code out[i] = a[i % a.length] op b[i % b.length]} for every {@code i < out.length}; each
   * operand's length divides {@code out.length}. {@code out} may be {@code a} or {@code b}.
   */
  void binary(BinaryOp op, float[] a, float[] b, float[] out);

  /**
   * Reduces the middle axis of {@code x} viewed as {@code [outer, n, inner]} into {@code out} of
   * {@code [outer, inner]}. {@link ReduceOp#ARGMAX} writes the index as a float.
   */
  void reduce(ReduceOp op, float[] x, float[] out, int outer, int n, int inner);

  /**
   * One pass of an adaptive optimizer over a parameter {@code p} with gradient {@code g}: the first
   * moment {@code m += (1 - beta1)(g - m)} (when {@code m} is null it is skipped and reads as
   * {@code g}), the second moment {@code v += (1 - beta2)(g² - v)}, then
   * {@code p += step * m / (sqrt(v + epsInside) + epsOutside)}.
   */
  void adaptiveUpdate(float[] p, float[] g, float[] m, float[] v, float beta1, float beta2,
      float step, float epsInside, float epsOutside);

  /** Softmax (or log-softmax) of each of {@code rows} contiguous rows of length {@code n}. */
  void softmax(float[] x, float[] out, int rows, int n, boolean log);

  /**
   * {@code gradIn += J^T g} for softmax ({@code log=false}) or log-softmax ({@code log=true}), given
   * the forward output {@code y}.
   */
  void softmaxBackward(float[] y, float[] g, float[] gradIn, int rows, int n, boolean log);

  /**
   * {@code cols[row, (i, j, ch)] = x[b, y, x, ch]} at each output position's tap {@code (i, j)}, or
   * 0 where the tap falls in the padding; {@code cols} is {@code [g.rows(), g.cols()]}.
   */
  void im2col(float[] x, ConvGeometry g, float[] cols);

  /**
   * A convolution at inference read from {@code x} in place, without {@link #im2col}:
   * {@code out [g.rows(), filters] =} the windows of {@code x} times {@code kernel
   * [g.cols(), filters]}, plus {@code bias} {@code [filters]} unless null, then ReLU when
   * {@code relu}: the bits of im2col, {@link #gemm}, {@link #binary} ADD and {@link #unary} RELU
   * one after the other. Returns false, having written nothing, where this backend has no such
   * kernel for the geometry; the caller then takes those steps.
   */
  boolean conv2dDirect(float[] x, ConvGeometry g, float[] kernel, int filters, float[] bias,
      boolean relu, float[] out);

  /** The adjoint of {@link #im2col}: {@code gradIn += } each column entry at the cell it was read from. */
  void col2im(float[] cols, ConvGeometry g, float[] gradIn);

  /**
   * Max pooling over the {@code g.kh() x g.kw()} windows of {@code g} (dilation 1): {@code out} is
   * {@code [g.rows(), g.c()]}, each entry the largest in-image input of its window, and
   * {@code winner} the flat input index of that maximum (the first in window order on ties; padded
   * cells never win). A NaN in a window is its maximum, as in PyTorch: the first NaN wins.
   * {@code winner} is null when no gradient will flow back (inference): then only {@code out} is
   * computed, with the same values.
   */
  void maxPool(float[] x, ConvGeometry g, float[] out, int[] winner);

  /** The adjoint of {@link #maxPool}: {@code gradIn[winner[o]] += gradOut[o]} for every output. */
  void maxPoolBackward(float[] gradOut, int[] winner, ConvGeometry g, float[] gradIn);

  /** Average pooling like {@link #maxPool}: each window's mean over its in-image cells. */
  void avgPool(float[] x, ConvGeometry g, float[] out);

  /**
   * The adjoint of {@link #avgPool}: {@code gradIn +=} each output's gradient divided by its
   * window's count of in-image cells, at each of those cells.
   */
  void avgPoolBackward(float[] gradOut, ConvGeometry g, float[] gradIn);

  /**
   * Runs {@code body} over contiguous ranges that together cover {@code [0, n)}, each at least
   * {@code grain} long unless {@code n} is shorter, and returns when all are done. The ranges must
   * be independent: a backend with threads runs them at once (the batch rows of a recurrence, whose
   * whole scan over time then needs no hand-off per step); a range's own kernel calls may then run
   * on one thread.
   */
  void forEachRange(int n, int grain, RangeBody body);

  /** Work over the range {@code [from, to)}. */
  @FunctionalInterface
  interface RangeBody {
    void run(int from, int to);
  }
}
