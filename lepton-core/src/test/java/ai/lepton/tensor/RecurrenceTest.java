package ai.lepton.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.lepton.LeptonException;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The fused recurrent ops: gradients through time, masks and dropout, and the carried state. */
class RecurrenceTest {
  private final SplittableRandom rng = new SplittableRandom(3);

  private Tensor rand(int... shape) {
    return Tensor.uniform(rng, -1f, 1f, shape);
  }

  // batch 2, time 4, units 3; the second sequence has padding at steps 1 and 3
  private static final Tensor MASK = Tensor.of(new float[] {1, 1, 1, 1, 1, 0, 1, 0}, 2, 4);

  @Test
  void lstmGradientsThroughTimeWithMaskAndRecurrentDropout() {
    Tensor drop = Tensor.of(new float[] {2, 0, 2, 2, 2, 0}, 2, 3);
    GradCheck.check("lstm", in -> in[0].lstmRecurrence(in[1], null, null, null), rand(2, 4, 12),
        rand(3, 12));
    GradCheck.check("lstm masked", in -> in[0].lstmRecurrence(in[1], in[2], MASK, drop),
        rand(2, 4, 12), rand(3, 12), rand(12));
  }

  @Test
  void gruGradientsThroughTimeWithMaskAndRecurrentDropout() {
    Tensor drop = Tensor.of(new float[] {2, 2, 0, 0, 2, 2}, 2, 3);
    GradCheck.check("gru", in -> in[0].gruRecurrence(in[1], in[2], null, null), rand(2, 4, 9),
        rand(3, 9), rand(2, 9));
    GradCheck.check("gru masked", in -> in[0].gruRecurrence(in[1], in[2], MASK, drop),
        rand(2, 4, 9), rand(3, 9), rand(2, 9));
  }

  @Test
  void simpleGradientsThroughTimeWithMaskAndRecurrentDropout() {
    Tensor drop = Tensor.of(new float[] {0, 2, 2, 2, 2, 0}, 2, 3);
    GradCheck.check("simple", in -> in[0].simpleRecurrence(in[1], in[2], null, null),
        rand(2, 4, 3), rand(3, 3), rand(3));
    GradCheck.check("simple masked", in -> in[0].simpleRecurrence(in[1], null, MASK, drop),
        rand(2, 4, 3), rand(3, 3));
  }

  @Test
  void aMaskedStepCarriesEveryStateOverUnchanged() {
    Tensor states = rand(2, 4, 12).lstmRecurrence(rand(3, 12), null, MASK, null); // (2, 4, [h | c])
    float[] s = states.toFloatArray();
    int step = 6; // floats per step: h and c of 3 units
    int second = 4 * step; // the second sequence
    for (int j = 0; j < step; j++) {
      assertEquals(s[second + j], s[second + step + j], "step 1 repeats step 0");
      assertEquals(s[second + 2 * step + j], s[second + 3 * step + j], "step 3 repeats step 2");
    }
  }

  @Test
  void aPaddedSequenceEndsInTheSameStateAsTheUnpaddedOne() {
    Tensor u = rand(3, 9);
    Tensor b = rand(2, 9);
    Tensor x = rand(1, 2, 9);
    Tensor last = x.gruRecurrence(u, b, null, null).slice(1, 1, 2);
    // the same two steps with padding before, between and after them
    Tensor padded = Tensor.concat(1, rand(1, 1, 9), x.slice(1, 0, 1), rand(1, 1, 9),
        x.slice(1, 1, 2), rand(1, 1, 9));
    Tensor mask = Tensor.of(new float[] {0, 1, 0, 1, 0}, 1, 5);
    Tensor paddedLast = padded.gruRecurrence(u, b, mask, null).slice(1, 4, 5);
    assertArrayEquals(last.toFloatArray(), paddedLast.toFloatArray(), 0f);
  }

  @Test
  void mismatchedShapesAreExplained() {
    LeptonException e = assertThrows(LeptonException.class,
        () -> rand(2, 4, 12).lstmRecurrence(rand(3, 9), null, null, null));
    assertEquals(true, e.getMessage().contains("recurrent kernel (units, 4 * units)"),
        e.getMessage());
  }
}
