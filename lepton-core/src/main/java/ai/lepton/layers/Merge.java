package ai.lepton.layers;

import ai.lepton.LeptonException;
import ai.lepton.internal.Args;
import ai.lepton.tensor.Tensor;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * The base of the merge layers (Add, Multiply, Average, Concatenate), as Keras' {@code _Merge}:
 * several inputs through the list protocol, one output. Element-wise merges need equal shapes.
 */
abstract class Merge extends Layer {
  Merge(String name, boolean trainable) {
    super(name, trainable);
  }

  /** Merges need the list form; with one input there is nothing to merge. */
  @Override
  public final int[] outputShape(int[] inputShape) {
    Args.nonNull(inputShape, getClass().getSimpleName() + ".outputShape", "inputShape");
    throw needsSeveral(1);
  }

  @Override
  public List<int[]> outputShapes(List<int[]> shapes) {
    Args.nonNull(shapes, getClass().getSimpleName() + ".outputShapes", "shapes");
    if (shapes.size() < 2) {
      throw needsSeveral(shapes.size());
    }
    for (int[] s : shapes) {
      if (!Arrays.equals(s, shapes.get(0))) {
        throw new LeptonException(describe() + ": expected inputs of one shape, received "
            + shapesText(shapes) + "; reshape them or use Concatenate");
      }
    }
    return List.of(shapes.get(0).clone());
  }

  @Override
  protected final Tensor call(Tensor x, boolean training) {
    throw needsSeveral(1);
  }

  @Override
  protected final List<Tensor> call(List<Tensor> inputs, List<Tensor> masks, boolean training) {
    return List.of(merge(inputs));
  }

  /** The merged batch, from inputs whose shapes have been checked. */
  abstract Tensor merge(List<Tensor> inputs);

  /**
   * A step is valid where it is valid in every input, as Keras' merges: the product of the masks
   * given ({@code [batch, time]} each), or none when no input has one.
   */
  @Override
  public List<Tensor> computeMasks(List<Tensor> inputs, List<Tensor> masks) {
    Args.nonNull(inputs, getClass().getSimpleName() + ".computeMasks", "inputs");
    Args.nonNull(masks, getClass().getSimpleName() + ".computeMasks", "masks");
    Tensor out = null;
    for (Tensor m : masks) {
      if (m != null) {
        out = out == null ? m : out.mul(m);
      }
    }
    return Collections.singletonList(out);
  }

  /** Sums the inputs in order; shared by Add and Average. */
  static Tensor sum(List<Tensor> inputs) {
    Tensor out = inputs.get(0);
    for (int i = 1; i < inputs.size(); i++) {
      out = out.add(inputs.get(i));
    }
    return out;
  }

  private LeptonException needsSeveral(int received) {
    return new LeptonException(describe() + ": expected at least 2 inputs (a list), received "
        + received + "; call it as layer.on(a, b)");
  }

  static String shapesText(List<int[]> shapes) {
    StringBuilder sb = new StringBuilder();
    for (int[] s : shapes) {
      sb.append(sb.length() == 0 ? "" : ", ").append(Arrays.toString(s));
    }
    return sb.toString();
  }
}
