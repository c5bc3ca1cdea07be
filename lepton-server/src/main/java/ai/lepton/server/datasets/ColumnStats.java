package ai.lepton.server.datasets;

import ai.lepton.api.ColumnProfile;
import ai.lepton.api.ColumnType;
import ai.lepton.api.Histogram;
import ai.lepton.api.ValueCount;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The statistics of one tabular column, gathered one value at a time in bounded memory: type
 * evidence, Welford's running mean and variance, and the counts of up to {@code maxDistinct}
 * distinct values. A second pass ({@link #bin}) fills the histogram once min and max are known.
 */
final class ColumnStats {
  /** Values read as missing in any column, besides empty fields (compared after stripping). */
  static final Set<String> MISSING = Set.of("NA", "N/A", "NaN", "null");
  static final int HISTOGRAM_BINS = 20;
  static final int TOP_VALUES = 10;
  /** Longer values are tracked by a prefix and a hash, so a distinct value costs bounded memory. */
  private static final int MAX_KEY_CHARS = 100;
  private static final Pattern INTEGER = Pattern.compile("[+-]?\\d{1,18}");
  private static final Pattern DECIMAL =
      Pattern.compile("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?");
  /** Most columns with more distinct values than this (or a tenth of the values) are free text. */
  private static final int CATEGORIES = 20;
  private static final int CATEGORY_CHARS = 50;

  final String name;
  private final int maxDistinct;
  private long count;
  private long missing;
  private boolean integer = true;
  private boolean number = true;
  private boolean bool = true;
  private double mean;
  private double m2; // sum of squared differences from the running mean (Welford)
  private double min = Double.POSITIVE_INFINITY;
  private double max = Double.NEGATIVE_INFINITY;
  private long totalChars;
  private final Map<String, long[]> counts = new HashMap<>();
  private boolean capped;
  private long[] bins;

  ColumnStats(String name, int maxDistinct) {
    this.name = name;
    this.maxDistinct = maxDistinct;
  }

  static boolean isMissing(String value) {
    String v = value.strip();
    return v.isEmpty() || MISSING.contains(v);
  }

  /** Counts one value of the first pass, as read from the file. */
  void add(String value) {
    if (isMissing(value)) {
      missing++;
      return;
    }
    count++;
    totalChars += value.length();
    if (number) {
      String v = value.strip();
      double d = DECIMAL.matcher(v).matches() ? Double.parseDouble(v) : Double.NaN;
      if (Double.isFinite(d)) {
        integer &= INTEGER.matcher(v).matches();
        double delta = d - mean;
        mean += delta / count;
        m2 += delta * (d - mean);
        min = Math.min(min, d);
        max = Math.max(max, d);
      } else {
        number = false;
        integer = false;
      }
    }
    if (bool) {
      String v = value.strip();
      bool = v.equalsIgnoreCase("true") || v.equalsIgnoreCase("false");
    }
    String key = key(value);
    long[] seen = counts.get(key);
    if (seen != null) {
      seen[0]++;
    } else if (counts.size() < maxDistinct) {
      counts.put(key, new long[] {1});
    } else {
      capped = true;
    }
  }

  private static String key(String value) {
    if (value.length() <= MAX_KEY_CHARS) {
      return value;
    }
    return value.substring(0, MAX_KEY_CHARS - 20) + "...#" + Long.toHexString(Sketch.hash(value));
  }

  ColumnType type() {
    if (count == 0) {
      return ColumnType.TEXT;
    }
    if (integer) {
      return ColumnType.INTEGER;
    }
    if (number) {
      return ColumnType.NUMBER;
    }
    if (bool) {
      return ColumnType.BOOLEAN;
    }
    boolean few = !capped && counts.size() <= Math.max(CATEGORIES, count / 10);
    return few && (double) totalChars / count <= CATEGORY_CHARS ? ColumnType.CATEGORICAL
        : ColumnType.TEXT;
  }

  boolean numeric() {
    ColumnType t = type();
    return t == ColumnType.INTEGER || t == ColumnType.NUMBER;
  }

  double min() {
    return min;
  }

  double max() {
    return max;
  }

  /** Counts one value of the second pass into the histogram (numeric columns only). */
  void bin(String value) {
    if (isMissing(value)) {
      return;
    }
    if (bins == null) {
      bins = new long[binCount()];
    }
    double d = Double.parseDouble(value.strip());
    int i = perInteger() ? (int) (d - min)
        : min == max ? 0 : (int) ((d - min) / (max - min) * bins.length);
    bins[Math.max(0, Math.min(bins.length - 1, i))]++; // the maximum falls in the last bin
  }

  // An integer column spanning fewer values than HISTOGRAM_BINS gets one bin per integer k,
  // [k, k + 1): equal-width bins over 1..4 would leave most of them empty between the integers.
  private boolean perInteger() {
    return type() == ColumnType.INTEGER && max - min < HISTOGRAM_BINS;
  }

  private int binCount() {
    return perInteger() ? (int) (max - min) + 1 : min == max ? 1 : HISTOGRAM_BINS;
  }

  private Histogram histogram() {
    int n = binCount();
    List<Double> edges = new ArrayList<>(n + 1);
    for (int i = 0; i < n; i++) {
      edges.add(perInteger() ? min + i : min + (max - min) * i / n);
    }
    edges.add(perInteger() ? max + 1 : max);
    List<Long> binCounts = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      binCounts.add(bins == null ? 0 : bins[i]);
    }
    return new Histogram(edges, binCounts);
  }

  /** The tracked values by count, most frequent first, ties by value; at most {@code limit}. */
  List<ValueCount> top(int limit) {
    return counts.entrySet().stream()
        .sorted(Comparator.comparing((Map.Entry<String, long[]> e) -> -e.getValue()[0])
            .thenComparing(Map.Entry::getKey))
        .limit(limit)
        .map(e -> new ValueCount(e.getKey(), e.getValue()[0]))
        .toList();
  }

  ColumnProfile profile() {
    ColumnType type = type();
    boolean numeric = numeric();
    return new ColumnProfile(name, type, missing > 0, count, missing,
        numeric ? min : null, numeric ? max : null, numeric ? mean : null,
        numeric ? Math.sqrt(m2 / count) : null, counts.size(), capped,
        numeric ? List.of() : top(TOP_VALUES), numeric ? histogram() : null);
  }
}
