package ai.lepton.server.datasets;

import ai.lepton.LeptonException;
import ai.lepton.api.ColumnProfile;
import ai.lepton.api.DatasetFormat;
import ai.lepton.api.DatasetProfile;
import ai.lepton.api.ErrorCode;
import ai.lepton.api.IdxProfile;
import ai.lepton.api.ImagesProfile;
import ai.lepton.api.TextProfile;
import ai.lepton.api.ValueCount;
import ai.lepton.data.Csv;
import ai.lepton.data.Idx;
import ai.lepton.data.ImageFolder;
import ai.lepton.data.JsonLines;
import ai.lepton.data.ReadLimits;
import ai.lepton.data.Rows;
import ai.lepton.preprocessing.Tokenizer;
import ai.lepton.server.http.ApiException;
import java.io.BufferedInputStream;
import java.io.BufferedReader;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;
import java.util.stream.IntStream;
import java.util.zip.ZipEntry;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;
import java.util.zip.ZipInputStream;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;

/**
 * Reads a dataset file whole, with Lepton Core's readers, and describes it as a
 * {@link DatasetProfile}: this both validates the upload (anything Core or the checks here refuse
 * answers 422, or 413 over a {@link ProfileLimits} limit, through {@link DatasetErrors}) and gives
 * its owner the schema, statistics and a preview.
 *
 * <p>The bytes come from a {@link Source}: a file, or an upload's blob decrypted as it is read,
 * so that an upload is checked without its plaintext on disk. A zip too is read as a stream, so
 * its central directory is never consulted: entries, and the bytes they inflate to, are counted
 * as they arrive.
 *
 * <p>Memory is bounded by the limits, never by the file: tabular files stream row by row twice
 * (types, counts, Welford mean and variance, min and max; then histograms), text streams line by
 * line, images are decoded one at a time, and an IDX file streams in constant memory (a count of
 * each byte value, the first items' means for the preview).
 */
final class Profiler {
  static final int PREVIEW_ROWS = 10;
  static final int PREVIEW_CHARS = 200;
  private static final List<String> IMAGE_FORMATS = List.of("png", "jpeg", "gif", "bmp");
  private static final List<String> IMAGE_EXTENSIONS =
      List.of(".png", ".jpg", ".jpeg", ".gif", ".bmp");
  /** The largest image file in a zip, as its entry declares and as Core reads it. */
  static final int MAX_IMAGE_BYTES = 64 << 20;
  /**
   * The most distinct values tracked over all columns of a tabular file: a wide file tracks fewer
   * per column than {@link ProfileLimits#maxDistinct}, so that tracking stays within tens of MiB.
   */
  static final int MAX_TRACKED_VALUES = 200_000;

  private final ProfileLimits limits;

  Profiler(ProfileLimits limits) {
    this.limits = limits;
  }

  ProfileLimits limits() {
    return limits;
  }

  /**
   * The bytes of a file to profile. A profile may read them more than once, each time from the
   * start.
   */
  @FunctionalInterface
  interface Source {
    /** The bytes from the start; the caller closes the stream. */
    InputStream open() throws IOException;

    /** The bytes of {@code file}. */
    static Source of(Path file) {
      return () -> Files.newInputStream(file);
    }
  }

  /** The format {@code source} is profiled as: see {@link Formats#detect}. */
  DatasetFormat format(Source source, DatasetFormat declared, String name) {
    byte[] head;
    try (InputStream in = source.open()) {
      head = in.readNBytes(Formats.HEAD_BYTES);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the start of " + name, e);
    }
    return Formats.detect(head, declared, name);
  }

  /**
   * Profiles {@code file}.
   *
   * @param declared the format the upload declared, or null to detect it from the content
   * @param name the file's name as its owner knows it, for messages
   * @param labelColumn the label or target column of a tabular file (its class balance is
   *     reported), or null
   * @throws ApiException UNPROCESSABLE for content that is not valid for
   *     the format, PAYLOAD_TOO_LARGE for content over a limit
   */
  DatasetProfile profile(Path file, DatasetFormat declared, String name, String labelColumn) {
    return profile(Source.of(file), declared, name, labelColumn);
  }

  /**
   * Profiles the bytes of {@code source}, as {@link #profile(Path, DatasetFormat, String, String)}
   * profiles a file.
   */
  DatasetProfile profile(Source source, DatasetFormat declared, String name,
      String labelColumn) {
    DatasetFormat format = format(source, declared, name);
    if (labelColumn != null && format != DatasetFormat.CSV && format != DatasetFormat.JSONL) {
      throw DatasetErrors.unprocessable("a label column is named only for CSV and JSON lines "
          + "files; " + name + " is " + format + ", whose classes come from its content: leave "
          + "the label column out");
    }
    try {
      return switch (format) {
        case CSV, JSONL -> tabular(source, format, name, labelColumn);
        case TEXT -> text(source, name);
        case IMAGE_ZIP -> images(source, name);
        case IDX -> idx(source, name);
      };
    } catch (LeptonException e) {
      throw DatasetErrors.fromCore(e, name);
    } catch (IOException e) {
      throw DatasetErrors.unprocessable(name + " cannot be read as " + format + " (" + e
          .getMessage() + "); check that the file is complete and of that format");
    }
  }

  /**
   * Profiles an IDX dataset given as its two files, MNIST style: the images' shape and values, the
   * labels' class balance and preview.
   *
   * @throws ApiException as {@link #profile}; UNPROCESSABLE also when the
   *     labels file is not one-dimensional or the two files hold different numbers of samples
   */
  DatasetProfile profileIdx(Path images, Path labels, String imagesName, String labelsName) {
    DatasetProfile x = profile(images, DatasetFormat.IDX, imagesName, null);
    DatasetProfile y = profile(labels, DatasetFormat.IDX, labelsName, null);
    if (y.idx().shape().size() != 1) {
      throw DatasetErrors.unprocessable(labelsName + " has shape " + y.idx().shape() + "; a "
          + "labels file holds one label per sample (shape [samples]): upload the labels file "
          + "there");
    }
    if (x.rows() != y.rows()) {
      throw DatasetErrors.unprocessable(imagesName + " holds " + x.rows() + " samples but "
          + labelsName + " holds " + y.rows() + " labels; upload the labels of these images");
    }
    return new DatasetProfile(DatasetFormat.IDX, x.rows(), List.of(), null, y.classBalance(),
        y.preview(), null, null, x.idx());
  }

  // ---- CSV and JSON lines -------------------------------------------------------------------

  /** Streams every row of a tabular file to {@code rows} with Core's reader. */
  private void forEachRow(Source source, DatasetFormat format, String name, Rows rows)
      throws IOException {
    ReadLimits read = new ReadLimits(Long.MAX_VALUE, limits.maxLineChars(), limits.maxColumns(),
        Integer.MAX_VALUE); // rows are counted in the profile, to answer 413
    try (InputStream in = source.open()) {
      if (format == DatasetFormat.CSV) {
        Csv.reader().limits(read).forEachRow(in, name, rows);
      } else {
        JsonLines.reader().limits(read).forEachRow(in, name, rows);
      }
    }
  }

  private DatasetProfile tabular(Source source, DatasetFormat format, String name,
      String labelColumn) throws IOException {
    List<ColumnStats> columns = new ArrayList<>();
    List<List<String>> preview = new ArrayList<>();
    long[] rows = new long[1];
    forEachRow(source, format, name, new Rows() {
      @Override
      public void columns(List<String> names) {
        int tracked = Math.min(limits.maxDistinct(),
            Math.max(ColumnStats.TOP_VALUES, MAX_TRACKED_VALUES / Math.max(1, names.size())));
        names.forEach(n -> columns.add(new ColumnStats(n, tracked)));
        if (labelColumn != null && !names.contains(labelColumn)) {
          throw DatasetErrors.unprocessable(name + " has no column '" + labelColumn
              + "' to use as the label; its columns are " + shorten(names.toString()));
        }
      }

      @Override
      public void row(long line, List<String> values) {
        if (++rows[0] > limits.maxRows()) {
          throw DatasetErrors.tooLarge(name + " line " + line + ": more than "
              + limits.maxRows() + " rows, the most a dataset file may hold here; split the file");
        }
        if (preview.size() < PREVIEW_ROWS) {
          preview.add(values.stream().map(Profiler::shorten).toList());
        }
        for (int c = 0; c < values.size(); c++) {
          columns.get(c).add(values.get(c));
        }
      }
    });
    if (rows[0] == 0) {
      throw DatasetErrors.unprocessable(name + " has a header but no rows; add at least one row");
    }
    if (columns.stream().anyMatch(ColumnStats::numeric)) {
      forEachRow(source, format, name, new Rows() {
        @Override
        public void columns(List<String> names) {}

        @Override
        public void row(long line, List<String> values) {
          for (int c = 0; c < values.size(); c++) {
            if (columns.get(c).numeric()) {
              columns.get(c).bin(values.get(c));
            }
          }
        }
      });
    }
    List<ValueCount> balance = List.of();
    if (labelColumn != null) {
      balance = columns.stream().filter(c -> c.name.equals(labelColumn)).findFirst().orElseThrow()
          .top(limits.maxDistinct());
    }
    List<ColumnProfile> profiles = columns.stream().map(ColumnStats::profile).toList();
    return new DatasetProfile(format, rows[0], profiles, labelColumn, balance, preview, null,
        null, null);
  }

  // ---- text -----------------------------------------------------------------------------------

  private DatasetProfile text(Source source, String name) throws IOException {
    Tokenizer tokenizer = new Tokenizer();
    Sketch vocabulary = new Sketch(Math.max(2, limits.maxDistinct()));
    List<List<String>> preview = new ArrayList<>();
    long lines = 0;
    long blank = 0;
    long words = 0;
    long chars = 0;
    int minLength = Integer.MAX_VALUE;
    int maxLength = 0;
    try (BufferedReader in = new BufferedReader(new InputStreamReader(source.open(),
        StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT)), 1 << 16)) {
      StringBuilder line = new StringBuilder();
      try {
        while (readLine(in, line, name, lines + 1)) {
          if (++lines > limits.maxRows()) {
            throw DatasetErrors.tooLarge(name + " line " + lines + ": more than "
                + limits.maxRows() + " lines, the most a dataset file may hold here; split the "
                + "file");
          }
          String text = line.toString();
          if (lines == 1 && text.startsWith("\uFEFF")) {
            text = text.substring(1); // a byte order mark
          }
          maxLength = Math.max(maxLength, text.length());
          if (text.isBlank()) {
            blank++;
            continue;
          }
          minLength = Math.min(minLength, text.length());
          chars += text.length();
          if (preview.size() < PREVIEW_ROWS) {
            preview.add(List.of(shorten(text)));
          }
          for (String word : tokenizer.words(text)) {
            words++;
            vocabulary.add(word);
          }
        }
      } catch (CharacterCodingException e) {
        throw DatasetErrors.unprocessable(name + " line " + invalidUtf8Line(source)
            + ": not valid UTF-8; save the file as UTF-8");
      }
    }
    long samples = lines - blank;
    if (samples == 0) {
      throw DatasetErrors.unprocessable(name + " holds no text, only blank lines; upload a file "
          + "with one sample per line");
    }
    TextProfile text = new TextProfile(lines, blank, minLength, maxLength,
        (double) chars / samples, words, vocabulary.count(), vocabulary.estimated());
    return new DatasetProfile(DatasetFormat.TEXT, samples, List.of(), null, List.of(), preview,
        text, null, null);
  }

  /**
   * The first line of {@code file} that is not valid UTF-8: the decoder reads ahead of the lines,
   * so after it failed the file is read again line by line (a line break byte never occurs inside
   * a UTF-8 sequence), holding one bounded line at a time.
   */
  private long invalidUtf8Line(Source source) throws IOException {
    var decoder = StandardCharsets.UTF_8.newDecoder();
    try (InputStream in = new java.io.BufferedInputStream(source.open(), 1 << 16)) {
      java.io.ByteArrayOutputStream line = new java.io.ByteArrayOutputStream();
      long number = 1;
      for (int b = in.read(); ; b = in.read()) {
        if (b == '\n' || b == -1) {
          try {
            decoder.decode(java.nio.ByteBuffer.wrap(line.toByteArray()));
          } catch (CharacterCodingException e) {
            return number;
          }
          if (b == -1) {
            return number;
          }
          line.reset();
          number++;
        } else if (line.size() <= 4L * limits.maxLineChars()) {
          line.write(b);
        }
      }
    }
  }

  /** One line without its break into {@code line}, refused over the limit; false at the end. */
  private boolean readLine(BufferedReader in, StringBuilder line, String name, long number)
      throws IOException {
    line.setLength(0);
    int c = in.read();
    if (c == -1) {
      return false;
    }
    for (; c != -1 && c != '\n'; c = in.read()) {
      if (c == '\r') {
        continue;
      }
      if (line.length() == limits.maxLineChars()) {
        throw DatasetErrors.tooLarge(name + " line " + number + ": longer than "
            + limits.maxLineChars() + " characters, the longest line allowed; split it");
      }
      line.append((char) c);
    }
    return true;
  }

  // ---- zip of image class folders -----------------------------------------------------------

  /**
   * Reads the zip as it streams, twice: first its entries (names, count, bytes as they inflate)
   * and each image's header, then Core decodes every image.
   */
  private DatasetProfile images(Source source, String name) throws IOException {
    TreeSet<String> first = new TreeSet<>(); // the first image entries by name, for the preview
    TreeSet<Integer> channels = new TreeSet<>();
    int[] size = {Integer.MAX_VALUE, 0, Integer.MAX_VALUE, 0}; // min/max width, min/max height
    try (InputStream raw = source.open()) {
      ZipInputStream zip = new ZipInputStream(new BufferedInputStream(raw, 1 << 16));
      Inflated data = new Inflated(zip, name);
      ApiException invalid = null;
      int entries = 0;
      for (ZipEntry entry = nextEntry(zip, name); entry != null; entry = nextEntry(zip, name)) {
        if (++entries > limits.maxZipEntries()) {
          throw DatasetErrors.tooLarge(name + " holds more than " + limits.maxZipEntries()
              + " zip entries, over the limit; upload fewer images per dataset");
        }
        checkEntryName(name, entry.getName());
        boolean image = !entry.isDirectory() && entry.getName().indexOf('/') > 0
            && isImage(entry.getName());
        data.entry(entry.getName(), image);
        if (image) {
          int[] header;
          try {
            header = header(data, entry, name);
          } catch (ApiException e) {
            if (e.code() != ErrorCode.UNPROCESSABLE) {
              throw e;
            }
            // The limits are checked over the whole zip first, as its size decides the answer
            // (413) whatever its first image holds; then the first image that is not one (422).
            invalid = invalid == null ? e : invalid;
            data.drain();
            continue;
          }
          size[0] = Math.min(size[0], header[0]);
          size[1] = Math.max(size[1], header[0]);
          size[2] = Math.min(size[2], header[1]);
          size[3] = Math.max(size[3], header[1]);
          channels.add(header[2]);
          first.add(entry.getName());
          if (first.size() > PREVIEW_ROWS) {
            first.pollLast();
          }
        }
        data.drain();
      }
      if (invalid != null) {
        throw invalid;
      }
    }
    // Core decodes every image again, checking entry names, sizes and pixels.
    ImageFolder.Images files;
    try (InputStream in = new BufferedInputStream(source.open(), 1 << 16)) {
      files = ImageFolder.reader().size(1, 1).limits(new ImageFolder.Limits(
          limits.maxZipEntries(), (int) Math.min(limits.maxExpandedBytes(), MAX_IMAGE_BYTES),
          limits.maxExpandedBytes(), limits.maxImagePixels())).read(in, name);
    }
    int[] labels = files.labels();
    long[] perClass = new long[files.classNames().size()];
    for (int label : labels) {
      perClass[label]++;
    }
    List<ValueCount> balance = IntStream.range(0, perClass.length)
        .mapToObj(i -> new ValueCount(files.classNames().get(i), perClass[i]))
        .sorted(Comparator.comparingLong(ValueCount::count).reversed()
            .thenComparing(ValueCount::value))
        .toList();
    List<List<String>> preview = first.stream()
        .map(e -> List.of(shorten(e), e.substring(0, e.indexOf('/')))).toList();
    ImagesProfile images = new ImagesProfile(files.classNames(), size[0], size[1], size[2],
        size[3], List.copyOf(channels));
    return new DatasetProfile(DatasetFormat.IMAGE_ZIP, labels.length, List.of(), null, balance,
        preview, null, images, null);
  }

  /** The next entry of a zip stream, or null at its end. */
  private static ZipEntry nextEntry(ZipInputStream zip, String name) throws IOException {
    try {
      return zip.getNextEntry();
    } catch (ZipException e) {
      if (String.valueOf(e.getMessage()).contains("EXT descriptor")) {
        throw DatasetErrors.unprocessable(name + " holds a STORED (uncompressed) entry whose "
            + "sizes follow its data, which cannot be read as the zip streams from its encrypted "
            + "blob; re-zip it with deflate compression (the default of zip and most archivers)");
      }
      throw e;
    }
  }

  /**
   * The current entry of a zip stream, counting the bytes that inflate as they are read (never
   * trusting a declared size): those of all entries against the expanded-size limit, an image's
   * against {@link #MAX_IMAGE_BYTES}. Closing it leaves the zip open for its next entry.
   */
  private final class Inflated extends FilterInputStream {
    private final String name;
    private final byte[] skipped = new byte[1 << 16];
    private String entry;
    private boolean image;
    private long expanded;
    private long entryBytes;

    Inflated(ZipInputStream zip, String name) {
      super(zip);
      this.name = name;
    }

    void entry(String entryName, boolean isImage) {
      entry = entryName;
      image = isImage;
      entryBytes = 0;
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n = in.read(b, off, len);
      if (n > 0 && (expanded += n) > limits.maxExpandedBytes()) {
        throw DatasetErrors.tooLarge(name + " expands to more than "
            + limits.maxExpandedBytes() + " bytes (reached at entry '" + shorten(entry)
            + "'), over the limit; upload fewer or smaller images");
      }
      if (n > 0 && image && (entryBytes += n) > MAX_IMAGE_BYTES) {
        throw DatasetErrors.tooLarge(name + " entry '" + shorten(entry) + "' holds more than "
            + MAX_IMAGE_BYTES + " bytes, over the limit of " + MAX_IMAGE_BYTES + " for one "
            + "image; shrink the image");
      }
      return n;
    }

    /** Reads the rest of the entry, counted. */
    void drain() throws IOException {
      while (read(skipped, 0, skipped.length) >= 0) {
        // counted by read
      }
    }

    @Override
    public long skip(long n) throws IOException {
      return Math.max(0, read(skipped, 0, (int) Math.min(n, skipped.length)));
    }

    @Override
    public boolean markSupported() {
      return false;
    }

    @Override
    public void close() {
      // the zip stays open for its next entry
    }
  }

  private static boolean isImage(String entry) {
    String lower = entry.toLowerCase(Locale.ROOT);
    return IMAGE_EXTENSIONS.stream().anyMatch(lower::endsWith);
  }

  /** Refuses an entry name that {@link SafeNames} finds unsafe. */
  private static void checkEntryName(String name, String entry) {
    String why = SafeNames.problem(entry, 1024);
    if (why != null) {
      throw DatasetErrors.unprocessable(name + " holds the zip entry '" + shorten(entry) + "', "
          + "whose name " + why + "; such names could reach outside a folder when extracted and "
          + "are refused: rebuild the archive from plain class folders (cat/1.png, dog/2.png)");
    }
  }

  /**
   * The width, height and channels an image entry declares in its header, read from the start of
   * the entry without decoding the pixels, refusing more pixels than the limit.
   */
  private int[] header(InputStream data, ZipEntry entry, String name) throws IOException {
    String where = name + " entry '" + shorten(entry.getName()) + "'";
    if (entry.getSize() > MAX_IMAGE_BYTES) { // when the local header declares it; Core counts
      throw DatasetErrors.tooLarge(where + " declares " + entry.getSize() + " bytes, over the "
          + "limit of " + MAX_IMAGE_BYTES + " for one image; shrink the image");
    }
    // Only the bytes the header needs are read here (and cached in memory, never on disk).
    try (ImageInputStream in = new MemoryCacheImageInputStream(data)) {
      ImageReader reader = reader(in);
      if (reader == null) {
        throw DatasetErrors.unprocessable(where + " is not a PNG, JPEG, GIF or BMP image; remove "
            + "it or convert it to PNG");
      }
      try {
        reader.setInput(in, true, true);
        long w = reader.getWidth(0);
        long h = reader.getHeight(0);
        if (w < 1 || h < 1) {
          throw DatasetErrors.unprocessable(where + " declares " + w + " x " + h + " pixels; the "
              + "image is corrupt: replace or remove it");
        }
        if (w * h > limits.maxImagePixels()) {
          throw DatasetErrors.tooLarge(where + " declares " + w + " x " + h + " = " + w * h
              + " pixels, over the limit of " + limits.maxImagePixels() + "; shrink the image");
        }
        ImageTypeSpecifier type = reader.getRawImageType(0);
        if (type == null) {
          Iterator<ImageTypeSpecifier> types = reader.getImageTypes(0);
          type = types.hasNext() ? types.next() : null;
        }
        int channels = type == null ? 0 : type.getColorModel().getNumComponents();
        return new int[] {(int) w, (int) h, channels};
      } finally {
        reader.dispose();
      }
    } catch (ApiException e) {
      throw e;
    } catch (IOException | RuntimeException e) { // ImageIO's failures on a corrupt header
      throw DatasetErrors.unprocessable(where + " cannot be read as an image (" + e.getMessage()
          + "); the file is truncated or corrupt: replace or remove it");
    }
  }

  private static ImageReader reader(ImageInputStream in) {
    for (Iterator<ImageReader> all = ImageIO.getImageReaders(in); all.hasNext(); ) {
      ImageReader reader = all.next();
      String[] formats = reader.getOriginatingProvider() == null ? new String[0]
          : reader.getOriginatingProvider().getFormatNames();
      if (Arrays.stream(formats).anyMatch(f -> IMAGE_FORMATS.contains(f.toLowerCase(Locale.ROOT)))) {
        return reader;
      }
      reader.dispose();
    }
    return null;
  }

  // ---- IDX ------------------------------------------------------------------------------------

  /**
   * Reads an IDX file (MNIST style, unsigned bytes, gzip-compressed or not) as it streams: its
   * header, then its values, counted by value (0-255) as they pass; minimum, maximum, mean and a
   * labels file's class balance follow from the counts, and the preview from the first items.
   * Memory is a few buffers whatever the file's size. The values it accepts are those Lepton
   * Core's {@code Idx.read} accepts (one tensor's worth at most), and its checks are Core's.
   */
  private DatasetProfile idx(Source source, String name) throws IOException {
    try (InputStream raw = new BufferedInputStream(source.open(), 1 << 16)) {
      raw.mark(2);
      boolean gzip = raw.read() == 0x1f && raw.read() == 0x8b;
      raw.reset();
      InputStream in = gzip ? new GZIPInputStream(raw, 1 << 16) : raw;
      return idx(new DataInputStream(in), name);
    }
  }

  private DatasetProfile idx(DataInputStream in, String name) throws IOException {
    int[] shape;
    try {
      shape = idxShape(in, name);
    } catch (EOFException e) {
      throw DatasetErrors.unprocessable("IDX file " + name + " ends inside its header: it is "
          + "truncated or corrupt; upload the whole file");
    }
    long values = 1;
    for (int d : shape) {
      values *= d; // exact: idxShape bounded the product
    }
    int per = shape[0] == 0 ? 0 : (int) (values / shape[0]);
    // Only the count of each value (0-255) is taken per value. Four interleaved counters, so that
    // runs of one value (the background of an image) do not make each increment wait for the one
    // before.
    long[][] counts = new long[4][256];
    double[] firstSums = new double[Math.min(PREVIEW_ROWS, shape[0])]; // (preview items)
    long previewValues = (long) firstSums.length * per;
    byte[] chunk = new byte[1 << 16];
    for (long filled = 0; filled < values; ) {
      int n = in.read(chunk, 0, (int) Math.min(chunk.length, values - filled));
      if (n < 0) {
        throw DatasetErrors.unprocessable("IDX file " + name + " declares shape "
            + Arrays.toString(shape) + " = " + values + " values, but its data ends after "
            + filled + ": it is truncated or corrupt; upload the whole file");
      }
      for (int i = 0; i < n && filled + i < previewValues; i++) {
        firstSums[(int) ((filled + i) / per)] += chunk[i] & 0xff;
      }
      int k = 0;
      for (; k + 3 < n; k += 4) {
        counts[0][chunk[k] & 0xff]++;
        counts[1][chunk[k + 1] & 0xff]++;
        counts[2][chunk[k + 2] & 0xff]++;
        counts[3][chunk[k + 3] & 0xff]++;
      }
      for (; k < n; k++) {
        counts[0][chunk[k] & 0xff]++;
      }
      filled += n;
    }
    List<List<String>> preview = new ArrayList<>();
    for (double sum : firstSums) {
      preview.add(shape.length == 1 ? List.of(Integer.toString((int) sum))
          : List.of(Arrays.toString(Arrays.copyOfRange(shape, 1, shape.length)),
              String.format(Locale.ROOT, "%.1f", per == 0 ? 0 : sum / per)));
    }
    int min = 255;
    int max = 0;
    double sum = 0;
    long[] byValue = new long[256];
    for (int v = 0; v < 256; v++) {
      byValue[v] = counts[0][v] + counts[1][v] + counts[2][v] + counts[3][v];
      if (byValue[v] > 0) {
        min = Math.min(min, v);
        max = v;
        sum += (double) v * byValue[v];
      }
    }
    List<ValueCount> balance = new ArrayList<>();
    if (shape.length == 1) { // a labels file: its values are classes
      for (int v = 0; v < 256; v++) {
        if (byValue[v] > 0) {
          balance.add(new ValueCount(Integer.toString(v), byValue[v]));
        }
      }
      balance.sort(Comparator.comparingLong(ValueCount::count).reversed());
    }
    IdxProfile idx = new IdxProfile(Arrays.stream(shape).boxed().toList(), values == 0 ? 0 : min,
        max, values == 0 ? 0 : sum / values);
    return new DatasetProfile(DatasetFormat.IDX, shape[0], List.of(), null, balance, preview,
        null, null, idx);
  }

  /**
   * The shape an IDX header declares, checked by Core's {@link Idx#header} (refused when it is not
   * IDX of unsigned bytes, or declares more values than one tensor holds or the expanded-size
   * limit), then against the sample limit.
   */
  private int[] idxShape(DataInputStream in, String name) throws IOException {
    // As many values as Core reads into one tensor, so that what is accepted can be trained on.
    int[] shape = Idx.header(in, name, Math.min(limits.maxExpandedBytes(),
        Integer.MAX_VALUE - 8));
    if (shape[0] > limits.maxRows()) {
      throw DatasetErrors.tooLarge(name + " holds " + shape[0] + " samples, over the limit of "
          + limits.maxRows() + "; split the file");
    }
    return shape;
  }

  static String shorten(String s) {
    return s.length() <= PREVIEW_CHARS ? s : s.substring(0, PREVIEW_CHARS) + "...";
  }
}
