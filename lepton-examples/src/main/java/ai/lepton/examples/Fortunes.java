package ai.lepton.examples;

import ai.lepton.data.Splits;
import ai.lepton.layers.Dense;
import ai.lepton.layers.Embedding;
import ai.lepton.layers.LSTM;
import ai.lepton.layers.SpatialDropout1D;
import ai.lepton.losses.Losses;
import ai.lepton.metrics.Metrics;
import ai.lepton.models.Fit;
import ai.lepton.models.Model;
import ai.lepton.models.Sequential;
import ai.lepton.optimizers.Adam;
import ai.lepton.preprocessing.TextPreprocessing;
import ai.lepton.preprocessing.Tokenizer;
import ai.lepton.tensor.Tensor;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Classifies Debian fortunes by category, as the product brief's text example: Tokenizer ->
 * padSequences -> Embedding -> SpatialDropout1D -> LSTM -> Dense (sigmoid for two categories,
 * softmax for more). Its held-out accuracy is printed beside a bag-of-words baseline on the same
 * split: a binary matrix of the training texts' most frequent words fed to logistic regression.
 * The LSTM model is saved with its text preprocessing and reloaded, then classifies raw texts the
 * way a server would.
 *
 * <p>{@code --epochs} sets the chosen model's epochs (default 10 for the LSTM; the baseline trains
 * 10 unless it is the chosen model).
 *
 * <p>Arguments: {@code [--model lstm|bow] [--categories computers,science] [--epochs N]
 * [--num-words N] [--maxlen N] [--seed S] [--data DIR] [--save FILE]}.
 */
public final class Fortunes {
  private Fortunes() {}

  public static void main(String[] args) {
    String modelKind = "lstm";
    List<String> categories = FortunesData.DEFAULT_CATEGORIES;
    int epochs = 0;
    int numWords = 5000;
    int maxlen = 100;
    long seed = 42;
    Path dir = FortunesData.DEBIAN;
    Path save = Path.of("fortunes.lepton");
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--model" -> modelKind = args[++i];
        case "--categories" -> categories = List.of(args[++i].split(","));
        case "--epochs" -> epochs = Integer.parseInt(args[++i]);
        case "--num-words" -> numWords = Integer.parseInt(args[++i]);
        case "--maxlen" -> maxlen = Integer.parseInt(args[++i]);
        case "--seed" -> seed = Long.parseLong(args[++i]);
        case "--data" -> dir = Path.of(args[++i]);
        case "--save" -> save = Path.of(args[++i]);
        default -> throw new IllegalArgumentException("unknown argument " + args[i] + "; use "
            + "[--model lstm|bow] [--categories a,b] [--epochs N] [--num-words N] [--maxlen N] "
            + "[--seed S] [--data DIR] [--save FILE]");
      }
    }
    if (!modelKind.equals("lstm") && !modelKind.equals("bow")) {
      throw new IllegalArgumentException("--model: expected lstm or bow, received " + modelKind);
    }
    FortunesData data = FortunesData.read(dir, categories);
    Splits.Split split = data.split(0.2, seed);
    System.out.printf(Locale.ROOT, "Fortunes %s: %s entries; %d for training, %d held out%n",
        categories, Arrays.toString(data.counts()), split.train().length, split.test().length);
    Tokenizer tokenizer = new Tokenizer(numWords, "<oov>"); // fitted on the training texts only
    tokenizer.fitOnTexts(data.texts(split.train()));
    boolean binary = categories.size() == 2;
    Tensor trainY = labels(data.labels(split.train()), binary);
    Tensor testY = labels(data.labels(split.test()), binary);

    // Baseline: a binary bag of words, then logistic (softmax) regression.
    Sequential bow = new Sequential().add(dense(categories.size()));
    compile(bow, categories.size(), 0.01f);
    Tensor trainBow = tokenizer.textsToMatrix(data.texts(split.train()), "binary");
    bow.fit(trainBow, trainY, Fit.epochs(modelKind.equals("bow") && epochs > 0 ? epochs : 10)
        .batchSize(32).seed(seed).verbose(modelKind.equals("bow") ? 1 : 0));
    double bowAccuracy = bow.evaluate(tokenizer.textsToMatrix(data.texts(split.test()), "binary"),
        testY).get("accuracy");
    int majority = Arrays.stream(data.counts()).max().orElseThrow();
    System.out.printf(Locale.ROOT, "Bag-of-words baseline (%d words): held-out accuracy %.3f; "
        + "always guessing the largest category scores %.3f%n", trainBow.dim(1) - 1, bowAccuracy,
        (double) majority / data.texts().size());
    if (modelKind.equals("bow")) {
      return;
    }

    TextPreprocessing text = new TextPreprocessing(tokenizer, maxlen);
    Sequential lstm = new Sequential()
        .add(new Embedding(numWords, 64, true)) // id 0 is padding: the LSTM skips it
        .add(new SpatialDropout1D(0.2f))
        .add(new LSTM(64))
        .add(dense(categories.size()));
    compile(lstm, categories.size(), 0.002f);
    lstm.preprocessing(text);
    lstm.fit(text.transform(data.texts(split.train())), trainY,
        Fit.epochs(epochs > 0 ? epochs : 10).batchSize(32).seed(seed).verbose(1));
    lstm.save(save);

    // Serving: the saved file carries the tokenizer, so raw texts go straight in.
    Model served = Model.load(save);
    Tensor testX = served.preprocessing().orElseThrow().transform(data.texts(split.test()));
    double lstmAccuracy = served.evaluate(testX, testY).get("accuracy");
    System.out.printf(Locale.ROOT, "LSTM: held-out accuracy %.3f against %.3f for the bag of "
        + "words; saved with its tokenizer to %s%n", lstmAccuracy, bowAccuracy, save);
    String sample = data.texts(split.test()).get(0);
    float[] p = served.predict(served.preprocessing().orElseThrow().transform(List.of(sample)))
        .toFloatArray();
    int predicted = binary ? (p[0] >= 0.5f ? 1 : 0) : argmax(p);
    System.out.printf(Locale.ROOT, "%nA held-out fortune, classified from its raw text as \"%s\" "
        + "(labelled \"%s\"):%n%s%n", categories.get(predicted),
        categories.get(data.labels(split.test())[0]), sample);
  }

  private static Dense dense(int classes) {
    return classes == 2 ? new Dense(1, "sigmoid") : new Dense(classes, "softmax");
  }

  private static void compile(Model model, int classes, float learningRate) {
    model.compile(new Adam(learningRate), Losses.get(classes == 2 ? "binary_crossentropy"
        : "sparse_categorical_crossentropy"), Metrics.get("accuracy"));
  }

  /** Labels as {@code [n, 1]} floats for a sigmoid output, {@code [n]} class ids for softmax. */
  private static Tensor labels(int[] labels, boolean binary) {
    float[] y = new float[labels.length];
    for (int i = 0; i < y.length; i++) {
      y[i] = labels[i];
    }
    return binary ? Tensor.of(y, y.length, 1) : Tensor.of(y, y.length);
  }

  private static int argmax(float[] p) {
    int best = 0;
    for (int i = 1; i < p.length; i++) {
      if (p[i] > p[best]) {
        best = i;
      }
    }
    return best;
  }
}
