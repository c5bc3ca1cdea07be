package ai.lepton.server.datasets;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.GZIPOutputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import javax.imageio.ImageIO;

/** Small real dataset files written for tests: PNG images, zips of them, IDX files. */
final class TestFiles {
  private TestFiles() {}

  /** A PNG of {@code width x height} pixels, gray (1 channel) or RGB (3). */
  static byte[] png(int width, int height, boolean gray) throws IOException {
    BufferedImage image = new BufferedImage(width, height,
        gray ? BufferedImage.TYPE_BYTE_GRAY : BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        image.setRGB(x, y, (x * 20) << 16 | (y * 20) << 8 | 90);
      }
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ImageIO.write(image, "png", out);
    return out.toByteArray();
  }

  /** A PNG whose header declares {@code width x height} pixels (its CRC fixed), data of 2 x 2. */
  static byte[] pngDeclaring(int width, int height) throws IOException {
    byte[] png = png(2, 2, true);
    // IHDR: length at 8, type at 12, width at 16, height at 20, CRC (of type and data) at 29
    writeInt(png, 16, width);
    writeInt(png, 20, height);
    CRC32 crc = new CRC32();
    crc.update(png, 12, 17);
    writeInt(png, 29, (int) crc.getValue());
    return png;
  }

  private static void writeInt(byte[] b, int at, int v) {
    b[at] = (byte) (v >>> 24);
    b[at + 1] = (byte) (v >>> 16);
    b[at + 2] = (byte) (v >>> 8);
    b[at + 3] = (byte) v;
  }

  /** A zip holding {@code entries} (name to content) in that order. */
  static Path zip(Path file, Map<String, byte[]> entries) throws IOException {
    try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(file))) {
      for (Map.Entry<String, byte[]> e : entries.entrySet()) {
        zip.putNextEntry(new ZipEntry(e.getKey()));
        zip.write(e.getValue());
        zip.closeEntry();
      }
    }
    return file;
  }

  /** An IDX file of unsigned bytes with this shape, gzip-compressed when {@code gzip}. */
  static Path idx(Path file, int[] shape, byte[] values, boolean gzip) throws IOException {
    try (OutputStream raw = Files.newOutputStream(file);
        DataOutputStream out = new DataOutputStream(gzip ? new GZIPOutputStream(raw) : raw)) {
      out.writeShort(0);
      out.writeByte(0x08);
      out.writeByte(shape.length);
      for (int d : shape) {
        out.writeInt(d);
      }
      out.write(values);
    }
    return file;
  }
}
