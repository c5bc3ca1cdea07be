package ai.lepton.layers;

import ai.lepton.LeptonException;
import ai.lepton.tensor.Tensor;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
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
 */
public abstract class Layer {
  private String name;
  private boolean trainable = true;
  private int[] inputShape;
  private final Map<String, Tensor> weights = new LinkedHashMap<>();
  private final Map<String, Boolean> weightTrainable = new LinkedHashMap<>();

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
  public Layer name(String newName) {
    if (newName == null || !newName.matches("[A-Za-z0-9_.\\-]{1,64}")) {
      throw new LeptonException("name: expected 1-64 letters, digits, '_', '.' or '-', received "
          + (newName == null ? "null" : "\"" + newName + "\""));
    }
    requireUnbuilt("name");
    this.name = newName;
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
    return inputShape != null;
  }

  /** The input shape (without the batch dimension) the layer was built for. */
  public final int[] inputShape() {
    requireBuilt("inputShape");
    return inputShape.clone();
  }

  /**
   * Creates the weights for inputs of the given shape (without the batch dimension), drawing initial
   * values from {@code rng}. Called once, by the model, before the first call.
   */
  public final void build(int[] shape, RandomGenerator rng) {
    requireUnbuilt("build");
    int[] s = shape.clone();
    for (int d : s) {
      if (d <= 0) {
        throw new LeptonException(getClass().getSimpleName() + " '" + name + "': input shape "
            + Arrays.toString(s) + " has a non-positive dimension");
      }
    }
    outputShape(s); // validates the shape
    create(s, rng);
    this.inputShape = s;
  }

  /** Creates the layer's weights with {@link #addWeight}; stateless layers create nothing. */
  protected void create(int[] inputShape, RandomGenerator rng) {}

  /**
   * The output shape (without batch) for the given input shape (without batch).
   *
   * @throws LeptonException if the layer cannot take inputs of that shape
   */
  public abstract int[] outputShape(int[] inputShape);

  /**
   * Applies the layer to a batch, checking that its shape matches the shape the layer was built for.
   * {@code training} switches layers like Dropout between training and inference behaviour.
   */
  public final Tensor apply(Tensor x, boolean training) {
    requireBuilt("apply");
    int[] s = x.shape();
    if (s.length != inputShape.length + 1
        || !Arrays.equals(Arrays.copyOfRange(s, 1, s.length), inputShape)) {
      throw new LeptonException(getClass().getSimpleName() + " '" + name + "': expected input "
          + "of shape [batch, " + join(inputShape) + "], received " + Arrays.toString(s)
          + "; the first dimension is the batch");
    }
    return call(x, training);
  }

  /** The computation, on a batch whose shape has been checked. */
  protected abstract Tensor call(Tensor x, boolean training);

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

  /** The regularization penalty of this layer's weights, or {@code null} when it has none. */
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
    if (inputShape == null) {
      throw new LeptonException(op + ": layer '" + name + "' is not built yet; add it to a model "
          + "and call build(inputShape) or fit first");
    }
  }

  private void requireUnbuilt(String op) {
    if (inputShape != null) {
      throw new LeptonException(op + ": layer '" + name + "' is already built");
    }
  }

  static String join(int[] shape) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < shape.length; i++) {
      sb.append(i == 0 ? "" : ", ").append(shape[i]);
    }
    return sb.toString();
  }

  /** Keras-style snake-case base name of a layer class: Dense -> dense, MaxPooling2D -> max_pooling2d. */
  public final String defaultName() {
    return getClass().getSimpleName().replaceAll("([a-z])([A-Z])", "$1_$2").toLowerCase();
  }

  @Override
  public String toString() {
    return getClass().getSimpleName() + "('" + name + "')";
  }
}
