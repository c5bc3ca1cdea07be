package ai.lepton.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.lepton.Golden;
import ai.lepton.LeptonException;
import ai.lepton.tensor.Tensor;
import com.fasterxml.jackson.databind.JsonNode;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageFolderTest {
  @TempDir Path dir;

  /** A w x h image of one RGB colour, encoded as {@code format} ("png", "jpg", "bmp"). */
  static byte[] image(int w, int h, int rgb, String format) throws IOException {
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        img.setRGB(x, y, rgb);
      }
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    assertTrue(ImageIO.write(img, format, out));
    return out.toByteArray();
  }

  private Path write(String relative, byte[] content) throws IOException {
    Path p = dir.resolve(relative);
    Files.createDirectories(p.getParent());
    return Files.write(p, content);
  }

  /** pets/cat: two red PNGs (one in a subfolder), pets/dog: a blue BMP, plus skipped files. */
  private Path pets() throws IOException {
    write("pets/cat/b.png", image(4, 2, 0xff0000, "png"));
    write("pets/cat/more/a.PNG", image(8, 4, 0xff0000, "png"));
    write("pets/dog/1.bmp", image(2, 2, 0x0000ff, "bmp"));
    write("pets/dog/notes.txt", "not an image, skipped".getBytes());
    write("pets/readme.png", image(2, 2, 0, "png")); // outside any class folder: skipped
    return dir.resolve("pets");
  }

  private String error(Runnable read) {
    return assertThrows(LeptonException.class, read::run).getMessage()
        .replace(dir.toString(), "DIR");
  }

  @Test
  void readsSortedClassesResizedToTheTargetSize() throws IOException {
    ImageFolder.Images d = ImageFolder.reader().size(2, 4).read(pets());
    assertEquals(List.of("cat", "dog"), d.classNames());
    assertArrayEquals(new int[] {0, 0, 1}, d.labels());
    assertArrayEquals(new int[] {3, 2, 4, 3}, d.images().shape());
    // Images are floats 0..255 in RGB order; a uniform image stays uniform when resized.
    assertArrayEquals(new float[] {255, 0, 0}, pixel(d.images(), 0, 1, 3), 1e-4f);
    assertArrayEquals(new float[] {255, 0, 0}, pixel(d.images(), 1, 0, 0), 1e-4f);
    assertArrayEquals(new float[] {0, 0, 255}, pixel(d.images(), 2, 1, 2), 1e-4f);
  }

  private static float[] pixel(Tensor images, int n, int y, int x) {
    int c = images.dim(3);
    float[] out = new float[c];
    for (int k = 0; k < c; k++) {
      out[k] = images.get(n, y, x, k);
    }
    return out;
  }

  @Test
  void grayscaleUsesLumaAndReadsGrayImagesAsTheyAre() throws IOException {
    write("g/a/rgb.png", image(2, 2, 0x204080, "png"));
    BufferedImage gray = new BufferedImage(2, 2, BufferedImage.TYPE_BYTE_GRAY);
    gray.getRaster().setSample(1, 0, 0, 100);
    ByteArrayOutputStream png = new ByteArrayOutputStream();
    ImageIO.write(gray, "png", png);
    write("g/b/gray.png", png.toByteArray());

    ImageFolder reader = ImageFolder.reader().size(2, 2);
    Tensor g = reader.colorMode(ImageFolder.ColorMode.GRAYSCALE).read(dir.resolve("g")).images();
    assertArrayEquals(new int[] {2, 2, 2, 1}, g.shape());
    assertEquals(0.299f * 0x20 + 0.587f * 0x40 + 0.114f * 0x80, g.get(0, 0, 0, 0), 1e-3f);
    assertEquals(100, g.get(1, 0, 1, 0), 0);
    assertEquals(0, g.get(1, 0, 0, 0), 0);
    // In RGB mode a gray pixel is repeated over the three channels, not gamma-converted.
    Tensor rgb = reader.read(dir.resolve("g")).images();
    assertArrayEquals(new float[] {100, 100, 100}, pixel(rgb, 1, 0, 1), 0);
    // 16-bit gray is scaled to 0..255.
    BufferedImage deep = new BufferedImage(2, 2, BufferedImage.TYPE_USHORT_GRAY);
    deep.getRaster().setSample(0, 1, 0, 65535);
    deep.getRaster().setSample(1, 1, 0, 257 * 10);
    png.reset();
    ImageIO.write(deep, "png", png);
    write("g/b/gray.png", png.toByteArray());
    Tensor d = reader.read(dir.resolve("g")).images();
    assertArrayEquals(new float[] {255, 255, 255}, pixel(d, 1, 1, 0), 1e-3f);
    assertArrayEquals(new float[] {10, 10, 10}, pixel(d, 1, 1, 1), 1e-3f);
  }

  @Test
  void jpegsDecodeCloseToTheirColour() throws IOException {
    write("j/a/x.jpg", image(8, 8, 0x808080, "jpg"));
    Tensor t = ImageFolder.reader().size(8, 8).read(dir.resolve("j")).images();
    assertEquals(128, t.get(0, 4, 4, 1), 2);
  }

  @Test
  void resizeMatchesPyTorchBilinear() {
    JsonNode cases = Golden.cases("images");
    for (String name : List.of("resize_down", "resize_up", "resize_mixed")) {
      Tensor image = Golden.tensor(cases.get(name).get("image"));
      Tensor expected = Golden.tensor(cases.get(name).get("output"));
      int[] in = image.shape();
      int[] out = expected.shape();
      float[] got = Pixels.resize(image.toFloatArray(), in[0], in[1], in[2], out[0], out[1]);
      assertArrayEquals(expected.toFloatArray(), got, 1e-3f, name);
    }
  }

  @Test
  void namedClassesComeInTheGivenOrderAndEmptyClassesKeepTheirLabel() throws IOException {
    Path pets = pets();
    Files.createDirectories(pets.resolve("bird"));
    ImageFiles files = ImageFolder.reader().size(2, 2).list(pets);
    assertEquals(List.of("bird", "cat", "dog"), files.classNames());
    assertArrayEquals(new int[] {1, 1, 2}, files.labels());
    ImageFiles named = ImageFolder.reader().classNames("dog", "cat").list(pets);
    assertArrayEquals(new int[] {0, 1, 1}, named.labels());
    assertArrayEquals(new int[] {256, 256, 3}, named.imageShape());
    assertEquals("class 'cow' has no folder in DIR/pets; expected one of [bird, cat, dog]",
        error(() -> ImageFolder.reader().classNames("cow").list(pets)));
    assertEquals("class name '..' is not a plain folder name; expected the name of a class "
        + "folder, without '/', '\\' or '..'", error(() -> ImageFolder.reader().classNames("..")));
  }

  @Test
  void refusesFoldersWithoutImages() throws IOException {
    Files.createDirectories(dir.resolve("empty/cat"));
    write("empty/dog/a.txt", "text".getBytes());
    assertEquals("image source DIR/empty holds no images in its class folders [cat, dog]; "
        + "expected files ending in [.png, .jpg, .jpeg, .gif, .bmp]",
        error(() -> ImageFolder.reader().list(dir.resolve("empty"))));
    Files.createDirectories(dir.resolve("bare"));
    assertEquals("image source DIR/bare has no class folders; expected one folder of images per "
        + "class, such as cat/1.png and dog/2.png",
        error(() -> ImageFolder.reader().list(dir.resolve("bare"))));
    assertEquals("image source DIR/none is neither a folder nor a .zip file; expected a folder, "
        + "or a zip archive, holding one folder of images per class",
        error(() -> ImageFolder.reader().list(dir.resolve("none"))));
  }

  @Test
  void nonImagesAndTruncatedImagesNameTheFile() throws IOException {
    Path pets = pets();
    write("pets/cat/c.png", "this is text, not a PNG".getBytes());
    assertEquals("image DIR/pets/cat/c.png is not a PNG, JPEG, GIF or BMP image (its first "
        + "bytes match no image format); remove the file or convert it to PNG or JPEG",
        error(() -> ImageFolder.reader().read(pets)));
    byte[] png = image(16, 16, 0x123456, "png");
    write("pets/cat/c.png", java.util.Arrays.copyOf(png, png.length / 2));
    String message = error(() -> ImageFolder.reader().read(pets));
    assertTrue(message.startsWith("image DIR/pets/cat/c.png cannot be decoded ("), message);
    assertTrue(message.endsWith("the file is truncated or corrupt: replace or remove it"),
        message);
    // A JPEG named .png decodes: the content decides the format, not the extension.
    write("pets/cat/c.png", image(2, 2, 0xff0000, "jpg"));
    assertEquals(4, ImageFolder.reader().size(2, 2).read(pets).labels().length);
  }

  @Test
  void refusesAHeaderDeclaringTooManyPixelsBeforeDecoding() throws IOException {
    // A 1 x 1 PNG whose header is rewritten to declare 60000 x 60000 pixels (3.6 gigapixels, a
    // decompression bomb): refused from the header, without allocating the image.
    byte[] png = image(1, 1, 0, "png");
    ByteBuffer b = ByteBuffer.wrap(png);
    b.putInt(16, 60_000).putInt(20, 60_000); // IHDR width and height
    CRC32 crc = new CRC32();
    crc.update(png, 12, 17); // chunk type and data
    b.putInt(29, (int) crc.getValue());
    write("bomb/a/big.png", png);
    assertEquals("image DIR/bomb/a/big.png declares 60000 x 60000 = 3600000000 pixels, over the "
        + "limit of " + ImageFolder.Limits.DEFAULT.maxPixels() + "; shrink the image or raise "
        + "maxPixels in ImageFolder.Limits",
        error(() -> ImageFolder.reader().read(dir.resolve("bomb"))));
  }

  @Test
  void enforcesFileCountAndSizeLimits() throws IOException {
    Path pets = pets();
    ImageFolder reader = ImageFolder.reader().size(2, 2);
    assertEquals("image folder DIR/pets holds more than 2 images; raise maxFiles in "
        + "ImageFolder.Limits",
        error(() -> reader.limits(new ImageFolder.Limits(2, 1 << 20, 1 << 20, 100)).list(pets)));
    long total = Files.size(pets.resolve("cat/b.png")) + Files.size(pets.resolve("cat/more/a.PNG"));
    assertEquals("image source DIR/pets holds more than " + total + " bytes of images; raise "
        + "maxTotalBytes in ImageFolder.Limits", error(() ->
            reader.limits(new ImageFolder.Limits(10, 1 << 20, total, 100)).list(pets)));
    int small = (int) Files.size(pets.resolve("cat/b.png"));
    assertEquals("image DIR/pets/cat/more/a.PNG has " + Files.size(pets.resolve("cat/more/a.PNG"))
        + " bytes, over the limit of " + small + "; raise maxFileBytes in ImageFolder.Limits or "
        + "shrink the file",
        error(() -> reader.limits(new ImageFolder.Limits(10, small, 1 << 20, 100)).list(pets)));
    assertEquals("image DIR/pets/cat/more/a.PNG declares 8 x 4 = 32 pixels, over the limit of "
        + "8; shrink the image or raise maxPixels in ImageFolder.Limits",
        error(() -> reader.limits(new ImageFolder.Limits(10, 1 << 20, 1 << 20, 8)).read(pets)));
  }

  @Test
  void refusesSymbolicLinks() throws IOException {
    Path pets = pets();
    Path secret = write("secret/key.png", image(2, 2, 0, "png"));
    Files.createSymbolicLink(pets.resolve("cat/key.png"), secret);
    assertEquals("image folder entry DIR/pets/cat/key.png is a symbolic link; links are refused "
        + "so that nothing outside the folder is read; copy the file in instead",
        error(() -> ImageFolder.reader().list(pets)));
  }

  private Path zip(String name, String... entries) throws IOException {
    Path p = dir.resolve(name);
    try (OutputStream out = Files.newOutputStream(p);
        ZipOutputStream zip = new ZipOutputStream(out)) {
      for (String entry : entries) {
        zip.putNextEntry(new ZipEntry(entry));
        if (!entry.endsWith("/")) {
          zip.write(image(3, 3, entry.startsWith("dog") ? 0x0000ff : 0xff0000, "png"));
        }
        zip.closeEntry();
      }
    }
    return p;
  }

  @Test
  void readsZipArchivesOfClassFolders() throws IOException {
    Path archive = zip("pets.zip", "dog/1.png", "cat/", "cat/b.png", "cat/a.png", "readme.png",
        "fish/");
    ImageFiles files = ImageFolder.reader().size(3, 3).list(archive);
    assertEquals(List.of("cat", "dog", "fish"), files.classNames());
    assertArrayEquals(new int[] {0, 0, 1}, files.labels());
    Tensor t = files.decode(2, 0);
    assertArrayEquals(new int[] {2, 3, 3, 3}, t.shape());
    assertEquals(255, t.get(0, 1, 1, 2), 0); // dog is blue
    assertEquals(255, t.get(1, 1, 1, 0), 0); // cat is red
    assertEquals("ImageFiles.decode: index 3 is out of range; expected 0 to 2",
        error(() -> files.decode(3)));
  }

  @Test
  void readsAZipStreamAsItReadsTheZipFile() throws IOException {
    Path archive = zip("pets.zip", "dog/1.png", "cat/", "cat/b.png", "cat/a.png", "readme.png",
        "fish/");
    ImageFolder reader = ImageFolder.reader().size(3, 3);
    ImageFolder.Images fromFile = reader.read(archive);
    ImageFolder.Images fromStream;
    try (InputStream in = Files.newInputStream(archive)) {
      fromStream = reader.read(in, "pets.zip");
    }
    assertEquals(fromFile.classNames(), fromStream.classNames());
    assertArrayEquals(fromFile.labels(), fromStream.labels());
    assertArrayEquals(fromFile.images().toFloatArray(), fromStream.images().toFloatArray());
    Path many = zip("many.zip", "cat/", "cat/a.png", "dog/b.png", "x/", "y/");
    try (InputStream in = Files.newInputStream(many)) {
      assertEquals("zip archive many.zip holds more than 4 entries; raise maxFiles in "
          + "ImageFolder.Limits", error(() -> ImageFolder.reader()
              .limits(new ImageFolder.Limits(4, 1 << 20, 1 << 20, 100)).read(in, "many.zip")));
    }
    // 1 MiB of zeros deflates to about 1 KiB: its inflated bytes are what count
    ByteArrayOutputStream bomb = new ByteArrayOutputStream();
    try (ZipOutputStream zip = new ZipOutputStream(bomb)) {
      zip.putNextEntry(new ZipEntry("cat/zeros.txt"));
      zip.write(new byte[1 << 20]);
      zip.closeEntry();
    }
    assertEquals("zip archive bomb.zip expands to more than 65536 bytes; raise maxTotalBytes in "
        + "ImageFolder.Limits", error(() -> ImageFolder.reader()
            .limits(new ImageFolder.Limits(4, 1 << 10, 1 << 16, 100))
            .read(new ByteArrayInputStream(bomb.toByteArray()), "bomb.zip")));
  }

  @Test
  void refusesAStoredZipEntryWhoseSizesFollowItsDataInAStream() throws IOException {
    // A STORED entry with the data descriptor flag (bit 3), as some streaming zip writers make
    ByteArrayOutputStream stored = new ByteArrayOutputStream();
    try (ZipOutputStream zip = new ZipOutputStream(stored)) {
      ZipEntry entry = new ZipEntry("cat/a.png");
      byte[] png = image(2, 2, 0xff0000, "png");
      entry.setMethod(ZipEntry.STORED);
      entry.setSize(png.length);
      CRC32 crc = new CRC32();
      crc.update(png);
      entry.setCrc(crc.getValue());
      zip.putNextEntry(entry);
      zip.write(png);
      zip.closeEntry();
    }
    byte[] bytes = stored.toByteArray();
    bytes[6] |= 0x08; // the local header's general purpose flags
    assertEquals("zip archive x.zip holds a STORED (uncompressed) entry whose sizes follow its "
        + "data, which cannot be read as a stream; re-zip it with deflate compression (the "
        + "default of zip and most archivers)", error(() -> ImageFolder.reader()
            .read(new ByteArrayInputStream(bytes), "x.zip")));
  }

  @Test
  void subsetsKeepTheClassesForSplits() throws IOException {
    ImageFiles files = ImageFolder.reader().size(2, 2).list(pets());
    Splits.Split split = Splits.trainTestSplit(files.size(), 1.0 / 3, 1);
    ImageFiles test = files.subset(split.test());
    assertEquals(List.of("cat", "dog"), test.classNames());
    assertEquals(1, test.size());
    assertEquals(files.labels()[split.test()[0]], test.labels()[0]);
    assertArrayEquals(files.decode(split.test()).toFloatArray(), test.decode(0).toFloatArray());
    assertEquals("ImageFiles.subset: index 3 is out of range; expected 0 to 2",
        error(() -> files.subset(0, 3)));
  }

  @Test
  void boundsZipEntriesAndHoldsThemToTheirDeclaredSize() throws IOException {
    Path archive = zip("many.zip", "cat/", "cat/a.png", "dog/b.png", "x/", "y/");
    assertEquals("zip archive DIR/many.zip holds more than 4 entries; raise maxFiles in "
        + "ImageFolder.Limits", error(() -> ImageFolder.reader()
            .limits(new ImageFolder.Limits(4, 1 << 20, 1 << 20, 100)).list(archive)));
    // Rewrite the central directory's uncompressed size of cat/a.png to 10 bytes: the listing
    // trusts it for maxTotalBytes, so reading must not return more.
    byte[] bytes = Files.readAllBytes(archive);
    ByteBuffer b = ByteBuffer.wrap(bytes).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i + 46 < bytes.length; i++) {
      if (b.getInt(i) == 0x02014b50 && new String(bytes, i + 46, 9).equals("cat/a.png")) {
        b.putInt(i + 24, 10);
      }
    }
    Files.write(archive, bytes);
    ImageFiles files = ImageFolder.reader().list(archive);
    assertEquals("zip entry DIR/many.zip!/cat/a.png holds more bytes than the 10 its header "
        + "declares; the archive is corrupt: rebuild it", error(() -> files.decode(0)));
  }

  @Test
  void aSymbolicLinkInAZipIsNeverFollowed() throws IOException {
    // A link stored by "zip --symlinks": the entry's bytes are the target path and the central
    // directory marks it as a Unix link (mode 0120777). Entries are read as stored bytes and never
    // extracted, so the target is not opened: the entry is just a file that is not an image.
    Path target = write("outside.png", image(2, 2, 0, "png"));
    Path archive = dir.resolve("link.zip");
    try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(archive))) {
      zip.putNextEntry(new ZipEntry("cat/a.png"));
      zip.write(target.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
      zip.closeEntry();
    }
    byte[] bytes = Files.readAllBytes(archive);
    ByteBuffer b = ByteBuffer.wrap(bytes).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i + 46 < bytes.length; i++) {
      if (b.getInt(i) == 0x02014b50) {
        b.putShort(i + 4, (short) (3 << 8 | 20)); // made by Unix
        b.putInt(i + 38, 0120777 << 16);
      }
    }
    Files.write(archive, bytes);
    assertEquals("image DIR/link.zip!/cat/a.png is not a PNG, JPEG, GIF or BMP image (its first "
        + "bytes match no image format); remove the file or convert it to PNG or JPEG",
        error(() -> ImageFolder.reader().read(archive)));
  }

  @Test
  void refusesZipEntriesThatWouldEscapeAFolder() throws IOException {
    for (String bad : List.of("cat/../../evil.png", "/etc/cat/x.png", "..\\evil.png")) {
      Path archive = zip("slip.zip", "cat/a.png", bad);
      assertEquals("zip archive DIR/slip.zip holds the entry '" + bad + "', an absolute path or "
          + "one with '..'; such entries could write outside a folder when extracted and are "
          + "refused: rebuild the archive from the class folders",
          error(() -> ImageFolder.reader().list(archive)));
    }
    Path notZip = write("fake.zip", "not a zip".getBytes());
    assertTrue(error(() -> ImageFolder.reader().list(notZip))
        .startsWith("cannot read zip archive DIR/fake.zip ("));
  }
}
