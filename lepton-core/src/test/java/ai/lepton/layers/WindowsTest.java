package ai.lepton.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.lepton.LeptonException;
import ai.lepton.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** Shape inference by arithmetic agrees with what the engine's convolutions and pools produce. */
class WindowsTest {
  @Test
  void lengthsMatchTheEnginesConvolutionsAndPools() {
    for (int length = 1; length <= 9; length++) {
      for (int size = 1; size <= 4; size++) {
        for (int stride = 1; stride <= 3; stride++) {
          for (int dilation = 1; dilation <= 3; dilation++) {
            for (boolean same : new boolean[] {false, true}) {
              check(length, size, stride, dilation, same);
            }
          }
        }
      }
    }
  }

  private static void check(int length, int size, int stride, int dilation, boolean same) {
    String where = "length " + length + ", size " + size + ", stride " + stride + ", dilation "
        + dilation + (same ? ", same" : ", valid");
    Tensor x = Tensor.zeros(1, 1, length, 1);
    boolean fits = same || (long) (size - 1) * dilation + 1 <= length;
    if (!fits) {
      LeptonException e = assertThrows(LeptonException.class,
          () -> Windows.length("Conv", length, size, stride, dilation, same), where);
      assertTrue(e.getMessage().contains("does not fit an input of " + length + " steps"),
          e.getMessage());
      assertThrows(LeptonException.class, () -> x.conv2d(Tensor.zeros(1, size, 1, 1), 1, stride,
          same, 1, dilation), where);
      return;
    }
    int conv = x.conv2d(Tensor.zeros(1, size, 1, 1), 1, stride, same, 1, dilation).dim(2);
    assertEquals(conv, Windows.length("Conv", length, size, stride, dilation, same), where);
    if (dilation == 1) {
      assertEquals(x.maxPool2d(1, size, 1, stride, same).dim(2),
          Windows.length("Pool", length, size, stride, 1, same), where);
    }
  }

  @Test
  void hugeWindowsAreComputedWithoutOverflow() {
    // span = (46340 - 1) * 50000 + 1 does not fit an int; computed in long it does not fit 1000.
    LeptonException e = assertThrows(LeptonException.class,
        () -> Windows.length("Conv2D", 1000, 46340, 1, 50000, false));
    assertTrue(e.getMessage().contains("a window spanning 2316950001 steps"), e.getMessage());
    assertEquals(Integer.MAX_VALUE, Windows.length("Conv2D", Integer.MAX_VALUE, 3, 1, 1, true));
  }
}
