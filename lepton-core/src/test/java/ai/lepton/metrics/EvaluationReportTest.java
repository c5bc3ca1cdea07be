package ai.lepton.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.lepton.LeptonException;
import ai.lepton.data.Dataset;
import ai.lepton.layers.Dense;
import ai.lepton.layers.Input;
import ai.lepton.layers.Symbol;
import ai.lepton.models.Fit;
import ai.lepton.models.Functional;
import ai.lepton.models.Sequential;
import ai.lepton.tensor.Tensor;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The reports' entry points, from a model and a dataset, and the inputs they refuse. */
class EvaluationReportTest {
  private final Tensor x = Tensor.uniform(new SplittableRandom(7), -1, 1, 90, 4);

  @Test
  void aModelOnADatasetReportsWhatItsPredictionsOnTheTensorsGive() {
    Tensor y = Tensor.oneHot(x.slice(1, 0, 3).argmax(1), 3);
    Sequential model = new Sequential().add(new Dense(8, "relu")).add(new Dense(3, "softmax"));
    model.compile("adam", "categorical_crossentropy");
    model.fit(x, y, Fit.epochs(3).batchSize(16).seed(1).verbose(0));
    List<String> classes = List.of("a", "b", "c");

    ClassificationReport fromData = ClassificationReport.of(model, Dataset.of(x, y).batch(16),
        classes);
    ClassificationReport fromTensors = ClassificationReport.of(y, model.predict(x), classes);
    assertEquals(90, fromData.samples());
    assertEquals(fromTensors, fromData);
    assertEquals(fromTensors.hashCode(), fromData.hashCode());
    assertTrue(fromData.toString().contains("confusionMatrix=[["), fromData.toString());
    assertTrue(fromData.roc().isEmpty(), "three classes: no ROC");
  }

  @Test
  void aRegressionModelOnADatasetMatchesTheTensorForm() {
    Tensor y = x.slice(1, 0, 1);
    Sequential model = new Sequential().add(new Dense(1));
    model.compile("sgd", "mse");
    model.fit(x, y, Fit.epochs(2).batchSize(10).seed(1).verbose(0));
    RegressionReport fromData = RegressionReport.of(model, Dataset.of(x, y).batch(32));
    assertEquals(RegressionReport.of(y, model.predict(x)), fromData);
    assertEquals(List.of("mae", "mse", "rmse", "r2", "max_error"),
        List.copyOf(fromData.metrics().keySet()));
  }

  @Test
  void nanPredictionsAreRefusedNamingTheSample() {
    Tensor pred = Tensor.of(new float[] {0.2f, 0.8f, Float.NaN, 0.5f}, 2, 2);
    LeptonException e = assertThrows(LeptonException.class,
        () -> ClassificationReport.of(Tensor.of(new float[] {1, 0}, 2), pred, List.of()));
    assertTrue(e.getMessage().contains("prediction 1 holds NaN; a report needs finite "
        + "predictions"), e.getMessage());
    LeptonException r = assertThrows(LeptonException.class, () -> RegressionReport.of(
        Tensor.of(new float[] {1, 2}, 2), Tensor.of(new float[] {Float.POSITIVE_INFINITY, 2}, 2)));
    assertTrue(r.getMessage().contains("prediction 0 holds Infinity"), r.getMessage());
  }

  @Test
  void labelsThatAreNotClassIndicesAreRefused() {
    Tensor pred = Tensor.of(new float[] {0.2f, 0.8f, 0.6f, 0.4f}, 2, 2);
    for (float bad : new float[] {0.5f, 2, -1}) {
      LeptonException e = assertThrows(LeptonException.class, () -> ClassificationReport.of(
          Tensor.of(new float[] {0, bad}, 2), pred, List.of()));
      assertTrue(e.getMessage().contains("label 1 is " + bad + "; expected a class index, a "
          + "whole number from 0 to 1"), e.getMessage());
    }
    LeptonException wide = assertThrows(LeptonException.class, () -> ClassificationReport.of(
        Tensor.zeros(2, 3), pred, List.of()));
    assertTrue(wide.getMessage().contains("received rows of 3 values"), wide.getMessage());
  }

  @Test
  void classNamesMustNameEveryClass() {
    LeptonException e = assertThrows(LeptonException.class, () -> ClassificationReport.of(
        Tensor.of(new float[] {0, 1}, 2), Tensor.of(new float[] {0.1f, 0.9f}, 2),
        List.of("only")));
    assertTrue(e.getMessage().contains("expected 2 class names, one per class the predictions "
        + "hold (one sigmoid output: 2 classes), received 1: [only]"), e.getMessage());
  }

  @Test
  void aClassNeverPredictedHasPrecisionZeroAndAnAbsentClassRecallZero() {
    // three classes: class 2 is never predicted; class 1 never occurs in the labels
    Tensor pred = Tensor.of(new float[] {.9f, .1f, 0, .2f, .7f, .1f, .8f, .1f, .1f}, 3, 3);
    ClassificationReport r = ClassificationReport.of(Tensor.of(new float[] {0, 2, 0}, 3), pred,
        List.of());
    assertEquals(new ClassificationReport.ClassMetrics("2", 0, 0, 0, 1), r.perClass().get(2));
    assertEquals(new ClassificationReport.ClassMetrics("1", 0, 0, 0, 0), r.perClass().get(1));
    assertEquals(1.0, r.perClass().get(0).recall());
    assertEquals(2 / 3.0, r.accuracy(), 1e-15);
  }

  @Test
  void theConfusionMatrixIsACopy() {
    ClassificationReport r = ClassificationReport.of(Tensor.of(new float[] {0, 1}, 2),
        Tensor.of(new float[] {0.1f, 0.9f}, 2), List.of());
    r.confusionMatrix()[0][0] = 99;
    assertEquals(1, r.confusionMatrix()[0][0]);
  }

  @Test
  void regressionNeedsOneValuePerSampleAndTwoSamples() {
    LeptonException one = assertThrows(LeptonException.class, () -> RegressionReport.of(
        Tensor.of(new float[] {1}, 1), Tensor.of(new float[] {1}, 1)));
    assertTrue(one.getMessage().contains("received 1 sample; R2 needs at least 2"),
        one.getMessage());
    LeptonException wide = assertThrows(LeptonException.class, () -> RegressionReport.of(
        Tensor.zeros(3, 2), Tensor.zeros(3, 2)));
    assertTrue(wide.getMessage().contains("expected one value per sample"), wide.getMessage());
    LeptonException count = assertThrows(LeptonException.class, () -> RegressionReport.of(
        Tensor.zeros(3), Tensor.zeros(4)));
    assertTrue(count.getMessage().contains("must hold the same number of samples; received "
        + "shapes [3] and [4]"), count.getMessage());
  }

  @Test
  void aModelWithTwoOutputsIsRefused() {
    Symbol in = Input.of("in", 4);
    Functional model = new Functional(List.of(in),
        List.of(new Dense(1).name("a").on(in), new Dense(1).name("b").on(in)));
    LeptonException e = assertThrows(LeptonException.class, () -> RegressionReport.of(model,
        Dataset.of(x, x.slice(1, 0, 1))));
    assertTrue(e.getMessage().contains("an evaluation report covers a model with one output; "
        + "this one has [a, b]"), e.getMessage());
  }
}
