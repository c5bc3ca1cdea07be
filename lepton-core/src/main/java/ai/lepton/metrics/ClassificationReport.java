package ai.lepton.metrics;

import ai.lepton.LeptonException;
import ai.lepton.data.Dataset;
import ai.lepton.internal.Args;
import ai.lepton.models.Model;
import ai.lepton.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * How a classifier did on held-out data, as scikit-learn's {@code confusion_matrix},
 * {@code classification_report}, {@code roc_curve} and {@code roc_auc_score} report it (the tests
 * check golden values computed with them).
 *
 * <p>Predictions are a model's outputs: probabilities (or scores) of shape {@code [samples,
 * classes]}, the predicted class being the first largest; or, for a binary task with one sigmoid
 * output, {@code [samples]} or {@code [samples, 1]}, predicting class 1 when the output is at
 * least 0.5. Labels are class indices ({@code [samples]} or {@code [samples, 1]}, whole numbers
 * from 0) or one-hot rows of the predictions' width.
 *
 * <p>Conventions, all scikit-learn's: a class never predicted has precision 0 (its 0/0 counts as
 * 0, scikit-learn's {@code zero_division=0}), a class absent from the labels recall 0, and an F1
 * whose precision and recall are both 0 is 0; every class of {@code classes} counts in the macro
 * average, whether it occurs or not; the weighted average weighs each class by its support.
 *
 * @param samples the samples evaluated
 * @param classes the class names, in label order
 * @param confusionMatrix {@code [true class][predicted class]} counts (scikit-learn's layout: rows
 *     are the labels)
 * @param perClass one row per class, in label order
 * @param accuracy the fraction of samples whose predicted class is their label
 * @param macroAverage the unweighted mean of the per-class rows
 * @param weightedAverage the per-class rows weighted by support
 * @param roc for a binary task, the ROC curve of the score of class 1 from (0, 0) to (1, 1), at
 *     most {@link #MAX_ROC_POINTS} points; empty for more classes, or when the labels hold only one
 *     class (no curve is defined)
 * @param auc the area under the full ROC curve (ties between scores count half, as the trapezoid
 *     over the curve and the Mann-Whitney statistic both give); empty when {@code roc} is
 */
public record ClassificationReport(int samples, List<String> classes, int[][] confusionMatrix,
    List<ClassMetrics> perClass, double accuracy, Average macroAverage, Average weightedAverage,
    List<RocPoint> roc, OptionalDouble auc) {

  /** The most points {@link #roc} holds: enough for a chart, small enough for a report. */
  public static final int MAX_ROC_POINTS = 200;

  /**
   * One class's row.
   *
   * @param name the class's name
   * @param precision of the samples predicted as this class, the fraction that are; 0 if none is
   * @param recall of the samples of this class, the fraction predicted as it; 0 if none is
   * @param f1 the harmonic mean of precision and recall, {@code 2 tp / (2 tp + fp + fn)}; 0 when
   *     both are 0
   * @param support the samples of this class
   */
  public record ClassMetrics(String name, double precision, double recall, double f1,
      int support) {}

  /** An average of the per-class rows. */
  public record Average(double precision, double recall, double f1) {}

  /**
   * One point of a ROC curve: predicting class 1 for scores at or above {@code threshold} gives
   * these rates. The first point, (0, 0), has threshold {@code +Infinity} (no score reaches it;
   * scikit-learn 1.3 writes {@code inf}, older versions the top score plus 1).
   */
  public record RocPoint(double falsePositiveRate, double truePositiveRate, double threshold) {}

  public ClassificationReport {
    Args.nonNull(classes, "ClassificationReport", "classes");
    Args.nonNull(confusionMatrix, "ClassificationReport", "confusionMatrix");
    classes = List.copyOf(classes);
    confusionMatrix = copy(confusionMatrix);
    perClass = List.copyOf(Args.nonNull(perClass, "ClassificationReport", "perClass"));
    roc = List.copyOf(Args.nonNull(roc, "ClassificationReport", "roc"));
    Args.nonNull(auc, "ClassificationReport", "auc");
  }

  /** A copy of the confusion matrix: {@code [true class][predicted class]} counts. */
  @Override
  public int[][] confusionMatrix() {
    return copy(confusionMatrix);
  }

  /** Equal reports: every component equal, the confusion matrix compared by content. */
  @Override
  public boolean equals(Object o) {
    return o instanceof ClassificationReport r && samples == r.samples
        && classes.equals(r.classes) && Arrays.deepEquals(confusionMatrix, r.confusionMatrix)
        && perClass.equals(r.perClass) && Double.compare(accuracy, r.accuracy) == 0
        && macroAverage.equals(r.macroAverage) && weightedAverage.equals(r.weightedAverage)
        && roc.equals(r.roc) && auc.equals(r.auc);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.deepHashCode(confusionMatrix) + perClass.hashCode();
  }

  @Override
  public String toString() {
    return "ClassificationReport[samples=" + samples + ", classes=" + classes
        + ", confusionMatrix=" + Arrays.deepToString(confusionMatrix) + ", perClass=" + perClass
        + ", accuracy=" + accuracy + ", macroAverage=" + macroAverage + ", weightedAverage="
        + weightedAverage + ", roc=" + roc.size() + " points, auc=" + auc + "]";
  }

  /**
   * The report of {@code yPred} against {@code yTrue}, shaped as the class Javadoc says.
   *
   * @param classes the class names in label order, or an empty list for "0", "1", ...
   * @throws LeptonException if a prediction or label is NaN or infinite (naming the first), a
   *     label is not a class index (a whole number from 0 to classes - 1) nor a one-hot row, the
   *     shapes do not fit each other, or {@code classes} has not one name per class
   */
  public static ClassificationReport of(Tensor yTrue, Tensor yPred, List<String> classes) {
    return of(Predictions.of("ClassificationReport", yTrue, yPred), classes);
  }

  /**
   * The report of {@code model}'s predictions on every batch of {@code data} (a held-out split,
   * preprocessed as the model takes it), against the batches' targets.
   *
   * @param classes the class names in label order, or an empty list for "0", "1", ...
   * @throws LeptonException as {@link #of(Tensor, Tensor, List)}, and if the model has several
   *     inputs or outputs, the data does not fit it, or holds no samples
   */
  public static ClassificationReport of(Model model, Dataset data, List<String> classes) {
    return of(Predictions.of("ClassificationReport", model, data), classes);
  }

  /**
   * The headline numbers by name: {@code accuracy}, {@code macro_precision},
   * {@code macro_recall}, {@code macro_f1}, {@code weighted_precision}, {@code weighted_recall},
   * {@code weighted_f1}, and {@code auc} when there is one.
   */
  public Map<String, Double> metrics() {
    Map<String, Double> m = new LinkedHashMap<>();
    m.put("accuracy", accuracy);
    m.put("macro_precision", macroAverage.precision());
    m.put("macro_recall", macroAverage.recall());
    m.put("macro_f1", macroAverage.f1());
    m.put("weighted_precision", weightedAverage.precision());
    m.put("weighted_recall", weightedAverage.recall());
    m.put("weighted_f1", weightedAverage.f1());
    auc.ifPresent(a -> m.put("auc", a));
    return m;
  }

  private static ClassificationReport of(Predictions p, List<String> names) {
    String what = "ClassificationReport";
    Args.nonNull(names, what, "classes");
    p.requireFinite(what);
    int n = p.samples();
    int k = Math.max(2, p.width());
    List<String> classes = names;
    if (classes.isEmpty()) {
      classes = new ArrayList<>();
      for (int c = 0; c < k; c++) {
        classes.add(Integer.toString(c));
      }
    } else if (classes.size() != k) {
      throw new LeptonException(what + ": expected " + k + " class names, one per class the "
          + "predictions hold" + (p.width() == 1 ? " (one sigmoid output: 2 classes)" : "")
          + ", received " + classes.size() + ": " + classes);
    }
    int[] label = labels(what, p, k);
    int[] predicted = new int[n];
    for (int i = 0; i < n; i++) {
      predicted[i] = p.width() == 1 ? (p.predictions()[i] >= 0.5f ? 1 : 0)
          : argmax(p.predictions(), i * k, k);
    }
    int[][] cm = new int[k][k];
    for (int i = 0; i < n; i++) {
      cm[label[i]][predicted[i]]++;
    }
    List<ClassMetrics> rows = new ArrayList<>();
    double[] macro = new double[3];
    double[] weighted = new double[3];
    long correct = 0;
    for (int c = 0; c < k; c++) {
      long tp = cm[c][c];
      long predictedC = 0;
      long support = 0;
      for (int j = 0; j < k; j++) {
        predictedC += cm[j][c];
        support += cm[c][j];
      }
      correct += tp;
      double precision = predictedC == 0 ? 0 : (double) tp / predictedC;
      double recall = support == 0 ? 0 : (double) tp / support;
      long f1Denominator = 2 * tp + (predictedC - tp) + (support - tp);
      double f1 = f1Denominator == 0 ? 0 : 2.0 * tp / f1Denominator;
      rows.add(new ClassMetrics(classes.get(c), precision, recall, f1, (int) support));
      double[] row = {precision, recall, f1};
      for (int m = 0; m < 3; m++) {
        macro[m] += row[m] / k;
        weighted[m] += row[m] * support / n;
      }
    }
    List<RocPoint> roc = List.of();
    OptionalDouble auc = OptionalDouble.empty();
    if (k == 2 && rows.get(0).support() > 0 && rows.get(1).support() > 0) {
      float[] scores = new float[n];
      for (int i = 0; i < n; i++) {
        scores[i] = p.width() == 1 ? p.predictions()[i] : p.predictions()[i * 2 + 1];
      }
      List<RocPoint> curve = rocCurve(scores, label);
      auc = OptionalDouble.of(area(curve));
      roc = thin(curve);
    }
    return new ClassificationReport(n, classes, cm, rows, (double) correct / n,
        new Average(macro[0], macro[1], macro[2]),
        new Average(weighted[0], weighted[1], weighted[2]), roc, auc);
  }

  /** Each sample's class index, from indices or one-hot rows. */
  private static int[] labels(String what, Predictions p, int k) {
    int n = p.samples();
    float[] t = p.targets();
    int[] label = new int[n];
    if (p.targetWidth() == p.width() && p.width() > 1) {
      for (int i = 0; i < n; i++) {
        label[i] = argmax(t, i * k, k);
      }
      return label;
    }
    if (p.targetWidth() != 1) {
      throw new LeptonException(what + ": expected labels as class indices (one per sample) or "
          + "one-hot rows of " + p.width() + " values, like the predictions; received rows of "
          + p.targetWidth() + " values");
    }
    for (int i = 0; i < n; i++) {
      float v = t[i];
      if (v != Math.rint(v) || v < 0 || v >= k) {
        throw new LeptonException(what + ": label " + i + " is " + v + "; expected a class index, "
            + "a whole number from 0 to " + (k - 1));
      }
      label[i] = (int) v;
    }
    return label;
  }

  /** The index of the first largest of {@code values[from .. from + k)}. */
  private static int argmax(float[] values, int from, int k) {
    int best = 0;
    for (int c = 1; c < k; c++) {
      if (values[from + c] > values[from + best]) {
        best = c;
      }
    }
    return best;
  }

  /**
   * scikit-learn's {@code roc_curve(drop_intermediate=True)}: one point per distinct score, from
   * the highest down (tied scores move both rates at once: a diagonal step), without the points
   * where neither count's second difference changes (inside a straight run), then (0, 0).
   */
  static List<RocPoint> rocCurve(float[] scores, int[] label) {
    int n = scores.length;
    Integer[] order = new Integer[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    Arrays.sort(order, (a, b) -> Float.compare(scores[b] + 0f, scores[a] + 0f));
    // cumulative true and false positives at the last sample of each run of equal scores
    List<long[]> counts = new ArrayList<>(); // {tps, fps}
    List<Float> thresholds = new ArrayList<>();
    long tps = 0;
    long fps = 0;
    for (int i = 0; i < n; i++) {
      int s = order[i];
      tps += label[s];
      fps += 1 - label[s];
      if (i == n - 1 || scores[order[i + 1]] + 0f != scores[s] + 0f) {
        counts.add(new long[] {tps, fps});
        thresholds.add(scores[s]);
      }
    }
    List<Integer> kept = new ArrayList<>();
    for (int i = 0; i < counts.size(); i++) {
      boolean end = i == 0 || i == counts.size() - 1;
      if (end || counts.size() <= 2
          || secondDifference(counts, i, 0) != 0 || secondDifference(counts, i, 1) != 0) {
        kept.add(i);
      }
    }
    List<RocPoint> curve = new ArrayList<>();
    curve.add(new RocPoint(0, 0, Double.POSITIVE_INFINITY));
    for (int i : kept) {
      curve.add(new RocPoint((double) counts.get(i)[1] / fps, (double) counts.get(i)[0] / tps,
          thresholds.get(i)));
    }
    return curve;
  }

  /** {@code np.diff(x, 2)} at {@code i - 1}: x[i+1] - 2 x[i] + x[i-1]. */
  private static long secondDifference(List<long[]> counts, int i, int which) {
    return counts.get(i + 1)[which] - 2 * counts.get(i)[which] + counts.get(i - 1)[which];
  }

  /** The trapezoidal area under the curve. */
  static double area(List<RocPoint> curve) {
    double area = 0;
    for (int i = 1; i < curve.size(); i++) {
      RocPoint a = curve.get(i - 1);
      RocPoint b = curve.get(i);
      area += (b.falsePositiveRate() - a.falsePositiveRate())
          * (a.truePositiveRate() + b.truePositiveRate()) / 2;
    }
    return area;
  }

  /**
   * At most {@link #MAX_ROC_POINTS} points of {@code curve}, evenly spaced by index, the first and
   * the last always kept: enough to draw it; {@link #auc} comes from the full curve.
   */
  static List<RocPoint> thin(List<RocPoint> curve) {
    int m = curve.size();
    if (m <= MAX_ROC_POINTS) {
      return curve;
    }
    List<RocPoint> out = new ArrayList<>(MAX_ROC_POINTS);
    for (int j = 0; j < MAX_ROC_POINTS; j++) {
      out.add(curve.get((int) Math.round(j * (m - 1.0) / (MAX_ROC_POINTS - 1))));
    }
    return out;
  }

  private static int[][] copy(int[][] matrix) {
    int[][] out = new int[matrix.length][];
    for (int i = 0; i < matrix.length; i++) {
      out[i] = matrix[i].clone();
    }
    return out;
  }
}
