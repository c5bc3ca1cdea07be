package ai.lepton.examples;

import ai.lepton.layers.Dense;
import ai.lepton.layers.Dropout;
import ai.lepton.layers.Input;
import ai.lepton.layers.Symbol;
import ai.lepton.models.Fit;
import ai.lepton.models.Functional;
import ai.lepton.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Multi-task learning on Fashion-MNIST with the functional API: one shared trunk, two heads. The
 * "item" head predicts the 10 classes; the "group" head predicts a target derived from them: tops
 * (T-shirt, pullover, dress, coat, shirt), footwear (sandal, sneaker, ankle boot) or other
 * (trouser, bag). Each head has its own loss, weight and accuracy.
 *
 * <p>Arguments: {@code [--epochs N] [--data DIR]}.
 */
public final class MultiTaskFashion {
  /** The group of each class: 0 tops, 1 footwear, 2 other. */
  static final int[] GROUP = {0, 2, 0, 0, 0, 1, 0, 1, 2, 1};

  private MultiTaskFashion() {}

  public static void main(String[] args) throws IOException {
    int epochs = 3;
    Path dir = null;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--epochs" -> epochs = Integer.parseInt(args[++i]);
        case "--data" -> dir = Path.of(args[++i]);
        default -> throw new IllegalArgumentException("unknown argument " + args[i]
            + "; use [--epochs N] [--data DIR]");
      }
    }
    FashionMnist.Data data = FashionMnist.load(dir);

    Symbol pixels = Input.of("pixels", 784);
    Symbol h = new Dense(256, "relu").name("trunk_1").on(pixels);
    h = new Dropout(0.2f).on(h);
    h = new Dense(128, "relu").name("trunk_2").on(h);
    Symbol item = new Dense(10, "softmax").name("item").on(h);
    Symbol group = new Dense(3, "softmax").name("group").on(h);
    Functional model = new Functional(List.of(pixels), List.of(item, group), "multi_task", 42);
    model.compile("adam",
        Map.of("item", "sparse_categorical_crossentropy",
            "group", "sparse_categorical_crossentropy"),
        Map.of("item", 1.0, "group", 0.5),
        Map.of("item", List.of("accuracy"), "group", List.of("accuracy")));
    System.out.println(model.summary());

    long start = System.nanoTime();
    model.fit(List.of(data.trainX()), List.of(data.trainY(), groups(data.trainY())),
        Fit.epochs(epochs).batchSize(64).validationSplit(0.1).seed(42));
    double seconds = (System.nanoTime() - start) / 1e9;
    Map<String, Double> test = model.evaluate(List.of(data.testX()),
        List.of(data.testY(), groups(data.testY())), 256);
    System.out.printf(Locale.ROOT, "Trained %d epochs in %.1f s%n", epochs, seconds);
    System.out.printf(Locale.ROOT, "Test: loss %.4f, item accuracy %.4f, group accuracy %.4f%n",
        test.get("loss"), test.get("item_accuracy"), test.get("group_accuracy"));
  }

  /** The group label of each class label. */
  static Tensor groups(Tensor labels) {
    float[] y = labels.toFloatArray();
    float[] g = new float[y.length];
    for (int i = 0; i < y.length; i++) {
      g[i] = GROUP[(int) y[i]];
    }
    return Tensor.of(g, y.length);
  }
}
