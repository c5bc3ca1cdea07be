package ai.lepton.layers;

import ai.lepton.LeptonException;
import ai.lepton.tensor.Tensor;
import java.util.Arrays;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * What the pooling layers share: config checks and output shapes; the 1-D layers pool a height-1
 * image.
 */
final class Pooling {
  private Pooling() {}

  /** Checks a pooling config; {@code strides} null means the pool size, as in Keras. */
  static List<Integer> checkedStrides(String layer, List<Integer> poolSize, List<Integer> strides,
      String padding) {
    List<Integer> s = strides == null ? poolSize : strides;
    for (List<Integer> pair : Arrays.asList(poolSize, s)) {
      if (pair == null || pair.size() != 2 || pair.get(0) < 1 || pair.get(1) < 1) {
        throw new LeptonException(layer + ": pool_size and strides must be two positive integers, "
            + "received " + poolSize + " and " + strides);
      }
    }
    if (!"valid".equals(padding) && !"same".equals(padding)) {
      throw new LeptonException(layer + ": padding must be \"valid\" or \"same\", received \""
          + padding + "\"");
    }
    return List.copyOf(s);
  }

  /** The output shape (without batch) of a 2-D pooling. */
  static int[] outputShape(String layer, int[] inputShape, List<Integer> poolSize,
      List<Integer> strides, String padding) {
    if (inputShape.length != 3) {
      throw new LeptonException(layer + " expects [batch, height, width, channels]; received "
          + "[batch, " + Layer.join(inputShape) + "]; add a Reshape(height, width, channels) "
          + "first");
    }
    boolean same = "same".equals(padding);
    return new int[] {
        Windows.length(layer, inputShape[0], poolSize.get(0), strides.get(0), 1, same),
        Windows.length(layer, inputShape[1], poolSize.get(1), strides.get(1), 1, same),
        inputShape[2]};
  }

  /** Checks a 1-D pooling config; returns the stride ({@code strides} null means the pool size). */
  static int checkedStride(String layer, int poolSize, Integer strides, String padding) {
    int s = strides == null ? poolSize : strides;
    if (poolSize < 1 || s < 1) {
      throw new LeptonException(layer + ": pool_size and strides must be positive integers, "
          + "received " + poolSize + " and " + strides);
    }
    checkedStrides(layer, List.of(1, poolSize), List.of(1, s), padding);
    return s;
  }

  /** Applies a 2-D pooling to sequences as height-1 images: (batch, time, c) -> (batch, t', c). */
  static Tensor overTime(Tensor x, UnaryOperator<Tensor> pool2d) {
    Tensor y = pool2d.apply(x.reshape(x.dim(0), 1, x.dim(1), x.dim(2)));
    return y.reshape(y.dim(0), y.dim(2), y.dim(3));
  }

  /** The output shape (without batch) of a 1-D pooling. */
  static int[] outputShape1d(String layer, int[] inputShape, int poolSize, int strides,
      String padding) {
    if (inputShape.length != 2) {
      throw new LeptonException(layer + " expects [batch, time, channels]; received [batch, "
          + Layer.join(inputShape) + "]; add a Reshape(time, channels) first");
    }
    return new int[] {Windows.length(layer, inputShape[0], poolSize, strides, 1,
        "same".equals(padding)), inputShape[1]};
  }
}
