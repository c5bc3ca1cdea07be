package ai.lepton.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.lepton.LeptonAssertions;
import ai.lepton.LeptonException;
import ai.lepton.internal.Memory;
import java.awt.image.BufferedImage;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.io.Writer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.CRC32;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.GZIPOutputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every data reader against crafted hostile inputs: tiny files that declare huge sizes, bombs,
 * and oversized lines. Run by the surefire execution with {@code -Xmx256m}: each input must end in
 * a {@link LeptonException} that names the file and the limit, in well under a second of CPU
 * time, and never in an {@code OutOfMemoryError} (which {@code assertThrows} would report as a
 * failure).
 */
class DataReadersHostileTest {
  private static final int MAX_INT = Integer.MAX_VALUE;

  @TempDir Path dir;

  /** Loads ImageIO's and Jackson's classes first, so that the bound times the readers alone. */
  @BeforeAll
  static void warmUp() throws IOException {
    for (String format : new String[] {"png", "jpg", "gif", "bmp"}) {
      Pixels.decode(ImageFolderTest.image(1, 1, 0, format), "warm-up", 1, 1, 3, 1);
    }
    JsonLines.reader();
  }

  /**
   * The message of the error {@code read} ends in, quickly ({@link
   * LeptonAssertions#refusedQuickly}), with the temporary folder written as DIR.
   */
  private String refused(Executable read) {
    return LeptonAssertions.refusedQuickly(read).getMessage().replace(dir.toString(), "DIR");
  }

  private Path write(String relative, byte[] content) throws IOException {
    Path p = dir.resolve(relative);
    Files.createDirectories(p.getParent());
    return Files.write(p, content);
  }

  /** A file that declares {@code bytes} to the file system and holds none: sparse, instant. */
  private Path sparse(String relative, long bytes) throws IOException {
    Path p = dir.resolve(relative);
    Files.createDirectories(p.getParent());
    try (RandomAccessFile f = new RandomAccessFile(p.toFile(), "rw")) {
      f.setLength(bytes);
    }
    return p;
  }

  // ---- IDX ----

  private static byte[] idxHeader(int... shape) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    DataOutputStream out = new DataOutputStream(bytes);
    out.writeShort(0);
    out.writeByte(0x08);
    out.writeByte(shape.length);
    for (int d : shape) {
      out.writeInt(d);
    }
    return bytes.toByteArray();
  }

  /** A gzip file of the header followed by {@code zeros} zero bytes: a bomb when zeros is large. */
  private Path gzip(String name, byte[] header, long zeros) throws IOException {
    Path p = dir.resolve(name);
    try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(p), 1 << 16)) {
      out.write(header);
      byte[] chunk = new byte[1 << 20];
      for (long left = zeros; left > 0; left -= chunk.length) {
        out.write(chunk, 0, (int) Math.min(chunk.length, left));
      }
    }
    return p;
  }

  @Test
  void idxDeclaringMoreValuesThanTheLimitIsRefusedFromItsHeader() throws IOException {
    Path items = write("items.idx", idxHeader(MAX_INT));
    assertEquals("IDX file DIR/items.idx declares shape [2147483647] = 2147483647 values, over "
        + "the limit of 600000000; pass a higher maxValues to Idx.read(file, maxValues) if the "
        + "file is genuine, or split the file", refused(() -> Idx.read(items)));
    // Four dimensions of 2^31 - 1: the product is printed exactly, never overflowed.
    Path huge = write("huge.idx", idxHeader(MAX_INT, MAX_INT, MAX_INT, MAX_INT));
    assertEquals("IDX file DIR/huge.idx declares shape [2147483647, 2147483647, 2147483647, "
        + "2147483647] = 21267647892944572736998860269687930881 values, over the limit of "
        + "600000000; pass a higher maxValues to Idx.read(file, maxValues) if the file is genuine, "
        + "or split the file", refused(() -> Idx.read(huge)));
    Path negative = write("negative.idx", idxHeader(-1, 5));
    assertEquals("IDX file DIR/negative.idx declares shape [-1, 5], with a negative dimension; "
        + "the file is corrupt: download or copy it again", refused(() -> Idx.read(negative)));
  }

  @Test
  void idxDeclaringMoreThanTheFileHoldsIsRefusedBeforeAllocating() throws IOException {
    // 500 million values fit the value limit; the 12-byte file holds none of them.
    Path plain = write("short.idx", idxHeader(500_000_000));
    assertEquals("IDX file DIR/short.idx declares shape [500000000] = 500000000 values, "
        + "500000008 bytes with its header, but the file has 8 bytes: it is truncated or "
        + "corrupt; download or copy it again", refused(() -> Idx.read(plain)));
    Path gz = gzip("short.idx.gz", idxHeader(500_000_000), 3);
    assertEquals("IDX file DIR/short.idx.gz declares shape [500000000] = 500000000 values, "
        + "500000008 bytes with its header, but its gzip data expands to at most 11 bytes: it "
        + "is truncated or corrupt; download or copy it again", refused(() -> Idx.read(gz)));
    // The same 31-byte file with a forged trailer claiming 4 GiB - 1 expanded: bounded by what
    // 31 bytes of deflate can expand to, not by the trailer's word.
    byte[] forged = Files.readAllBytes(gz);
    java.util.Arrays.fill(forged, forged.length - 4, forged.length, (byte) 0xff);
    Path lying = write("lying.idx.gz", forged);
    assertEquals("IDX file DIR/lying.idx.gz declares shape [500000000] = 500000000 values, "
        + "500000008 bytes with its header, but its gzip data expands to at most "
        + forged.length * 1032L + " bytes: it is truncated or corrupt; download or copy it again",
        refused(() -> Idx.read(lying)));
  }

  @Test
  void idxGzipBombsAreBoundedByTheLimitAndTheHeap() throws IOException {
    // 40 million zero values compress to about 40 KB; as floats they need 160 MB, over the budget
    // of a 256 MB heap, and over a lower maxValues in any heap.
    int values = 40_000_000;
    Path bomb = gzip("bomb.idx.gz", idxHeader(values), values);
    assertEquals("IDX file DIR/bomb.idx.gz declares shape [40000000] = 40000000 values, over the "
        + "limit of 1000000; pass a higher maxValues to Idx.read(file, maxValues) if the file is "
        + "genuine, or split the file", refused(() -> Idx.read(bomb, 1_000_000)));
    assumeTrue(4L * values > Memory.budget()); // true in the -Xmx256m run
    assertEquals("IDX file DIR/bomb.idx.gz declares shape [40000000] = 40000000 values, which "
          + "as floats needs 160000000 bytes of memory, over the budget of " + Memory.budget()
        + " (half the maximum heap); read a smaller file, or give the JVM more heap with -Xmx",
        refused(() -> Idx.read(bomb)));
  }

  // ---- images ----

  /**
   * A 1 x 1 image of {@code format} whose header is rewritten to declare w x h pixels. The BMP is
   * 16-bit (BI_BITFIELDS): for 24-bit BI_RGB data the JDK's reader compares the declared size
   * with the file's itself, so a header alone would never reach our limit.
   */
  private static byte[] declaring(String format, int w, int h) throws IOException {
    byte[] bytes;
    if (format.equals("bmp")) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      assertTrue(ImageIO.write(new BufferedImage(1, 1, BufferedImage.TYPE_USHORT_565_RGB), "bmp",
          out));
      bytes = out.toByteArray();
    } else {
      bytes = ImageFolderTest.image(1, 1, 0, format);
    }
    ByteBuffer b = ByteBuffer.wrap(bytes);
    switch (format) {
      case "png" -> {
        b.putInt(16, w).putInt(20, h); // IHDR width and height, then its CRC
        CRC32 crc = new CRC32();
        crc.update(bytes, 12, 17);
        b.putInt(29, (int) crc.getValue());
      }
      case "bmp" -> b.order(ByteOrder.LITTLE_ENDIAN).putInt(18, w).putInt(22, h);
      case "gif" -> {
        b.order(ByteOrder.LITTLE_ENDIAN).putShort(6, (short) w).putShort(8, (short) h);
        int at = 13 + ((bytes[10] & 0x80) != 0 ? 3 << ((bytes[10] & 7) + 1) : 0);
        while (bytes[at] == 0x21) { // skip extensions: label, then sub-blocks up to a 0 size
          at += 2;
          while (bytes[at] != 0) {
            at += (bytes[at] & 0xff) + 1;
          }
          at++;
        }
        assertEquals(0x2c, bytes[at]); // the image descriptor: left, top, width, height
        b.putShort(at + 5, (short) w).putShort(at + 7, (short) h);
      }
      case "jpg" -> {
        int at = 2;
        while ((bytes[at + 1] & 0xff) != 0xc0) { // walk the markers up to the baseline frame
          at += 2 + (b.getShort(at + 2) & 0xffff);
        }
        b.putShort(at + 5, (short) h).putShort(at + 7, (short) w);
      }
      default -> throw new IllegalArgumentException(format);
    }
    return bytes;
  }

  @Test
  void imageHeadersDeclaringHugeImagesAreRefusedBeforeDecoding() throws IOException {
    long limit = ImageFolder.Limits.DEFAULT.maxPixels();
    // 65500 x 65500: the largest JPEG the JDK's reader accepts; GIF allows 65535 x 65535.
    for (String format : new String[] {"png", "gif", "jpg"}) {
      write("bomb-" + format + "/a/big." + format, declaring(format, 65500, 65500));
      assertEquals("image DIR/bomb-" + format + "/a/big." + format + " declares 65500 x 65500 = "
          + "4290250000 pixels, over the limit of " + limit + "; shrink the image or raise "
          + "maxPixels in ImageFolder.Limits",
          refused(() -> ImageFolder.reader().read(dir.resolve("bomb-" + format))));
    }
    write("wide/a/wide.bmp", declaring("bmp", MAX_INT, 1));
    assertEquals("image DIR/wide/a/wide.bmp declares 2147483647 x 1 = 2147483647 pixels, over the "
        + "limit of " + limit + "; shrink the image or raise maxPixels in ImageFolder.Limits",
        refused(() -> ImageFolder.reader().read(dir.resolve("wide"))));
    write("square/a/big.bmp", declaring("bmp", 46_000, 46_000));
    assertEquals("image DIR/square/a/big.bmp declares 46000 x 46000 = 2116000000 pixels, over the "
        + "limit of " + limit + "; shrink the image or raise maxPixels in ImageFolder.Limits",
        refused(() -> ImageFolder.reader().read(dir.resolve("square"))));
    // Over 2^31 pixels the JDK's BMP reader itself refuses the header (its sample model cannot
    // describe the image), so the error is its own.
    write("bomb-bmp/a/big.bmp", declaring("bmp", 65535, 65535));
    assertEquals("image DIR/bomb-bmp/a/big.bmp cannot be decoded (javax.imageio.IIOException: "
        + "Unable to read the image header.); the file is truncated or corrupt: replace or remove "
        + "it", refused(() -> ImageFolder.reader().read(dir.resolve("bomb-bmp"))));
  }

  @Test
  void aPngMetadataBombIsNeverInflated() throws IOException {
    // A 1 x 1 PNG with a zTXt text chunk that inflates to 300 MiB, more than the whole heap of the
    // hostile run: the decoder ignores metadata, so it reads the pixel and never the text.
    ByteArrayOutputStream text = new ByteArrayOutputStream();
    text.write("Comment\0\0".getBytes(StandardCharsets.ISO_8859_1)); // keyword, compression 0
    try (OutputStream deflate = new DeflaterOutputStream(text)) {
      byte[] chunk = new byte[1 << 20];
      for (int i = 0; i < 300; i++) {
        deflate.write(chunk);
      }
    }
    byte[] data = text.toByteArray();
    byte[] png = ImageFolderTest.image(1, 1, 0xff0000, "png");
    ByteArrayOutputStream bomb = new ByteArrayOutputStream();
    bomb.write(png, 0, 33); // the signature and IHDR
    DataOutputStream chunk = new DataOutputStream(bomb);
    chunk.writeInt(data.length);
    chunk.writeBytes("zTXt");
    chunk.write(data);
    CRC32 crc = new CRC32();
    crc.update("zTXt".getBytes(StandardCharsets.ISO_8859_1));
    crc.update(data);
    chunk.writeInt((int) crc.getValue());
    bomb.write(png, 33, png.length - 33);
    write("text/a/bomb.png", bomb.toByteArray());
    float[] red = LeptonAssertions.quickly(() -> ImageFolder.reader().size(1, 1).read(dir.resolve("text"))
        .images().toFloatArray());
    assertEquals(255, red[0]);
  }

  @Test
  void theDefaultPixelBudgetFitsTheHeapAndARaisedLimitStillMeetsIt() throws IOException {
    long limit = ImageFolder.Limits.DEFAULT.maxPixels();
    assertTrue(limit * Pixels.DECODE_BYTES_PER_PIXEL <= Memory.budget(), "default " + limit);
    write("raised/a/big.png", declaring("png", 20_000, 20_000));
    ImageFolder anyPixels = ImageFolder.reader()
        .limits(new ImageFolder.Limits(10, 1 << 20, 1 << 20, Long.MAX_VALUE));
    assumeTrue(20_000L * 20_000 * Pixels.DECODE_BYTES_PER_PIXEL > Memory.budget());
    assertEquals("image DIR/raised/a/big.png, 20000 x 20000 pixels, decoded needs 9600000000 "
        + "bytes of memory, over the budget of " + Memory.budget() + " (half the maximum heap); "
        + "shrink the image, or give the JVM more heap with -Xmx",
        refused(() -> anyPixels.read(dir.resolve("raised"))));
  }

  @Test
  void decodingMoreImagesThanTheHeapHoldsIsRefusedBeforeAllocating() throws IOException {
    write("many/a/1.png", ImageFolderTest.image(1, 1, 0, "png"));
    ImageFiles files = ImageFolder.reader().size(4096, 4096).list(dir.resolve("many"));
    int[] repeated = new int[16]; // 16 x 4096 x 4096 x 3 floats: 3 GiB
    assumeTrue(3L << 30 > Memory.budget());
    assertEquals("decoding 16 images of 4096 x 4096 x 3 floats needs 3221225472 bytes of memory, "
        + "over the budget of " + Memory.budget() + " (half the maximum heap); decode fewer at a "
        + "time, e.g. through a Dataset, or give the JVM more heap with -Xmx",
        refused(() -> files.decode(repeated)));
  }

  /** A zip of one entry {@code name} holding {@code zeros} zero bytes (deflated: a bomb). */
  private Path zipOfZeros(String archive, String name, long zeros) throws IOException {
    Path p = dir.resolve(archive);
    try (ZipOutputStream zip = new ZipOutputStream(
        new BufferedOutputStream(Files.newOutputStream(p)))) {
      zip.putNextEntry(new ZipEntry(name));
      byte[] chunk = new byte[1 << 20];
      for (long left = zeros; left > 0; left -= chunk.length) {
        zip.write(chunk, 0, (int) Math.min(chunk.length, left));
      }
      zip.closeEntry();
    }
    return p;
  }

  @Test
  void zipBombsAreRefusedFromTheirDeclaredSizeOrStoppedAtIt() throws IOException {
    // 80 MiB of zeros deflate to about 80 KB; the central directory declares the real size.
    Path bomb = zipOfZeros("bomb.zip", "cat/a.png", 80L << 20);
    assertEquals("image DIR/bomb.zip!/cat/a.png has 83886080 bytes, over the limit of 67108864; "
        + "raise maxFileBytes in ImageFolder.Limits or shrink the file",
        refused(() -> ImageFolder.reader().list(bomb)));
    // The same bomb whose central directory understates it as 10 bytes inflates only 11.
    byte[] bytes = Files.readAllBytes(bomb);
    ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = bytes.length - 46; i >= 0; i--) {
      if (b.getInt(i) == 0x02014b50) {
        b.putInt(i + 24, 10); // uncompressed size
      }
    }
    Path liar = Files.write(dir.resolve("liar.zip"), bytes);
    ImageFiles files = ImageFolder.reader().list(liar);
    assertEquals("zip entry DIR/liar.zip!/cat/a.png holds more bytes than the 10 its header "
        + "declares; the archive is corrupt: rebuild it", refused(() -> files.decode(0)));
  }

  @Test
  void zipsWithThousandsOfEntriesLongNamesOrTraversalAreRefused() throws IOException {
    Path many = dir.resolve("many.zip");
    try (ZipOutputStream zip = new ZipOutputStream(
        new BufferedOutputStream(Files.newOutputStream(many)))) {
      for (int i = 0; i < 5000; i++) {
        zip.putNextEntry(new ZipEntry("cat/" + i + ".png"));
        zip.closeEntry();
      }
    }
    assertEquals("zip archive DIR/many.zip holds more than 1000 entries; raise maxFiles in "
        + "ImageFolder.Limits", refused(() -> ImageFolder.reader()
            .limits(new ImageFolder.Limits(1000, 1 << 20, 1 << 30, 100)).list(many)));
    String longName = "cat/" + "a".repeat(5000) + ".png";
    Path named = zipOfZeros("named.zip", longName, 1);
    assertEquals("zip archive DIR/named.zip holds an entry name of 5008 characters, over the "
        + "limit of 4096 ('" + longName.substring(0, 80) + "...'); rebuild the archive with "
        + "shorter names", refused(() -> ImageFolder.reader().list(named)));
    Path slip = zipOfZeros("slip.zip", "cat/../../../etc/evil.png", 1);
    assertEquals("zip archive DIR/slip.zip holds the entry 'cat/../../../etc/evil.png', an "
        + "absolute path or one with '..'; such entries could write outside a folder when "
        + "extracted and are refused: rebuild the archive from the class folders",
        refused(() -> ImageFolder.reader().list(slip)));
  }

  @Test
  void folderFilesDeclaringMoreThanTheLimitAreRefusedBeforeReading() throws IOException {
    sparse("images/cat/huge.png", 1L << 40); // a terabyte, as the file system reports it
    assertEquals("image DIR/images/cat/huge.png has 1099511627776 bytes, over the limit of "
        + "67108864; raise maxFileBytes in ImageFolder.Limits or shrink the file",
        refused(() -> ImageFolder.reader().list(dir.resolve("images"))));
    sparse("texts/pos/huge.txt", 1L << 40);
    assertEquals("text file DIR/texts/pos/huge.txt has 1099511627776 bytes, over the limit of "
        + "16777216; raise maxFileBytes in TextFolder.Limits or shorten it",
        refused(() -> TextFolder.read(dir.resolve("texts"))));
  }

  // ---- CSV and JSON lines ----

  /** A file of {@code repeat} copies of {@code unit} between {@code head} and {@code tail}. */
  private Path text(String name, String head, String unit, int repeat, String tail)
      throws IOException {
    Path p = dir.resolve(name);
    try (Writer out = Files.newBufferedWriter(p, StandardCharsets.UTF_8)) {
      out.write(head);
      for (int i = 0; i < repeat; i++) {
        out.write(unit);
      }
      out.write(tail);
    }
    return p;
  }

  @Test
  void csvLinesOfTensOfMegabytesAndTooManyColumnsOrRowsAreRefused() throws IOException {
    Path longLine = text("long.csv", "a\n", "x".repeat(1 << 20), 30, "\n");
    assertEquals("DIR/long.csv line 2: longer than 1048576 characters; raise maxLineChars in "
        + "ReadLimits or check for an unterminated quote", refused(() -> Csv.reader()
            .strings("a").read(longLine)));
    Path openQuote = text("quote.csv", "a\n\"", "x\n".repeat(1 << 19), 30, "");
    assertEquals("DIR/quote.csv line 2: longer than 1048576 characters; raise maxLineChars in "
        + "ReadLimits or check for an unterminated quote", refused(() -> Csv.reader()
            .strings("a").read(openQuote)));
    Path wide = text("wide.csv", "", "1,", 20_000, "1\n");
    assertEquals("DIR/wide.csv line 1: more than 10000 columns; raise maxColumns in ReadLimits "
        + "or check the delimiter", refused(() -> Csv.reader().read(wide)));
    Path tall = text("tall.csv", "a\n", "1\n", 5000, "");
    assertEquals("DIR/tall.csv line 1002: more than 1000 rows; raise maxRows in ReadLimits or "
        + "split the file", refused(() -> Csv.reader()
            .limits(new ReadLimits(1 << 20, 100, 10, 1000)).read(tall)));
    Path big = sparse("big.csv", 3L << 30);
    assertEquals("CSV file DIR/big.csv has 3221225472 bytes, over the limit of 2147483648; raise "
        + "maxFileBytes in ReadLimits or split the file", refused(() -> Csv.reader().read(big)));
  }

  @Test
  void aTableOfShortTextsIsRefusedWhenItOutgrowsTheHeap() throws IOException {
    // One-character fields take 2 bytes in the file and about 60 as Strings: a file of a 30th of
    // the heap budget would fill it. The reader counts what it holds and stops at the budget.
    assumeTrue(Memory.budget() <= 256L << 20, "the file grows with the heap: run with -Xmx256m");
    int rows = (int) (Memory.budget() / 100);
    Path texts = text("texts.csv", "a,b\n", "x,y\n", rows, "");
    String message = refused(() -> Csv.reader().strings("a", "b").read(texts));
    assertTrue(message.startsWith("DIR/texts.csv line "), message);
    assertTrue(message.endsWith(" bytes of memory, over the budget of " + Memory.budget()
        + " (half the maximum heap); read fewer rows or columns (ReadLimits), or give the JVM "
        + "more heap with -Xmx"), message);
  }

  @Test
  void jsonLinesNestedDeepOrTooWideOrTooLongAreRefused() throws IOException {
    Path deep = text("deep.jsonl", "{\"a\":", "[".repeat(100_000), 1, "\n");
    String nested = refused(() -> JsonLines.reader().read(deep));
    assertTrue(nested.startsWith("DIR/deep.jsonl line 1: over a JSON parser limit (Document "
        + "nesting depth (33) exceeds the maximum allowed (32"), nested);
    Path number = text("number.jsonl", "{\"a\":", "9".repeat(5000), 1, "}\n");
    assertTrue(refused(() -> JsonLines.reader().read(number))
        .startsWith("DIR/number.jsonl line 1: over a JSON parser limit (Number value length"));
    Path longLine = text("long.jsonl", "{\"a\":\"", "x".repeat(1 << 20), 30, "\"}\n");
    assertEquals("DIR/long.jsonl line 1: longer than 1048576 characters; raise maxLineChars in "
        + "ReadLimits", refused(() -> JsonLines.reader().read(longLine)));
    StringBuilder fields = new StringBuilder("{\"a\":1}\n{");
    for (int i = 0; i < 20_000; i++) {
      fields.append("\"f").append(i).append("\":1,");
    }
    fields.append("\"a\":2}\n");
    Path wide = write("wide.jsonl", fields.toString().getBytes(StandardCharsets.UTF_8));
    assertEquals("DIR/wide.jsonl line 2: 20001 fields, more than 10000 columns; pick fewer with "
        + "fields(...) or raise maxColumns in ReadLimits",
        refused(() -> JsonLines.reader().read(wide)));
    Path twice = write("twice.jsonl", "{\"a\":1,\"a\":2}\n".getBytes(StandardCharsets.UTF_8));
    assertTrue(refused(() -> JsonLines.reader().read(twice))
        .startsWith("DIR/twice.jsonl line 1: invalid JSON (Duplicate field 'a')"));
  }
}
