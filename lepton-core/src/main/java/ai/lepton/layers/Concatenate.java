package ai.lepton.layers;

import ai.lepton.LeptonException;
import ai.lepton.internal.Args;
import ai.lepton.tensor.Tensor;
import java.util.Collections;
import java.util.List;

/**
 * Joins its inputs along {@code axis}, as Keras' {@code Concatenate}: {@code axis} counts the batch
 * dimension (1 is the first sample dimension, -1 the last, the default). Inputs agree on every
 * other dimension.
 */
public final class Concatenate extends Merge {
  public record Config(String name, boolean trainable, int axis) {
    public Config {
      if (axis == 0) {
        throw new LeptonException("Concatenate: axis 0 is the batch; expected a sample axis (1, 2, "
            + "..., or -1 for the last), received axis=0");
      }
    }
  }

  private final int axis;

  /** Concatenates along the last axis. */
  public Concatenate() {
    this(-1);
  }

  public Concatenate(int axis) {
    this(new Config(null, true, axis));
  }

  public Concatenate(Config config) {
    super(Args.nonNull(config, "Concatenate", "config").name(), config.trainable());
    this.axis = config.axis();
  }

  @Override
  public List<int[]> outputShapes(List<int[]> shapes) {
    Args.nonNull(shapes, "Concatenate.outputShapes", "shapes");
    if (shapes.size() < 2) {
      return super.outputShapes(shapes); // refuses
    }
    int rank = shapes.get(0).length + 1;
    int a = axis < 0 ? rank + axis : axis;
    if (a < 1 || a >= rank) {
      throw new LeptonException(describe() + ": axis " + axis + " is out of range for inputs of "
          + "rank " + rank + " (batch included); use 1.." + (rank - 1) + " or -1");
    }
    int[] out = shapes.get(0).clone();
    out[a - 1] = 0;
    for (int[] s : shapes) {
      boolean fits = s.length == out.length;
      for (int i = 0; fits && i < s.length; i++) {
        fits = i == a - 1 || s[i] == out[i];
      }
      if (!fits) {
        throw new LeptonException(describe() + ": inputs must agree on every dimension except "
            + "axis " + axis + ", received " + shapesText(shapes));
      }
      out[a - 1] += s[a - 1];
    }
    return List.of(out);
  }

  @Override
  Tensor merge(List<Tensor> inputs) {
    int rank = inputs.get(0).rank();
    return Tensor.concat(axis < 0 ? rank + axis : axis, inputs.toArray(new Tensor[0]));
  }

  /**
   * Joining along time (axis 1) joins the masks, an input without one being all valid; along any
   * other axis a step is valid where it is valid in every input.
   */
  @Override
  public List<Tensor> computeMasks(List<Tensor> inputs, List<Tensor> masks) {
    Args.nonNull(inputs, "Concatenate.computeMasks", "inputs");
    Args.nonNull(masks, "Concatenate.computeMasks", "masks");
    int rank = inputs.get(0).rank();
    if ((axis < 0 ? rank + axis : axis) != 1 || masks.stream().allMatch(m -> m == null)) {
      return super.computeMasks(inputs, masks);
    }
    Tensor[] parts = new Tensor[masks.size()];
    for (int i = 0; i < parts.length; i++) {
      Tensor x = inputs.get(i);
      parts[i] = masks.get(i) != null ? masks.get(i) : Tensor.ones(x.dim(0), x.dim(1));
    }
    return Collections.singletonList(Tensor.concat(1, parts));
  }

  @Override
  public Config config() {
    return new Config(name(), trainable(), axis);
  }
}
