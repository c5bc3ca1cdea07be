package ai.lepton.data;

import ai.lepton.LeptonException;
import ai.lepton.internal.Args;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Reads a folder of class subfolders holding {@code .txt} files, as Keras'
 * {@code text_dataset_from_directory}: {@code reviews/neg/1.txt, reviews/pos/2.txt} give class
 * names {@code [neg, pos]} (sorted) and labels 0 and 1. Subfolders of a class folder are read too;
 * files come in path order within each class, classes in the order of their names. Symbolic links
 * are refused, so nothing outside the folder is read.
 */
public final class TextFolder {
  /**
   * Limits on one folder.
   *
   * @param maxFiles the most {@code .txt} files
   * @param maxFileBytes the largest file
   * @param maxTotalBytes the most bytes in all
   */
  public record Limits(int maxFiles, int maxFileBytes, long maxTotalBytes) {
    /** 1 million files, 16 MiB each, 4 GiB in all. */
    public static final Limits DEFAULT = new Limits(1_000_000, 16 << 20, 4L << 30);

    public Limits {
      if (maxFiles < 1 || maxFileBytes < 1 || maxFileBytes > 1 << 30 || maxTotalBytes < 1) {
        throw new LeptonException("text folder limits must be positive, maxFileBytes at most "
            + (1 << 30) + "; received maxFiles="
            + maxFiles + ", maxFileBytes=" + maxFileBytes + ", maxTotalBytes=" + maxTotalBytes);
      }
    }
  }

  /**
   * The texts read and their classes.
   *
   * @param texts the file contents
   * @param labels the class of each text, an index into {@code classNames}
   * @param classNames the class folder names
   */
  public record Texts(List<String> texts, int[] labels, List<String> classNames) {
    public Texts {
      texts = List.copyOf(Args.nonNull(texts, "Texts", "texts"));
      classNames = List.copyOf(Args.nonNull(classNames, "Texts", "classNames"));
      Args.nonNull(labels, "Texts", "labels");
      if (labels.length != texts.size()) {
        throw new LeptonException("a text dataset needs one label per text; received "
            + texts.size() + " texts and " + labels.length + " labels");
      }
    }
  }

  private TextFolder() {}

  /** Reads every class subfolder of {@code folder} with the default limits. */
  public static Texts read(Path folder) {
    Args.nonNull(folder, "TextFolder.read", "folder");
    return read(folder, null, Limits.DEFAULT);
  }

  /**
   * Reads the class subfolders named in {@code classNames}, labelled in that order ({@code null}:
   * every subfolder, sorted by name).
   *
   * @throws LeptonException if a class name is not a plain folder name (such as {@code ../x}) or
   *     names no subfolder, a symbolic link is found, a file is not UTF-8, or a limit is exceeded
   */
  public static Texts read(Path folder, List<String> classNames, Limits limits) {
    Args.nonNull(folder, "TextFolder.read", "folder");
    Args.nonNull(limits, "TextFolder.read", "limits");
    if (!Files.isDirectory(folder)) {
      throw new LeptonException("text folder " + folder + " is not a directory; expected a folder "
          + "with one subfolder of .txt files per class");
    }
    List<String> classes = classNames != null ? List.copyOf(classNames) : subfolders(folder);
    if (classes.isEmpty()) {
      throw new LeptonException("text folder " + folder + " has no class subfolders; expected "
          + "one subfolder of .txt files per class, such as " + folder.resolve("pos"));
    }
    List<String> texts = new ArrayList<>();
    List<Integer> labels = new ArrayList<>();
    long total = 0;
    for (int label = 0; label < classes.size(); label++) {
      for (Path file : files(folder, classes.get(label))) {
        if (texts.size() == limits.maxFiles()) {
          throw new LeptonException("text folder " + folder + " holds more than "
              + limits.maxFiles() + " .txt files; raise maxFiles in TextFolder.Limits");
        }
        byte[] bytes = readBytes(file, limits.maxFileBytes());
        total += bytes.length;
        if (total > limits.maxTotalBytes()) {
          throw new LeptonException("text folder " + folder + " holds more than "
              + limits.maxTotalBytes() + " bytes of text; raise maxTotalBytes in "
              + "TextFolder.Limits");
        }
        texts.add(decode(file, bytes));
        labels.add(label);
      }
    }
    return new Texts(texts, labels.stream().mapToInt(Integer::intValue).toArray(), classes);
  }

  private static List<String> subfolders(Path folder) {
    try (Stream<Path> entries = Files.list(folder)) {
      return entries.filter(p -> Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS))
          .map(p -> p.getFileName().toString()).sorted().toList();
    } catch (IOException e) {
      throw new LeptonException("cannot list text folder " + folder + ": " + e, e);
    }
  }

  /** The .txt files under class folder {@code name}, sorted by path; refuses links. */
  private static List<Path> files(Path folder, String name) {
    if (name.isEmpty() || name.equals(".") || name.equals("..") || name.contains("/")
        || name.contains("\\") || name.indexOf('\0') >= 0) {
      throw new LeptonException("class name '" + name + "' is not a plain folder name; expected "
          + "the name of a subfolder of " + folder + ", without '/', '\\' or '..'");
    }
    Path classFolder = folder.resolve(name);
    if (!Files.isDirectory(classFolder, LinkOption.NOFOLLOW_LINKS)) {
      throw new LeptonException("class '" + name + "' has no folder " + classFolder + "; expected "
          + "one of " + subfolders(folder) + (Files.isSymbolicLink(classFolder)
              ? " (symbolic links are not followed; copy the folder in instead)" : ""));
    }
    try (Stream<Path> walk = Files.walk(classFolder)) { // does not follow links
      List<Path> files = new ArrayList<>();
      for (Path p : (Iterable<Path>) walk.sorted()::iterator) {
        if (Files.isSymbolicLink(p)) {
          throw new LeptonException("text folder entry " + p + " is a symbolic link; links are "
              + "refused so that nothing outside the folder is read; copy the file in instead");
        }
        if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)
            && p.getFileName().toString().endsWith(".txt")) {
          files.add(p);
        }
      }
      return files;
    } catch (IOException e) {
      throw new LeptonException("cannot list class folder " + classFolder + ": " + e, e);
    }
  }

  /** The file's bytes, its size checked before reading and the read bounded by the limit. */
  private static byte[] readBytes(Path file, int maxBytes) {
    // NOFOLLOW_LINKS also refuses a file swapped for a link after the folder was listed.
    try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
      long size = Files.size(file);
      if (size > maxBytes) {
        throw tooLarge(file, String.valueOf(size), maxBytes);
      }
      byte[] bytes = in.readNBytes(maxBytes + 1); // bounded again: the file may have grown
      if (bytes.length > maxBytes) {
        throw tooLarge(file, "more than " + maxBytes, maxBytes);
      }
      return bytes;
    } catch (IOException e) {
      throw new LeptonException("cannot read text file " + file + ": " + e, e);
    }
  }

  private static LeptonException tooLarge(Path file, String bytes, int maxBytes) {
    return new LeptonException("text file " + file + " has " + bytes + " bytes, over the limit "
        + "of " + maxBytes + "; raise maxFileBytes in TextFolder.Limits or shorten it");
  }

  private static String decode(Path file, byte[] bytes) {
    try {
      return StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes)).toString();
    } catch (CharacterCodingException e) {
      throw new LeptonException("text file " + file + " is not valid UTF-8; save it as UTF-8", e);
    }
  }
}
