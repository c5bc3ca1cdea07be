package ai.lepton.preprocessing;

import ai.lepton.LeptonException;
import ai.lepton.internal.Args;
import ai.lepton.tensor.Tensor;
import java.util.Arrays;

/** Sequence preprocessing with Keras semantics. */
public final class Sequences {
  private Sequences() {}

  /**
   * Pads or truncates each sequence to {@code maxlen}, as Keras' {@code pad_sequences}: padding
   * {@code "pre"} puts {@code value} before a short sequence, {@code "post"} after it; truncating
   * {@code "pre"} drops the start of a long sequence, {@code "post"} its end.
   *
   * @return a {@code [sequences.length, maxlen]} tensor
   * @throws LeptonException if {@code maxlen} is not positive, the result would exceed
   *     {@code Integer.MAX_VALUE} values, or a mode is neither "pre" nor "post"
   */
  public static Tensor padSequences(int[][] sequences, int maxlen, String padding,
      String truncating, float value) {
        Args.noNulls(sequences, "padSequences", "sequences");
    boolean padPre = pre("padding", padding);
    boolean truncPre = pre("truncating", truncating);
    if (maxlen < 1 || (long) sequences.length * maxlen > Integer.MAX_VALUE) {
      throw new LeptonException("padSequences: expected maxlen >= 1 and at most "
          + Integer.MAX_VALUE + " values in all; received maxlen=" + maxlen + " for "
          + sequences.length + " sequences");
    }
    float[] out = new float[sequences.length * maxlen]; // (n, maxlen)
    Arrays.fill(out, value);
    for (int s = 0; s < sequences.length; s++) {
      int[] seq = sequences[s];
      int kept = Math.min(seq.length, maxlen);
      int from = truncPre ? seq.length - kept : 0;
      int to = s * maxlen + (padPre ? maxlen - kept : 0);
      for (int i = 0; i < kept; i++) {
        out[to + i] = seq[from + i];
      }
    }
    return Tensor.of(out, sequences.length, maxlen);
  }

  /** {@link #padSequences} to the longest sequence's length, padding and truncating "pre", 0. */
  public static Tensor padSequences(int[][] sequences) {
    Args.noNulls(sequences, "padSequences", "sequences");
    int longest = 1;
    for (int[] s : sequences) {
      longest = Math.max(longest, s.length);
    }
    return padSequences(sequences, longest, "pre", "pre", 0);
  }

  private static boolean pre(String what, String mode) {
    if (!"pre".equals(mode) && !"post".equals(mode)) {
      throw new LeptonException("padSequences: " + what + " must be \"pre\" or \"post\"; received "
          + (mode == null ? "null" : "\"" + mode + "\""));
    }
    return mode.equals("pre");
  }
}
