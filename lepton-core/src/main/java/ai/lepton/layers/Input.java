package ai.lepton.layers;

import ai.lepton.LeptonException;
import ai.lepton.internal.Args;
import ai.lepton.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * The entry point of a functional model, as Keras' {@code Input}/{@code InputLayer}:
 * {@code Symbol in = Input.of("pixels", 784)} declares samples of shape {@code [784]} (the batch
 * dimension is implicit). The layer itself passes its input through unchanged.
 */
public final class Input extends Layer {
  /** Keras' InputLayer config: {@code batch_shape} is {@code [null, ...sample shape]}. */
  public record Config(String name, List<Integer> batchShape) {
    public Config {
      if (batchShape == null || batchShape.size() < 2 || batchShape.get(0) != null) {
        throw new LeptonException("Input: expected batch_shape [null, d1, ...] with at least one "
            + "sample dimension, received " + batchShape);
      }
      for (int i = 1; i < batchShape.size(); i++) {
        if (batchShape.get(i) == null || batchShape.get(i) <= 0) {
          throw new LeptonException("Input: expected positive sample dimensions, received "
              + "batch_shape " + batchShape);
        }
      }
      batchShape = Collections.unmodifiableList(new ArrayList<>(batchShape));
    }
  }

  private final int[] shape;
  private final Symbol output;

  /** Rebuilds an input from its config; most code uses {@link #of}. */
  public Input(Config config) {
    super(Args.nonNull(config, "Input", "config").name(), false);
    shape = new int[config.batchShape().size() - 1];
    for (int i = 0; i < shape.length; i++) {
      shape[i] = config.batchShape().get(i + 1);
    }
    output = onAll(List.of()).get(0);
  }

  /** A symbolic input of samples of {@code shape}; the model names it ("input", "input_1"...). */
  public static Symbol of(int... shape) {
    return of(null, shape);
  }

  /** A named symbolic input of samples of {@code shape}; the name is its key in logs and errors. */
  public static Symbol of(String name, int... shape) {
    Args.nonNull(shape, "Input.of", "shape");
    List<Integer> batchShape = new ArrayList<>();
    batchShape.add(null);
    for (int d : shape) {
      batchShape.add(d);
    }
    return new Input(new Config(name, batchShape)).output;
  }

  /** The shape of one sample, without the batch dimension. */
  public int[] shape() {
    return shape.clone();
  }

  @Override
  public List<int[]> outputShapes(List<int[]> inputShapes) {
    Args.nonNull(inputShapes, "Input.outputShapes", "inputShapes");
    // An input takes no symbolic inputs; when built, it takes batches of its own shape.
    return List.of(inputShapes.isEmpty() ? shape.clone() : outputShape(inputShapes.get(0)));
  }

  @Override
  public int[] outputShape(int[] inputShape) {
    Args.nonNull(inputShape, "Input.outputShape", "inputShape");
    if (!Arrays.equals(inputShape, shape)) {
      throw new LeptonException(describe() + ": declared for samples of shape "
          + Arrays.toString(shape) + ", received " + Arrays.toString(inputShape));
    }
    return inputShape.clone();
  }

  @Override
  protected Tensor call(Tensor x, boolean training) {
    return x;
  }

  /** The mask of the input, if any, passes through. */
  @Override
  public Tensor computeMask(Tensor x, Tensor mask) {
    Args.nonNull(x, "Input.computeMask", "x");
    return mask;
  }

  @Override
  public Config config() {
    List<Integer> batchShape = new ArrayList<>();
    batchShape.add(null);
    for (int d : shape) {
      batchShape.add(d);
    }
    return new Config(name(), batchShape);
  }
}
