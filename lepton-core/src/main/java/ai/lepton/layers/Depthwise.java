package ai.lepton.layers;

import ai.lepton.LeptonException;
import ai.lepton.tensor.Tensor;
import java.util.List;

/** What DepthwiseConv2D and SeparableConv2D share: config checks, output shape, the convolution. */
final class Depthwise {
  private Depthwise() {}

  /** Checks the sizes, padding and multiplier of a depthwise config, naming {@code layer}. */
  static void check(String layer, List<Integer> kernelSize, List<Integer> strides, String padding,
      int depthMultiplier, List<Integer> dilationRate) {
    for (List<Integer> pair : java.util.Arrays.asList(kernelSize, strides, dilationRate)) {
      if (pair == null || pair.size() != 2 || pair.get(0) < 1 || pair.get(1) < 1) {
        throw new LeptonException(layer + ": kernel_size, strides and dilation_rate must be two "
            + "positive integers, received " + kernelSize + ", " + strides + ", " + dilationRate);
      }
    }
    if (!"valid".equals(padding) && !"same".equals(padding)) {
      throw new LeptonException(layer + ": padding must be \"valid\" or \"same\", received \""
          + padding + "\"");
    }
    if (depthMultiplier < 1) {
      throw new LeptonException(layer + ": expected a positive depth_multiplier, received "
          + "depth_multiplier=" + depthMultiplier);
    }
  }

  /** {@code [outH, outW]} for images {@code [h, w, c]}. */
  static int[] outputSize(String layer, int[] inputShape, List<Integer> kernelSize,
      List<Integer> strides, String padding, List<Integer> dilationRate) {
    if (inputShape.length != 3) {
      throw new LeptonException(layer + " expects [batch, height, width, channels]; received "
          + "[batch, " + Layer.join(inputShape) + "]; add a Reshape(height, width, channels) "
          + "first");
    }
    boolean same = "same".equals(padding);
    return new int[] {
        Windows.length(layer, inputShape[0], kernelSize.get(0), strides.get(0),
            dilationRate.get(0), same),
        Windows.length(layer, inputShape[1], kernelSize.get(1), strides.get(1),
            dilationRate.get(1), same)};
  }

  /** {@code x} (batch, h, w, c) with {@code kernel} (kh, kw, c, mult): (batch, h', w', c*mult). */
  static Tensor convolve(Tensor x, Tensor kernel, List<Integer> strides, String padding,
      List<Integer> dilationRate) {
    return x.depthwiseConv2d(kernel, strides.get(0), strides.get(1), "same".equals(padding),
        dilationRate.get(0), dilationRate.get(1));
  }
}
