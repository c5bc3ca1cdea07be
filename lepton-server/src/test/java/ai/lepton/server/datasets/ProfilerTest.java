package ai.lepton.server.datasets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.lepton.api.ColumnProfile;
import ai.lepton.api.ColumnType;
import ai.lepton.api.DatasetFormat;
import ai.lepton.api.DatasetProfile;
import ai.lepton.api.ErrorCode;
import ai.lepton.api.ValueCount;
import ai.lepton.server.http.ApiException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProfilerTest {
  private static final Path FASHION = Path.of("/usr/share/datasets/fashion-mnist");

  @TempDir Path dir;
  private final Profiler profiler = new Profiler(ProfileLimits.DEFAULT);

  private Path write(String name, String content) throws IOException {
    return Files.writeString(dir.resolve(name), content);
  }

  private static ColumnProfile column(DatasetProfile p, String name) {
    return p.columns().stream().filter(c -> c.name().equals(name)).findFirst().orElseThrow();
  }

  private ApiException refused(Path file, DatasetFormat format) {
    return assertThrows(ApiException.class, () -> profiler.profile(file, format, "data", null));
  }

  @Test
  void profilesACsvWithNumbersCategoriesAndMissingValues() throws IOException {
    Path file = write("upload.tmp", """
        id,age,city,score,active
        1,30,Paris,1.5,true
        2,,Oslo,2.5,false
        3,40,Paris,NA,true
        4,50,Rome,3.5,
        5,20,Paris,4.5,TRUE
        """);
    DatasetProfile p = profiler.profile(file, DatasetFormat.CSV, "people.csv", "city");
    assertEquals(DatasetFormat.CSV, p.format());
    assertEquals(5, p.rows());
    assertEquals(List.of("id", "age", "city", "score", "active"),
        p.columns().stream().map(ColumnProfile::name).toList());

    ColumnProfile id = column(p, "id");
    assertEquals(ColumnType.INTEGER, id.type());
    assertFalse(id.nullable());
    assertEquals(3.0, id.mean(), 1e-12);
    assertEquals(Math.sqrt(2), id.std(), 1e-12);
    // 1..5 spans fewer than 20 values: one bin per integer, not 20 mostly empty ones
    assertEquals(List.of(1.0, 2.0, 3.0, 4.0, 5.0, 6.0), id.histogram().edges());
    assertEquals(List.of(1L, 1L, 1L, 1L, 1L), id.histogram().counts());

    ColumnProfile age = column(p, "age");
    assertEquals(ColumnType.INTEGER, age.type());
    assertTrue(age.nullable());
    assertEquals(4, age.count());
    assertEquals(1, age.missing());
    assertEquals(20.0, age.min());
    assertEquals(50.0, age.max());
    assertEquals(35.0, age.mean(), 1e-12);
    assertEquals(Math.sqrt(125), age.std(), 1e-12); // population std of 30, 40, 50, 20
    assertEquals(21, age.histogram().edges().size());
    assertEquals(20.0, age.histogram().edges().get(0));
    assertEquals(21.5, age.histogram().edges().get(1), 1e-12);
    assertEquals(50.0, age.histogram().edges().get(20));
    List<Long> bins = new ArrayList<>(java.util.Collections.nCopies(20, 0L));
    bins.set(0, 1L); // 20
    bins.set(6, 1L); // 30: (30 - 20) / 1.5 = 6.7
    bins.set(13, 1L); // 40: 13.3
    bins.set(19, 1L); // 50, the maximum, in the last bin
    assertEquals(bins, age.histogram().counts());

    ColumnProfile city = column(p, "city");
    assertEquals(ColumnType.CATEGORICAL, city.type());
    assertEquals(3, city.distinct());
    assertEquals(List.of(new ValueCount("Paris", 3), new ValueCount("Oslo", 1),
        new ValueCount("Rome", 1)), city.top());
    assertNull(city.histogram());
    assertEquals(city.top(), p.classBalance());
    assertEquals("city", p.labelColumn());

    ColumnProfile score = column(p, "score");
    assertEquals(ColumnType.NUMBER, score.type());
    assertEquals(1, score.missing()); // "NA"
    assertEquals(3.0, score.mean(), 1e-12);

    ColumnProfile active = column(p, "active");
    assertEquals(ColumnType.BOOLEAN, active.type());
    assertEquals(1, active.missing());

    assertEquals(5, p.preview().size());
    assertEquals(List.of("1", "30", "Paris", "1.5", "true"), p.preview().get(0));
    assertNull(p.text());
  }

  @Test
  void tellsCategoriesFromFreeText() throws IOException {
    StringBuilder csv = new StringBuilder("review,stars\n");
    for (int i = 0; i < 100; i++) {
      csv.append("review number ").append(i).append(" says something,").append(i % 5).append('\n');
    }
    DatasetProfile p = profiler.profile(write("reviews.csv", csv.toString()), null, "reviews",
        null);
    assertEquals(DatasetFormat.CSV, p.format()); // detected: a comma in the first line
    assertEquals(ColumnType.TEXT, column(p, "review").type());
    assertEquals(100, column(p, "review").distinct());
    assertEquals(ColumnType.INTEGER, column(p, "stars").type());
  }

  @Test
  void capsTheDistinctValuesTracked() throws IOException {
    StringBuilder csv = new StringBuilder("name\n");
    for (int i = 0; i < 50; i++) {
      csv.append("n").append(i).append('\n');
    }
    Profiler small = new Profiler(new ProfileLimits(100, 10, 20, 1000, 100, 10, 1000));
    ColumnProfile name = small.profile(write("names.csv", csv.toString()), DatasetFormat.CSV,
        "names", null).columns().get(0);
    assertEquals(20, name.distinct());
    assertTrue(name.distinctCapped());
    assertEquals(ColumnType.TEXT, name.type());
  }

  @Test
  void profilesJsonLines() throws IOException {
    Path file = write("rows.jsonl", """
        {"x": 1.5, "label": "cat", "ok": true, "note": null}
        {"x": -2, "label": "dog", "ok": false}

        {"x": 0.5, "label": "cat", "ok": true, "note": "hi"}
        """);
    DatasetProfile p = profiler.profile(file, null, "rows.jsonl", "label");
    assertEquals(DatasetFormat.JSONL, p.format());
    assertEquals(3, p.rows());
    ColumnProfile x = column(p, "x");
    assertEquals(ColumnType.NUMBER, x.type());
    assertEquals(0.0, x.mean(), 1e-12);
    assertEquals(-2.0, x.min());
    assertEquals(ColumnType.BOOLEAN, column(p, "ok").type());
    assertEquals(2, column(p, "note").missing());
    assertEquals(List.of(new ValueCount("cat", 2), new ValueCount("dog", 1)), p.classBalance());
    assertEquals(List.of("1.5", "cat", "true", ""), p.preview().get(0));
  }

  @Test
  void profilesText() throws IOException {
    Path file = write("corpus.txt", "The cat sat.\n\nThe dog, the cat!\r\nA bird\n");
    DatasetProfile p = profiler.profile(file, DatasetFormat.TEXT, "corpus.txt", null);
    assertEquals(3, p.rows());
    assertEquals(4, p.text().lines());
    assertEquals(1, p.text().blankLines());
    assertEquals(6, p.text().minLength());
    assertEquals(17, p.text().maxLength());
    assertEquals((12 + 17 + 6) / 3.0, p.text().meanLength(), 1e-12);
    assertEquals(9, p.text().words());
    assertEquals(6, p.text().vocabulary()); // the cat sat dog a bird
    assertFalse(p.text().vocabularyEstimated());
    assertEquals(List.of("The cat sat."), p.preview().get(0));
  }

  @Test
  void estimatesALargeVocabulary() throws IOException {
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < 5000; i++) {
      text.append("word").append(i).append(" common\n");
    }
    Profiler small = new Profiler(new ProfileLimits(100_000, 10, 256, 1000, 100, 10, 1000));
    DatasetProfile p = small.profile(write("words.txt", text.toString()), DatasetFormat.TEXT,
        "words.txt", null);
    assertTrue(p.text().vocabularyEstimated());
    assertEquals(5001, p.text().vocabulary(), 5001 * 0.25); // about 1/sqrt(256) = 6% error
  }

  @Test
  void profilesAZipOfImageClassFolders() throws IOException {
    Map<String, byte[]> entries = new LinkedHashMap<>();
    entries.put("cat/", new byte[0]);
    entries.put("cat/1.png", TestFiles.png(8, 6, true));
    entries.put("cat/2.png", TestFiles.png(10, 12, false));
    entries.put("dog/a/1.png", TestFiles.png(9, 7, false));
    entries.put("README.txt", "not an image".getBytes());
    // the upload path stores files without their extension
    Path file = TestFiles.zip(dir.resolve("upload.bin"), entries);
    DatasetProfile p = profiler.profile(file, DatasetFormat.IMAGE_ZIP, "pets.zip", null);
    assertEquals(3, p.rows());
    assertEquals(List.of("cat", "dog"), p.images().classes());
    assertEquals(List.of(new ValueCount("cat", 2), new ValueCount("dog", 1)), p.classBalance());
    assertEquals(8, p.images().minWidth());
    assertEquals(10, p.images().maxWidth());
    assertEquals(6, p.images().minHeight());
    assertEquals(12, p.images().maxHeight());
    assertEquals(List.of(1, 3), p.images().channels());
    assertEquals(List.of("cat/1.png", "cat"), p.preview().get(0));
    try (var left = Files.list(dir)) {
      assertEquals(List.of(file), left.toList()); // the link Core read through is gone
    }
  }

  @Test
  void profilesGzipIdxLabelsAndImages() throws IOException {
    Path labels = TestFiles.idx(dir.resolve("labels"), new int[] {6},
        new byte[] {0, 1, 1, 2, 2, 2}, true);
    DatasetProfile p = profiler.profile(labels, DatasetFormat.IDX, "labels.gz", null);
    assertEquals(6, p.rows());
    assertEquals(List.of(6), p.idx().shape());
    assertEquals(List.of(new ValueCount("2", 3), new ValueCount("1", 2), new ValueCount("0", 1)),
        p.classBalance());
    assertEquals(List.of("0"), p.preview().get(0));

    byte[] pixels = new byte[2 * 2 * 3];
    pixels[5] = (byte) 255;
    Path images = TestFiles.idx(dir.resolve("images"), new int[] {2, 2, 3}, pixels, false);
    DatasetProfile i = profiler.profile(images, null, "images", null);
    assertEquals(DatasetFormat.IDX, i.format());
    assertEquals(List.of(2, 2, 3), i.idx().shape());
    assertEquals(255, i.idx().maxValue());
    assertEquals(255 / 12.0, i.idx().meanValue(), 1e-12);
    assertEquals(List.of(), i.classBalance());
  }

  @Test
  void profilesFashionMnistFromDebian() {
    Path labels = FASHION.resolve("t10k-labels-idx1-ubyte.gz");
    Path images = FASHION.resolve("t10k-images-idx3-ubyte.gz");
    assumeTrue(Files.isReadable(labels) && Files.isReadable(images),
        "Debian's dataset-fashion-mnist is not installed (/usr/share/datasets/fashion-mnist)");
    DatasetProfile l = profiler.profile(labels, DatasetFormat.IDX, "t10k-labels", null);
    assertEquals(10_000, l.rows());
    assertEquals(10, l.classBalance().size());
    assertTrue(l.classBalance().stream().allMatch(c -> c.count() == 1000), l.classBalance()
        .toString());
    DatasetProfile i = profiler.profile(images, DatasetFormat.IDX, "t10k-images", null);
    assertEquals(List.of(10_000, 28, 28), i.idx().shape());
    assertEquals(0, i.idx().minValue());
    assertEquals(255, i.idx().maxValue());
    DatasetProfile both = profiler.profileIdx(images, labels, "t10k-images", "t10k-labels");
    assertEquals(10_000, both.rows());
    assertEquals(i.idx(), both.idx());
    assertEquals(l.classBalance(), both.classBalance());
  }

  @Test
  void refusesIdxImagesAndLabelsThatDisagree() throws IOException {
    Path images = TestFiles.idx(dir.resolve("images"), new int[] {3, 2, 2}, new byte[12], true);
    Path labels = TestFiles.idx(dir.resolve("labels"), new int[] {2}, new byte[] {0, 1}, true);
    ApiException e = assertThrows(ApiException.class,
        () -> profiler.profileIdx(images, labels, "images.gz", "labels.gz"));
    assertEquals(ErrorCode.UNPROCESSABLE, e.code());
    assertEquals("images.gz holds 3 samples but labels.gz holds 2 labels; upload the labels of "
        + "these images", e.getMessage());
    ApiException swapped = assertThrows(ApiException.class,
        () -> profiler.profileIdx(labels, images, "labels.gz", "images.gz"));
    assertTrue(swapped.getMessage().startsWith("images.gz has shape [3, 2, 2]; a labels file"),
        swapped.getMessage());
  }

  @Test
  void refusesContentThatContradictsTheDeclaredFormat() throws IOException {
    Path zip = TestFiles.zip(dir.resolve("a"), Map.of("cat/1.png", TestFiles.png(2, 2, true)));
    ApiException e = refused(zip, DatasetFormat.CSV);
    assertEquals(ErrorCode.UNPROCESSABLE, e.code());
    assertTrue(e.getMessage().contains("declared CSV but its content looks like a zip archive"),
        e.getMessage());
    assertTrue(e.getMessage().contains("declare format IMAGE_ZIP"), e.getMessage());

    ApiException csv = refused(write("b", "a,b\n1,2\n"), DatasetFormat.JSONL);
    assertTrue(csv.getMessage().contains("declared JSONL but its content looks like CSV"),
        csv.getMessage());
    assertEquals(ErrorCode.UNPROCESSABLE, refused(write("c", ""), null).code());
    ApiException binary = refused(Files.write(dir.resolve("d"), new byte[] {1, 0, 2}), null);
    assertTrue(binary.getMessage().contains("binary data of no supported format"),
        binary.getMessage());
  }

  @Test
  void refusesAnUnknownLabelColumn() throws IOException {
    ApiException e = assertThrows(ApiException.class, () -> profiler.profile(
        write("x.csv", "a,b\n1,2\n"), DatasetFormat.CSV, "x.csv", "target"));
    assertEquals(ErrorCode.UNPROCESSABLE, e.code());
    assertEquals("x.csv has no column 'target' to use as the label; its columns are [a, b]",
        e.getMessage());
  }
}
