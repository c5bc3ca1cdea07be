package ai.lepton.layers;

import static ai.lepton.LeptonAssertions.assertFailsWith;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.lepton.LeptonException;
import ai.lepton.tensor.Tensor;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class MergeTest {
  private static final List<Tensor> NO_MASKS = Arrays.asList(null, null);

  @Test
  void mergeLayersPassTheHarness() throws Exception {
    List<int[]> same = List.of(new int[] {2, 3}, new int[] {2, 3});
    LayerHarness.check(new Add(), same, NO_MASKS, 0);
    LayerHarness.check(new Multiply(), same, NO_MASKS, 0);
    LayerHarness.check(new Average(), same, NO_MASKS, 0);
    LayerHarness.check(new Concatenate(), List.of(new int[] {2, 3}, new int[] {2, 1}), NO_MASKS, 0);
    LayerHarness.check(new Concatenate(1), same, NO_MASKS, 0);
  }

  @Test
  void mergesComputeKerasValues() {
    Tensor a = Tensor.of(new float[] {1, 2, 3, 4}, 2, 2);
    Tensor b = Tensor.of(new float[] {5, 6, 7, 8}, 2, 2);
    assertArrayEquals(new float[] {6, 8, 10, 12}, run(new Add(), a, b));
    assertArrayEquals(new float[] {5, 12, 21, 32}, run(new Multiply(), a, b));
    assertArrayEquals(new float[] {3, 4, 5, 6}, run(new Average(), a, b));
    assertArrayEquals(new float[] {1, 2, 5, 6, 3, 4, 7, 8}, run(new Concatenate(), a, b));
  }

  private static float[] run(Layer layer, Tensor a, Tensor b) {
    layer.build(List.of(new int[] {2}, new int[] {2}), new SplittableRandom(0));
    return layer.apply(List.of(a, b), NO_MASKS, false).get(0).toFloatArray();
  }

  @Test
  void shapeErrorsNameTheLayersAndShapes() {
    Symbol a = new Dense(4).name("left").on(Input.of(3));
    Symbol b = new Dense(5).name("right").on(Input.of(3));
    LeptonException e = assertThrows(LeptonException.class, () -> new Add().name("sum").on(a, b));
    assertTrue(e.getMessage().contains("'sum'") && e.getMessage().contains("'left'")
        && e.getMessage().contains("'right'") && e.getMessage().contains("[4], [5]"),
        e.getMessage());
    Symbol c = new Dense(4).on(Input.of(2, 2));
    e = assertThrows(LeptonException.class, () -> new Concatenate().on(a, c));
    assertTrue(e.getMessage().contains("every dimension except axis"), e.getMessage());
    assertFailsWith("expected at least 2 inputs (a list), received 1", () -> new Add().on(a));
    assertFailsWith("axis 0 is the batch", () -> new Concatenate(0));
  }

  @Test
  void masksCombineAsInKeras() {
    Tensor x = Tensor.zeros(1, 3, 2);
    Tensor m1 = Tensor.of(new float[] {1, 1, 0}, 1, 3);
    Tensor m2 = Tensor.of(new float[] {1, 0, 0}, 1, 3);
    assertArrayEquals(new float[] {1, 0, 0},
        new Add().computeMasks(List.of(x, x), List.of(m1, m2)).get(0).toFloatArray());
    assertArrayEquals(new float[] {1, 1, 0},
        new Average().computeMasks(List.of(x, x), Arrays.asList(m1, null)).get(0).toFloatArray());
    assertArrayEquals(new float[] {1, 1, 0, 1, 1, 1},
        new Concatenate(1).computeMasks(List.of(x, x), Arrays.asList(m1, null)).get(0)
            .toFloatArray());
    assertArrayEquals(new float[] {1, 0, 0},
        new Concatenate().computeMasks(List.of(x, x), List.of(m1, m2)).get(0).toFloatArray());
    assertEquals(null, new Multiply().computeMasks(List.of(x, x), NO_MASKS).get(0));
  }
}
