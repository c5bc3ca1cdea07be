package ai.lepton.server.jobs;

import ai.lepton.api.DatasetFormat;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.zip.GZIPInputStream;

/**
 * Real data for the training tests: slices of Debian's Fashion-MNIST, the fortunes texts as
 * JSON lines with their category, and small generated tables.
 */
final class TrainingDataFixtures {
  static final Path FASHION = Path.of("/usr/share/datasets/fashion-mnist");
  static final Path FORTUNES = Path.of("/usr/share/games/fortunes");
  static final List<String> FORTUNE_CATEGORIES = List.of("fortunes", "literature", "riddles");

  private TrainingDataFixtures() {}

  static TrainingData bytes(DatasetFormat format, String name, String text) {
    byte[] b = text.getBytes(StandardCharsets.UTF_8);
    return TrainingData.of(format, name, null, () -> new ByteArrayInputStream(b));
  }

  /**
   * The first {@code n} images and labels of a Fashion-MNIST file pair as IDX files in memory,
   * gzip-compressed as Debian ships them.
   */
  static TrainingData fashion(String prefix, int n) {
    byte[] images = gzipIdx(FASHION.resolve(prefix + "-images-idx3-ubyte.gz"), n);
    byte[] labels = gzipIdx(FASHION.resolve(prefix + "-labels-idx1-ubyte.gz"), n);
    return TrainingData.idx(prefix + "-images.gz", () -> new ByteArrayInputStream(images),
        prefix + "-labels.gz", () -> new ByteArrayInputStream(labels));
  }

  /** The first {@code n} samples of an IDX file, re-written with its header, gzip-compressed. */
  private static byte[] gzipIdx(Path file, int n) {
    try (DataInputStream in = new DataInputStream(new GZIPInputStream(
        Files.newInputStream(file)))) {
      int magic = in.readInt();
      int rank = magic & 0xff;
      int[] shape = new int[rank];
      int per = 1;
      for (int i = 0; i < rank; i++) {
        shape[i] = in.readInt();
        per *= i == 0 ? 1 : shape[i];
      }
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      try (DataOutputStream out = new DataOutputStream(
          new java.util.zip.GZIPOutputStream(bytes))) {
        out.writeInt(magic);
        out.writeInt(n);
        for (int i = 1; i < rank; i++) {
          out.writeInt(shape[i]);
        }
        out.write(in.readNBytes(n * per));
      }
      return bytes.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The fortunes as JSON lines {@code {"text": ..., "category": ...}}: one record per fortune of
   * each category file.
   */
  static String fortunesJsonl() {
    StringBuilder out = new StringBuilder();
    for (String category : FORTUNE_CATEGORIES) {
      for (String text : fortunes(category)) {
        out.append("{\"text\": \"").append(escape(text)).append("\", \"category\": \"")
            .append(category).append("\"}\n");
      }
    }
    return out.toString();
  }

  static List<String> fortunes(String category) {
    try {
      List<String> texts = new ArrayList<>();
      for (String text : Files.readString(FORTUNES.resolve(category)).split("\n%\n")) {
        if (!text.isBlank()) {
          texts.add(text.strip());
        }
      }
      return texts;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String escape(String s) {
    StringBuilder b = new StringBuilder();
    for (char c : s.toCharArray()) {
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\t' -> b.append("\\t");
        default -> {
          if (c < 0x20) {
            b.append(String.format("\\u%04x", (int) c));
          } else {
            b.append(c);
          }
        }
      }
    }
    return b.toString();
  }

  /**
   * An iris-like CSV: three species around different centers in four measurements, a few values
   * missing.
   */
  static String irisCsv(int perClass, long seed) {
    Random random = new Random(seed);
    String[] species = {"setosa", "versicolor", "virginica"};
    double[][] centers = {{5.0, 3.4, 1.5, 0.2}, {5.9, 2.8, 4.3, 1.3}, {6.6, 3.0, 5.6, 2.0}};
    StringBuilder csv = new StringBuilder("sepal_length,sepal_width,petal_length,petal_width,"
        + "species\n");
    for (int i = 0; i < perClass; i++) {
      for (int c = 0; c < 3; c++) {
        for (int j = 0; j < 4; j++) {
          boolean missing = random.nextInt(50) == 0;
          csv.append(missing ? "" : String.format("%.2f",
              centers[c][j] + random.nextGaussian() * 0.3)).append(',');
        }
        csv.append(species[c]).append('\n');
      }
    }
    return csv.toString();
  }

  /** y = 3a - 2b + 0.5c + 10 + noise, the columns on different scales. */
  static String regressionCsv(int rows, long seed) {
    Random random = new Random(seed);
    StringBuilder csv = new StringBuilder("a,b,c,y\n");
    for (int i = 0; i < rows; i++) {
      double a = random.nextGaussian();
      double b = random.nextGaussian() * 10 + 50;
      double c = random.nextDouble() * 4;
      double y = 3 * a - 0.2 * (b - 50) + 0.5 * c + 10 + random.nextGaussian() * 0.1;
      csv.append(String.format("%.4f,%.4f,%.4f,%.4f%n", a, b, c, y));
    }
    return csv.toString();
  }
}
