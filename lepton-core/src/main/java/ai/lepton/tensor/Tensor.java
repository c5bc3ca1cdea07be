package ai.lepton.tensor;

import ai.lepton.LeptonException;
import ai.lepton.internal.Args;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.random.RandomGenerator;

/**
 * A dense float32 tensor in row-major order, with reverse-mode autograd.
 *
 * <p>An op whose input requires gradients records a node holding its backward function;
 * {@link #backward()} walks the graph in reverse topological order and accumulates into the
 * {@link #grad()} of every leaf that requires gradients. Inside {@link #noGrad()}, or when no input
 * requires gradients, no graph is kept at all. Ops never change their inputs; the few in-place
 * methods ({@link #assign}, {@link #addInPlace}, {@link #zeroGrad}) are for optimizers and metrics
 * and are never recorded.
 *
 * <p>Shapes follow NumPy broadcasting for element-wise ops. Bad shapes throw
 * {@link LeptonException} naming the op, both shapes and a likely fix.
 */
public final class Tensor {
  /** The largest number of elements one tensor may hold (a Java array limit). */
  public static final int MAX_SIZE = Integer.MAX_VALUE - 16;

  private static final ThreadLocal<int[]> NO_GRAD_DEPTH = ThreadLocal.withInitial(() -> new int[1]);
  /** Each thread's buffer for a convolution's windows at inference; null until first needed. */
  private static final ThreadLocal<float[]> SCRATCH = new ThreadLocal<>();
  /** The largest scratch buffer a thread keeps (16 MiB); larger windows are allocated per call. */
  private static final int MAX_SCRATCH = 1 << 22;

  private final float[] data;
  private final int[] shape;
  private boolean requiresGrad;
  private Tensor grad;
  private float[] spareGrad; // a cleared gradient's storage, reused to spare the allocation
  private Node node;
  /**
   * Counts in-place changes of the values, bumped after each one is written: a packed copy made
   * from an older version is never used (see {@link #packedB}). Views keep theirs at their root.
   */
  private volatile int version;
  /** For a view ({@link #reshape}, {@link #detach}): the tensor that owns the shared values. */
  private Tensor viewOf;
  /** A parameter packed as a GEMM's B operand at inference, kept for the next products. */
  private volatile Packed packed;

  /** A packed copy: of which version of the values, in which backend's layout. */
  private record Packed(int version, Class<?> layout, float[] values) {}

  /** How to push this tensor's gradient into its inputs. */
  @FunctionalInterface
  private interface BackwardFn {
    void apply(float[] gradOut);
  }

  private record Node(Tensor[] inputs, BackwardFn backward) {}

  private Tensor(float[] data, int[] shape) {
    this.data = data;
    this.shape = shape;
  }

  // ---------------------------------------------------------------- creation

  /**
   * A tensor over a copy of {@code data} with the given shape.
   *
   * @throws LeptonException if the shape's element count differs from {@code data.length}
   */
  public static Tensor of(float[] data, int... shape) {
    return new Tensor(Args.nonNull(data, "Tensor.of", "data").clone(), arrayShape("Tensor.of",
        data, shape));
  }

  /**
   * A tensor over {@code data} itself, not a copy (as PyTorch's {@code torch.from_numpy}): for
   * an array made to be this tensor's values, such as a request's decoded inputs, whose copy
   * would cost as much as a small model's first layer. The caller gives the array up: a later
   * change to it changes the tensor, under any result or gradient computed from it.
   *
   * @throws LeptonException as {@link #of}
   */
  public static Tensor wrap(float[] data, int... shape) {
    return new Tensor(Args.nonNull(data, "Tensor.wrap", "data"), arrayShape("Tensor.wrap", data,
        shape));
  }

  private static int[] arrayShape(String op, float[] data, int[] shape) {
    int[] s = checkShape(shape, op);
    if (sizeOf(s) != data.length) {
      throw new LeptonException(op + ": shape " + Arrays.toString(shape) + " holds "
          + sizeOf(s) + " elements but " + data.length + " values were given; "
          + "pass a shape whose dimensions multiply to the number of values");
    }
    return s;
  }

  /** A rank-0 tensor holding one value. */
  public static Tensor scalar(float value) {
    return new Tensor(new float[] {value}, new int[0]);
  }

  public static Tensor zeros(int... shape) {
    int[] s = checkShape(shape, "Tensor.zeros");
    return new Tensor(new float[sizeOf(s)], s);
  }

  public static Tensor ones(int... shape) {
    return full(1f, shape);
  }

  public static Tensor full(float value, int... shape) {
    int[] s = checkShape(shape, "Tensor.full");
    float[] d = new float[sizeOf(s)];
    Arrays.fill(d, value);
    return new Tensor(d, s);
  }

  /** Values drawn from the normal distribution N(mean, std²). */
  public static Tensor randn(RandomGenerator rng, float mean, float std, int... shape) {
    Args.nonNull(rng, "Tensor.randn", "rng");
    int[] s = checkShape(shape, "Tensor.randn");
    float[] d = new float[sizeOf(s)];
    for (int i = 0; i < d.length; i++) {
      d[i] = (float) (mean + std * rng.nextGaussian());
    }
    return new Tensor(d, s);
  }

  /** Values drawn uniformly from {@code [low, high)}. */
  public static Tensor uniform(RandomGenerator rng, float low, float high, int... shape) {
    Args.nonNull(rng, "Tensor.uniform", "rng");
    int[] s = checkShape(shape, "Tensor.uniform");
    float[] d = new float[sizeOf(s)];
    for (int i = 0; i < d.length; i++) {
      d[i] = low + (high - low) * rng.nextFloat();
    }
    return new Tensor(d, s);
  }

  /**
   * A dropout mask: each element is 0 with probability {@code rate}, otherwise
   * {@code 1 / (1 - rate)}, so that {@code x.mul(mask)} keeps the expected value of {@code x}.
   */
  public static Tensor dropoutMask(RandomGenerator rng, float rate, int... shape) {
    Args.nonNull(rng, "Tensor.dropoutMask", "rng");
    if (!(rate >= 0f && rate < 1f)) {
      throw new LeptonException("dropoutMask: expected a rate in [0, 1), received rate=" + rate);
    }
    int[] s = checkShape(shape, "Tensor.dropoutMask");
    float[] d = new float[sizeOf(s)];
    float keep = 1f / (1f - rate);
    for (int i = 0; i < d.length; i++) {
      d[i] = rng.nextFloat() < rate ? 0f : keep;
    }
    return new Tensor(d, s);
  }

  /**
   * One-hot rows for integer class labels: {@code labels} of shape {@code [...]} gives
   * {@code [..., numClasses]}.
   *
   * @throws LeptonException if a label is not an integer in {@code [0, numClasses)}
   */
  public static Tensor oneHot(Tensor labels, int numClasses) {
    Args.nonNull(labels, "Tensor.oneHot", "labels");
    if (numClasses <= 0) {
      throw new LeptonException("oneHot: expected a positive number of classes, received "
          + "numClasses=" + numClasses);
    }
    int n = labels.data.length;
    int[] s = Arrays.copyOf(labels.shape, labels.shape.length + 1);
    s[labels.shape.length] = numClasses;
    checkShape(s, "Tensor.oneHot");
    float[] d = new float[n * numClasses]; // checkShape bounds the product
    for (int i = 0; i < n; i++) {
      d[i * numClasses + classIndex(labels.data[i], numClasses, i, "oneHot")] = 1f;
    }
    return new Tensor(d, s);
  }

  static int classIndex(float label, int numClasses, int position, String op) {
    int c = (int) label;
    if (c != label || c < 0 || c >= numClasses) {
      throw new LeptonException(op + ": label " + label + " at position " + position
          + " is not an integer class in [0, " + numClasses + "); encode labels as 0.."
          + (numClasses - 1));
    }
    return c;
  }

  // ---------------------------------------------------------------- inspection

  /** A copy of the shape. */
  public int[] shape() {
    return shape.clone();
  }

  /** The size of dimension {@code axis}; a negative axis counts from the end. */
  public int dim(int axis) {
    return shape[axis(axis, "dim")];
  }

  public int rank() {
    return shape.length;
  }

  /** The number of elements. */
  public int size() {
    return data.length;
  }

  /** A copy of the values in row-major order. */
  public float[] toFloatArray() {
    return data.clone();
  }

  /** The value of a one-element tensor. */
  public float item() {
    if (data.length != 1) {
      throw new LeptonException("item: expected a tensor with one element, received shape "
          + Arrays.toString(shape) + "; reduce it first, e.g. with sum() or mean()");
    }
    return data[0];
  }

  /** The value at the given index, one coordinate per dimension. */
  public float get(int... index) {
    Args.nonNull(index, "Tensor.get", "index");
    if (index.length != shape.length) {
      throw new LeptonException("get: expected " + shape.length + " coordinates for shape "
          + Arrays.toString(shape) + ", received " + index.length);
    }
    int flat = 0;
    for (int i = 0; i < index.length; i++) {
      if (index[i] < 0 || index[i] >= shape[i]) {
        throw new LeptonException("get: coordinate " + index[i] + " is out of range [0, "
            + shape[i] + ") in dimension " + i);
      }
      flat = flat * shape[i] + index[i];
    }
    return data[flat];
  }

  /** Whether every value is finite (no NaN, no infinity). */
  public boolean allFinite() {
    return backend().allFinite(data);
  }

  @Override
  public String toString() {
    int shown = Math.min(data.length, 8);
    StringBuilder sb = new StringBuilder("Tensor").append(Arrays.toString(shape)).append('[');
    for (int i = 0; i < shown; i++) {
      sb.append(i == 0 ? "" : ", ").append(data[i]);
    }
    return sb.append(data.length > shown ? ", ...]" : "]").toString();
  }

  // ---------------------------------------------------------------- autograd

  /** Marks this leaf tensor as a parameter whose gradient {@link #backward()} accumulates. */
  public Tensor requiresGrad(boolean requires) {
    if (node != null) {
      throw new LeptonException("requiresGrad: only leaf tensors (not results of ops) can be "
          + "marked; call detach() first to make a leaf");
    }
    this.requiresGrad = requires;
    return this;
  }

  public boolean requiresGrad() {
    return requiresGrad;
  }

  /** The accumulated gradient, or {@code null} before any backward pass reached this tensor. */
  public Tensor grad() {
    return grad;
  }

  /**
   * Clears the accumulated gradient. Its storage is recycled by the next backward pass, so copy a
   * gradient you want to keep.
   */
  public void zeroGrad() {
    if (grad != null) {
      spareGrad = grad.data;
      grad = null;
    }
  }

  /** The same values without any graph history; the result does not require gradients. */
  public Tensor detach() {
    return view(new Tensor(data, shape));
  }

  /** Marks {@code out}, which shares this tensor's values, as a view of them. */
  private Tensor view(Tensor out) {
    out.viewOf = viewOf != null ? viewOf : this;
    return out;
  }

  /**
   * A scope in which ops record no graph, for inference and weight updates:
   * {@code try (var scope = Tensor.noGrad()) { ... }}. Scopes nest and are per thread.
   */
  public static NoGradScope noGrad() {
    NO_GRAD_DEPTH.get()[0]++;
    return new NoGradScope();
  }

  /** Closing the scope restores gradient recording. */
  public static final class NoGradScope implements AutoCloseable {
    private boolean closed;

    private NoGradScope() {}

    @Override
    public void close() {
      if (!closed) {
        closed = true;
        NO_GRAD_DEPTH.get()[0]--;
      }
    }
  }

  /** Backpropagates from this one-element tensor (usually a loss). */
  public void backward() {
    if (data.length != 1) {
      throw new LeptonException("backward: expected a one-element tensor such as a loss, received "
          + "shape " + Arrays.toString(shape) + "; reduce it with sum() or mean(), or call "
          + "backward(gradient)");
    }
    backward(ones(shape));
  }

  /**
   * Backpropagates {@code gradient} (the derivative of some scalar with respect to this tensor)
   * through the graph. Gradients of leaves accumulate across calls until {@link #zeroGrad()}; the
   * graph is released afterwards.
   */
  public void backward(Tensor gradient) {
    Args.nonNull(gradient, "Tensor.backward", "gradient");
    if (!Arrays.equals(gradient.shape, shape)) {
      throw shapeError("backward", shape, gradient.shape, "pass a gradient of this tensor's shape");
    }
    if (!requiresGrad) {
      throw new LeptonException("backward: this tensor does not require gradients; mark the "
          + "parameters with requiresGrad(true) and make sure the loss is not computed in noGrad()");
    }
    List<Tensor> order = topologicalOrder();
    accumulate(gradient.data);
    for (int i = order.size() - 1; i >= 0; i--) {
      Tensor t = order.get(i);
      Node n = t.node;
      if (n == null) {
        continue;
      }
      if (t.grad != null) {
        n.backward.apply(t.grad.data);
      }
      // Like PyTorch without retain_graph: intermediate results drop their graph and gradient.
      t.node = null;
      t.grad = null;
    }
  }

  private List<Tensor> topologicalOrder() {
    List<Tensor> order = new ArrayList<>();
    Set<Tensor> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    ArrayDeque<Object[]> stack = new ArrayDeque<>();
    stack.push(new Object[] {this, 0});
    seen.add(this);
    while (!stack.isEmpty()) {
      Object[] frame = stack.peek();
      Tensor t = (Tensor) frame[0];
      int next = (Integer) frame[1];
      Tensor[] inputs = t.node == null ? new Tensor[0] : t.node.inputs;
      if (next < inputs.length) {
        frame[1] = next + 1;
        Tensor in = inputs[next];
        if (in.requiresGrad && seen.add(in)) {
          stack.push(new Object[] {in, 0});
        }
      } else {
        stack.pop();
        order.add(t);
      }
    }
    // order lists inputs before the tensors computed from them: walking it backwards visits each
    // tensor only after every consumer has pushed its gradient in.
    return order;
  }

  /** Adds {@code g} (of this tensor's size) into this tensor's gradient. */
  private void accumulate(float[] g) {
    if (grad == null) {
      grad = new Tensor(g.clone(), shape);
    } else {
      backend().binary(BinaryOp.ADD, grad.data, g, grad.data);
    }
  }

  /** A gradient buffer for an input, created zeroed on first use. */
  private float[] gradBuffer() {
    if (grad == null) {
      float[] g = spareGrad != null ? spareGrad : new float[data.length];
      if (spareGrad != null) {
        Arrays.fill(g, 0f);
        spareGrad = null;
      }
      grad = new Tensor(g, shape);
    }
    return grad.data;
  }

  /**
   * Gradient storage for a backward op that overwrites every element, sparing the zero fill and the
   * read of an accumulation; {@code null} when a gradient already holds values to add to.
   */
  private float[] claimGradForOverwrite() {
    if (grad != null) {
      return null;
    }
    float[] g = spareGrad != null ? spareGrad : new float[data.length];
    spareGrad = null;
    grad = new Tensor(g, shape);
    return g;
  }

  private static boolean recording(Tensor... inputs) {
    if (NO_GRAD_DEPTH.get()[0] > 0) {
      return false;
    }
    for (Tensor t : inputs) {
      if (t.requiresGrad) {
        return true;
      }
    }
    return false;
  }

  /** Wraps an op's output, recording its backward function when an input requires gradients. */
  private static Tensor result(float[] data, int[] shape, BackwardFn backward, Tensor... inputs) {
    Tensor out = new Tensor(data, shape);
    if (recording(inputs)) {
      out.requiresGrad = true;
      out.node = new Node(inputs, backward);
    }
    return out;
  }

  // ---------------------------------------------------------------- in-place (never recorded)

  /** Overwrites this tensor's values with {@code source}'s (same shape); for optimizer state. */
  public void assign(Tensor source) {
    requireSameShape("assign", "source", source);
    System.arraycopy(source.data, 0, data, 0, data.length);
    changed();
  }

  // These loops are the optimizers' whole per-step cost on large weights: plain counted loops that
  // the JIT vectorizes, and no temporary arrays (an 800 KB temporary per op cost more than the
  // arithmetic).

  /** {@code this *= factor}, in place; for optimizers. */
  public void mulInPlace(float factor) {
    for (int i = 0; i < data.length; i++) {
      data[i] *= factor;
    }
    changed();
  }

  /** {@code this += alpha * other} (same shape), in place; for optimizers. */
  public void addInPlace(Tensor other, float alpha) {
    requireSameShape("addInPlace", "other", other);
    float[] o = other.data;
    for (int i = 0; i < data.length; i++) {
      data[i] += alpha * o[i];
    }
    changed();
  }

  /**
   * {@code this += weight * (end - this)} (same shape), in place: a moving average, such as an
   * optimizer's first moment. One pass, as PyTorch's {@code lerp_}.
   */
  public void lerpInPlace(Tensor end, float weight) {
    requireSameShape("lerpInPlace", "end", end);
    float[] e = end.data;
    for (int i = 0; i < data.length; i++) {
      data[i] += weight * (e[i] - data[i]);
    }
    changed();
  }

  /**
   * The whole update of an adaptive optimizer on this parameter, in one pass:
   * {@code m += (1 - beta1)(grad - m)} (skipped when {@code m} is null, which then reads as
   * {@code grad}), {@code v += (1 - beta2)(grad² - v)}, and
   * {@code this += step * m / (sqrt(v + epsInside) + epsOutside)}. Adam puts epsilon outside the
   * root, RMSprop inside. All tensors have this tensor's shape.
   */
  public void adaptiveUpdateInPlace(Tensor grad, Tensor m, Tensor v, float beta1, float beta2,
      float step, float epsInside, float epsOutside) {
    requireSameShape("adaptiveUpdateInPlace", "grad", grad);
    requireSameShape("adaptiveUpdateInPlace", "v", v);
    if (m != null) {
      requireSameShape("adaptiveUpdateInPlace", "m", m);
    }
    backend().adaptiveUpdate(data, grad.data, m == null ? null : m.data, v.data, beta1, beta2,
        step, epsInside, epsOutside);
    changed();
  }

  /**
   * Marks the values as changed, after the change is written: a thread that then reads the new
   * version also sees the new values. Writers of one tensor never run at once (an optimizer step).
   */
  private void changed() {
    Tensor owner = viewOf != null ? viewOf : this;
    owner.version++;
  }

  /** The packed copy kept for inference products, or null (for tests in this package). */
  float[] keptPack() {
    Packed p = packed;
    return p == null ? null : p.values();
  }

  /** A leaf that requires gradients: a layer's weight, whose packed copy is worth keeping. */
  private boolean isParameter() {
    return requiresGrad && node == null;
  }

  /**
   * This tensor as the B operand {@code [k, n]} of GEMMs, as {@code be.packB} lays it out. A
   * parameter (a leaf that requires gradients) used outside a recorded graph, i.e. at inference,
   * keeps its packed copy for every later product until its values change: a loaded model packs
   * its weights once. Anything else, and training, where weights change at every step, packs
   * afresh. Threads may race to pack: each packs the same values, and the last copy stays. The
   * copy is kept in the layout of one kind of backend: a model served from contexts of another kind
   * repacks for it.
   */
  private float[] packedB(Backend be, int k, int n, boolean recording) {
    if (recording || !isParameter()) {
      return be.packB(data, k, n);
    }
    // read before the values: a change made meanwhile, through this tensor or any view of its
    // values, bumps it again
    int current = (viewOf != null ? viewOf : this).version;
    Packed p = packed;
    if (p == null || p.version() != current || p.layout() != be.getClass()) {
      p = new Packed(current, be.getClass(), be.packB(data, k, n));
      packed = p;
    }
    return p.values();
  }

  private void requireSameShape(String op, String name, Tensor other) {
    if (!Arrays.equals(shape, Args.nonNull(other, "Tensor." + op, name).shape)) {
      throw shapeError(op, shape, other.shape, "pass a tensor of the same shape");
    }
  }

  // ---------------------------------------------------------------- element-wise, one input

  public Tensor neg() {
    return unary(UnaryOp.NEG, 0f, 0f);
  }

  public Tensor exp() {
    return unary(UnaryOp.EXP, 0f, 0f);
  }

  public Tensor log() {
    return unary(UnaryOp.LOG, 0f, 0f);
  }

  public Tensor sqrt() {
    return unary(UnaryOp.SQRT, 0f, 0f);
  }

  public Tensor abs() {
    return unary(UnaryOp.ABS, 0f, 0f);
  }

  /**
   * Element-wise {@code x ^ exponent}, as PyTorch's {@code pow} with a number: a negative base
   * gives NaN unless the exponent is a whole number, and the exponents 1/2 and -1/2 go through the
   * square root, so {@code pow(0.5f)} equals {@link #sqrt()} everywhere, -0 and -infinity included.
   */
  public Tensor pow(float exponent) {
    return unary(UnaryOp.POW, exponent, 0f);
  }

  public Tensor square() {
    return mul(this);
  }

  public Tensor relu() {
    return unary(UnaryOp.RELU, 0f, 0f);
  }

  public Tensor leakyRelu(float negativeSlope) {
    return unary(UnaryOp.LEAKY_RELU, negativeSlope, 0f);
  }

  public Tensor elu(float alpha) {
    return unary(UnaryOp.ELU, alpha, 0f);
  }

  /** Exact GELU, {@code x * Phi(x)}. */
  public Tensor gelu() {
    return unary(UnaryOp.GELU, 0f, 0f);
  }

  public Tensor sigmoid() {
    return unary(UnaryOp.SIGMOID, 0f, 0f);
  }

  public Tensor tanh() {
    return unary(UnaryOp.TANH, 0f, 0f);
  }

  /** {@code log(1 + exp(x))}, computed without overflow. */
  public Tensor softplus() {
    return unary(UnaryOp.SOFTPLUS, 0f, 0f);
  }

  /** Limits every value to {@code [min, max]}; the gradient is zero outside. */
  public Tensor clamp(float min, float max) {
    if (!(min <= max)) {
      throw new LeptonException("clamp: expected min <= max, received min=" + min + ", max=" + max);
    }
    return unary(UnaryOp.CLAMP, min, max);
  }

  private Tensor unary(UnaryOp op, float p1, float p2) {
    float[] out = new float[data.length];
    backend().unary(op, data, out, p1, p2);
    return result(out, shape,
        g -> backend().unaryBackward(op, data, out, g, gradBuffer(), p1, p2), this);
  }

  // ---------------------------------------------------------------- element-wise, two inputs

  public Tensor add(Tensor other) {
    return binary(BinaryOp.ADD, other, "add");
  }

  public Tensor add(float value) {
    return add(scalar(value));
  }

  public Tensor sub(Tensor other) {
    return binary(BinaryOp.SUB, other, "sub");
  }

  public Tensor sub(float value) {
    return sub(scalar(value));
  }

  public Tensor mul(Tensor other) {
    return binary(BinaryOp.MUL, other, "mul");
  }

  public Tensor mul(float value) {
    return mul(scalar(value));
  }

  public Tensor div(Tensor other) {
    return binary(BinaryOp.DIV, other, "div");
  }

  public Tensor div(float value) {
    return div(scalar(value));
  }

  /** Element-wise maximum; on a tie each operand gets half the gradient, as in PyTorch. */
  public Tensor maximum(Tensor other) {
    return binary(BinaryOp.MAX, other, "maximum");
  }

  /** Element-wise minimum; on a tie each operand gets half the gradient, as in PyTorch. */
  public Tensor minimum(Tensor other) {
    return binary(BinaryOp.MIN, other, "minimum");
  }

  /** 1 where {@code this > other}, else 0; not differentiable. */
  public Tensor gt(Tensor other) {
    return binary(BinaryOp.GT, other, "gt").detach();
  }

  /** 1 where {@code this == other}, else 0; not differentiable. */
  public Tensor eq(Tensor other) {
    return binary(BinaryOp.EQ, other, "eq").detach();
  }

  /**
   * Chooses element-wise: {@code condition != 0 ? a : b}. The three shapes broadcast together.
   */
  public static Tensor where(Tensor condition, Tensor a, Tensor b) {
    Args.nonNull(condition, "Tensor.where", "condition");
    Args.nonNull(a, "Tensor.where", "a");
    Args.nonNull(b, "Tensor.where", "b");
    int[] s = broadcastShape(broadcastShape(condition.shape, a.shape, "where"), b.shape, "where");
    int n = sizeOf(s);
    float[] c = expand(condition, s).data;
    float[] av = expand(a, s).data;
    float[] bv = expand(b, s).data;
    float[] out = new float[n];
    for (int i = 0; i < n; i++) {
      out[i] = c[i] != 0f ? av[i] : bv[i];
    }
    return result(out, s, g -> {
      float[] ga = new float[n];
      float[] gb = new float[n];
      for (int i = 0; i < n; i++) {
        if (c[i] != 0f) {
          ga[i] = g[i];
        } else {
          gb[i] = g[i];
        }
      }
      a.accumulateReduced(ga, s);
      b.accumulateReduced(gb, s);
    }, a, b);
  }

  private Tensor binary(BinaryOp op, Tensor other, String name) {
    Args.nonNull(other, "Tensor." + name, "other");
    int[] s = broadcastShape(shape, other.shape, name);
    Tensor a = suffixOf(shape, s) ? this : expand(this, s);
    Tensor b = suffixOf(other.shape, s) ? other : expand(other, s);
    float[] out = new float[sizeOf(s)];
    backend().binary(op, a.data, b.data, out);
    return result(out, s, g -> binaryBackward(op, a.data, b.data, g, s, other), this, other);
  }

  private static final float[] HALF = {0.5f};

  private void binaryBackward(BinaryOp op, float[] a, float[] b, float[] g, int[] s, Tensor other) {
    Backend be = backend();
    int n = g.length;
    float[] ga = null;
    float[] gb = null;
    switch (op) {
      case ADD -> {
        ga = g;
        gb = g;
      }
      case SUB -> {
        ga = g;
        gb = new float[n];
        be.unary(UnaryOp.NEG, g, gb, 0f, 0f);
      }
      case MUL -> {
        ga = new float[n];
        be.binary(BinaryOp.MUL, g, b, ga);
        gb = new float[n];
        be.binary(BinaryOp.MUL, g, a, gb);
      }
      case DIV -> {
        ga = new float[n];
        be.binary(BinaryOp.DIV, g, b, ga);
        // d(a/b)/db = -(a/b)/b
        gb = new float[n];
        be.binary(BinaryOp.DIV, a, b, gb);
        be.binary(BinaryOp.DIV, gb, b, gb);
        be.binary(BinaryOp.MUL, gb, g, gb);
        be.unary(UnaryOp.NEG, gb, gb, 0f, 0f);
      }
      case MAX, MIN -> {
        // PyTorch's convention: the winner takes the gradient and a tie splits it in half.
        // (winner > loser) + (winner >= loser) is 2 where a wins, 1 on a tie, 0 where b wins.
        float[] winner = op == BinaryOp.MAX ? a : b;
        float[] loser = op == BinaryOp.MAX ? b : a;
        float[] share = new float[n];
        float[] tieOrWin = new float[n];
        be.binary(BinaryOp.GT, winner, loser, share);
        be.binary(BinaryOp.GE, winner, loser, tieOrWin);
        be.binary(BinaryOp.ADD, share, tieOrWin, share);
        be.binary(BinaryOp.MUL, share, HALF, share);
        ga = new float[n];
        be.binary(BinaryOp.MUL, g, share, ga);
        gb = new float[n];
        be.binary(BinaryOp.SUB, g, ga, gb);
      }
      case GT, GE, EQ -> {
        return;
      }
    }
    if (requiresGrad) {
      accumulateReduced(ga, s);
    }
    if (other.requiresGrad) {
      other.accumulateReduced(gb, s);
    }
  }

  /** Accumulates {@code g}, of the broadcast shape {@code from}, summed down to this shape. */
  private void accumulateReduced(float[] g, int[] from) {
    if (!requiresGrad) {
      return;
    }
    if (g.length == data.length) {
      float[] fresh = claimGradForOverwrite();
      if (fresh != null) {
        System.arraycopy(g, 0, fresh, 0, g.length); // a first gradient: no zero fill to add onto
      } else {
        backend().binary(BinaryOp.ADD, grad.data, g, grad.data);
      }
      return;
    }
    float[] buf = gradBuffer();
    float[] reduced = sumToShape(g, from, shape);
    backend().binary(BinaryOp.ADD, buf, reduced, buf);
  }

  /** Sums {@code g} of shape {@code from} over the broadcast dimensions down to shape {@code to}. */
  private static float[] sumToShape(float[] g, int[] from, int[] to) {
    if (suffixOf(to, from)) {
      int inner = sizeOf(to);
      float[] out = new float[inner];
      backend().reduce(ReduceOp.SUM, g, out, 1, g.length / inner, inner);
      return out;
    }
    int[] padded = padLeft(to, from.length);
    float[] cur = g;
    int[] curShape = from.clone();
    for (int axis = 0; axis < from.length; axis++) {
      if (padded[axis] == 1 && curShape[axis] != 1) {
        int outer = sizeOf(Arrays.copyOfRange(curShape, 0, axis));
        int inner = sizeOf(Arrays.copyOfRange(curShape, axis + 1, curShape.length));
        float[] next = new float[outer * inner];
        backend().reduce(ReduceOp.SUM, cur, next, outer, curShape[axis], inner);
        cur = next;
        curShape[axis] = 1;
      }
    }
    return cur;
  }

  // ---------------------------------------------------------------- matmul

  /**
   * 2-D convolution (cross-correlation, as Keras and TensorFlow compute it) of {@code this}
   * {@code [batch, h, w, c]} with {@code kernel} {@code [kh, kw, c, filters]}, giving
   * {@code [batch, outH, outW, filters]}. {@code valid} padding keeps only whole windows; {@code same}
   * padding gives {@code outH = ceil(h / strideH)} and pads {@code total / 2} zeros before, the rest
   * after. Computed as im2col followed by one GEMM.
   *
   * @throws LeptonException for ranks other than 4, mismatched channels, strides or dilations below
   *     1, or a window larger than the (valid-padded) input
   */
  public Tensor conv2d(Tensor kernel, int strideH, int strideW, boolean samePadding, int dilationH,
      int dilationW) {
    ConvGeometry g = convGeometry("conv2d", "[kh, kw, c, filters]", kernel, strideH, strideW,
        samePadding, dilationH, dilationW);
    int filters = kernel.shape[3];
    // (batch * outH * outW, kh * kw * c) x (kh * kw * c, filters)
    return im2col(g).matmul(kernel.reshape(g.cols(), filters))
        .reshape(g.batch(), g.outH(), g.outW(), filters);
  }

  /**
   * A convolution layer's whole call: {@link #conv2d(Tensor, int, int, boolean, int, int) conv2d}
   * plus {@code bias} {@code [filters]} (or none, when null), then ReLU when {@code relu}. The same
   * bits as those ops one after the other. At inference (no graph recorded) the backend may read
   * the windows in place (few input channels), or else the windows go to a scratch buffer the
   * calling thread reuses and the bias and ReLU are applied in place on the product: the output is
   * the only new array, where the separate ops allocate four, and at batch 1 allocating arrays
   * cost about as much as the arithmetic.
   *
   * @throws LeptonException as {@link #conv2d(Tensor, int, int, boolean, int, int) conv2d}, or if
   *     the bias is not {@code [filters]}
   */
  public Tensor conv2d(Tensor kernel, Tensor bias, boolean relu, int strideH, int strideW,
      boolean samePadding, int dilationH, int dilationW) {
    ConvGeometry g = convGeometry("conv2d", "[kh, kw, c, filters]", kernel, strideH, strideW,
        samePadding, dilationH, dilationW);
    int filters = kernel.shape[3];
    if (bias != null && (bias.rank() != 1 || bias.shape[0] != filters)) {
      throw new LeptonException("conv2d: the bias must be [" + filters + "] for a "
          + Arrays.toString(kernel.shape) + " kernel, received " + Arrays.toString(bias.shape)
          + "; pass one bias per filter, or null");
    }
    if (recording(this, kernel) || bias != null && recording(bias)) {
      Tensor y = conv2d(kernel, strideH, strideW, samePadding, dilationH, dilationW);
      y = bias == null ? y : y.add(bias);
      return relu ? y.relu() : y;
    }
    Backend be = backend();
    float[] out = new float[Math.multiplyExact(g.rows(), filters)];
    if (be.conv2dDirect(data, g, kernel.data, filters, bias == null ? null : bias.data, relu,
        out)) {
      return new Tensor(out, new int[] {g.batch(), g.outH(), g.outW(), filters});
    }
    long size = (long) g.rows() * g.cols();
    float[] cols = size <= MAX_SCRATCH ? SCRATCH.get() : null;
    if (cols == null || cols.length < size) {
      cols = new float[Math.toIntExact(size)];
      if (size <= MAX_SCRATCH) {
        SCRATCH.set(cols);
      }
    }
    be.im2col(data, g, cols);
    // (batch * outH * outW, kh * kw * c) x (kh * kw * c, filters), as conv2d's matmul; a layer's
    // kernel is packed once for all calls, with the bias and ReLU applied on each finished tile
    if (kernel.isParameter() && be.packedBMatchesGemm(g.rows(), filters, g.cols())) {
      be.gemmPackedB(g.rows(), filters, g.cols(), cols, 0,
          kernel.packedB(be, g.cols(), filters, false), bias == null ? null : bias.data, relu,
          out, 0, false);
      return new Tensor(out, new int[] {g.batch(), g.outH(), g.outW(), filters});
    }
    be.gemm(false, false, g.rows(), filters, g.cols(), cols, 0, kernel.data, 0, out, 0, false);
    if (bias != null) {
      be.binary(BinaryOp.ADD, out, bias.data, out);
    }
    if (relu) {
      be.unary(UnaryOp.RELU, out, out, 0f, 0f);
    }
    return new Tensor(out, new int[] {g.batch(), g.outH(), g.outW(), filters});
  }

  /**
   * Depthwise 2-D convolution, as Keras' DepthwiseConv2D: each channel of {@code this}
   * {@code [batch, h, w, c]} is convolved with its own {@code multiplier} filters of {@code kernel}
   * {@code [kh, kw, c, multiplier]}, giving {@code [batch, outH, outW, c * multiplier]} where
   * output channel {@code ch * multiplier + m} comes from input channel {@code ch}. Strides,
   * padding and dilation as {@link #conv2d}. Built from primitives: the im2col windows times the
   * kernel, summed over the taps, so the gradient needs no code of its own.
   *
   * @throws LeptonException as {@link #conv2d}
   */
  public Tensor depthwiseConv2d(Tensor kernel, int strideH, int strideW, boolean samePadding,
      int dilationH, int dilationW) {
    ConvGeometry g = convGeometry("depthwiseConv2d", "[kh, kw, c, multiplier]", kernel, strideH,
        strideW, samePadding, dilationH, dilationW);
    int taps = g.kh() * g.kw();
    int c = g.c();
    int multiplier = kernel.shape[3];
    // (rows, taps, c, 1) * (taps, c, multiplier), summed over the taps -> (rows, c * multiplier)
    return im2col(g).reshape(g.rows(), taps, c, 1).mul(kernel.reshape(taps, c, multiplier))
        .reshape(g.rows(), taps, c * multiplier).sum(1, false)
        .reshape(g.batch(), g.outH(), g.outW(), c * multiplier);
  }

  /** Checks a convolution's input, kernel {@code [kh, kw, c, ...]} and sizes; its windows. */
  private ConvGeometry convGeometry(String op, String kernelLayout, Tensor kernel, int strideH,
      int strideW, boolean samePadding, int dilationH, int dilationW) {
    Args.nonNull(kernel, "Tensor." + op, "kernel");
    if (rank() != 4 || kernel.rank() != 4 || kernel.shape[2] != shape[3]) {
      throw new LeptonException(op + ": expected input [batch, h, w, c] and kernel "
          + kernelLayout + ", received " + Arrays.toString(shape) + " and "
          + Arrays.toString(kernel.shape) + "; reshape the input or build the kernel for "
          + (rank() == 4 ? shape[3] : "its") + " channels");
    }
    if (strideH < 1 || strideW < 1 || dilationH < 1 || dilationW < 1) {
      throw new LeptonException(op + ": strides and dilations must be at least 1, received "
          + "strides (" + strideH + ", " + strideW + ") and dilations (" + dilationH + ", "
          + dilationW + ")");
    }
    long spanH = ConvGeometry.span(kernel.shape[0], dilationH);
    long spanW = ConvGeometry.span(kernel.shape[1], dilationW);
    if (spanH > MAX_SIZE || spanW > MAX_SIZE) {
      throw new LeptonException(op + ": a " + kernel.shape[0] + "x" + kernel.shape[1]
          + " kernel with dilations (" + dilationH + ", " + dilationW + ") spans " + spanH + "x"
          + spanW + " pixels; use a smaller dilation");
    }
    ConvGeometry g = ConvGeometry.of(shape, kernel.shape[0], kernel.shape[1], strideH, strideW,
        samePadding, dilationH, dilationW);
    if (g.outH() == 0 || g.outW() == 0) {
      throw new LeptonException(op + ": the " + kernel.shape[0] + "x" + kernel.shape[1]
          + " kernel with dilations (" + dilationH + ", " + dilationW + ") spans " + spanH + "x"
          + spanW + " pixels and does not fit the input " + shape[1] + "x" + shape[2]
          + " with valid padding; use same padding or a smaller kernel or dilation");
    }
    return g;
  }

  /** The windows of a convolution as rows: {@code [g.rows(), g.cols()]}. */
  private Tensor im2col(ConvGeometry g) {
    float[] cols = new float[Math.multiplyExact(g.rows(), g.cols())];
    backend().im2col(data, g, cols);
    return result(cols, new int[] {g.rows(), g.cols()},
        gr -> backend().col2im(gr, g, gradBuffer()), this);
  }

  /**
   * A dense layer's product, {@code this · kernel + bias}: {@code [..., k] x [k, n] + [n]}, the
   * bias added to every row ({@code null} for none). The same bits as
   * {@code matmul(kernel).add(bias)}; at inference (outside a recorded graph, the kernel a
   * parameter) the kernel is packed once and the bias added as each tile of the product is
   * written.
   *
   * @throws LeptonException if this is not {@code [..., k]} for a 2-D {@code [k, n]} kernel, or
   *     the bias is not {@code [n]}
   */
  public Tensor linear(Tensor kernel, Tensor bias) {
    return linear(kernel, bias, false, "linear");
  }

  /**
   * {@code linear(kernel, bias).relu()} in one pass: at inference ReLU is applied as each tile of
   * the product is written, instead of in two more passes over new arrays. The same bits.
   *
   * @throws LeptonException as {@link #linear}
   */
  public Tensor linearRelu(Tensor kernel, Tensor bias) {
    return linear(kernel, bias, true, "linearRelu");
  }

  private Tensor linear(Tensor kernel, Tensor bias, boolean relu, String op) {
    Args.nonNull(kernel, "Tensor." + op, "kernel");
    if (kernel.rank() != 2 || rank() < 1 || shape[rank() - 1] != kernel.shape[0]) {
      throw new LeptonException(op + ": expected [..., k] x [k, n], received "
          + Arrays.toString(shape) + " x " + Arrays.toString(kernel.shape)
          + "; pass a 2-D kernel whose first dimension is the input's last");
    }
    if (bias != null && (bias.rank() != 1 || bias.shape[0] != kernel.shape[1])) {
      throw new LeptonException(op + ": the bias must be [" + kernel.shape[1] + "] for a "
          + Arrays.toString(kernel.shape) + " kernel, received " + Arrays.toString(bias.shape)
          + "; pass one bias per output column, or null");
    }
    Tensor flat = rank() == 2 ? this : reshape(-1, shape[rank() - 1]);
    int m = flat.shape[0];
    int k = kernel.shape[0];
    int n = kernel.shape[1];
    Backend be = backend();
    Tensor y;
    if (kernel.isParameter() && !recording(flat, kernel, bias) && be.packedBMatchesGemm(m, n, k)) {
      float[] out = new float[Math.multiplyExact(m, n)];
      be.gemmPackedB(m, n, k, flat.data, 0, kernel.packedB(be, k, n, false),
          bias == null ? null : bias.data, relu, out, 0, false);
      y = new Tensor(out, new int[] {m, n});
    } else {
      y = flat.matmul(kernel);
      y = bias == null ? y : y.add(bias);
      y = relu ? y.relu() : y;
    }
    if (rank() == 2) {
      return y;
    }
    int[] s = shape.clone();
    s[s.length - 1] = n;
    return y.reshape(s);
  }

  /** Matrix product; see {@link #matmul(Tensor, boolean, boolean)}. */
  public Tensor matmul(Tensor other) {
    return matmul(other, false, false);
  }

  /**
   * Matrix product of the last two dimensions, optionally transposing either operand first (without
   * copying it). Shapes: {@code [m,k] x [k,n] -> [m,n]}; batched {@code [B,m,k] x [B,k,n]} and
   * {@code [B,m,k] x [k,n] -> [B,m,n]} (the second operand shared by every batch).
   *
   * @throws LeptonException if ranks or inner dimensions do not match
   */
  public Tensor matmul(Tensor other, boolean transposeA, boolean transposeB) {
    Args.nonNull(other, "Tensor.matmul", "other");
    Tensor a = this;
    Tensor b = other;
    if (a.rank() < 2 || a.rank() > 3 || b.rank() < 2 || b.rank() > 3
        || (b.rank() == 3 && a.rank() != 3)) {
      throw new LeptonException("matmul: expected [m,k] x [k,n], [B,m,k] x [B,k,n] or "
          + "[B,m,k] x [k,n], received " + Arrays.toString(a.shape) + " x "
          + Arrays.toString(b.shape) + "; reshape the operands to one of these forms");
    }
    int ra = a.rank();
    int rb = b.rank();
    int m = transposeA ? a.shape[ra - 1] : a.shape[ra - 2];
    int k = transposeA ? a.shape[ra - 2] : a.shape[ra - 1];
    int kb = transposeB ? b.shape[rb - 1] : b.shape[rb - 2];
    int n = transposeB ? b.shape[rb - 2] : b.shape[rb - 1];
    int batch = ra == 3 ? a.shape[0] : 1;
    if (k != kb || (rb == 3 && b.shape[0] != batch)) {
      throw new LeptonException("matmul: shapes " + Arrays.toString(a.shape)
          + (transposeA ? "^T" : "") + " and " + Arrays.toString(b.shape)
          + (transposeB ? "^T" : "") + " do not line up: the inner dimensions are " + k + " and "
          + kb + (rb == 3 ? " (batches " + batch + " and " + b.shape[0] + ")" : "")
          + "; transpose or reshape one operand so they match");
    }
    int[] s = ra == 3 ? new int[] {batch, m, n} : new int[] {m, n};
    float[] out = new float[Math.multiplyExact(Math.multiplyExact(batch, m), n)];
    boolean shared = rb == 2;
    Backend be = backend();
    if (shared && !transposeA && !transposeB && b.isParameter() && !recording(a, b)
        && be.packedBMatchesGemm(batch * m, n, k)) {
      // a weight at inference (Dense's kernel): packed once, not at every call
      be.gemmPackedB(batch * m, n, k, a.data, 0, b.packedB(be, k, n, false), null, false, out, 0,
          false);
    } else if (shared && !transposeA) {
      // [B,m,k] x [k,n] is one [B*m,k] x [k,n] product
      be.gemm(false, transposeB, batch * m, n, k, a.data, 0, b.data, 0, out, 0, false);
    } else {
      for (int i = 0; i < batch; i++) {
        be.gemm(transposeA, transposeB, m, n, k, a.data, i * m * k,
            b.data, shared ? 0 : i * k * n, out, i * m * n, false);
      }
    }
    return result(out, s, g -> {
      if (a.requiresGrad) {
        if (shared && !transposeA) {
          float[] fresh = a.claimGradForOverwrite();
          be.gemm(false, !transposeB, batch * m, k, n, g, 0, b.data, 0,
              fresh != null ? fresh : a.grad.data, 0, fresh == null);
        } else {
          float[] ga = a.gradBuffer();
          for (int i = 0; i < batch; i++) {
            int gOff = i * m * n;
            int bOff = shared ? 0 : i * k * n;
            if (transposeA) {
              be.gemm(transposeB, true, k, m, n, b.data, bOff, g, gOff, ga, i * m * k, true);
            } else {
              be.gemm(false, !transposeB, m, k, n, g, gOff, b.data, bOff, ga, i * m * k, true);
            }
          }
        }
      }
      if (b.requiresGrad) {
        if (shared && !transposeA) {
          float[] fresh = b.claimGradForOverwrite();
          float[] gb = fresh != null ? fresh : b.grad.data;
          if (transposeB) {
            be.gemm(true, false, n, k, batch * m, g, 0, a.data, 0, gb, 0, fresh == null);
          } else {
            be.gemm(true, false, k, n, batch * m, a.data, 0, g, 0, gb, 0, fresh == null);
          }
        } else {
          float[] gb = b.gradBuffer();
          for (int i = 0; i < batch; i++) {
            int gOff = i * m * n;
            int aOff = i * m * k;
            int bOff = shared ? 0 : i * k * n;
            if (transposeB) {
              be.gemm(true, transposeA, n, k, m, g, gOff, a.data, aOff, gb, bOff, true);
            } else {
              be.gemm(!transposeA, false, k, n, m, a.data, aOff, g, gOff, gb, bOff, true);
            }
          }
        }
      }
    }, a, b);
  }

  /**
   * Max pooling of channels-last images {@code [batch, h, w, c]} over {@code poolH x poolW} windows
   * moved by the strides, with TensorFlow's {@code valid}/{@code same} padding (padded cells never
   * win). The gradient goes to the first maximal element of each window.
   *
   * @throws LeptonException for other ranks, sizes below 1, or a window larger than a valid input
   */
  public Tensor maxPool2d(int poolH, int poolW, int strideH, int strideW, boolean samePadding) {
    ConvGeometry g = poolGeometry("maxPool2d", poolH, poolW, strideH, strideW, samePadding);
    int[] s = {shape[0], g.outH(), g.outW(), shape[3]};
    float[] out = new float[sizeOf(s)];
    if (!recording(this)) { // inference: the winners are only needed by the backward pass
      backend().maxPool(data, g, out, null);
      return new Tensor(out, s);
    }
    int[] winner = new int[out.length]; // flat input index of each output's maximum
    backend().maxPool(data, g, out, winner);
    return result(out, s, grad -> backend().maxPoolBackward(grad, winner, g, gradBuffer()), this);
  }

  /**
   * Average pooling of channels-last images {@code [batch, h, w, c]}, like {@link #maxPool2d}; with
   * {@code same} padding a window averages only the cells inside the image, as Keras does.
   *
   * @throws LeptonException for other ranks, sizes below 1, or a window larger than a valid input
   */
  public Tensor avgPool2d(int poolH, int poolW, int strideH, int strideW, boolean samePadding) {
    ConvGeometry g = poolGeometry("avgPool2d", poolH, poolW, strideH, strideW, samePadding);
    int[] s = {shape[0], g.outH(), g.outW(), shape[3]};
    float[] out = new float[sizeOf(s)];
    backend().avgPool(data, g, out);
    return result(out, s, grad -> backend().avgPoolBackward(grad, g, gradBuffer()), this);
  }

  /** The windows of a pooling op, after checking the input rank and the sizes. */
  private ConvGeometry poolGeometry(String op, int poolH, int poolW, int strideH, int strideW,
      boolean samePadding) {
    if (rank() != 4 || poolH < 1 || poolW < 1 || strideH < 1 || strideW < 1) {
      throw new LeptonException(op + ": expected input [batch, h, w, c] and pool sizes and "
          + "strides of at least 1, received " + Arrays.toString(shape) + ", pool " + poolH + "x"
          + poolW + ", strides " + strideH + "x" + strideW);
    }
    ConvGeometry g = ConvGeometry.of(shape, poolH, poolW, strideH, strideW, samePadding, 1, 1);
    if (g.outH() <= 0 || g.outW() <= 0) {
      throw new LeptonException(op + ": a " + poolH + "x" + poolW + " window does not fit in "
          + shape[1] + "x" + shape[2] + " images with valid padding; use \"same\" padding or a "
          + "smaller pool");
    }
    return g;
  }

  // ---------------------------------------------------------------- softmax

  /** Softmax along {@code axis}, numerically stable (the row maximum is subtracted first). */
  public Tensor softmax(int axis) {
    return softmax(axis, false);
  }

  /** Log-softmax along {@code axis}, fused and numerically stable. */
  public Tensor logSoftmax(int axis) {
    return softmax(axis, true);
  }

  private Tensor softmax(int axis, boolean log) {
    int ax = axis(axis, log ? "logSoftmax" : "softmax");
    if (ax != shape.length - 1) {
      int[] perm = swapLast(ax);
      return permute(perm).softmax(-1, log).permute(perm);
    }
    int n = shape[ax];
    int rows = n == 0 ? 0 : data.length / n;
    float[] out = new float[data.length];
    backend().softmax(data, out, rows, n, log);
    return result(out, shape,
        g -> backend().softmaxBackward(out, g, gradBuffer(), rows, n, log), this);
  }

  private int[] swapLast(int ax) {
    int[] perm = new int[shape.length];
    for (int i = 0; i < perm.length; i++) {
      perm[i] = i;
    }
    perm[ax] = shape.length - 1;
    perm[shape.length - 1] = ax;
    return perm;
  }

  // ---------------------------------------------------------------- reductions

  /** The sum of all elements, as a rank-0 tensor. */
  public Tensor sum() {
    return reshape(data.length).sum(0, false).reshape();
  }

  /** Sum along {@code axis}; {@code keepDims} keeps it as a dimension of size 1. */
  public Tensor sum(int axis, boolean keepDims) {
    int ax = axis(axis, "sum");
    int outer = sizeOf(Arrays.copyOfRange(shape, 0, ax));
    int n = shape[ax];
    int inner = sizeOf(Arrays.copyOfRange(shape, ax + 1, shape.length));
    float[] out = new float[outer * inner];
    backend().reduce(ReduceOp.SUM, data, out, outer, n, inner);
    return result(out, reducedShape(ax, keepDims), g -> {
      float[] buf = gradBuffer();
      for (int o = 0; o < outer; o++) {
        for (int j = 0; j < n; j++) {
          int base = (o * n + j) * inner;
          for (int in = 0; in < inner; in++) {
            buf[base + in] += g[o * inner + in];
          }
        }
      }
    }, this);
  }

  /** The mean of all elements, as a rank-0 tensor. */
  public Tensor mean() {
    return sum().div(Math.max(1, data.length));
  }

  /** Mean along {@code axis}. */
  public Tensor mean(int axis, boolean keepDims) {
    return sum(axis, keepDims).div(shape[axis(axis, "mean")]);
  }

  /** The maximum along {@code axis}; its gradient goes to the first maximum, as torch.max(dim). */
  public Tensor max(int axis, boolean keepDims) {
    int ax = axis(axis, "max");
    int outer = sizeOf(Arrays.copyOfRange(shape, 0, ax));
    int n = shape[ax];
    int inner = sizeOf(Arrays.copyOfRange(shape, ax + 1, shape.length));
    requireNonEmpty("max", n);
    float[] out = new float[outer * inner];
    backend().reduce(ReduceOp.MAX, data, out, outer, n, inner);
    return result(out, reducedShape(ax, keepDims), g -> {
      float[] idx = new float[outer * inner];
      backend().reduce(ReduceOp.ARGMAX, data, idx, outer, n, inner);
      float[] buf = gradBuffer();
      for (int o = 0; o < outer; o++) {
        for (int in = 0; in < inner; in++) {
          buf[(o * n + (int) idx[o * inner + in]) * inner + in] += g[o * inner + in];
        }
      }
    }, this);
  }

  /** Index of the maximum along {@code axis} (the first on ties), as floats; not differentiable. */
  public Tensor argmax(int axis) {
    int ax = axis(axis, "argmax");
    int outer = sizeOf(Arrays.copyOfRange(shape, 0, ax));
    int n = shape[ax];
    int inner = sizeOf(Arrays.copyOfRange(shape, ax + 1, shape.length));
    requireNonEmpty("argmax", n);
    float[] out = new float[outer * inner];
    backend().reduce(ReduceOp.ARGMAX, data, out, outer, n, inner);
    return new Tensor(out, reducedShape(ax, false));
  }

  private void requireNonEmpty(String op, int n) {
    if (n == 0) {
      throw new LeptonException(op + ": cannot reduce an empty dimension of shape "
          + Arrays.toString(shape));
    }
  }

  private int[] reducedShape(int ax, boolean keepDims) {
    if (keepDims) {
      int[] s = shape.clone();
      s[ax] = 1;
      return s;
    }
    int[] s = new int[shape.length - 1];
    for (int i = 0, j = 0; i < shape.length; i++) {
      if (i != ax) {
        s[j++] = shape[i];
      }
    }
    return s;
  }

  // ---------------------------------------------------------------- shape

  /**
   * The same values with a new shape; one dimension may be -1 and is then inferred. Shares the
   * values: no copy.
   */
  public Tensor reshape(int... newShape) {
    Args.nonNull(newShape, "Tensor.reshape", "newShape");
    int[] s = newShape.clone();
    int infer = -1;
    long known = 1;
    for (int i = 0; i < s.length; i++) {
      if (s[i] == -1 && infer < 0) {
        infer = i;
      } else if (s[i] < 0) {
        throw new LeptonException("reshape: invalid shape " + Arrays.toString(newShape)
            + "; use non-negative sizes and at most one -1");
      } else {
        known *= s[i];
      }
    }
    if (infer >= 0) {
      if (known == 0 || data.length % known != 0) {
        throw new LeptonException("reshape: cannot infer -1 in " + Arrays.toString(newShape)
            + " for " + data.length + " elements of shape " + Arrays.toString(shape));
      }
      s[infer] = (int) (data.length / known);
      known *= s[infer];
    }
    if (known != data.length) {
      throw new LeptonException("reshape: cannot reshape " + Arrays.toString(shape) + " ("
          + data.length + " elements) into " + Arrays.toString(newShape) + " (" + known
          + " elements); the sizes must multiply to the same count");
    }
    return view(result(data, s, g -> {
      float[] buf = gradBuffer();
      backend().binary(BinaryOp.ADD, buf, g, buf);
    }, this));
  }

  /** Swaps the last two dimensions (the matrix transpose for rank 2). */
  public Tensor transpose() {
    if (shape.length < 2) {
      throw new LeptonException("transpose: expected rank >= 2, received shape "
          + Arrays.toString(shape));
    }
    return transpose(-2, -1);
  }

  /** Swaps two dimensions. */
  public Tensor transpose(int axis1, int axis2) {
    int a1 = axis(axis1, "transpose");
    int a2 = axis(axis2, "transpose");
    int[] perm = new int[shape.length];
    for (int i = 0; i < perm.length; i++) {
      perm[i] = i;
    }
    perm[a1] = a2;
    perm[a2] = a1;
    return permute(perm);
  }

  /** Reorders dimensions: result dimension {@code i} is this tensor's {@code axes[i]}. Copies. */
  public Tensor permute(int... axes) {
    Args.nonNull(axes, "Tensor.permute", "axes");
    int r = shape.length;
    if (axes.length != r) {
      throw new LeptonException("permute: expected " + r + " axes for shape "
          + Arrays.toString(shape) + ", received " + Arrays.toString(axes));
    }
    int[] perm = new int[r];
    boolean[] used = new boolean[r];
    for (int i = 0; i < r; i++) {
      perm[i] = axis(axes[i], "permute");
      if (used[perm[i]]) {
        throw new LeptonException("permute: axis " + axes[i] + " appears twice in "
            + Arrays.toString(axes) + "; name each axis once");
      }
      used[perm[i]] = true;
    }
    int[] s = new int[r];
    for (int i = 0; i < r; i++) {
      s[i] = shape[perm[i]];
    }
    float[] out = new float[data.length];
    int[] srcStrides = strides(shape);
    int[] permStrides = new int[r];
    for (int i = 0; i < r; i++) {
      permStrides[i] = srcStrides[perm[i]];
    }
    gatherStrided(data, out, s, permStrides, false);
    return result(out, s, g -> gatherStrided(g, gradBuffer(), s, permStrides, true), this);
  }

  /**
   * Walks the destination shape {@code s} in order; {@code strides} give the matching source offset.
   * With {@code scatter} the copy runs backwards, adding {@code from} into the strided places of
   * {@code to}.
   */
  private static void gatherStrided(float[] from, float[] to, int[] s, int[] strides,
      boolean scatter) {
    int r = s.length;
    int n = sizeOf(s);
    int[] idx = new int[r];
    int src = 0;
    for (int i = 0; i < n; i++) {
      if (scatter) {
        to[src] += from[i];
      } else {
        to[i] = from[src];
      }
      for (int d = r - 1; d >= 0; d--) {
        if (++idx[d] < s[d]) {
          src += strides[d];
          break;
        }
        src -= strides[d] * (s[d] - 1);
        idx[d] = 0;
      }
    }
  }

  /** Elements {@code [start, end)} along {@code axis}. Copies. */
  public Tensor slice(int axis, int start, int end) {
    int ax = axis(axis, "slice");
    if (start < 0 || end > shape[ax] || start > end) {
      throw new LeptonException("slice: range [" + start + ", " + end + ") is outside [0, "
          + shape[ax] + "] of axis " + axis + " in shape " + Arrays.toString(shape));
    }
    int outer = sizeOf(Arrays.copyOfRange(shape, 0, ax));
    int inner = sizeOf(Arrays.copyOfRange(shape, ax + 1, shape.length));
    int len = end - start;
    int[] s = shape.clone();
    s[ax] = len;
    float[] out = new float[outer * len * inner];
    for (int o = 0; o < outer; o++) {
      System.arraycopy(data, (o * shape[ax] + start) * inner, out, o * len * inner, len * inner);
    }
    return result(out, s, g -> {
      float[] buf = gradBuffer();
      for (int o = 0; o < outer; o++) {
        int dst = (o * shape[ax] + start) * inner;
        int src = o * len * inner;
        for (int i = 0; i < len * inner; i++) {
          buf[dst + i] += g[src + i];
        }
      }
    }, this);
  }

  /**
   * Rows picked by index along {@code axis} (repeats allowed), as Keras {@code take} or PyTorch
   * {@code index_select}; the gradient adds back into the picked rows (this is how embeddings
   * learn).
   */
  public Tensor gather(int axis, int[] indices) {
    Args.nonNull(indices, "Tensor.gather", "indices");
    int ax = axis(axis, "gather");
    int outer = sizeOf(Arrays.copyOfRange(shape, 0, ax));
    int inner = sizeOf(Arrays.copyOfRange(shape, ax + 1, shape.length));
    int n = shape[ax];
    int[] idx = indices.clone();
    for (int i = 0; i < idx.length; i++) {
      if (idx[i] < 0 || idx[i] >= n) {
        throw new LeptonException("gather: index " + idx[i] + " at position " + i
            + " is out of range [0, " + n + ") for axis " + axis + " of shape "
            + Arrays.toString(shape));
      }
    }
    int[] s = shape.clone();
    s[ax] = idx.length;
    float[] out = new float[Math.multiplyExact(Math.multiplyExact(outer, idx.length), inner)];
    for (int o = 0; o < outer; o++) {
      for (int i = 0; i < idx.length; i++) {
        System.arraycopy(data, (o * n + idx[i]) * inner, out, (o * idx.length + i) * inner, inner);
      }
    }
    return result(out, s, g -> {
      float[] buf = gradBuffer();
      for (int o = 0; o < outer; o++) {
        for (int i = 0; i < idx.length; i++) {
          int dst = (o * n + idx[i]) * inner;
          int src = (o * idx.length + i) * inner;
          for (int j = 0; j < inner; j++) {
            buf[dst + j] += g[src + j];
          }
        }
      }
    }, this);
  }

  /** Joins tensors along an existing axis; the other dimensions must agree. */
  public static Tensor concat(int axis, Tensor... tensors) {
    Args.noNulls(tensors, "Tensor.concat", "tensors");
    if (tensors.length == 0) {
      throw new LeptonException("concat: expected at least one tensor, received none");
    }
    Tensor first = tensors[0];
    int ax = first.axis(axis, "concat");
    int total = 0;
    for (Tensor t : tensors) {
      if (t.rank() != first.rank()) {
        throw shapeError("concat", first.shape, t.shape, "pass tensors of the same rank");
      }
      for (int d = 0; d < first.rank(); d++) {
        if (d != ax && t.shape[d] != first.shape[d]) {
          throw shapeError("concat", first.shape, t.shape,
              "all dimensions except axis " + axis + " must be equal");
        }
      }
      total += t.shape[ax];
    }
    int outer = sizeOf(Arrays.copyOfRange(first.shape, 0, ax));
    int inner = sizeOf(Arrays.copyOfRange(first.shape, ax + 1, first.shape.length));
    int[] s = first.shape.clone();
    s[ax] = total;
    int width = total * inner;
    float[] out = new float[sizeOf(s)];
    int[] offsets = new int[tensors.length];
    int off = 0;
    for (int t = 0; t < tensors.length; t++) {
      offsets[t] = off;
      int len = tensors[t].shape[ax] * inner;
      for (int o = 0; o < outer; o++) {
        System.arraycopy(tensors[t].data, o * len, out, o * width + off * inner, len);
      }
      off += tensors[t].shape[ax];
    }
    return result(out, s, g -> {
      for (int t = 0; t < tensors.length; t++) {
        if (!tensors[t].requiresGrad) {
          continue;
        }
        float[] buf = tensors[t].gradBuffer();
        int len = tensors[t].shape[ax] * inner;
        for (int o = 0; o < outer; o++) {
          int src = o * width + offsets[t] * inner;
          for (int i = 0; i < len; i++) {
            buf[o * len + i] += g[src + i];
          }
        }
      }
    }, tensors);
  }

  /** Joins same-shaped tensors along a new axis. */
  public static Tensor stack(int axis, Tensor... tensors) {
    Args.noNulls(tensors, "Tensor.stack", "tensors");
    if (tensors.length == 0) {
      throw new LeptonException("stack: expected at least one tensor, received none");
    }
    int r = tensors[0].rank();
    int ax = axis < 0 ? axis + r + 1 : axis;
    if (ax < 0 || ax > r) {
      throw new LeptonException("stack: axis " + axis + " is out of range for rank " + r);
    }
    Tensor[] expanded = new Tensor[tensors.length];
    for (int t = 0; t < tensors.length; t++) {
      if (!Arrays.equals(tensors[t].shape, tensors[0].shape)) {
        throw shapeError("stack", tensors[0].shape, tensors[t].shape, "pass same-shaped tensors");
      }
      int[] s = new int[r + 1];
      for (int i = 0, j = 0; i <= r; i++) {
        s[i] = i == ax ? 1 : tensors[t].shape[j++];
      }
      expanded[t] = tensors[t].reshape(s);
    }
    return concat(ax, expanded);
  }

  // ---------------------------------------------------------------- recurrent

  /**
   * The LSTM recurrence (Keras' cell: gates i, f, c, o; tanh and sigmoid) over this tensor of input
   * projections {@code x · kernel}, {@code (batch, time, 4 * units)}, from zero states. Returns
   * every step's states {@code (batch, time, 2 * units)}, {@code [h | c]} per step. See
   * {@link #gruRecurrence} for the other arguments.
   *
   * @param recurrentKernel {@code (units, 4 * units)}
   * @param bias {@code (4 * units)}, or null
   * @throws LeptonException if the shapes do not fit together
   */
  public Tensor lstmRecurrence(Tensor recurrentKernel, Tensor bias, Tensor mask,
      Tensor recurrentDropout) {
    return recurrence(Recurrence.Cell.LSTM, recurrentKernel, bias, mask, recurrentDropout);
  }

  /**
   * The GRU recurrence (Keras' reset-after cell: gates z, r, h; {@code hh = tanh(x_h + b_h + r * (h
   * U_h + b'_h))}, {@code h = z * h + (1 - z) * hh}) over this tensor of input projections
   * {@code x · kernel}, {@code (batch, time, 3 * units)}, from a zero state. Returns every step's
   * {@code h}, {@code (batch, time, units)}. The bias is Keras' {@code (2, 3 * units)}: row 0 is added
   * to the projections, row 1 to {@code h U}. At a step where {@code mask} {@code (batch, time)} is 0
   * the state is carried over unchanged (and is that step's output); {@code recurrentDropout}
   * {@code (batch, units)}, when not null, multiplies {@code h} where it enters the recurrent product.
   * The bias (adding it here spares a pass and a tensor of the projections' size), the mask and the
   * dropout may be null.
   *
   * @param recurrentKernel {@code (units, 3 * units)}
   * @throws LeptonException if the shapes do not fit together
   */
  public Tensor gruRecurrence(Tensor recurrentKernel, Tensor bias, Tensor mask,
      Tensor recurrentDropout) {
    return recurrence(Recurrence.Cell.GRU, recurrentKernel, bias, mask, recurrentDropout);
  }

  /**
   * The simple recurrence {@code h = tanh(x_t + b + h U)} over this tensor of input projections
   * {@code (batch, time, units)}, from a zero state; returns every step's {@code h}. See
   * {@link #gruRecurrence} for the other arguments.
   *
   * @param bias {@code (units)}, or null
   * @throws LeptonException if the shapes do not fit together
   */
  public Tensor simpleRecurrence(Tensor recurrentKernel, Tensor bias, Tensor mask,
      Tensor recurrentDropout) {
    return recurrence(Recurrence.Cell.SIMPLE, recurrentKernel, bias, mask, recurrentDropout);
  }

  private Tensor recurrence(Recurrence.Cell cell, Tensor kernel, Tensor bias, Tensor mask,
      Tensor drop) {
    Args.nonNull(kernel, cell.name().toLowerCase() + "Recurrence", "recurrentKernel");
    int units = kernel.rank() == 2 ? kernel.shape[0] : -1;
    int gw = cell.gates * units;
    int[] biasShape = cell == Recurrence.Cell.GRU ? new int[] {2, gw} : new int[] {gw};
    boolean fits = rank() == 3 && units > 0 && kernel.shape[1] == gw && shape[2] == gw
        && (bias == null || Arrays.equals(bias.shape, biasShape))
        && (mask == null || Arrays.equals(mask.shape, new int[] {shape[0], shape[1]}))
        && (drop == null || Arrays.equals(drop.shape, new int[] {shape[0], units}));
    if (!fits) {
      throw new LeptonException(cell.name().toLowerCase() + "Recurrence: expected projections "
          + "(batch, time, " + cell.gates + " * units), a recurrent kernel (units, " + cell.gates
          + " * units), a bias " + (cell == Recurrence.Cell.GRU ? "(2, " : "(") + cell.gates
          + " * units) or null, a mask (batch, time) or null and a dropout mask (batch, units) or "
          + "null; received " + Arrays.toString(shape) + ", " + Arrays.toString(kernel.shape) + ", "
          + (bias == null ? "null" : Arrays.toString(bias.shape)) + ", "
          + (mask == null ? "null" : Arrays.toString(mask.shape)) + ", "
          + (drop == null ? "null" : Arrays.toString(drop.shape)));
    }
    Recurrence r = new Recurrence(backend(), cell, shape[0], shape[1], units,
        mask == null ? null : mask.data, drop == null ? null : drop.data);
    // packed for the GEMMs of all steps; at inference, once for all calls
    float[] packedKernel = kernel.packedB(backend(), units, gw, recording(kernel));
    float[] out = r.forward(data, packedKernel, bias == null ? null : bias.data);
    int[] s = {shape[0], shape[1], cell.states * units};
    BackwardFn back = g -> {
      float[] dx = r.backward(g, kernel.data, kernel.requiresGrad ? kernel.gradBuffer() : null,
          bias != null && bias.requiresGrad ? bias.gradBuffer() : null);
      if (requiresGrad && grad == null) {
        grad = new Tensor(dx, shape); // a fresh array: adopted, not copied
      } else if (requiresGrad) {
        backend().binary(BinaryOp.ADD, grad.data, dx, grad.data);
      }
    };
    return bias == null ? result(out, s, back, this, kernel)
        : result(out, s, back, this, kernel, bias);
  }

  // ---------------------------------------------------------------- helpers

  /** The current {@link ComputeContext}'s backend (which fails if that context was closed). */
  private static Backend backend() {
    return ComputeContext.current().backend();
  }

  /** The name of the current {@link ComputeContext}'s backend, e.g. for benchmark reports. */
  public static String backendName() {
    return backend().name();
  }

  private int axis(int axis, String op) {
    int a = axis < 0 ? axis + shape.length : axis;
    if (a < 0 || a >= shape.length) {
      throw new LeptonException(op + ": axis " + axis + " is out of range for shape "
          + Arrays.toString(shape) + "; use 0.." + (shape.length - 1) + " or a negative axis");
    }
    return a;
  }

  static int[] checkShape(int[] shape, String op) {
    Args.nonNull(shape, op, "shape");
    long n = 1;
    for (int d : shape) {
      if (d < 0) {
        throw new LeptonException(op + ": negative dimension in shape " + Arrays.toString(shape));
      }
      n *= d;
      if (n > MAX_SIZE) {
        throw new LeptonException(op + ": shape " + Arrays.toString(shape) + " has more than "
            + MAX_SIZE + " elements; split the data into smaller tensors");
      }
    }
    return shape.clone();
  }

  static int sizeOf(int[] shape) {
    int n = 1;
    for (int d : shape) {
      n = Math.multiplyExact(n, d);
    }
    return n;
  }

  private static int[] strides(int[] shape) {
    int[] st = new int[shape.length];
    int acc = 1;
    for (int i = shape.length - 1; i >= 0; i--) {
      st[i] = acc;
      acc *= shape[i];
    }
    return st;
  }

  private static int[] padLeft(int[] shape, int rank) {
    int[] p = new int[rank];
    Arrays.fill(p, 1);
    System.arraycopy(shape, 0, p, rank - shape.length, shape.length);
    return p;
  }

  static int[] broadcastShape(int[] a, int[] b, String op) {
    int r = Math.max(a.length, b.length);
    int[] pa = padLeft(a, r);
    int[] pb = padLeft(b, r);
    int[] s = new int[r];
    for (int i = 0; i < r; i++) {
      if (pa[i] == pb[i] || pb[i] == 1) {
        s[i] = pa[i];
      } else if (pa[i] == 1) {
        s[i] = pb[i];
      } else {
        throw shapeError(op, a, b, "dimensions must be equal or 1 to broadcast (they differ at "
            + "dimension " + (i - r) + " counted from the end); reshape or transpose one operand");
      }
    }
    return s;
  }

  /**
   * True when a tensor of {@code shape} broadcasts over {@code target} as a repeated suffix: its
   * values line up with {@code target}'s flat index modulo its size (same shape, a scalar, or a
   * bias over the trailing dimensions).
   */
  private static boolean suffixOf(int[] shape, int[] target) {
    int i = 0;
    while (i < shape.length && shape[i] == 1) {
      i++;
    }
    int len = shape.length - i;
    if (len > target.length) {
      return false;
    }
    for (int j = 0; j < len; j++) {
      if (shape[i + j] != target[target.length - len + j]) {
        return false;
      }
    }
    return true;
  }

  /** Materializes {@code t} broadcast to {@code s}; graph-free (callers reduce gradients back). */
  private static Tensor expand(Tensor t, int[] s) {
    if (Arrays.equals(t.shape, s)) {
      return t;
    }
    int[] padded = padLeft(t.shape, s.length);
    int[] st = strides(padded);
    for (int i = 0; i < s.length; i++) {
      if (padded[i] == 1) {
        st[i] = 0;
      }
    }
    float[] out = new float[sizeOf(s)];
    gatherStrided(t.data, out, s, st, false);
    return new Tensor(out, s);
  }

  private static LeptonException shapeError(String op, int[] a, int[] b, String fix) {
    return new LeptonException(op + ": shapes " + Arrays.toString(a) + " and "
        + Arrays.toString(b) + " do not match; " + fix);
  }

  /** Package-private access to the values, without a copy, for kernels and tests in this package. */
  float[] data() {
    return data;
  }
}
