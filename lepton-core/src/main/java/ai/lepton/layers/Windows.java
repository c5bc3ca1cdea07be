package ai.lepton.layers;

import ai.lepton.LeptonException;

/**
 * Output lengths of sliding windows (convolutions, pooling) computed from the sizes alone, by the
 * rules the tensor engine applies (TensorFlow's): shape inference never allocates, so a config that
 * asks for a huge image or kernel costs nothing before it is refused.
 */
final class Windows {
  private Windows() {}

  /**
   * The number of positions of a window of {@code size} taps spaced {@code dilation} apart, moved
   * by {@code stride}, along an axis of {@code length}: with {@code same} padding
   * {@code ceil(length / stride)}, otherwise only whole windows, {@code ceil((length - span + 1) /
   * stride)} where {@code span = (size - 1) * dilation + 1}. Computed in {@code long}.
   *
   * @throws LeptonException naming {@code layer} if no whole window fits with valid padding
   */
  static int length(String layer, int length, int size, int stride, int dilation, boolean same) {
    long span = (long) (size - 1) * dilation + 1;
    long out = same ? ceilDiv(length, stride) : ceilDiv(length - span + 1, stride);
    if (out <= 0) {
      throw new LeptonException(layer + ": a window spanning " + span + " steps (size " + size
          + ", dilation " + dilation + ") does not fit an input of " + length + " steps with valid "
          + "padding; use \"same\" padding, a smaller window or larger inputs");
    }
    return (int) out;
  }

  private static long ceilDiv(long a, long b) {
    return a <= 0 ? 0 : (a + b - 1) / b;
  }
}
