package ai.lepton.data;

import ai.lepton.LeptonException;
import ai.lepton.internal.Args;
import ai.lepton.internal.Memory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/** Seeded train/test splits as index arrays: the same seed always gives the same split. */
public final class Splits {
  /**
   * Row indices for training and testing, each in shuffled order.
   *
   * @param train the training rows
   * @param test the test rows
   */
  public record Split(int[] train, int[] test) {}

  private Splits() {}

  /**
   * Shuffles rows {@code 0..n-1} and puts {@code ceil(n * testFraction)} of them in the test set,
   * as scikit-learn's {@code train_test_split}.
   *
   * @throws LeptonException if {@code testFraction} is not strictly between 0 and 1, or either side
   *     would be empty
   */
  public static Split trainTestSplit(int n, double testFraction, long seed) {
    // the shuffled order and the two sides: three arrays of n ints
    Memory.check(12L * n, "Splits.trainTestSplit: n=" + n + " rows", "split fewer rows");
    int tests = testCount(n, testFraction);
    int[] order = shuffled(range(n), new Random(seed));
    return new Split(Arrays.copyOfRange(order, tests, n),
        Arrays.copyOf(order, tests));
  }

  /**
   * Like {@link #trainTestSplit}, but each class (a value of {@code labels}) goes to the test set in
   * the same proportion, {@code round(count * testFraction)} of its rows, so rare classes appear in
   * both sets.
   *
   * @throws LeptonException if {@code testFraction} is not strictly between 0 and 1, or either side
   *     would be empty
   */
  public static Split stratifiedSplit(int[] labels, double testFraction, long seed) {
    Args.nonNull(labels, "Splits.stratifiedSplit", "labels");
    testCount(labels.length, testFraction);
    Map<Integer, List<Integer>> byClass = new TreeMap<>();
    for (int i = 0; i < labels.length; i++) {
      byClass.computeIfAbsent(labels[i], k -> new ArrayList<>()).add(i);
    }
    Random random = new Random(seed);
    List<Integer> train = new ArrayList<>();
    List<Integer> test = new ArrayList<>();
    for (List<Integer> rows : byClass.values()) {
      int[] order = shuffled(rows.stream().mapToInt(Integer::intValue).toArray(), random);
      int tests = (int) Math.round(order.length * testFraction);
      for (int i = 0; i < order.length; i++) {
        (i < tests ? test : train).add(order[i]);
      }
    }
    if (train.isEmpty() || test.isEmpty()) {
      throw new LeptonException("stratifiedSplit: testFraction=" + testFraction + " of "
          + labels.length + " rows leaves the " + (train.isEmpty() ? "training" : "test")
          + " set empty; use more rows or another fraction");
    }
    return new Split(shuffled(train.stream().mapToInt(Integer::intValue).toArray(), random),
        shuffled(test.stream().mapToInt(Integer::intValue).toArray(), random));
  }

  private static int testCount(int n, double testFraction) {
    if (!(testFraction > 0 && testFraction < 1)) {
      throw new LeptonException("testFraction must be strictly between 0 and 1; received "
          + testFraction);
    }
    int tests = (int) Math.ceil(n * testFraction);
    if (tests >= n) {
      throw new LeptonException("a split of " + n + " rows with testFraction=" + testFraction
          + " leaves the training set empty; use more rows or a smaller fraction");
    }
    return tests;
  }

  private static int[] range(int n) {
    int[] out = new int[n];
    for (int i = 0; i < n; i++) {
      out[i] = i;
    }
    return out;
  }

  /** Fisher-Yates, in place; returns {@code a}. */
  private static int[] shuffled(int[] a, Random random) {
    for (int i = a.length - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
    return a;
  }
}
