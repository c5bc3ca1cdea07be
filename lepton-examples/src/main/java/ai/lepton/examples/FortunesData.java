package ai.lepton.examples;

import ai.lepton.LeptonException;
import ai.lepton.data.Splits;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Debian's fortune cookies as a text classification dataset: each category file under
 * {@code /usr/share/games/fortunes} (packages {@code fortunes} and {@code fortunes-min}) is a
 * class, and its entries, separated by lines holding a single {@code %}, are the texts.
 *
 * <p>Entries in fortunes 1.99.1: computers 1,051, science 625, politics 703, songs-poems 720,
 * literature 262. {@link #DEFAULT_CATEGORIES}, computers against science (63% / 37%), is the
 * hardest of these pairs for a bag of words (0.85 held-out accuracy against 0.95 for computers
 * against literature, whose 80% majority also makes accuracy say little): the vocabularies
 * overlap, so a sequence model has room to do better.
 *
 * @param categories the class names, in label order
 * @param texts the entries, each without its separator line
 * @param labels each entry's class, an index into {@code categories}
 */
public record FortunesData(List<String> categories, List<String> texts, int[] labels) {
  static final Path DEBIAN = Path.of("/usr/share/games/fortunes");
  static final List<String> DEFAULT_CATEGORIES = List.of("computers", "science");
  /** Far above the largest Debian file (about 250 KB); a bound on what is read into memory. */
  static final long MAX_FILE_BYTES = 16L << 20;

  public FortunesData {
    categories = List.copyOf(categories);
    texts = List.copyOf(texts);
    labels = labels.clone();
    if (texts.size() != labels.length) {
      throw new LeptonException("FortunesData needs one label per text; received " + texts.size()
          + " texts and " + labels.length + " labels");
    }
  }

  /**
   * Reads the entries of each category's file in {@code dir}.
   *
   * @throws LeptonException if a file is missing (naming the Debian packages to install), over
   *     {@link #MAX_FILE_BYTES}, or has no entries
   */
  public static FortunesData read(Path dir, List<String> categories) {
    List<String> texts = new ArrayList<>();
    List<Integer> labels = new ArrayList<>();
    for (int c = 0; c < categories.size(); c++) {
      List<String> entries = entries(dir.resolve(categories.get(c)));
      texts.addAll(entries);
      labels.addAll(Collections.nCopies(entries.size(), c));
    }
    return new FortunesData(categories, texts,
        labels.stream().mapToInt(Integer::intValue).toArray());
  }

  /** The entries of one fortune file, with backspace overstriking removed, blank ones skipped. */
  static List<String> entries(Path file) {
    byte[] bytes;
    try {
      if (!Files.isRegularFile(file)) {
        throw new LeptonException("no fortune file " + file + "; install Debian's fortunes and "
            + "fortunes-min (sudo apt-get install fortunes fortunes-min) or pass --data DIR");
      }
      if (Files.size(file) > MAX_FILE_BYTES) {
        throw new LeptonException("fortune file " + file + " has " + Files.size(file) + " bytes, "
            + "over the limit of " + MAX_FILE_BYTES + "; is it really a fortune file?");
      }
      bytes = Files.readAllBytes(file);
    } catch (IOException e) {
      throw new LeptonException("cannot read fortune file " + file + ": " + e, e);
    }
    // "x\bx" (bold) and "_\bx" (underline) are how old fortunes print emphasis: keep the letter.
    String text = new String(bytes, StandardCharsets.UTF_8).replaceAll(".\b", "");
    List<String> out = new ArrayList<>();
    for (String entry : text.split("(?m)^%$\\R?")) {
      if (!entry.isBlank()) {
        out.add(entry.strip());
      }
    }
    if (out.isEmpty()) {
      throw new LeptonException("fortune file " + file + " has no entries; expected texts "
          + "separated by lines holding a single %");
    }
    return out;
  }

  /** A seeded split keeping each category's share in both sides: {@code testFraction} to test. */
  public Splits.Split split(double testFraction, long seed) {
    return Splits.stratifiedSplit(labels, testFraction, seed);
  }

  /** The texts at {@code rows}, in that order. */
  public List<String> texts(int[] rows) {
    return Arrays.stream(rows).mapToObj(texts::get).toList();
  }

  /** The labels at {@code rows}, in that order. */
  public int[] labels(int[] rows) {
    return Arrays.stream(rows).map(r -> labels[r]).toArray();
  }

  /** How many entries each category has, in label order. */
  public int[] counts() {
    return IntStream.range(0, categories.size())
        .map(c -> (int) Arrays.stream(labels).filter(l -> l == c).count()).toArray();
  }
}
