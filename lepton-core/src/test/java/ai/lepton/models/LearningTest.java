package ai.lepton.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.lepton.layers.Conv2D;
import ai.lepton.layers.Dense;
import ai.lepton.layers.Flatten;
import ai.lepton.layers.MaxPooling2D;
import ai.lepton.layers.Reshape;
import ai.lepton.optimizers.Adam;
import ai.lepton.optimizers.SGD;
import ai.lepton.losses.Losses;
import ai.lepton.metrics.Metrics;
import ai.lepton.tensor.Tensor;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** End-to-end learning on problems whose answer is known. */
class LearningTest {

  /**
   * The product brief's credit-scoring example: a score that is linear in age, income and years of
   * credit history. Gradient descent on standardized features must recover the coefficients.
   */
  @Test
  void linearRegressionRecoversCreditScoreCoefficients() {
    int n = 1000;
    SplittableRandom rng = new SplittableRandom(11);
    float[] features = new float[n * 3];
    float[] score = new float[n];
    double[] coef = {2.0, 1.5, 8.0}; // points per year of age, per k$ of income, per year of history
    for (int i = 0; i < n; i++) {
      double age = 20 + 50 * rng.nextDouble();
      double income = 20 + 130 * rng.nextDouble();
      double history = 30 * rng.nextDouble();
      features[i * 3] = (float) age;
      features[i * 3 + 1] = (float) income;
      features[i * 3 + 2] = (float) history;
      score[i] = (float) (300 + coef[0] * age + coef[1] * income + coef[2] * history
          + 5 * rng.nextGaussian());
    }
    Tensor raw = Tensor.of(features, n, 3);
    Tensor mean = raw.mean(0, true);
    Tensor std = raw.sub(mean).square().mean(0, true).sqrt();
    Tensor x = raw.sub(mean).div(std);
    Tensor y = Tensor.of(score, n, 1);

    Sequential model = new Sequential().add(new Dense(1));
    model.compile(new SGD(0.05f), Losses.meanSquaredError());
    model.fit(x, y, Fit.epochs(60).batchSize(32).seed(3).verbose(0));

    float[] w = model.weights().get("dense/kernel").toFloatArray();
    float[] s = std.toFloatArray();
    for (int j = 0; j < 3; j++) {
      double recovered = w[j] / s[j];
      assertEquals(coef[j], recovered, 0.03 * coef[j], "coefficient " + j);
    }
  }

  @Test
  void mlpLearnsXor() {
    Tensor x = Tensor.of(new float[] {0, 0, 0, 1, 1, 0, 1, 1}, 4, 2);
    Tensor y = Tensor.of(new float[] {0, 1, 1, 0}, 4, 1);
    Sequential model = new Sequential().add(new Dense(8, "tanh")).add(new Dense(1, "sigmoid"));
    model.compile(new Adam(0.05f), Losses.binaryCrossentropy(false), Metrics.get("accuracy"));
    model.fit(x, y, Fit.epochs(500).batchSize(4).seed(42).verbose(0));
    var scores = model.evaluate(x, y);
    assertEquals(1.0, scores.get("accuracy"));
    assertTrue(scores.get("loss") < 0.05, scores.toString());
  }

  /** Two interleaved spirals: not separable without a hidden representation. */
  @Test
  void mlpLearnsTwoSpirals() {
    int perClass = 100;
    float[] pts = new float[perClass * 2 * 2];
    float[] labels = new float[perClass * 2];
    SplittableRandom rng = new SplittableRandom(5);
    for (int i = 0; i < perClass; i++) {
      double t = 0.25 + 3.0 * Math.PI * i / perClass; // one and a half turns
      double r = t / (3.0 * Math.PI);
      for (int c = 0; c < 2; c++) {
        int k = 2 * i + c;
        double sign = c == 0 ? 1 : -1;
        pts[2 * k] = (float) (sign * r * Math.cos(t) + 0.01 * rng.nextGaussian());
        pts[2 * k + 1] = (float) (sign * r * Math.sin(t) + 0.01 * rng.nextGaussian());
        labels[k] = c;
      }
    }
    Tensor x = Tensor.of(pts, perClass * 2, 2);
    Tensor y = Tensor.of(labels, perClass * 2, 1);
    Sequential model = new Sequential()
        .add(new Dense(64, "relu"))
        .add(new Dense(64, "relu"))
        .add(new Dense(1, "sigmoid"));
    model.compile(new Adam(0.01f), Losses.binaryCrossentropy(false), Metrics.get("accuracy"));
    model.fit(x, y, Fit.epochs(200).batchSize(20).seed(1).verbose(0));
    double accuracy = model.evaluate(x, y).get("accuracy");
    assertTrue(accuracy >= 0.98, "two-spirals accuracy " + accuracy);
  }

  /** A small CNN tells a vertical bar from a horizontal one anywhere in an 8x8 image. */
  @Test
  void smallCnnTellsVerticalFromHorizontalBars() {
    int n = 64;
    float[] pixels = new float[n * 64];
    float[] label = new float[n];
    SplittableRandom rng = new SplittableRandom(5);
    for (int i = 0; i < n; i++) {
      boolean vertical = i % 2 == 0;
      int at = rng.nextInt(8);
      for (int k = 0; k < 8; k++) {
        pixels[i * 64 + (vertical ? k * 8 + at : at * 8 + k)] = 1f;
      }
      label[i] = vertical ? 1 : 0;
    }
    Tensor x = Tensor.of(pixels, n, 64);
    Sequential model = new Sequential()
        .add(new Reshape(8, 8, 1))
        .add(new Conv2D(4, 3, 3, "relu"))
        .add(new MaxPooling2D())
        .add(new Flatten())
        .add(new Dense(2, "softmax"));
    model.compile(new Adam(0.05f), Losses.sparseCategoricalCrossentropy(false),
        Metrics.get("accuracy"));
    model.fit(x, Tensor.of(label, n), Fit.epochs(40).batchSize(16).seed(2).verbose(0));
    assertEquals(1.0, model.evaluate(x, Tensor.of(label, n)).get("accuracy"), 1e-9);
  }
}
