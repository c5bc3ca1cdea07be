package ai.lepton.examples;

import ai.lepton.data.Splits;
import ai.lepton.data.Tokenizer;
import ai.lepton.layers.Dense;
import ai.lepton.losses.Losses;
import ai.lepton.metrics.Metrics;
import ai.lepton.models.Fit;
import ai.lepton.models.Sequential;
import ai.lepton.optimizers.Adam;
import ai.lepton.tensor.Tensor;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The bag-of-words baseline for classifying Debian fortunes by category: a binary word matrix of
 * the {@code numWords - 1} most frequent training words, then logistic regression
 * ({@code Dense(1, "sigmoid")} on binary cross-entropy; softmax regression for more than two
 * categories). A sequence model on the same {@link FortunesData} split should beat its held-out
 * accuracy.
 *
 * <p>Arguments: {@code [--categories computers,science] [--epochs N] [--num-words N]
 * [--seed S] [--data DIR]}.
 */
public final class FortunesBaseline {
  private FortunesBaseline() {}

  public static void main(String[] args) {
    List<String> categories = FortunesData.DEFAULT_CATEGORIES;
    int epochs = 10;
    int numWords = 5000;
    long seed = 42;
    Path dir = FortunesData.DEBIAN;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--categories" -> categories = List.of(args[++i].split(","));
        case "--epochs" -> epochs = Integer.parseInt(args[++i]);
        case "--num-words" -> numWords = Integer.parseInt(args[++i]);
        case "--seed" -> seed = Long.parseLong(args[++i]);
        case "--data" -> dir = Path.of(args[++i]);
        default -> throw new IllegalArgumentException("unknown argument " + args[i] + "; use "
            + "[--categories a,b] [--epochs N] [--num-words N] [--seed S] [--data DIR]");
      }
    }
    FortunesData data = FortunesData.read(dir, categories);
    Splits.Split split = data.split(0.2, seed);
    System.out.printf(Locale.ROOT, "Fortunes %s: %s entries; %d for training, %d held out%n",
        categories, Arrays.toString(data.counts()), split.train().length, split.test().length);

    Tokenizer tokenizer = new Tokenizer(numWords, null); // fitted on the training texts only
    tokenizer.fitOnTexts(data.texts(split.train()));
    Tensor trainX = tokenizer.textsToMatrix(data.texts(split.train()), "binary");
    Tensor testX = tokenizer.textsToMatrix(data.texts(split.test()), "binary");
    Tensor trainY = labels(data.labels(split.train()));
    Tensor testY = labels(data.labels(split.test()));

    boolean binary = categories.size() == 2;
    Sequential model = new Sequential()
        .add(binary ? new Dense(1, "sigmoid") : new Dense(categories.size(), "softmax"));
    model.compile(new Adam(0.01f), Losses.get(binary ? "binary_crossentropy"
        : "sparse_categorical_crossentropy"), Metrics.get("accuracy"));
    model.fit(trainX, binary ? trainY.reshape(-1, 1) : trainY,
        Fit.epochs(epochs).batchSize(32).seed(seed).verbose(1));
    Map<String, Double> scores =
        model.evaluate(testX, binary ? testY.reshape(-1, 1) : testY);
    int majority = Arrays.stream(data.counts()).max().orElseThrow();
    System.out.printf(Locale.ROOT, "Held-out accuracy: %.3f (bag of %d words, logistic "
        + "regression; always guessing the largest category scores %.3f)%n",
        scores.get("accuracy"), trainX.dim(1) - 1, (double) majority / data.texts().size());
  }

  private static Tensor labels(int[] labels) {
    float[] y = new float[labels.length];
    for (int i = 0; i < y.length; i++) {
      y[i] = labels[i];
    }
    return Tensor.of(y, y.length);
  }
}
