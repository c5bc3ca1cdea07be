package ai.lepton.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.lepton.GradCheck;
import ai.lepton.LeptonException;
import java.util.Arrays;
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

  /** One of the fused ops: input, recurrent kernel, bias, mask, dropout. */
  private interface Op {
    Tensor apply(Tensor x, Tensor u, Tensor bias, Tensor mask, Tensor drop);
  }

  @Test
  void aBatchScannedInRangesOfRowsGivesEachRowItsOwnResult() {
    // 40 rows are split between the threads (at least 16 rows each): every row, and the kernels'
    // gradients summed over rows, must match the row run alone
    rowsMatchAlone("lstm", 4, 1, (x, u, b, m, d) -> x.lstmRecurrence(u, b, m, d), 2);
    rowsMatchAlone("gru", 3, 2, (x, u, b, m, d) -> x.gruRecurrence(u, b, m, d), 1);
    rowsMatchAlone("simple", 1, 1, (x, u, b, m, d) -> x.simpleRecurrence(u, b, m, d), 1);
  }

  private void rowsMatchAlone(String what, int gates, int biasRows, Op op, int states) {
    int batch = 40;
    int time = 5;
    int units = 4;
    int g = gates * units;
    float[] xs = rand(batch, time, g).toFloatArray();
    float[] masks = new float[batch * time];
    float[] drops = new float[batch * units];
    for (int i = 0; i < masks.length; i++) {
      masks[i] = rng.nextInt(4) == 0 ? 0f : 1f;
    }
    for (int i = 0; i < drops.length; i++) {
      drops[i] = rng.nextInt(3) == 0 ? 0f : 1.5f;
    }
    float[] weights = rand(batch, time, states * units).toFloatArray();
    Tensor u = rand(units, g).requiresGrad(true);
    Tensor bias = (biasRows == 1 ? rand(g) : rand(biasRows, g)).requiresGrad(true);
    Tensor x = Tensor.of(xs, batch, time, g).requiresGrad(true);
    Tensor out = op.apply(x, u, bias, Tensor.of(masks, batch, time),
        Tensor.of(drops, batch, units));
    out.backward(Tensor.of(weights, out.shape()));
    float[] all = out.toFloatArray();
    float[] dxAll = x.grad().toFloatArray();
    float[] du = new float[units * g];
    float[] db = new float[bias.size()];
    int so = time * states * units;
    for (int r = 0; r < batch; r++) {
      Tensor ur = Tensor.of(u.toFloatArray(), u.shape()).requiresGrad(true);
      Tensor br = Tensor.of(bias.toFloatArray(), bias.shape()).requiresGrad(true);
      Tensor xr = Tensor.of(Arrays.copyOfRange(xs, r * time * g, (r + 1) * time * g), 1, time, g)
          .requiresGrad(true);
      Tensor alone = op.apply(xr, ur, br,
          Tensor.of(Arrays.copyOfRange(masks, r * time, (r + 1) * time), 1, time),
          Tensor.of(Arrays.copyOfRange(drops, r * units, (r + 1) * units), 1, units));
      alone.backward(Tensor.of(Arrays.copyOfRange(weights, r * so, (r + 1) * so), alone.shape()));
      assertArrayEquals(alone.toFloatArray(), Arrays.copyOfRange(all, r * so, (r + 1) * so), 1e-5f,
          what + " states of row " + r);
      assertArrayEquals(xr.grad().toFloatArray(),
          Arrays.copyOfRange(dxAll, r * time * g, (r + 1) * time * g), 1e-5f,
          what + " input gradient of row " + r);
      add(du, ur.grad().toFloatArray());
      add(db, br.grad().toFloatArray());
    }
    assertArrayEquals(du, u.grad().toFloatArray(), 1e-4f, what + " recurrent kernel gradient");
    assertArrayEquals(db, bias.grad().toFloatArray(), 1e-4f, what + " bias gradient");
  }

  private static void add(float[] sum, float[] x) {
    for (int i = 0; i < sum.length; i++) {
      sum[i] += x[i];
    }
  }

  @Test
  void mismatchedShapesAreExplained() {
    LeptonException e = assertThrows(LeptonException.class,
        () -> rand(2, 4, 12).lstmRecurrence(rand(3, 9), null, null, null));
    assertEquals(true, e.getMessage().contains("recurrent kernel (units, 4 * units)"),
        e.getMessage());
  }
}
