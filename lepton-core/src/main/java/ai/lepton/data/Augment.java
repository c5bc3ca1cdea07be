package ai.lepton.data;

import ai.lepton.LeptonException;
import ai.lepton.internal.Args;
import ai.lepton.tensor.Tensor;
import java.util.Arrays;
import java.util.random.RandomGenerator;

/**
 * Random image augmentation for training, with the semantics of Keras' preprocessing layers
 * {@code RandomFlip("horizontal")}, {@code RandomTranslation}, {@code RandomRotation} and
 * {@code RandomZoom} stacked in that order, on channels-last batches {@code [batch, height, width,
 * channels]}. Each image draws its own transform. The geometric steps are composed into one affine
 * map and resampled once (bilinear), where Keras resamples after each layer.
 *
 * <pre>{@code
 * Augment augment = Augment.create().flipHorizontal().rotation(0.1).zoom(0.2).shift(0.1, 0.1);
 * Dataset train = Dataset.of(files).augment(augment);   // training batches only
 * }</pre>
 *
 * <p>Immutable: each option returns a changed copy; randomness comes from the generator passed to
 * {@link #apply}, so the same seed gives the same images.
 */
public final class Augment {
  /** What pixels mapped from outside the image become. */
  public enum Fill {
    /** Zero, as Keras' {@code fill_mode="constant"} with {@code fill_value=0}. */
    CONSTANT,
    /** The nearest edge pixel, as Keras' {@code fill_mode="nearest"}. */
    NEAREST
  }

  private final boolean flip;
  private final double shiftHeight;
  private final double shiftWidth;
  private final double rotation;
  private final double zoom;
  private final Fill fill;

  private Augment(boolean flip, double shiftHeight, double shiftWidth, double rotation,
      double zoom, Fill fill) {
    this.flip = flip;
    this.shiftHeight = shiftHeight;
    this.shiftWidth = shiftWidth;
    this.rotation = rotation;
    this.zoom = zoom;
    this.fill = fill;
  }

  /** No augmentation yet, filling with zeros; add steps with the methods below. */
  public static Augment create() {
    return new Augment(false, 0, 0, 0, 0, Fill.CONSTANT);
  }

  /** Flips each image left-right with probability 1/2 ({@code RandomFlip("horizontal")}). */
  public Augment flipHorizontal() {
    return new Augment(true, shiftHeight, shiftWidth, rotation, zoom, fill);
  }

  /**
   * Shifts each image by up to {@code heightFactor * height} pixels down or up and {@code
   * widthFactor * width} right or left, uniformly ({@code RandomTranslation(heightFactor,
   * widthFactor)}).
   */
  public Augment shift(double heightFactor, double widthFactor) {
    check("shift", heightFactor, 1);
    check("shift", widthFactor, 1);
    return new Augment(flip, heightFactor, widthFactor, rotation, zoom, fill);
  }

  /**
   * Rotates each image about its center by an angle drawn uniformly from {@code [-factor * 2 pi,
   * factor * 2 pi]}, positive counter-clockwise ({@code RandomRotation(factor)}).
   */
  public Augment rotation(double factor) {
    check("rotation", factor, 1);
    return new Augment(flip, shiftHeight, shiftWidth, factor, zoom, fill);
  }

  /**
   * Zooms each image about its center by a factor drawn uniformly from {@code [1 - factor, 1 +
   * factor]}, the same for height and width; above 1 zooms out ({@code RandomZoom(factor)}).
   */
  public Augment zoom(double factor) {
    check("zoom", factor, 0.99);
    return new Augment(flip, shiftHeight, shiftWidth, rotation, factor, fill);
  }

  /** What pixels shifted in from outside the image become; default {@link Fill#CONSTANT}. */
  public Augment fill(Fill fill) {
    Args.nonNull(fill, "Augment.fill", "fill");
    if (fill == null) {
      throw new LeptonException("Augment.fill: expected CONSTANT or NEAREST, received null");
    }
    return new Augment(flip, shiftHeight, shiftWidth, rotation, zoom, fill);
  }

  private static void check(String what, double factor, double max) {
    if (!(factor >= 0 && factor <= max)) {
      throw new LeptonException("Augment." + what + ": expected a factor in [0, " + max
          + "], received " + factor);
    }
  }

  /**
   * Augments a batch {@code [batch, height, width, channels]}, drawing each image's transform from
   * {@code rng}; returns a new tensor of the same shape, without a gradient graph.
   *
   * @throws LeptonException if the tensor is not of rank 4
   */
  public Tensor apply(Tensor images, RandomGenerator rng) {
    Args.nonNull(images, "Augment.apply", "images");
    Args.nonNull(rng, "Augment.apply", "rng");
    if (images.rank() != 4) {
      throw new LeptonException("Augment.apply: expected images [batch, height, width, "
          + "channels], received shape " + Arrays.toString(images.shape()) + "; add a channel "
          + "axis for grayscale, e.g. x.reshape(n, h, w, 1)");
    }
    int n = images.dim(0);
    int h = images.dim(1);
    int w = images.dim(2);
    int c = images.dim(3);
    int per = h * w * c;
    float[] src = images.toFloatArray();
    float[] out = new float[src.length];
    float[] image = new float[per];
    for (int i = 0; i < n; i++) {
      boolean flipped = flip && rng.nextBoolean();
      double dy = shiftHeight > 0 ? rng.nextDouble(-shiftHeight, shiftHeight) * h : 0;
      double dx = shiftWidth > 0 ? rng.nextDouble(-shiftWidth, shiftWidth) * w : 0;
      double angle = rotation > 0 ? rng.nextDouble(-rotation, rotation) * 2 * Math.PI : 0;
      double scale = zoom > 0 ? 1 + rng.nextDouble(-zoom, zoom) : 1;
      System.arraycopy(src, i * per, image, 0, per);
      warp(image, h, w, c, flipped, dy, dx, angle, scale, fill == Fill.NEAREST, out, i * per);
    }
    return Tensor.of(out, images.shape());
  }

  /**
   * Writes one image {@code (h, w, c)} flipped, rotated by {@code angle} radians, zoomed by
   * {@code scale} and shifted by {@code (dy, dx)} pixels to {@code out[at..]}. Works backwards
   * from each output pixel to the input point it shows, with pixel centers at integers and the
   * center of the image at {@code ((h - 1) / 2, (w - 1) / 2)}, as Keras' transform matrices.
   */
  static void warp(float[] src, int h, int w, int c, boolean flip, double dy, double dx,
      double angle, double scale, boolean nearest, float[] out, int at) {
    double cy = (h - 1) / 2.0;
    double cx = (w - 1) / 2.0;
    double cos = Math.cos(angle);
    double sin = Math.sin(angle);
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        // Undo the shift, then the zoom, relative to the center.
        double zy = scale * (y - dy - cy);
        double zx = scale * (x - dx - cx);
        // Undo the rotation: Keras' rotation matrix maps output to input this way.
        double ry = sin * zx + cos * zy + cy;
        double rx = cos * zx - sin * zy + cx;
        Pixels.sample(src, h, w, c, ry, flip ? w - 1 - rx : rx, nearest, out,
            at + (y * w + x) * c);
      }
    }
  }
}
