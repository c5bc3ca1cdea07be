package ai.lepton.layers;

import ai.lepton.LeptonException;
import ai.lepton.internal.Args;
import ai.lepton.internal.Hooks;
import ai.lepton.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;

/**
 * The base of every layer, following Keras' lifecycle: the constructor validates the configuration,
 * {@link #build} creates the weights once the input shape is known, {@link #call} computes the
 * output, and {@link #config()} returns a record that {@link Layers#fromConfig} turns back into an
 * equal layer.
 *
 * <p>Shapes given to and returned by layers exclude the batch dimension: a Dense layer fed
 * {@code [batch, 784]} sees the input shape {@code [784]}.
 *
 * <p>Most layers take one input and give one output, and implement the single-tensor methods
 * ({@link #outputShape(int[])}, {@link #create(int[], RandomGenerator)}, {@link #call(Tensor,
 * boolean)}). Layers with several inputs (merges, attention) or outputs (recurrent layers with
 * {@code returnState}) also override the list forms, which by default accept exactly one input.
 *
 * <p>Masks mark the valid time steps of sequences, as in Keras: a tensor {@code [batch, time]} of 1
 * (valid) and 0 (padding), or {@code null} for none. A layer receives its input's mask in {@link
 * #call(Tensor, Tensor, boolean)} and says with {@link #computeMask} what mask its output carries;
 * by default a layer ignores the mask and its output has none.
 *
 * <p>In the functional API a layer is called on symbolic tensors ({@link Symbol}, starting from
 * {@link Input#of}) with {@link #on} or {@link #onAll}; each call is a node of the graph, and a layer
 * called several times shares its weights between the calls.
 */
public abstract class Layer {
  private String name;
  private boolean trainable = true;
  private List<int[]> inputShapes;
  private final Map<String, Tensor> weights = new LinkedHashMap<>();
  private final Map<String, Boolean> weightTrainable = new LinkedHashMap<>();
  /** Each call on symbolic inputs ({@link #on}), in order: the node index is the position. */
  private final List<Node> nodes = new ArrayList<>();

  /** One call of the layer in a graph: the symbols it took and the ones it gave. */
  private record Node(List<Symbol> inputs, List<Symbol> outputs) {}

  static {
    // The training loop and the models' naming, in ai.lepton.models, call these two; nothing else
    // outside this package should.
    Hooks.register(new Hooks.LayerHooks() {
      @Override
      public void seedEpoch(Layer layer, long seed, int epoch) {
        layer.seedEpoch(seed, epoch);
      }

      @Override
      public String defaultName(Layer layer) {
        return layer.defaultName();
      }
    });
  }

  /**
   * @param name the layer's name, or {@code null} to let the model assign one
   * @param trainable whether the optimizer updates the layer's weights
   */
  protected Layer(String name, boolean trainable) {
    if (name != null) {
      name(name);
    }
    this.trainable = trainable;
  }

  /** The layer's name, unique within its model; assigned when added if not set. */
  public final String name() {
    return name;
  }

  /** Names the layer; weights are saved under {@code name/weight}. Only before it is built. */
  public Layer name(String name) {
    if (name == null || !name.matches("[A-Za-z0-9_.\\-]{1,64}")) {
      throw new LeptonException("name: expected 1-64 letters, digits, '_', '.' or '-', received "
          + (name == null ? "null" : "\"" + name + "\""));
    }
    requireUnbuilt("name");
    this.name = name;
    return this;
  }

  /** Whether the optimizer updates this layer's weights. */
  public final boolean trainable() {
    return trainable;
  }

  /**
   * Freezes ({@code false}) or unfreezes the layer's weights, as Keras' {@code layer.trainable}.
   * Takes effect at the next {@code compile}/{@code fit}.
   */
  public final Layer trainable(boolean value) {
    this.trainable = value;
    return this;
  }

  public final boolean built() {
    return inputShapes != null;
  }

  /**
   * The input shape (without the batch dimension) the layer was built for.
   *
   * @throws LeptonException if the layer is not built or takes several inputs (see
   *     {@link #inputShapes()})
   */
  public final int[] inputShape() {
    requireBuilt("inputShape");
    if (inputShapes.size() != 1) {
      throw new LeptonException("inputShape: layer '" + name + "' has " + inputShapes.size()
          + " inputs; use inputShapes()");
    }
    return inputShapes.get(0).clone();
  }

  /** The shapes (without the batch dimension) of each input the layer was built for. */
  public final List<int[]> inputShapes() {
    requireBuilt("inputShapes");
    return copy(inputShapes);
  }

  /**
   * Creates the weights for inputs of the given shape (without the batch dimension), drawing initial
   * values from {@code rng}. Called once, by the model, before the first call.
   */
  public final void build(int[] shape, RandomGenerator rng) {
    build(List.of(Args.nonNull(shape, getClass().getSimpleName() + ".build", "shape")), rng);
  }

  /** {@link #build(int[], RandomGenerator)} for a layer with several inputs, one shape each. */
  public final void build(List<int[]> shapes, RandomGenerator rng) {
    Args.noNulls(shapes, getClass().getSimpleName() + ".build", "shapes");
    Args.nonNull(rng, getClass().getSimpleName() + ".build", "rng");
    requireUnbuilt("build");
    List<int[]> s = copy(shapes);
    for (int[] shape : s) {
      for (int d : shape) {
        if (d <= 0) {
          throw new LeptonException(getClass().getSimpleName() + " '" + name + "': input shape "
              + Arrays.toString(shape) + " has a non-positive dimension");
        }
      }
    }
    outputShapes(s); // validates the shapes
    Map<String, int[]> planned = weightShapes(s);
    create(s, rng);
    if (Layers.registered(getClass())) {
      checkPlanned(planned);
    }
    this.inputShapes = s;
  }

  /**
   * Restarts the layer's random streams (dropout masks) for one training epoch, from {@code seed}
   * (fit's seed mixed with the layer's position in the model) and {@code epoch}. {@code fit} calls
   * it before each epoch, so the masks are a pure function of fit's seed and the epoch, and a run
   * resumed at an epoch boundary draws the same masks as one that never stopped. A layer with a
   * {@code seed} of its own in its config uses that instead of {@code seed}. Layers without
   * randomness ignore it; layers holding sublayers pass it on.
   *
   * <p>Protected, not public: a layer of your own that draws random numbers overrides it to be
   * reproducible, but nothing outside {@code fit} should call it, as restarting a stream in the
   * middle of an epoch would repeat its masks.
   */
  protected void seedEpoch(long seed, int epoch) {}

  /**
   * The name and shape of each weight {@link #build} creates for inputs of these shapes (without
   * the batch dimension), in creation order, computed without allocating anything: a model loader
   * checks a config's size against its budget, and a file's tensors against the layers, before any
   * weight exists. For the layers a file can name (those
   * registered in {@link Layers}) {@code build} checks that the two agree, so none of them can
   * create weights this did not announce; a layer of your own needs it only to be checked the same
   * way: override {@link #plannedWeights}.
   *
   * @throws LeptonException if {@code inputShapes} or one of its shapes is null, the layer cannot
   *     take inputs of those shapes, or a weight would have a dimension over 2^31-1
   */
  public final Map<String, int[]> weightShapes(List<int[]> inputShapes) {
    return plannedWeights(Args.noNulls(inputShapes, getClass().getSimpleName() + ".weightShapes",
        "inputShapes"));
  }

  /**
   * What {@link #weightShapes} answers, for non-null shapes; layers that create weights override
   * it.
   */
  protected Map<String, int[]> plannedWeights(List<int[]> inputShapes) {
    return Map.of();
  }

  /**
   * A weight's shape from dimensions computed in {@code long} (so {@code 4 * units} cannot wrap),
   * for {@link #weightShapes}.
   *
   * @throws LeptonException naming the layer and weight if a dimension is over 2^31-1
   */
  protected final int[] weightShape(String weight, long... dims) {
    int[] shape = new int[dims.length];
    for (int i = 0; i < dims.length; i++) {
      if (dims[i] > Integer.MAX_VALUE || dims[i] < 0) {
        throw new LeptonException(describe() + ": weight '" + weight + "' would have shape "
            + Arrays.toString(dims) + ", a dimension outside 0 to " + Integer.MAX_VALUE
            + "; use smaller sizes (units, filters, dimensions) in the layer's config");
      }
      shape[i] = (int) dims[i];
    }
    return shape;
  }

  /** The weights {@link #create} made must be those {@link #weightShapes} announced. */
  private void checkPlanned(Map<String, int[]> planned) {
    boolean same = planned.size() == weights.size();
    var made = weights.entrySet().iterator();
    for (var p : planned.entrySet()) {
      if (!same) {
        break;
      }
      var m = made.next();
      same = m.getKey().equals(p.getKey()) && Arrays.equals(m.getValue().shape(), p.getValue());
    }
    if (!same) {
      Map<String, List<Integer>> expected = new LinkedHashMap<>();
      planned.forEach((k, v) -> expected.put(k, Arrays.stream(v).boxed().toList()));
      Map<String, List<Integer>> actual = new LinkedHashMap<>();
      weights.forEach((k, v) -> actual.put(k, Arrays.stream(v.shape()).boxed().toList()));
      throw new IllegalStateException(describe() + ": a bug in the layer: weightShapes announced "
          + expected + " but create made " + actual);
    }
  }

  /** Creates the layer's weights with {@link #addWeight}; stateless layers create nothing. */
  protected void create(int[] inputShape, RandomGenerator rng) {}

  /** {@link #create(int[], RandomGenerator)} for layers with several inputs. */
  protected void create(List<int[]> inputShapes, RandomGenerator rng) {
    create(inputShapes.get(0), rng);
  }

  /**
   * The output shape (without batch) for the given input shape (without batch); for a layer with
   * several outputs, the first one's.
   *
   * @throws LeptonException if the layer cannot take inputs of that shape
   */
  public abstract int[] outputShape(int[] inputShape);

  /**
   * The shape of each output for the given input shapes; by default the layer takes exactly one
   * input and gives one output.
   *
   * @throws LeptonException if the layer cannot take inputs of those shapes, or that many
   */
  public List<int[]> outputShapes(List<int[]> inputShapes) {
    Args.nonNull(inputShapes, getClass().getSimpleName() + ".outputShapes", "inputShapes");
    if (inputShapes.size() != 1) {
      throw new LeptonException(getClass().getSimpleName() + " '" + name + "': takes one input, "
          + "received " + inputShapes.size());
    }
    return List.of(outputShape(inputShapes.get(0)));
  }

  /**
   * Applies the layer to a batch, checking that its shape matches the shape the layer was built for.
   * {@code training} switches layers like Dropout between training and inference behaviour.
   */
  public final Tensor apply(Tensor x, boolean training) {
    return apply(x, null, training);
  }

  /** {@link #apply(Tensor, boolean)} for a sequence whose valid steps {@code mask} marks. */
  public final Tensor apply(Tensor x, Tensor mask, boolean training) {
    Args.nonNull(x, getClass().getSimpleName() + ".apply", "x");
    requireBuilt("apply");
    checkInput(0, x, mask);
    return call(x, mask, training);
  }

  /**
   * Applies a layer to several inputs, with one mask (or {@code null}) per input, and returns every
   * output.
   */
  public final List<Tensor> apply(List<Tensor> inputs, List<Tensor> masks, boolean training) {
    Args.noNulls(inputs, getClass().getSimpleName() + ".apply", "inputs");
    Args.nonNull(masks, getClass().getSimpleName() + ".apply", "masks");
    requireBuilt("apply");
    if (inputs.size() != inputShapes.size() || masks.size() != inputs.size()) {
      throw new LeptonException(getClass().getSimpleName() + " '" + name + "': expected "
          + inputShapes.size() + " input(s) with one mask each, received " + inputs.size()
          + " input(s) and " + masks.size() + " mask(s)");
    }
    for (int i = 0; i < inputs.size(); i++) {
      checkInput(i, inputs.get(i), masks.get(i));
    }
    return call(inputs, masks, training);
  }

  private void checkInput(int index, Tensor x, Tensor mask) {
    int[] expected = inputShapes.get(index);
    int[] s = x.shape();
    if (s.length != expected.length + 1
        || !Arrays.equals(Arrays.copyOfRange(s, 1, s.length), expected)) {
      throw new LeptonException(getClass().getSimpleName() + " '" + name + "': expected input "
          + (inputShapes.size() > 1 ? index + " " : "") + "of shape [batch, " + join(expected)
          + "], received " + Arrays.toString(s) + "; the first dimension is the batch");
    }
    if (mask != null && (mask.rank() != 2 || mask.dim(0) != s[0] || mask.dim(1) != s[1])) {
      throw new LeptonException(getClass().getSimpleName() + " '" + name + "': a mask of shape "
          + Arrays.toString(mask.shape()) + " does not fit input " + Arrays.toString(s)
          + "; masks are [batch, time] for inputs [batch, time, ...]");
    }
  }

  // ---------------------------------------------------------------- symbolic calls

  /**
   * Calls the layer on symbolic inputs, as Keras' {@code layer(x)} in the functional API, and
   * returns its only output: {@code Symbol h = new Dense(64, "relu").on(in)}. Calling the same
   * layer again shares its weights.
   *
   * @throws LeptonException if the layer cannot take inputs of those shapes (naming the layers that
   *     produced them), was called before on other shapes, or gives several outputs (use
   *     {@link #onAll})
   */
  public final Symbol on(Symbol... inputs) {
    return connect(List.of(Args.noNulls(inputs, getClass().getSimpleName() + ".on", "inputs")),
        true).get(0);
  }

  /** {@link #on} for a layer with several outputs: every output, in order. */
  public final List<Symbol> onAll(List<Symbol> inputs) {
    return connect(Args.noNulls(inputs, getClass().getSimpleName() + ".onAll", "inputs"), false);
  }

  /** Records a call on {@code inputs} as a new node; {@code one} refuses several outputs. */
  private List<Symbol> connect(List<Symbol> inputs, boolean one) {
    if (inputs.isEmpty() && !(this instanceof Input)) {
      throw new LeptonException(describe() + ": expected at least one symbolic input, received none");
    }
    List<int[]> shapes = new ArrayList<>();
    for (Symbol s : inputs) {
      shapes.add(s.shape());
    }
    List<int[]> expected = built() ? inputShapes : nodes.isEmpty() ? null : shapesOf(nodes.get(0));
    if (expected != null && !sameShapes(expected, shapes)) {
      throw new LeptonException(describe() + " takes inputs of shape " + shapesText(expected)
          + " but is called on " + sources(inputs) + " of shape " + shapesText(shapes)
          + "; a shared layer takes the same shapes at every call");
    }
    List<int[]> outShapes;
    try {
      outShapes = outputShapes(shapes);
    } catch (LeptonException e) {
      throw new LeptonException(describe() + " cannot be called on " + sources(inputs) + ": "
          + e.getMessage(), e);
    }
    if (one && outShapes.size() != 1) {
      throw new LeptonException(describe() + " gives " + outShapes.size() + " outputs; call "
          + "onAll to receive every one");
    }
    List<Symbol> outputs = new ArrayList<>();
    for (int i = 0; i < outShapes.size(); i++) {
      outputs.add(new Symbol(this, nodes.size(), i, outShapes.get(i)));
    }
    nodes.add(new Node(List.copyOf(inputs), List.copyOf(outputs)));
    return List.copyOf(outputs);
  }

  /** The number of symbolic calls of this layer so far (its graph nodes). */
  public final int nodeCount() {
    return nodes.size();
  }

  /** The symbolic inputs of the layer's {@code node}-th call. */
  public final List<Symbol> nodeInputs(int node) {
    return nodes.get(checkNode(node)).inputs();
  }

  /** The symbolic outputs of the layer's {@code node}-th call. */
  public final List<Symbol> nodeOutputs(int node) {
    return nodes.get(checkNode(node)).outputs();
  }

  /**
   * The output of the layer's first symbolic call, as Keras' {@code layer.output}: the handle for
   * building a new model on a trained one's layers.
   *
   * @throws LeptonException if the layer was never called on symbols or gives several outputs
   */
  public final Symbol output() {
    if (nodes.isEmpty()) {
      throw new LeptonException(describe() + " has no symbolic output: it was never called on "
          + "symbols (only layers of functional models, or called with on(...), have one)");
    }
    List<Symbol> out = nodes.get(0).outputs();
    if (out.size() != 1) {
      throw new LeptonException(describe() + " gives " + out.size() + " outputs; use "
          + "nodeOutputs(0)");
    }
    return out.get(0);
  }

  private int checkNode(int node) {
    if (node < 0 || node >= nodes.size()) {
      throw new LeptonException(describe() + ": no node " + node + "; it has " + nodes.size());
    }
    return node;
  }

  /** The layer's type and name (or "unnamed") for messages. */
  final String describe() {
    return getClass().getSimpleName() + " '" + (name == null ? "unnamed" : name) + "'";
  }

  private static List<int[]> shapesOf(Node node) {
    List<int[]> out = new ArrayList<>();
    for (Symbol s : node.inputs()) {
      out.add(s.shape());
    }
    return out;
  }

  private static boolean sameShapes(List<int[]> a, List<int[]> b) {
    if (a.size() != b.size()) {
      return false;
    }
    for (int i = 0; i < a.size(); i++) {
      if (!Arrays.equals(a.get(i), b.get(i))) {
        return false;
      }
    }
    return true;
  }

  private static String shapesText(List<int[]> shapes) {
    StringBuilder sb = new StringBuilder();
    for (int[] s : shapes) {
      sb.append(sb.length() == 0 ? "" : ", ").append("[batch").append(s.length == 0 ? "" : ", ")
          .append(join(s)).append(']');
    }
    return sb.toString();
  }

  private static String sources(List<Symbol> inputs) {
    StringBuilder sb = new StringBuilder("the output");
    sb.append(inputs.size() > 1 ? "s of " : " of ");
    for (int i = 0; i < inputs.size(); i++) {
      sb.append(i == 0 ? "" : ", ").append(inputs.get(i).layer().describe());
    }
    return sb.toString();
  }

  /** The computation, on a batch whose shape has been checked. */
  protected abstract Tensor call(Tensor x, boolean training);

  /**
   * The computation on a masked sequence; layers that use masks (recurrent layers, attention,
   * pooling over time) override this. By default the mask is ignored.
   */
  protected Tensor call(Tensor x, Tensor mask, boolean training) {
    return call(x, training);
  }

  /** The computation for layers with several inputs or outputs; by default one of each. */
  protected List<Tensor> call(List<Tensor> inputs, List<Tensor> masks, boolean training) {
    return List.of(call(inputs.get(0), masks.get(0), training));
  }

  /**
   * The mask the (first) output carries, given the (first) input and its mask, as Keras'
   * {@code compute_mask}: {@code null} by default; layers that keep the time axis return
   * {@code mask}, and Embedding with {@code maskZero} makes one from the ids.
   */
  public Tensor computeMask(Tensor x, Tensor mask) {
    Args.nonNull(x, getClass().getSimpleName() + ".computeMask", "x");
    return null;
  }

  /**
   * The masks of the outputs of a call on several inputs, as Keras' {@code compute_mask} with a
   * list: by default the first output gets {@link #computeMask} of the first input and its mask,
   * and outputs beyond the returned list get none. Merge layers combine their inputs' masks.
   */
  public List<Tensor> computeMasks(List<Tensor> inputs, List<Tensor> masks) {
    Args.nonNull(inputs, getClass().getSimpleName() + ".computeMasks", "inputs");
    Args.nonNull(masks, getClass().getSimpleName() + ".computeMasks", "masks");
    return Collections.singletonList(computeMask(inputs.get(0), masks.get(0)));
  }

  /** The configuration that rebuilds this layer (weights excluded). */
  public abstract Record config();

  /** Adds a named weight, trainable or not (moving statistics are not). */
  protected final Tensor addWeight(String weightName, Tensor initial, boolean isTrainable) {
    if (weights.containsKey(weightName)) {
      throw new LeptonException("addWeight: layer '" + name + "' already has a weight named '"
          + weightName + "'");
    }
    weights.put(weightName, initial.requiresGrad(isTrainable));
    weightTrainable.put(weightName, isTrainable);
    return initial;
  }

  /** All weights by name (e.g. "kernel", "bias"), in creation order. */
  public final Map<String, Tensor> weights() {
    return Collections.unmodifiableMap(weights);
  }

  /** The weights the optimizer updates: none when the layer is frozen. */
  public final Map<String, Tensor> trainableWeights() {
    Map<String, Tensor> out = new LinkedHashMap<>();
    if (trainable) {
      weights.forEach((k, v) -> {
        if (weightTrainable.get(k)) {
          out.put(k, v);
        }
      });
    }
    return out;
  }

  /**
   * The regularization penalty of this layer's weights, or {@code null} when it has none; {@code
   * fit} adds it to the loss while the layer is trainable.
   *
   * <p>Public, as Keras' {@code layer.losses}: a layer of your own with regularized weights
   * overrides it, and a training loop of your own adds it to its loss.
   */
  public Tensor regularization() {
    return null;
  }

  /** The number of weight values, trainable or not. */
  public final long parameterCount() {
    long n = 0;
    for (Tensor w : weights.values()) {
      n += w.size();
    }
    return n;
  }

  private void requireBuilt(String op) {
    if (inputShapes == null) {
      throw new LeptonException(op + ": layer '" + name + "' is not built yet; add it to a model "
          + "and call build(inputShape) or fit first");
    }
  }

  private void requireUnbuilt(String op) {
    if (inputShapes != null) {
      throw new LeptonException(op + ": layer '" + name + "' is already built");
    }
  }

  private static List<int[]> copy(List<int[]> shapes) {
    List<int[]> out = new ArrayList<>(shapes.size());
    for (int[] shape : shapes) {
      out.add(shape.clone());
    }
    return List.copyOf(out);
  }

  static String join(int[] shape) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < shape.length; i++) {
      sb.append(i == 0 ? "" : ", ").append(shape[i]);
    }
    return sb.toString();
  }

  /**
   * Keras-style snake-case base name of a layer class, Dense -> dense, MaxPooling2D ->
   * max_pooling2d, from which a model names the layers added without a name.
   */
  final String defaultName() {
    return getClass().getSimpleName().replaceAll("([a-z])([A-Z])", "$1_$2").toLowerCase();
  }

  @Override
  public String toString() {
    return getClass().getSimpleName() + "('" + name + "')";
  }
}
