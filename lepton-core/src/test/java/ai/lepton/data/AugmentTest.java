package ai.lepton.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.lepton.LeptonException;
import ai.lepton.tensor.Tensor;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class AugmentTest {
  /** A 4 x 5 image, 2 channels, every value distinct: pixel (y, x) channel k is 100y + 10x + k. */
  private static float[] image() {
    float[] v = new float[4 * 5 * 2];
    for (int y = 0; y < 4; y++) {
      for (int x = 0; x < 5; x++) {
        for (int k = 0; k < 2; k++) {
          v[(y * 5 + x) * 2 + k] = 100 * y + 10 * x + k;
        }
      }
    }
    return v;
  }

  private static float[] warp(float[] src, boolean flip, double dy, double dx, double angle,
      double scale, boolean nearest) {
    float[] out = new float[src.length];
    Augment.warp(src, 4, 5, 2, flip, dy, dx, angle, scale, nearest, out, 0);
    return out;
  }

  private static float at(float[] img, int y, int x, int k) {
    return img[(y * 5 + x) * 2 + k];
  }

  @Test
  void identityTransformKeepsTheImage() {
    assertArrayEquals(image(), warp(image(), false, 0, 0, 0, 1, false), 1e-4f);
    // Rotation by 0 through the public API leaves any batch as it is.
    Tensor batch = Tensor.of(image(), 1, 4, 5, 2);
    Tensor same = Augment.create().rotation(0).apply(batch, new SplittableRandom(1));
    assertArrayEquals(batch.toFloatArray(), same.toFloatArray(), 1e-4f);
  }

  @Test
  void flipMirrorsColumnsAndTwiceIsTheIdentity() {
    float[] flipped = warp(image(), true, 0, 0, 0, 1, false);
    assertEquals(at(image(), 2, 4, 1), at(flipped, 2, 0, 1), 0);
    assertEquals(at(image(), 1, 1, 0), at(flipped, 1, 3, 0), 0);
    assertArrayEquals(image(), warp(flipped, true, 0, 0, 0, 1, false), 0);
    // Through the public API: the same seed makes the same flip decisions twice.
    Tensor batch = Tensor.of(concat(image(), 8), 8, 4, 5, 2);
    Augment flip = Augment.create().flipHorizontal();
    Tensor once = flip.apply(batch, new SplittableRandom(7));
    Tensor twice = flip.apply(once, new SplittableRandom(7));
    assertFalse(Arrays.equals(batch.toFloatArray(), once.toFloatArray()));
    assertArrayEquals(batch.toFloatArray(), twice.toFloatArray(), 0);
  }

  private static float[] concat(float[] image, int copies) {
    float[] out = new float[image.length * copies];
    for (int i = 0; i < copies; i++) {
      System.arraycopy(image, 0, out, i * image.length, image.length);
    }
    return out;
  }

  @Test
  void shiftMovesPixelsAndFillsTheGap() {
    float[] shifted = warp(image(), false, 1, 2, 0, 1, false); // 1 down, 2 right
    assertEquals(at(image(), 0, 0, 1), at(shifted, 1, 2, 1), 1e-4f);
    assertEquals(at(image(), 2, 1, 0), at(shifted, 3, 3, 0), 1e-4f);
    assertEquals(0, at(shifted, 0, 3, 0), 0); // shifted in from outside: constant 0
    float[] nearest = warp(image(), false, 1, 2, 0, 1, true);
    assertEquals(at(image(), 0, 1, 0), at(nearest, 0, 3, 0), 1e-4f); // nearest edge pixel
    assertEquals(at(image(), 0, 0, 0), at(nearest, 0, 0, 0), 1e-4f);
  }

  @Test
  void rotationByAHalfTurnMirrorsBothAxesAndZoomScalesAboutTheCenter() {
    float[] turned = warp(image(), false, 0, 0, Math.PI, 1, false);
    assertEquals(at(image(), 3, 4, 0), at(turned, 0, 0, 0), 1e-3f);
    assertEquals(at(image(), 1, 0, 1), at(turned, 2, 4, 1), 1e-3f);
    // Zooming out by 2 about the center (1.5, 2) shows input (1.5 + 2 * (y - 1.5), 2 + 2 (x - 2)).
    float[] zoomed = warp(image(), false, 0, 0, 0, 2, false);
    assertEquals(at(image(), 0, 2, 0), at(zoomed, 1, 2, 0) - 50, 1e-3f); // input (0.5, 2)
    assertEquals(at(image(), 3, 4, 1) - 50, at(zoomed, 2, 3, 1), 1e-3f); // input (2.5, 4)
    assertEquals(0, at(zoomed, 0, 0, 0), 0); // input (-1.5, -2): outside
  }

  @Test
  void theSameSeedGivesTheSameImagesAndEachImageDrawsItsOwnTransform() {
    Augment all = Augment.create().flipHorizontal().shift(0.2, 0.2).rotation(0.1).zoom(0.2)
        .fill(Augment.Fill.NEAREST);
    Tensor batch = Tensor.of(concat(image(), 3), 3, 4, 5, 2);
    Tensor a = all.apply(batch, new SplittableRandom(42));
    assertArrayEquals(batch.shape(), a.shape());
    assertArrayEquals(a.toFloatArray(), all.apply(batch, new SplittableRandom(42))
        .toFloatArray(), 0);
    assertFalse(Arrays.equals(a.toFloatArray(), all.apply(batch, new SplittableRandom(43))
        .toFloatArray()));
    float[] v = a.toFloatArray();
    assertFalse(Arrays.equals(Arrays.copyOfRange(v, 0, 40), Arrays.copyOfRange(v, 40, 80)));
  }

  @Test
  void refusesBadFactorsAndShapes() {
    assertEquals("Augment.rotation: expected a factor in [0, 1.0], received -0.1",
        assertThrows(LeptonException.class, () -> Augment.create().rotation(-0.1)).getMessage());
    assertEquals("Augment.zoom: expected a factor in [0, 0.99], received 1.0",
        assertThrows(LeptonException.class, () -> Augment.create().zoom(1)).getMessage());
    assertEquals("Augment.apply: expected images [batch, height, width, channels], received "
        + "shape [4, 5]; add a channel axis for grayscale, e.g. x.reshape(n, h, w, 1)",
        assertThrows(LeptonException.class, () -> Augment.create()
            .apply(Tensor.zeros(4, 5), new SplittableRandom(1))).getMessage());
  }
}
