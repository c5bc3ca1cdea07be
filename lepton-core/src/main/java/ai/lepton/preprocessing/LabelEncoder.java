package ai.lepton.preprocessing;

import ai.lepton.LeptonException;
import ai.lepton.internal.Args;
import ai.lepton.internal.Messages;
import ai.lepton.tensor.Tensor;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Encodes string labels as integers {@code 0..classes-1}, as scikit-learn's {@code LabelEncoder}:
 * the classes are the distinct fitted labels in sorted order, so the encoding does not depend on
 * the order of the rows. A label not seen when fitting is an error, never a silent new class.
 *
 * <pre>{@code
 * LabelEncoder enc = LabelEncoder.fit(table.strings("species"));
 * int[] y = enc.transform(table.strings("species"));          // for Splits.stratifiedSplit
 * Tensor oneHot = LabelEncoder.toCategorical(Tensor.of(...), enc.classes().size());
 * }</pre>
 *
 * @param classes the distinct labels; a label's index in this list is its code
 */
public record LabelEncoder(List<String> classes) {
  /** The most classes an encoder holds, and so the most a saved one may list. */
  public static final int MAX_CLASSES = 1_000_000;

  public LabelEncoder {
    if (classes == null || classes.isEmpty() || classes.size() > MAX_CLASSES) {
      throw new LeptonException("LabelEncoder needs 1 to " + MAX_CLASSES + " classes; received "
          + (classes == null ? "null" : classes.size() + " classes") + "; fit it on labels");
    }
    classes = List.copyOf(classes); // also rejects null labels
    if (new HashSet<>(classes).size() != classes.size()) {
      throw new LeptonException("LabelEncoder classes must be distinct; received "
          + shorten(classes));
    }
  }

  /**
   * Learns the distinct labels of {@code labels}, sorted.
   *
   * @throws LeptonException if there are no labels, a label is null, or there are more than
   *     {@link #MAX_CLASSES} distinct ones
   */
  public static LabelEncoder fit(String... labels) {
    Args.nonNull(labels, "LabelEncoder.fit", "labels");
    TreeSet<String> distinct = new TreeSet<>();
    for (int i = 0; i < labels.length; i++) {
      if (labels[i] == null) {
        throw new LeptonException("LabelEncoder.fit: label " + i + " is null; expected a string "
            + "(drop or impute missing labels first)");
      }
      if (distinct.add(labels[i]) && distinct.size() > MAX_CLASSES) {
        throw new LeptonException("LabelEncoder.fit: more than " + MAX_CLASSES + " distinct labels;"
            + " is this column really a label?");
      }
    }
    return new LabelEncoder(List.copyOf(distinct));
  }

  /**
   * Each label's code.
   *
   * @throws LeptonException naming the first label that was not seen when fitting
   */
  public int[] transform(String... labels) {
    Args.nonNull(labels, "LabelEncoder.transform", "labels");
    Map<String, Integer> codes = new HashMap<>();
    for (int c = 0; c < classes.size(); c++) {
      codes.put(classes.get(c), c);
    }
    int[] out = new int[labels.length];
    for (int i = 0; i < labels.length; i++) {
      Integer code = codes.get(labels[i]);
      if (code == null) {
        throw new LeptonException("LabelEncoder.transform: label " + i + " is '"
            + Messages.shorten(String.valueOf(labels[i])) + "', unseen when fitting; the known "
            + "classes are " + shorten(classes) + "; fit on data that holds every class");
      }
      out[i] = code;
    }
    return out;
  }

  /**
   * Each code's label.
   *
   * @throws LeptonException for a code outside {@code 0..classes-1}
   */
  public String[] inverseTransform(int... codes) {
    Args.nonNull(codes, "LabelEncoder.inverseTransform", "codes");
    String[] out = new String[codes.length];
    for (int i = 0; i < codes.length; i++) {
      if (codes[i] < 0 || codes[i] >= classes.size()) {
        throw new LeptonException("LabelEncoder.inverseTransform: code " + i + " is " + codes[i]
            + "; expected 0.." + (classes.size() - 1) + " (one per class)");
      }
      out[i] = classes.get(codes[i]);
    }
    return out;
  }

  /** The state as a JSON-friendly map: {@code {"classes": [...]}}. */
  public Map<String, Object> state() {
    return Map.of("classes", classes);
  }

  /**
   * Restores an encoder from {@link #state()}, or from that map written to JSON and read back.
   *
   * @throws LeptonException if {@code classes} is missing, holds a non-string or a repeat
   */
  public static LabelEncoder fromState(Map<String, ?> state) {
    Args.nonNull(state, "LabelEncoder.fromState", "state");
    if (!(state.get("classes") instanceof List<?> list)) {
      throw new LeptonException("LabelEncoder state lacks the list of strings 'classes'; pass the "
          + "map state() returned");
    }
    if (list.size() > MAX_CLASSES) { // before copying it
      throw new LeptonException("LabelEncoder state: 'classes' holds " + list.size()
          + " classes, over the limit of " + MAX_CLASSES);
    }
    String[] classes = new String[list.size()];
    for (int i = 0; i < classes.length; i++) {
      if (!(list.get(i) instanceof String s)) {
        throw new LeptonException("LabelEncoder state: 'classes' must hold strings; received "
            + Messages.shorten(String.valueOf(list.get(i))) + " at position " + i);
      }
      classes[i] = s;
    }
    return new LabelEncoder(List.of(classes));
  }

  /**
   * Integer class labels as one-hot rows, as Keras' {@code to_categorical}: {@code [n]} (or
   * {@code [n, 1]}) labels give {@code [n, numClasses]}; other shapes gain a last axis.
   *
   * @throws LeptonException if a label is not an integer in {@code [0, numClasses)}
   */
  public static Tensor toCategorical(Tensor labels, int numClasses) {
    Args.nonNull(labels, "LabelEncoder.toCategorical", "labels");
    int[] s = labels.shape();
    Tensor squeezed = s.length > 1 && s[s.length - 1] == 1
        ? labels.reshape(Arrays.copyOf(s, s.length - 1)) : labels;
    return Tensor.oneHot(squeezed, numClasses);
  }

  /** {@link #toCategorical(Tensor, int)} with {@code numClasses} the largest label plus one. */
  public static Tensor toCategorical(Tensor labels) {
    Args.nonNull(labels, "LabelEncoder.toCategorical", "labels");
    float max = 0;
    for (float v : labels.toFloatArray()) {
      max = Math.max(max, v); // a bad label (negative, fractional, NaN) fails in oneHot
    }
    if (max >= MAX_CLASSES) {
      throw new LeptonException("toCategorical: the largest label is " + max + ", over "
          + MAX_CLASSES + " classes; encode labels as 0..classes-1 (LabelEncoder does)");
    }
    return toCategorical(labels, (int) max + 1);
  }

  private static String shorten(List<String> classes) {
    return classes.size() <= 20 ? classes.toString()
        : classes.subList(0, 20) + " and " + (classes.size() - 20) + " more";
  }
}
