package ai.lepton.data;

import ai.lepton.LeptonException;
import ai.lepton.internal.Args;
import ai.lepton.internal.Memory;
import ai.lepton.tensor.Tensor;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * The images of a folder or zip archive, listed by {@link ImageFolder#list} and decoded on demand:
 * a {@link Dataset} of them decodes one batch at a time. Immutable and safe to share between
 * threads; each {@link #decode} call opens the files it reads.
 */
public final class ImageFiles {
  private final Path source;
  private final boolean zip;
  private final List<String> paths; // relative to the folder, or zip entry names
  private final int[] labels;
  private final List<String> classNames;
  private final int height;
  private final int width;
  private final int channels;
  private final ImageFolder.Limits limits;

  ImageFiles(Path source, boolean zip, List<String> paths, int[] labels, List<String> classNames,
      int height, int width, int channels, ImageFolder.Limits limits) {
    this.source = source;
    this.zip = zip;
    this.paths = List.copyOf(paths);
    this.labels = labels.clone();
    this.classNames = List.copyOf(classNames);
    this.height = height;
    this.width = width;
    this.channels = channels;
    this.limits = limits;
  }

  /** The number of images. */
  public int size() {
    return paths.size();
  }

  /** The class of each image, an index into {@link #classNames}. */
  public int[] labels() {
    return labels.clone();
  }

  public List<String> classNames() {
    return classNames;
  }

  /** The shape of one decoded image: {@code [height, width, channels]}. */
  public int[] imageShape() {
    return new int[] {height, width, channels};
  }

  /**
   * The images at {@code indices}, in that order, with the same classes: for example the two sides
   * of {@link Splits#stratifiedSplit}{@code (files.labels(), 0.2, seed)}.
   *
   * @throws LeptonException if an index is out of range
   */
  public ImageFiles subset(int... indices) {
    Args.nonNull(indices, "ImageFiles.subset", "indices");
    List<String> picked = new ArrayList<>(indices.length);
    int[] pickedLabels = new int[indices.length];
    for (int k = 0; k < indices.length; k++) {
      checkIndex("subset", indices[k]);
      picked.add(paths.get(indices[k]));
      pickedLabels[k] = labels[indices[k]];
    }
    return new ImageFiles(source, zip, picked, pickedLabels, classNames, height, width, channels,
        limits);
  }

  private void checkIndex(String op, int i) {
    if (i < 0 || i >= paths.size()) {
      throw new LeptonException("ImageFiles." + op + ": index " + i + " is out of range; expected "
          + "0 to " + (paths.size() - 1));
    }
  }

  /**
   * Decodes the images at {@code indices}, in that order: {@code [indices.length, height, width,
   * channels]}, floats 0..255.
   *
   * @throws LeptonException naming the file if it cannot be read or decoded, or is over a limit;
   *     or if the indices are out of range or the images exceed one tensor
   */
  public Tensor decode(int... indices) {
    Args.nonNull(indices, "ImageFiles.decode", "indices");
    long values = (long) indices.length * height * width * channels;
    if (values > Integer.MAX_VALUE - 8) {
      throw new LeptonException("decoding " + indices.length + " images of " + height + " x "
          + width + " x " + channels + " needs " + values + " values, more than one tensor holds; "
          + "decode fewer at a time, e.g. through a Dataset");
    }
    Memory.check(4 * values, "decoding " + indices.length + " images of " + height + " x " + width
        + " x " + channels + " floats", "decode fewer at a time, e.g. through a Dataset");
    int per = height * width * channels;
    float[] out = new float[(int) values];
    try (ZipFile archive = zip ? new ZipFile(source.toFile()) : null) {
      for (int k = 0; k < indices.length; k++) {
        int i = indices[k];
        checkIndex("decode", i);
        String name = source + (zip ? "!/" : "/") + paths.get(i);
        float[] pixels = Pixels.decode(read(archive, paths.get(i), name), name, height, width,
            channels, limits.maxPixels());
        System.arraycopy(pixels, 0, out, k * per, per);
      }
    } catch (IOException e) {
      throw new LeptonException("cannot open zip archive " + source + " (" + e + "); check that "
          + "it still exists and is readable", e);
    }
    return Tensor.of(out, indices.length, height, width, channels);
  }

  private byte[] read(ZipFile archive, String path, String name) {
    try {
      return readBytes(archive, path, name);
    } catch (IOException e) {
      throw new LeptonException("cannot read image " + name + " (" + e + "); check that it "
          + "still exists and is readable", e);
    }
  }

  private byte[] readBytes(ZipFile archive, String path, String name) throws IOException {
    if (archive != null) {
      ZipEntry entry = archive.getEntry(path);
      if (entry == null) {
        throw new LeptonException("zip archive " + source + " no longer holds " + path + "; it "
            + "changed after it was listed: list it again");
      }
      try (InputStream in = archive.getInputStream(entry)) {
        return readDeclared(in, name, entry.getSize(), "zip entry " + name + " holds more bytes "
            + "than the " + entry.getSize() + " its header declares; the archive is corrupt: "
            + "rebuild it");
      }
    }
    // NOFOLLOW_LINKS also refuses a file swapped for a link after the folder was listed.
    Path file = source.resolve(path);
    try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
      return readDeclared(in, name, Files.size(file), "image " + name + " grew while it was "
          + "read; read it again when nothing is writing it");
    }
  }

  /**
   * Reads the {@code declared} bytes into one array (ZipFile takes entry sizes from the central
   * directory, where they are always present), refusing a declared size over {@code maxFileBytes}
   * before reading and a source holding more than it declares after one byte more: the listing
   * counted declared sizes against {@code maxTotalBytes}, and a zip bomb whose header understates
   * its size inflates no further.
   */
  private byte[] readDeclared(InputStream in, String name, long declared, String tooMany)
      throws IOException {
    if (declared > limits.maxFileBytes()) {
      throw ImageFolder.tooLarge(name, declared, limits.maxFileBytes());
    }
    byte[] bytes = new byte[(int) declared];
    int read = in.readNBytes(bytes, 0, bytes.length);
    if (read < bytes.length) {
      throw new LeptonException("image " + name + " holds " + read + " bytes, fewer than the "
          + declared + " declared; it is truncated or changed while read: replace it");
    }
    if (in.read() != -1) {
      throw new LeptonException(tooMany);
    }
    return bytes;
  }
}
