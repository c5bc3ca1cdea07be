package ai.lepton.server.datasets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.lepton.api.DatasetFormat;
import ai.lepton.api.ErrorCode;
import ai.lepton.server.http.ApiException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Hostile uploads: each is refused quickly with the documented code and a message saying where
 * and what to fix, in a JVM with a small heap (the hostile-small-heap execution, -Xmx256m), so that
 * allocating from a declared size would fail the run.
 */
class ProfilerHostileTest {
  private static final Duration QUICKLY = Duration.ofSeconds(20);

  @TempDir Path dir;
  private final Profiler profiler = new Profiler(ProfileLimits.DEFAULT);

  private ApiException refused(Profiler p, Path file, DatasetFormat format, ErrorCode code,
      String fragment) {
    ApiException e = assertTimeoutPreemptively(QUICKLY,
        () -> assertThrows(ApiException.class, () -> p.profile(file, format, "upload", null)));
    assertEquals(code, e.code(), e.getMessage());
    assertTrue(e.getMessage().contains(fragment), e.getMessage());
    assertTrue(!e.getMessage().contains(dir.toString()), "the message must not show the server's "
        + "path: " + e.getMessage());
    return e;
  }

  private ApiException refused(Path file, DatasetFormat format, ErrorCode code, String fragment) {
    return refused(profiler, file, format, code, fragment);
  }

  private Path write(String content) throws IOException {
    return Files.writeString(dir.resolve("upload"), content);
  }

  @Test
  void profilesAFileWhoseCellsWouldNotFitTheHeapAsStrings() throws IOException {
    // 1.5 million rows, 4.5 million cells: held as Strings (about 56 bytes each) they would take
    // more than this JVM's 256 MiB; streamed, only counters and distinct values are held.
    Path file = dir.resolve("big.csv");
    try (var out = Files.newBufferedWriter(file)) {
      out.write("n,city,flag\n");
      for (int i = 0; i < 1_500_000; i++) {
        out.write(i + ",c" + i % 50 + "," + (i % 2 == 0) + "\n");
      }
    }
    var p = assertTimeoutPreemptively(Duration.ofSeconds(120),
        () -> profiler.profile(file, DatasetFormat.CSV, "big.csv", "city"));
    assertEquals(1_500_000, p.rows());
    assertEquals(749_999.5, p.columns().get(0).mean(), 1e-6);
    assertEquals(50, p.classBalance().size());
    assertEquals(30_000, p.classBalance().get(0).count());
  }

  @Test
  void refusesAnUnbalancedQuote() throws IOException {
    refused(write("a,b\n1,\"open\n2,3\n"), DatasetFormat.CSV, ErrorCode.UNPROCESSABLE,
        "upload line 2: unterminated quote");
  }

  @Test
  void refusesRaggedRows() throws IOException {
    refused(write("a,b\n1,2\n3\n"), DatasetFormat.CSV, ErrorCode.UNPROCESSABLE,
        "upload line 3: expected 2 fields as in the first row, received 1");
  }

  @Test
  void refusesInvalidUtf8() throws IOException {
    byte[] csv = "a,b\n1,\u00e9\n".getBytes(StandardCharsets.ISO_8859_1);
    refused(Files.write(dir.resolve("csv"), csv), DatasetFormat.CSV, ErrorCode.UNPROCESSABLE,
        "is not valid UTF-8; save it as UTF-8");
    byte[] text = "fine\ncaf\u00e9\n".getBytes(StandardCharsets.ISO_8859_1);
    refused(Files.write(dir.resolve("text"), text), DatasetFormat.TEXT, ErrorCode.UNPROCESSABLE,
        "upload line 2: not valid UTF-8");
  }

  @Test
  void refusesDeepJson() throws IOException {
    refused(write("{\"a\": " + "[".repeat(10_000) + "\n"), DatasetFormat.JSONL,
        ErrorCode.UNPROCESSABLE, "upload line 1");
  }

  @Test
  void refusesNestedJsonValues() throws IOException {
    refused(write("{\"a\": 1}\n{\"a\": {\"b\": 2}}\n"), DatasetFormat.JSONL,
        ErrorCode.UNPROCESSABLE, "upload line 2, field 'a': expected a string, number or boolean");
  }

  @Test
  void refusesRowsColumnsAndLinesOverTheLimits() throws IOException {
    Profiler small = new Profiler(new ProfileLimits(3, 4, 10, 100, 100, 10, 1000));
    refused(small, write("a\n1\n2\n3\n4\n"), DatasetFormat.CSV, ErrorCode.PAYLOAD_TOO_LARGE,
        "upload line 5: more than 3 rows");
    refused(small, write("a,b,c,d,e\n1,2,3,4,5\n"), DatasetFormat.CSV,
        ErrorCode.PAYLOAD_TOO_LARGE, "more than 4 columns; check the delimiter");
    refused(small, write("a\n" + "x".repeat(200) + "\n"), DatasetFormat.CSV,
        ErrorCode.PAYLOAD_TOO_LARGE, "upload line 2: longer than 100 characters");
    refused(small, write("ok\n" + "x".repeat(200) + "\n"), DatasetFormat.TEXT,
        ErrorCode.PAYLOAD_TOO_LARGE, "upload line 2: longer than 100 characters");
  }

  @Test
  void refusesAZipWithTooManyEntries() throws IOException {
    Map<String, byte[]> entries = new LinkedHashMap<>();
    for (int i = 0; i < 11; i++) {
      entries.put("cat/" + i + ".png", new byte[0]);
    }
    Profiler small = new Profiler(new ProfileLimits(100, 10, 10, 100, 100, 10, 1 << 20));
    refused(small, TestFiles.zip(dir.resolve("zip"), entries), DatasetFormat.IMAGE_ZIP,
        ErrorCode.PAYLOAD_TOO_LARGE, "upload holds more than 10 zip entries, over the limit");
  }

  @Test
  void refusesAZipBombByExpandedSize() throws IOException {
    // 64 MiB of zeros deflate to about 64 KiB; the limit is 16 MiB
    Path bomb = TestFiles.zip(dir.resolve("bomb"), Map.of("cat/zeros.png", new byte[64 << 20]));
    assertTrue(Files.size(bomb) < 1 << 20);
    Profiler limited = new Profiler(new ProfileLimits(100, 10, 10, 100, 100, 10, 16 << 20));
    refused(limited, bomb, DatasetFormat.IMAGE_ZIP, ErrorCode.PAYLOAD_TOO_LARGE,
        "upload expands to more than 16777216 bytes (reached at entry 'cat/zeros.png')");
  }

  @Test
  void refusesAStoredZipEntryWhoseSizesFollowItsDataWithAFix() throws IOException {
    // A STORED entry flagged to carry a data descriptor (bit 3): a zip stream cannot delimit it
    java.io.ByteArrayOutputStream stored = new java.io.ByteArrayOutputStream();
    byte[] png = TestFiles.png(2, 2, true);
    try (java.util.zip.ZipOutputStream zip = new java.util.zip.ZipOutputStream(stored)) {
      java.util.zip.ZipEntry entry = new java.util.zip.ZipEntry("cat/a.png");
      entry.setMethod(java.util.zip.ZipEntry.STORED);
      entry.setSize(png.length);
      java.util.zip.CRC32 crc = new java.util.zip.CRC32();
      crc.update(png);
      entry.setCrc(crc.getValue());
      zip.putNextEntry(entry);
      zip.write(png);
      zip.closeEntry();
    }
    byte[] bytes = stored.toByteArray();
    bytes[6] |= 0x08; // the local header's general purpose flags
    refused(Files.write(dir.resolve("stored"), bytes), DatasetFormat.IMAGE_ZIP,
        ErrorCode.UNPROCESSABLE, "upload holds a STORED (uncompressed) entry whose sizes follow "
            + "its data, which cannot be read as the zip streams from its encrypted blob; re-zip "
            + "it with deflate compression");
  }

  @ParameterizedTest
  @ValueSource(strings = {"../x.png", "/abs/x.png", "cat/../../x.png", "a\\b.png",
      "cat\\..\\x.png", "cat/%2e%2e/x.png", "%2e%2e/x.png", "cat/\u2024\u2024/x.png",
      "cat/\uFF0E\uFF0E/x.png", "cat\uFF0Fx.png", "cat/\u3002\u3002/x.png", "C:/x.png",
      "cat/./x.png", "cat/\u0001.png"})
  void refusesZipEntriesThatCouldEscapeAFolder(String name) throws IOException {
    Map<String, byte[]> entries = new LinkedHashMap<>();
    entries.put("cat/ok.png", TestFiles.png(2, 2, true));
    entries.put(name, TestFiles.png(2, 2, true));
    refused(TestFiles.zip(dir.resolve("zip"), entries), DatasetFormat.IMAGE_ZIP,
        ErrorCode.UNPROCESSABLE, "holds the zip entry '");
  }

  @Test
  void refusesAnImageDeclaringAHugePixelCount() throws IOException {
    Path zip = TestFiles.zip(dir.resolve("zip"),
        Map.of("cat/bomb.png", TestFiles.pngDeclaring(100_000, 100_000)));
    refused(zip, DatasetFormat.IMAGE_ZIP, ErrorCode.PAYLOAD_TOO_LARGE,
        "upload entry 'cat/bomb.png' declares 100000 x 100000 = 10000000000 pixels, over the "
            + "limit of 40000000");
  }

  @Test
  void refusesAnImageThatIsNotOne() throws IOException {
    Path zip = TestFiles.zip(dir.resolve("zip"), Map.of("cat/fake.png", new byte[] {1, 2, 3}));
    refused(zip, DatasetFormat.IMAGE_ZIP, ErrorCode.UNPROCESSABLE,
        "upload entry 'cat/fake.png' is not a PNG, JPEG, GIF or BMP image");
  }

  @Test
  void profilesAnIdxFileWhoseValuesWouldNotFitTheHeapAsFloats() throws IOException {
    // 125 million values: 500 MB as floats, twice this JVM's heap; streamed, a count per value.
    int[] shape = {50_000, 50, 50};
    Path file = dir.resolve("big-idx.gz");
    try (var out = new java.io.DataOutputStream(new java.util.zip.GZIPOutputStream(
        Files.newOutputStream(file), 1 << 16))) {
      out.writeInt(0x0803);
      for (int d : shape) {
        out.writeInt(d);
      }
      byte[] item = new byte[50 * 50];
      for (int i = 0; i < shape[0]; i++) {
        item[0] = (byte) (i % 256); // the first pixel of each item counts up
        out.write(item);
      }
    }
    var p = assertTimeoutPreemptively(QUICKLY,
        () -> profiler.profile(file, DatasetFormat.IDX, "big.gz", null));
    assertEquals(50_000, p.rows());
    assertEquals(java.util.List.of(50_000, 50, 50), p.idx().shape());
    assertEquals(0, p.idx().minValue());
    assertEquals(255, p.idx().maxValue());
    long sum = 0;
    for (int i = 0; i < shape[0]; i++) {
      sum += i % 256;
    }
    assertEquals(sum / 125_000_000.0, p.idx().meanValue(), 1e-12);
    assertEquals(java.util.List.of("[50, 50]", "0.0"), p.preview().get(0));
    assertEquals(java.util.List.of("[50, 50]", "0.0"), p.preview().get(9)); // 9 / 2500, rounded
  }

  @Test
  void refusesAnIdxHeaderDeclaringHugeDimensions() throws IOException {
    Path huge = TestFiles.idx(dir.resolve("huge"), new int[] {100_000, 100_000, 100_000},
        new byte[16], true);
    // Core's header check, its advice to code dropped
    assertEquals("IDX file upload declares shape [100000, 100000, 100000] = "
        + "1000000000000000 values, over the limit of " + (Integer.MAX_VALUE - 8) + "; split the "
        + "file", refused(huge, DatasetFormat.IDX, ErrorCode.PAYLOAD_TOO_LARGE, "").getMessage());
    Path lying = TestFiles.idx(dir.resolve("lying"), new int[] {10_000, 28, 28}, new byte[16],
        false);
    refused(lying, DatasetFormat.IDX, ErrorCode.UNPROCESSABLE, "it is truncated or corrupt");
  }
}
