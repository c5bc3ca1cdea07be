package ai.lepton.layers;

/**
 * A symbolic tensor of the functional API, as Keras' {@code KerasTensor}: the shape of a batch's
 * samples (without the batch) and the layer call that produces it. Make one with {@link Input#of},
 * then call layers on it with {@link Layer#on}.
 */
public final class Symbol {
  private final Layer layer;
  private final int node;
  private final int index;
  private final int[] shape;

  Symbol(Layer layer, int node, int index, int[] shape) {
    this.layer = layer;
    this.node = node;
    this.index = index;
    this.shape = shape.clone();
  }

  /** The layer whose call produces this symbol. */
  public Layer layer() {
    return layer;
  }

  /** Which call of {@link #layer()} produces it (a shared layer is called several times). */
  public int node() {
    return node;
  }

  /** Which output of that call it is (0 for layers with one output). */
  public int index() {
    return index;
  }

  /** The shape of one sample, without the batch dimension. */
  public int[] shape() {
    return shape.clone();
  }

  @Override
  public String toString() {
    return "Symbol(" + layer.describe() + ", node " + node + ", output " + index + ", shape [batch"
        + (shape.length == 0 ? "" : ", ") + Layer.join(shape) + "])";
  }
}
