package ai.lepton.layers;

import ai.lepton.LeptonException;
import ai.lepton.tensor.Tensor;
import java.util.Arrays;
import java.util.List;
import java.util.function.UnaryOperator;

/** What MaxPooling2D and AveragePooling2D share: config checks and output shapes. */
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

  /** The output shape (without batch), probing {@code pool} on a one-channel image. */
  static int[] outputShape(String layer, int[] inputShape, UnaryOperator<Tensor> pool) {
    if (inputShape.length != 3) {
      throw new LeptonException(layer + " expects [batch, height, width, channels]; received "
          + "[batch, " + Layer.join(inputShape) + "]; add a Reshape(height, width, channels) "
          + "first");
    }
    int[] probe = pool.apply(Tensor.zeros(1, inputShape[0], inputShape[1], 1)).shape();
    return new int[] {probe[1], probe[2], inputShape[2]};
  }
}
