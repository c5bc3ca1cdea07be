package ai.lepton.data;

import ai.lepton.LeptonException;
import ai.lepton.internal.Args;
import ai.lepton.internal.Memory;
import ai.lepton.internal.Messages;
import ai.lepton.tensor.Tensor;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Enumeration;
import java.util.List;
import java.util.Locale;
import java.util.TreeMap;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
import java.util.zip.ZipInputStream;

/**
 * Reads images from a folder of class subfolders, or from a zip archive of class folders, as Keras'
 * {@code image_dataset_from_directory}: {@code pets/cat/1.png, pets/dog/2.jpg} give class names
 * {@code [cat, dog]} (sorted) and labels 0 and 1. Files ending in {@code .png .jpg .jpeg .gif
 * .bmp} (any case) are read, also in subfolders of a class folder; other files are skipped. Every
 * image is resized bilinearly to {@link #size} (default 256 x 256, as Keras) and comes back as
 * floats 0..255, channels last: {@code [n, height, width, channels]}.
 *
 * <pre>{@code
 * ImageFolder.Images d = ImageFolder.reader().size(64, 64).read(Path.of("pets"));
 * // or lazily, decoding per batch on a background thread:
 * Dataset train = Dataset.of(ImageFolder.reader().size(64, 64).list(Path.of("pets.zip")));
 * }</pre>
 *
 * <p>Nothing outside the source is read: symbolic links in a folder are refused, and zip entries
 * are never extracted to disk, and those with absolute names or {@code ..} are refused. Every
 * source is bounded by {@link Limits}. Instances are immutable; each option returns a new reader.
 */
public final class ImageFolder {
  private static final List<String> EXTENSIONS = List.of(".png", ".jpg", ".jpeg", ".gif", ".bmp");

  /** The longest zip entry name; no class folder layout needs more, and names stay in memory. */
  static final int MAX_NAME_CHARS = 4096;

  /**
   * Limits on one folder or archive. Whatever {@code maxPixels} allows, an image whose decoding
   * would take more than half the heap (about 24 bytes a pixel) is refused before decoding too.
   *
   * @param maxFiles the most image files in a folder, the most entries in a zip archive
   * @param maxFileBytes the largest image file (at most 1 GiB), as its size or zip header declares
   *     it and as read
   * @param maxTotalBytes the most bytes of image files in all
   * @param maxPixels the most pixels one image may declare in its header, checked before decoding
   */
  public record Limits(int maxFiles, int maxFileBytes, long maxTotalBytes, long maxPixels) {
    /**
     * 1 million files, 64 MiB each, 64 GiB in all, and 100 megapixels per image or, in a smaller
     * heap, as many as half the heap decodes (about 5.6 megapixels with {@code -Xmx256m}).
     */
    public static final Limits DEFAULT = new Limits(1_000_000, 64 << 20, 64L << 30,
        Math.max(1, Math.min(100_000_000L, Memory.budget() / Pixels.DECODE_BYTES_PER_PIXEL)));

    public Limits {
      if (maxFiles < 1 || maxFileBytes < 1 || maxFileBytes > 1 << 30 || maxTotalBytes < 1
          || maxPixels < 1) {
        throw new LeptonException("image folder limits must be positive, maxFileBytes at most "
            + (1 << 30) + "; received maxFiles=" + maxFiles + ", maxFileBytes=" + maxFileBytes
            + ", maxTotalBytes=" + maxTotalBytes + ", maxPixels=" + maxPixels);
      }
    }
  }

  /** How many channels images get, as Keras' {@code color_mode}. */
  public enum ColorMode {
    GRAYSCALE(1), RGB(3);

    private final int channels;

    ColorMode(int channels) {
      this.channels = channels;
    }

    public int channels() {
      return channels;
    }
  }

  /**
   * Images decoded all at once.
   *
   * @param images {@code [n, height, width, channels]}, floats 0..255
   * @param labels the class of each image, an index into {@code classNames}
   * @param classNames the class folder names
   */
  public record Images(Tensor images, int[] labels, List<String> classNames) {
    public Images {
      Args.nonNull(images, "Images", "images");
      Args.nonNull(labels, "Images", "labels");
      classNames = List.copyOf(Args.nonNull(classNames, "Images", "classNames"));
      if (images.rank() != 4 || images.dim(0) != labels.length) {
        throw new LeptonException("Images needs a [n, height, width, channels] tensor and n "
            + "labels; received shape " + Arrays.toString(images.shape()) + " and "
            + labels.length + " labels");
      }
    }
  }

  private final int height;
  private final int width;
  private final ColorMode colorMode;
  private final List<String> classNames;
  private final Limits limits;

  private ImageFolder(int height, int width, ColorMode colorMode, List<String> classNames,
      Limits limits) {
    this.height = height;
    this.width = width;
    this.colorMode = colorMode;
    this.classNames = classNames == null ? null : List.copyOf(classNames);
    this.limits = limits;
  }

  /** A reader giving 256 x 256 RGB images of every class folder, with the default limits. */
  public static ImageFolder reader() {
    return new ImageFolder(256, 256, ColorMode.RGB, null, Limits.DEFAULT);
  }

  /** Resizes every image to {@code height x width} (bilinear, as Keras' {@code image_size}). */
  public ImageFolder size(int height, int width) {
    if (height < 1 || width < 1 || (long) height * width > Integer.MAX_VALUE / 4) {
      throw new LeptonException("ImageFolder.size: expected a positive height and width of at "
          + "most " + Integer.MAX_VALUE / 4 + " pixels, received " + height + " x " + width);
    }
    return new ImageFolder(height, width, colorMode, classNames, limits);
  }

  /** Grayscale (1 channel) or RGB (3 channels, the default). */
  public ImageFolder colorMode(ColorMode mode) {
    if (mode == null) {
      throw new LeptonException("ImageFolder.colorMode: expected mode GRAYSCALE or RGB, received "
          + "null");
    }
    return new ImageFolder(height, width, mode, classNames, limits);
  }

  /** Reads only these class folders, labelled in this order (default: every one, sorted). */
  public ImageFolder classNames(String... names) {
    Args.nonNull(names, "ImageFolder.classNames", "names");
    for (String name : names) {
      if (name == null || name.isEmpty() || name.equals(".") || name.equals("..")
          || name.contains("/") || name.contains("\\") || name.indexOf('\0') >= 0) {
        throw new LeptonException("class name '" + name + "' is not a plain folder name; "
            + "expected the name of a class folder, without '/', '\\' or '..'");
      }
    }
    return new ImageFolder(height, width, colorMode, List.of(names), limits);
  }

  /** Replaces the default {@link Limits}. */
  public ImageFolder limits(Limits limits) {
    Args.nonNull(limits, "ImageFolder.limits", "limits");
    return new ImageFolder(height, width, colorMode, classNames, limits);
  }

  /**
   * Decodes every image of a folder or zip archive at once.
   *
   * @throws LeptonException as {@link #list}, if an image cannot be decoded or declares more
   *     pixels than allowed (naming the file), or if all images together exceed one tensor (use
   *     {@link #list} with a {@link Dataset} instead)
   */
  public Images read(Path source) {
    Args.nonNull(source, "ImageFolder.read", "source");
    ImageFiles files = list(source);
    int[] all = new int[files.size()];
    Arrays.setAll(all, i -> i);
    return new Images(files.decode(all), files.labels(), files.classNames());
  }

  /**
   * Decodes every image of a zip archive of class folders read as a stream (bytes that are not in
   * a file, such as a blob decrypted as it is read), as {@link #read(Path)} decodes a zip file,
   * naming it {@code name} in messages; the images come in the same order. A stream has no central
   * directory, so entries are counted against {@code maxFiles}, and their bytes (every entry's, as
   * they inflate) against {@code maxFileBytes} and {@code maxTotalBytes}, as they arrive. The
   * caller closes {@code zip}.
   *
   * @throws LeptonException as {@link #read(Path)}; also for a STORED entry whose sizes follow its
   *     data (a data descriptor), which a stream cannot delimit: re-zip it with deflate
   */
  public Images read(InputStream zip, String name) {
    Args.nonNull(zip, "ImageFolder.read", "zip");
    Args.nonNull(name, "ImageFolder.read", "name");
    int channels = colorMode.channels();
    long per = (long) height * width * channels;
    TreeMap<String, TreeMap<String, float[]>> byClass = new TreeMap<>(); // class -> path -> pixels
    int count = 0;
    int images = 0;
    long total = 0;
    byte[] skipped = new byte[1 << 16]; // where an entry's unread bytes go, only counted
    try {
      ZipInputStream in = new ZipInputStream(zip);
      for (ZipEntry entry = nextEntry(in, name); entry != null; entry = nextEntry(in, name)) {
        if (++count > limits.maxFiles()) {
          throw new LeptonException("zip archive " + name + " holds more than "
              + limits.maxFiles() + " entries; raise maxFiles in ImageFolder.Limits");
        }
        String path = checkedName(name, entry.getName());
        int slash = path.indexOf('/');
        if (slash > 0) {
          byClass.putIfAbsent(path.substring(0, slash), new TreeMap<>());
        }
        boolean image = !entry.isDirectory() && slash > 0 && isImage(path);
        String where = name + "!/" + path;
        byte[] bytes = in.readNBytes(image ? limits.maxFileBytes() + 1 : 0);
        if (bytes.length > limits.maxFileBytes()) {
          throw tooLarge(where, bytes.length, limits.maxFileBytes());
        }
        total += bytes.length;
        for (int n; (n = in.read(skipped)) > 0 && total <= limits.maxTotalBytes(); ) {
          total += n; // a skipped entry inflates too: counted, so a bomb stops at the limit
        }
        if (total > limits.maxTotalBytes()) {
          throw new LeptonException("zip archive " + name + " expands to more than "
              + limits.maxTotalBytes() + " bytes; raise maxTotalBytes in ImageFolder.Limits");
        }
        if (image) {
          if (++images * per > Integer.MAX_VALUE - 8) {
            throw new LeptonException("zip archive " + name + " holds more than " + (images - 1)
                + " images of " + height + " x " + width + " x " + channels + ", more than one "
                + "tensor holds; use list(...) with a Dataset instead");
          }
          Memory.check(4 * images * per, "decoding " + images + " images of " + height + " x "
              + width + " x " + channels + " floats", "use list(...) with a Dataset instead");
          byClass.get(path.substring(0, slash)).put(path, Pixels.decode(bytes, where, height,
              width, channels, limits.maxPixels()));
        }
      }
    } catch (IOException e) {
      throw new LeptonException("cannot read zip archive " + name + " (" + e + "); expected a "
          + "zip file of class folders of images", e);
    }
    List<String> classes = classNames != null ? classNames : List.copyOf(byClass.keySet());
    if (classes.isEmpty()) {
      throw new LeptonException("image source " + name + " has no class folders; expected one "
          + "folder of images per class, such as cat/1.png and dog/2.png");
    }
    float[] values = new float[(int) (images * per)];
    int[] labels = new int[images];
    int k = 0;
    for (int label = 0; label < classes.size(); label++) {
      TreeMap<String, float[]> decoded = byClass.get(classes.get(label));
      if (decoded == null) {
        throw new LeptonException("class '" + classes.get(label) + "' has no folder in " + name
            + "; expected one of " + byClass.keySet());
      }
      for (float[] pixels : decoded.values()) {
        System.arraycopy(pixels, 0, values, (int) (k * per), (int) per);
        labels[k++] = label;
      }
    }
    if (k == 0) {
      throw new LeptonException("image source " + name + " holds no images in its class "
          + "folders " + classes + "; expected files ending in " + EXTENSIONS);
    }
    return new Images(Tensor.of(Arrays.copyOf(values, (int) (k * per)), k, height, width,
        channels), Arrays.copyOf(labels, k), classes);
  }

  /** The next entry of a zip stream, or null at its end. */
  private static ZipEntry nextEntry(ZipInputStream in, String name) throws IOException {
    try {
      return in.getNextEntry();
    } catch (ZipException e) {
      if (String.valueOf(e.getMessage()).contains("EXT descriptor")) {
        throw new LeptonException("zip archive " + name + " holds a STORED (uncompressed) entry "
            + "whose sizes follow its data, which cannot be read as a stream; re-zip it with "
            + "deflate compression (the default of zip and most archivers)", e);
      }
      throw e;
    }
  }

  /**
   * Lists the images of a folder of class subfolders or of a zip archive ({@code .zip}) of class
   * folders, without decoding any: {@link ImageFiles#decode} decodes them on demand, which is how
   * {@link Dataset#of(ImageFiles)} streams images larger than memory.
   *
   * @throws LeptonException if the source is neither a folder nor a zip archive, holds no images,
   *     a named class has no folder, a symbolic link or an unsafe zip entry name is found, or a
   *     limit is exceeded
   */
  public ImageFiles list(Path source) {
    Args.nonNull(source, "ImageFolder.list", "source");
    if (Files.isDirectory(source, LinkOption.NOFOLLOW_LINKS)) {
      return listed(source, false, folderEntries(source));
    }
    if (Files.isRegularFile(source, LinkOption.NOFOLLOW_LINKS)
        && source.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".zip")) {
      return listed(source, true, zipEntries(source));
    }
    throw new LeptonException("image source " + source + " is neither a folder nor a .zip file"
        + (Files.isSymbolicLink(source) ? " (symbolic links are not followed)" : "")
        + "; expected a folder, or a zip archive, holding one folder of images per class");
  }

  /** Image entries by class folder name, each list in path order; sizes in bytes alongside. */
  private record Entry(String path, long bytes) {}

  private ImageFiles listed(Path source, boolean zip, TreeMap<String, List<Entry>> byClass) {
    List<String> classes = classNames != null ? classNames : List.copyOf(byClass.keySet());
    if (classes.isEmpty()) {
      throw new LeptonException("image source " + source + " has no class folders; expected one "
          + "folder of images per class, such as cat/1.png and dog/2.png");
    }
    List<String> paths = new ArrayList<>();
    List<Integer> labels = new ArrayList<>();
    long total = 0;
    for (int label = 0; label < classes.size(); label++) {
      List<Entry> entries = byClass.get(classes.get(label));
      if (entries == null) {
        throw new LeptonException("class '" + classes.get(label) + "' has no folder in " + source
            + "; expected one of " + byClass.keySet());
      }
      for (Entry e : entries) {
        total += e.bytes();
        if (total > limits.maxTotalBytes()) {
          throw new LeptonException("image source " + source + " holds more than "
              + limits.maxTotalBytes() + " bytes of images; raise maxTotalBytes in "
              + "ImageFolder.Limits");
        }
        paths.add(e.path());
        labels.add(label);
      }
    }
    if (paths.isEmpty()) {
      throw new LeptonException("image source " + source + " holds no images in its class "
          + "folders " + classes + "; expected files ending in " + EXTENSIONS);
    }
    return new ImageFiles(source, zip, paths, labels.stream().mapToInt(Integer::intValue)
        .toArray(), classes, height, width, colorMode.channels(), limits);
  }

  private static boolean isImage(String name) {
    String lower = name.toLowerCase(Locale.ROOT);
    return EXTENSIONS.stream().anyMatch(lower::endsWith);
  }

  private TreeMap<String, List<Entry>> folderEntries(Path folder) {
    TreeMap<String, List<Entry>> byClass = new TreeMap<>();
    int count = 0;
    try (Stream<Path> walk = Files.walk(folder)) { // does not follow links
      for (Path p : (Iterable<Path>) walk.sorted()::iterator) {
        if (Files.isSymbolicLink(p)) {
          throw new LeptonException("image folder entry " + p + " is a symbolic link; links are "
              + "refused so that nothing outside the folder is read; copy the file in instead");
        }
        Path relative = folder.relativize(p);
        if (p.equals(folder)) {
          continue;
        }
        if (relative.getNameCount() == 1 && Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
          byClass.put(relative.toString(), new ArrayList<>());
        } else if (relative.getNameCount() > 1 && isImage(p.getFileName().toString())
            && Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
          if (++count > limits.maxFiles()) {
            throw new LeptonException("image folder " + folder + " holds more than "
                + limits.maxFiles() + " images; raise maxFiles in ImageFolder.Limits");
          }
          byClass.get(relative.getName(0).toString()).add(new Entry(relative.toString(),
              checkedSize(p.toString(), Files.size(p))));
        }
      }
      return byClass;
    } catch (IOException e) {
      throw new LeptonException("cannot list image folder " + folder + ": " + e, e);
    }
  }

  private TreeMap<String, List<Entry>> zipEntries(Path archive) {
    TreeMap<String, List<Entry>> byClass = new TreeMap<>();
    int count = 0;
    try (ZipFile zip = new ZipFile(archive.toFile())) {
      TreeMap<String, ZipEntry> images = new TreeMap<>(); // by name with '/' separators
      for (Enumeration<? extends ZipEntry> all = zip.entries(); all.hasMoreElements(); ) {
        ZipEntry entry = all.nextElement();
        // Every entry counts, not only images: the listing holds one class per top-level folder.
        if (++count > limits.maxFiles()) {
          throw new LeptonException("zip archive " + archive + " holds more than "
              + limits.maxFiles() + " entries; raise maxFiles in ImageFolder.Limits");
        }
        String name = checkedName(archive.toString(), entry.getName());
        int slash = name.indexOf('/');
        if (slash > 0) {
          // Class folders exist through their files even when the archive lists no folder entry.
          byClass.putIfAbsent(name.substring(0, slash), new ArrayList<>());
        }
        if (!entry.isDirectory() && slash > 0 && isImage(name)) {
          images.put(name, entry);
        }
      }
      images.forEach((name, entry) -> byClass.get(name.substring(0, name.indexOf('/')))
          .add(new Entry(entry.getName(), checkedSize(archive + "!/" + name,
              Math.max(0, entry.getSize())))));
      return byClass;
    } catch (IOException e) {
      throw new LeptonException("cannot read zip archive " + archive + " (" + e + "); expected "
          + "a zip file of class folders of images", e);
    }
  }

  /** The declared size of an image, refused over {@code maxFileBytes} before it is read. */
  private long checkedSize(String name, long bytes) {
    if (bytes > limits.maxFileBytes()) {
      throw tooLarge(name, bytes, limits.maxFileBytes());
    }
    return bytes;
  }

  static LeptonException tooLarge(String name, long bytes, int maxBytes) {
    return new LeptonException("image " + name + " has " + bytes + " bytes, over the limit of "
        + maxBytes + "; raise maxFileBytes in ImageFolder.Limits or shrink the file");
  }

  /**
   * Refuses names that would escape a folder if the archive were extracted (zip slip), and names
   * too long to be a class folder path.
   */
  private static String checkedName(String archive, String name) {
    if (name.length() > MAX_NAME_CHARS) {
      throw new LeptonException("zip archive " + archive + " holds an entry name of "
          + name.length() + " characters, over the limit of " + MAX_NAME_CHARS + " ('"
          + Messages.shorten(name) + "'); rebuild the archive with shorter names");
    }
    String slashed = name.replace('\\', '/');
    boolean unsafe = slashed.startsWith("/") || slashed.indexOf('\0') >= 0
        || (slashed.length() > 1 && slashed.charAt(1) == ':')
        || Arrays.asList(slashed.split("/")).contains("..");
    if (unsafe) {
      throw new LeptonException("zip archive " + archive + " holds the entry '" + name + "', an "
          + "absolute path or one with '..'; such entries could write outside a folder when "
          + "extracted and are refused: rebuild the archive from the class folders");
    }
    return slashed;
  }
}
