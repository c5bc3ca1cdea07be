package ai.lepton.tensor;

/**
 * Where a 2-D convolution window reads its input: input {@code [batch, h, w, c]}, windows of
 * {@code kh x kw} taps spaced by the dilation, moved by the stride, over an input padded with zeros
 * by {@code padTop} and {@code padLeft} (the bottom and right padding follow from the output size).
 * Output positions are {@code [batch, outH, outW]}.
 */
record ConvGeometry(int batch, int h, int w, int c, int kh, int kw, int strideH, int strideW,
    int dilationH, int dilationW, int padTop, int padLeft, int outH, int outW) {

  /** Rows of the im2col matrix: one per output position. */
  int rows() {
    return batch * outH * outW;
  }

  /** Columns of the im2col matrix: one per tap and channel, ordered {@code (i, j, channel)}. */
  int cols() {
    return kh * kw * c;
  }

  /**
   * TensorFlow's rules: {@code same} pads {@code total / 2} before and the rest after. Spans and
   * paddings are computed in long, so that a huge stride or dilation gives a small output instead
   * of an overflowed size; callers bound the dilated span to an int.
   */
  static ConvGeometry of(int[] inShape, int kh, int kw, int strideH, int strideW, boolean same,
      int dilationH, int dilationW) {
    int h = inShape[1];
    int w = inShape[2];
    long spanH = span(kh, dilationH);
    long spanW = span(kw, dilationW);
    int outH = same ? ceilDiv(h, strideH) : ceilDiv(h - spanH + 1, strideH);
    int outW = same ? ceilDiv(w, strideW) : ceilDiv(w - spanW + 1, strideW);
    int padTop = same ? (int) (Math.max((outH - 1L) * strideH + spanH - h, 0) / 2) : 0;
    int padLeft = same ? (int) (Math.max((outW - 1L) * strideW + spanW - w, 0) / 2) : 0;
    return new ConvGeometry(inShape[0], h, w, inShape[3], kh, kw, strideH, strideW, dilationH,
        dilationW, padTop, padLeft, outH, outW);
  }

  /** The rows (or columns) a window of {@code k} taps spaced by {@code dilation} covers. */
  static long span(int k, int dilation) {
    return (k - 1L) * dilation + 1;
  }

  private static int ceilDiv(long a, int b) {
    return a <= 0 ? 0 : (int) ((a - 1) / b + 1);
  }
}
