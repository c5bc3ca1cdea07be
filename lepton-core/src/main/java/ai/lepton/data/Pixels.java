package ai.lepton.data;

import ai.lepton.LeptonException;
import ai.lepton.internal.Memory;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;

/**
 * Decoding and bilinear sampling of channels-last images held as floats {@code (height, width,
 * channels)}, row-major. Shared by {@link ImageFiles} (resizing) and {@link Augment} (warping), so
 * both interpolate the same way.
 */
final class Pixels {
  /**
   * The most heap one decoded pixel may take: ImageIO's image (up to 8 bytes, for 16-bit RGBA),
   * our float copy (12 bytes for RGB), and slack for the decoder's own buffers.
   */
  static final int DECODE_BYTES_PER_PIXEL = 24;
  /** The formats decoded; other ImageIO readers (TIFF, WBMP, plugins) never see the bytes. */
  private static final List<String> FORMATS = List.of("png", "jpeg", "gif", "bmp");

  private Pixels() {}

  /**
   * Decodes an encoded image (PNG, JPEG, GIF, BMP) to floats 0..255, {@code (height, width,
   * channels)}, resized bilinearly to {@code height x width}. The header's dimensions are checked
   * against {@code maxPixels} and the heap budget before any pixel is decoded, so a small file
   * declaring a huge image (a decompression bomb) is refused without allocating it.
   *
   * @param name the file or zip entry, for errors
   */
  static float[] decode(byte[] bytes, String name, int height, int width, int channels,
      long maxPixels) {
    // A memory cache, not ImageIO's default file cache: nothing is written to disk.
    try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(bytes))) {
      ImageReader reader = reader(in);
      if (reader == null) {
        throw new LeptonException("image " + name + " is not a PNG, JPEG, GIF or BMP image (its "
            + "first bytes match no image format); remove the file or convert it to PNG or JPEG");
      }
      try {
        reader.setInput(in, true, true); // seeking forward only, ignoring metadata
        long w = reader.getWidth(0);
        long h = reader.getHeight(0);
        if (w < 1 || h < 1) {
          throw new LeptonException("image " + name + " declares " + w + " x " + h + " pixels; "
              + "the file is corrupt: replace or remove it");
        }
        if (w * h > maxPixels) { // at most (2^31 - 1)^2: no overflow in a long
          throw new LeptonException("image " + name + " declares " + w + " x " + h + " = "
              + w * h + " pixels, over the limit of " + maxPixels + "; shrink the image or raise "
              + "maxPixels in ImageFolder.Limits");
        }
        if (w * h > (Integer.MAX_VALUE - 8) / channels) { // so the products below fit too
          throw new LeptonException("image " + name + " declares " + w + " x " + h + " pixels, "
              + "more values than one array holds; shrink the image");
        }
        Memory.check(w * h * DECODE_BYTES_PER_PIXEL, "image " + name + ", " + w + " x " + h
            + " pixels, decoded", "shrink the image");
        BufferedImage image = reader.read(0);
        return resize(channels(image, channels), image.getHeight(), image.getWidth(), channels,
            height, width);
      } finally {
        reader.dispose();
      }
    } catch (LeptonException e) {
      throw e;
    } catch (IOException | RuntimeException e) {
      // ImageIO reports truncated or corrupt data with IIOException, and some malformed headers
      // with unchecked exceptions (IndexOutOfBounds, IllegalArgument) from inside its readers.
      throw new LeptonException("image " + name + " cannot be decoded (" + e + "); the file is "
          + "truncated or corrupt: replace or remove it", e);
    }
  }

  /** The first reader of one of {@link #FORMATS} that recognizes the stream, or null. */
  private static ImageReader reader(ImageInputStream in) {
    for (Iterator<ImageReader> all = ImageIO.getImageReaders(in); all.hasNext(); ) {
      ImageReader reader = all.next();
      String[] formats = reader.getOriginatingProvider() == null ? new String[0]
          : reader.getOriginatingProvider().getFormatNames();
      for (String format : formats) {
        if (FORMATS.contains(format.toLowerCase(Locale.ROOT))) {
          return reader;
        }
      }
      reader.dispose();
    }
    return null;
  }

  /**
   * The pixels as floats 0..255, {@code (height, width, channels)}. Alpha is dropped (as Keras
   * does); RGB becomes grayscale by ITU-R BT.601 luma, 0.299 R + 0.587 G + 0.114 B (as PIL and
   * {@code tf.image.rgb_to_grayscale}); gray becomes RGB by repeating it.
   */
  private static float[] channels(BufferedImage image, int channels) {
    int w = image.getWidth();
    int h = image.getHeight();
    float[] out = new float[h * w * channels];
    ColorModel cm = image.getColorModel();
    if (cm.getColorSpace().getType() == ColorSpace.TYPE_GRAY && !(cm instanceof IndexColorModel)) {
      // Read gray samples directly: getRGB would convert them from linear gray to sRGB, which
      // changes their values. 16-bit samples are scaled to 0..255.
      Raster raster = image.getRaster();
      float scale = 255f / ((1 << cm.getComponentSize(0)) - 1);
      for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
          float v = raster.getSample(x, y, 0) * scale;
          for (int c = 0; c < channels; c++) {
            out[(y * w + x) * channels + c] = v;
          }
        }
      }
      return out;
    }
    int[] argb = new int[w]; // one row at a time: no second whole-image array
    for (int y = 0; y < h; y++) {
      image.getRGB(0, y, w, 1, argb, 0, w);
      for (int x = 0; x < w; x++) {
        int i = y * w + x;
        int r = (argb[x] >> 16) & 0xff;
        int g = (argb[x] >> 8) & 0xff;
        int b = argb[x] & 0xff;
        if (channels == 1) {
          out[i] = 0.299f * r + 0.587f * g + 0.114f * b;
        } else {
          out[3 * i] = r;
          out[3 * i + 1] = g;
          out[3 * i + 2] = b;
        }
      }
    }
    return out;
  }

  /**
   * Bilinear resize with half-pixel centers and no antialiasing, as Keras' default
   * ({@code tf.image.resize}) and PyTorch's {@code interpolate(mode="bilinear",
   * align_corners=False)}. Returns {@code src} itself when the size does not change.
   */
  static float[] resize(float[] src, int h, int w, int channels, int outH, int outW) {
    if (h == outH && w == outW) {
      return src;
    }
    float[] out = new float[outH * outW * channels];
    double scaleY = (double) h / outH;
    double scaleX = (double) w / outW;
    for (int y = 0; y < outH; y++) {
      for (int x = 0; x < outW; x++) {
        // Source coordinates below 0 are clamped to 0 (as both references do); clamping at the
        // far edge happens in sample().
        sample(src, h, w, channels, Math.max(0, (y + 0.5) * scaleY - 0.5),
            Math.max(0, (x + 0.5) * scaleX - 0.5), true, out, (y * outW + x) * channels);
      }
    }
    return out;
  }

  /**
   * Writes the bilinear interpolation of {@code src} {@code (h, w, channels)} at the real pixel
   * coordinates {@code (y, x)} (pixel centers at integers) to {@code out[at..at+channels)}.
   * Neighbours outside the image take the nearest edge pixel when {@code nearest}, else 0.
   */
  static void sample(float[] src, int h, int w, int channels, double y, double x,
      boolean nearest, float[] out, int at) {
    double fy = Math.floor(y);
    double fx = Math.floor(x);
    float dy = (float) (y - fy);
    float dx = (float) (x - fx);
    // Far-away coordinates are clamped first so that the int conversions below cannot overflow;
    // any point this far out reads only fill or edge values either way.
    int y0 = (int) Math.max(-2, Math.min(h + 1, fy));
    int x0 = (int) Math.max(-2, Math.min(w + 1, fx));
    for (int c = 0; c < channels; c++) {
      float top = (1 - dx) * at(src, h, w, channels, y0, x0, c, nearest)
          + dx * at(src, h, w, channels, y0, x0 + 1, c, nearest);
      float bottom = (1 - dx) * at(src, h, w, channels, y0 + 1, x0, c, nearest)
          + dx * at(src, h, w, channels, y0 + 1, x0 + 1, c, nearest);
      out[at + c] = (1 - dy) * top + dy * bottom;
    }
  }

  private static float at(float[] src, int h, int w, int channels, int y, int x, int c,
      boolean nearest) {
    if (y < 0 || y >= h || x < 0 || x >= w) {
      if (!nearest) {
        return 0;
      }
      y = Math.max(0, Math.min(h - 1, y));
      x = Math.max(0, Math.min(w - 1, x));
    }
    return src[(y * w + x) * channels + c];
  }
}
