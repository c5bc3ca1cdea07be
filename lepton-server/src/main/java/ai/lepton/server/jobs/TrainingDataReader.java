package ai.lepton.server.jobs;

import ai.lepton.LeptonException;
import ai.lepton.api.DatasetFormat;
import ai.lepton.api.ErrorCode;
import ai.lepton.data.Csv;
import ai.lepton.data.ImageFolder;
import ai.lepton.data.JsonLines;
import ai.lepton.data.Rows;
import ai.lepton.data.Table;
import ai.lepton.server.http.ApiException;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;
import java.util.zip.GZIPInputStream;

/**
 * Reads a {@link TrainingData} into memory as a training needs it: a tabular file into a
 * {@link Table}, images (an IDX pair or a zip of class folders) into pixel rows with their labels.
 * Everything is read from the streams, never from a plaintext file.
 */
final class TrainingDataReader {
  /** Images of a zip are decoded to this size, in gray, as Fashion-MNIST's. */
  static final int IMAGE_SIDE = 28;

  /** The tokens read as a missing value (besides an empty field or a JSON null). */
  static final List<String> MISSING = List.of("NA", "N/A", "NaN", "null");

  private TrainingDataReader() {}

  /**
   * Images as rows of pixels 0..255 with their labels.
   *
   * @param pixels {@code (samples, height * width * channels)} row-major, channels last, as
   *     unsigned bytes: a quarter of the memory of floats, and what IDX files hold
   * @param shape one image's {@code [height, width, channels]}
   * @param labels each sample's class, an index into {@code classes}
   * @param classes the class names
   */
  record Images(byte[] pixels, int[] shape, int[] labels, List<String> classes) {}

  /**
   * A CSV or JSON lines file as a table.
   *
   * @throws ApiException UNPROCESSABLE for another format, or a file Core cannot read
   */
  static Table table(TrainingData data) {
    // Two passes over the stream: the first finds the columns holding text, the second reads.
    Set<String> texts = new LinkedHashSet<>();
    Rows detect = new Rows() {
      private List<String> names;

      @Override
      public void columns(List<String> names) {
        this.names = names;
      }

      @Override
      public void row(long line, List<String> values) {
        for (int j = 0; j < values.size(); j++) {
          String v = values.get(j).strip();
          if (!v.isEmpty() && !MISSING.contains(v) && !texts.contains(names.get(j))
              && !isNumber(v)) {
            texts.add(names.get(j));
          }
        }
      }
    };
    String[] missing = MISSING.toArray(String[]::new);
    try {
      try (InputStream in = data.content().open()) {
        if (data.format() == DatasetFormat.CSV) {
          Csv.reader().forEachRow(in, data.fileName(), detect);
        } else {
          JsonLines.reader().forEachRow(in, data.fileName(), detect);
        }
      }
      String[] strings = texts.toArray(String[]::new);
      try (InputStream in = data.content().open()) {
        return data.format() == DatasetFormat.CSV
            ? Csv.reader().strings(strings).missing(missing).read(in, data.fileName())
            : JsonLines.reader().strings(strings).missing(missing).read(in, data.fileName());
      }
    } catch (LeptonException e) {
      throw unprocessable("cannot read " + data.fileName() + ": " + e.getMessage());
    } catch (IOException e) {
      throw unprocessable("cannot read " + data.fileName() + " (" + e.getMessage() + "); check "
          + "that the dataset version's content is complete");
    }
  }

  /**
   * An IDX images file with its labels file, or a zip of image class folders (decoded to
   * {@value #IMAGE_SIDE} x {@value #IMAGE_SIDE} gray).
   *
   * @throws ApiException UNPROCESSABLE for a file Core cannot read, an IDX pair that does not
   *     match, or labels that are not classes
   */
  static Images images(TrainingData data) {
    try {
      if (data.format() == DatasetFormat.IMAGE_ZIP) {
        try (InputStream in = data.content().open()) {
          ImageFolder.Images read = ImageFolder.reader().size(IMAGE_SIDE, IMAGE_SIDE)
              .colorMode(ImageFolder.ColorMode.GRAYSCALE).read(in, data.fileName());
          // Resizing makes fractional values; rounded to whole ones, as a client sends pixels.
          float[] decoded = read.images().toFloatArray();
          byte[] pixels = new byte[decoded.length];
          for (int i = 0; i < decoded.length; i++) {
            pixels[i] = (byte) Math.max(0, Math.min(255, Math.round(decoded[i])));
          }
          return new Images(pixels, new int[] {IMAGE_SIDE, IMAGE_SIDE, 1}, read.labels(),
              read.classNames());
        }
      }
      if (data.labels() == null) {
        throw unprocessable("IDX file " + data.fileName() + " holds images without labels; "
            + "name the dataset of its labels file (such as train-labels-idx1-ubyte.gz) too");
      }
      Idx x = idx(data.content(), data.fileName());
      Idx y = idx(data.labels(), data.labelsName());
      int[] xs = x.shape();
      if (xs.length < 2 || xs.length > 4 || y.shape().length != 1) {
        throw unprocessable("IDX images must be [samples, rows, cols] (or with channels) and "
            + "labels [samples]; " + data.fileName() + " is " + java.util.Arrays.toString(xs)
            + " and " + data.labelsName() + " is " + java.util.Arrays.toString(y.shape()));
      }
      if (xs[0] != y.shape()[0]) {
        throw unprocessable(data.fileName() + " holds " + xs[0] + " images but "
            + data.labelsName() + " holds " + y.shape()[0] + " labels; name the labels of these "
            + "images");
      }
      int[] shape = new int[] {xs.length > 2 ? xs[1] : 1, xs.length > 2 ? xs[2] : xs[1],
          xs.length > 3 ? xs[3] : 1};
      byte[] raw = y.values();
      int[] labels = new int[raw.length];
      int classes = 0;
      for (int i = 0; i < raw.length; i++) {
        labels[i] = raw[i] & 0xff;
        classes = Math.max(classes, labels[i] + 1);
      }
      List<String> names = IntStream.range(0, classes).mapToObj(Integer::toString).toList();
      return new Images(x.values(), shape, labels, names);
    } catch (LeptonException e) {
      throw unprocessable(e.getMessage());
    } catch (IOException e) {
      throw unprocessable("cannot read " + data.fileName() + " (" + e.getMessage() + "); check "
          + "that the dataset version's content is complete");
    }
  }

  /**
   * An IDX file from a stream, gzip-compressed or not. The header is checked by Core before
   * anything is allocated; the values are read as they arrive, so a header that overstates them
   * allocates no more than the stream holds.
   */
  /** An IDX file's shape and its values, unsigned bytes. */
  private record Idx(int[] shape, byte[] values) {}

  private static Idx idx(TrainingData.Content content, String name) throws IOException {
    long heapValues = Runtime.getRuntime().maxMemory() / 2 / 5; // a byte, later a float each
    try (InputStream raw = new BufferedInputStream(content.open(), 1 << 16)) {
      raw.mark(2);
      boolean gzip = raw.read() == 0x1f && raw.read() == 0x8b;
      raw.reset();
      DataInputStream in = new DataInputStream(gzip
          ? new BufferedInputStream(new GZIPInputStream(raw, 1 << 16), 1 << 16) : raw);
      int[] shape = ai.lepton.data.Idx.header(in, name, Long.MAX_VALUE);
      double declared = 1; // exact enough to compare with a limit, and never overflows
      for (int d : shape) {
        declared *= d;
      }
      long limit = Math.min(ai.lepton.data.Idx.MAX_VALUES, heapValues);
      if (declared > limit) {
        throw unprocessable("IDX file " + name + " declares shape " + java.util.Arrays
            .toString(shape) + ", " + (long) declared + " values, more than the " + limit
            + " one training on this server holds (half its heap at a byte and a float a value);"
            + " train on a slice of the file, or give the server a larger heap (-Xmx)");
      }
      int count = (int) declared;
      byte[] bytes = in.readNBytes(count);
      if (bytes.length < count) {
        throw new EOFException();
      }
      return new Idx(shape, bytes);
    } catch (EOFException e) {
      throw unprocessable("IDX file " + name + " is truncated: it ends before the data its "
          + "header declares; upload it again");
    }
  }

  private static boolean isNumber(String v) {
    try {
      return Float.isFinite(Float.parseFloat(v));
    } catch (NumberFormatException e) {
      return false;
    }
  }

  static ApiException unprocessable(String message) {
    return new ApiException(ErrorCode.UNPROCESSABLE, message);
  }
}
