package ai.lepton.examples;

import ai.lepton.layers.Conv2D;
import ai.lepton.layers.Dense;
import ai.lepton.layers.Flatten;
import ai.lepton.layers.Input;
import ai.lepton.layers.MaxPooling2D;
import ai.lepton.layers.Reshape;
import ai.lepton.layers.Symbol;
import ai.lepton.losses.Losses;
import ai.lepton.metrics.Metrics;
import ai.lepton.models.Fit;
import ai.lepton.models.Functional;
import ai.lepton.models.Model;
import ai.lepton.optimizers.Adam;
import ai.lepton.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Transfer learning on Fashion-MNIST: trains a trunk and head on the even classes (T-shirt,
 * pullover, coat, sandal, bag), saves it, loads it, freezes the trunk and trains a new head on the
 * odd classes (trouser, dress, shirt, sneaker, ankle boot) from a few samples; then trains the same
 * architecture from scratch on the same few samples and compares test accuracies on the odd
 * classes. Both halves hold clothes and shoes, so the trunk's features carry over.
 *
 * <p>Arguments: {@code [--epochs N] [--samples N] [--head-epochs N] [--data DIR] [--save FILE]}.
 */
public final class TransferFashion {
  private TransferFashion() {}

  public static void main(String[] args) throws IOException {
    int epochs = 2;
    int samples = 100;
    int headEpochs = 20;
    Path dir = null;
    Path save = Path.of("transfer-trunk.lepton");
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--epochs" -> epochs = Integer.parseInt(args[++i]);
        case "--samples" -> samples = Integer.parseInt(args[++i]);
        case "--head-epochs" -> headEpochs = Integer.parseInt(args[++i]);
        case "--data" -> dir = Path.of(args[++i]);
        case "--save" -> save = Path.of(args[++i]);
        default -> throw new IllegalArgumentException("unknown argument " + args[i]
            + "; use [--epochs N] [--samples N] [--head-epochs N] [--data DIR] [--save FILE]");
      }
    }
    FashionMnist.Data data = FashionMnist.load(dir);
    Tensor[] first = classes(data.trainX(), data.trainY(), 0, Integer.MAX_VALUE);
    Tensor[] few = classes(data.trainX(), data.trainY(), 1, samples);
    Tensor[] test = classes(data.testX(), data.testY(), 1, Integer.MAX_VALUE);

    System.out.printf(Locale.ROOT, "1. Trunk and head on the even classes (%d images, %d epochs)%n",
        first[0].dim(0), epochs);
    Functional source = network("head_a", 1);
    source.compile("adam", "sparse_categorical_crossentropy", "accuracy");
    long start = System.nanoTime();
    source.fit(first[0], first[1], Fit.epochs(epochs).batchSize(64).seed(1).verbose(2));
    System.out.printf(Locale.ROOT, "   trained in %.1f s; saving to %s%n",
        (System.nanoTime() - start) / 1e9, save);
    source.save(save);

    System.out.printf(Locale.ROOT, "2. Loaded, trunk frozen, new head on the odd classes (%d images, "
        + "%d epochs)%n", few[0].dim(0), headEpochs);
    Functional loaded = (Functional) Model.load(save);
    for (String name : List.of("trunk_1", "trunk_2")) {
      loaded.layer(name).trainable(false);
    }
    Symbol features = loaded.layer("features").output();
    Functional transfer = new Functional(loaded.inputs(),
        List.of(new Dense(5, "softmax").name("head_b").on(features)), "transfer", 2);
    transfer.compile("adam", "sparse_categorical_crossentropy", "accuracy");
    System.out.println(transfer.summary());
    double transferAccuracy = trainAndTest(transfer, few, test, headEpochs);

    System.out.println("   then fine-tuned: trunk unfrozen, Adam at 1e-4");
    for (String name : List.of("trunk_1", "trunk_2")) {
      loaded.layer(name).trainable(true);
    }
    transfer.compile(new Adam(1e-4f), Losses.get("sparse_categorical_crossentropy"),
        Metrics.get("accuracy"));
    double fineTunedAccuracy = trainAndTest(transfer, few, test, headEpochs);

    System.out.printf(Locale.ROOT, "3. Same architecture from scratch on the same %d images%n",
        few[0].dim(0));
    Functional scratch = network("head_b", 2);
    scratch.compile("adam", "sparse_categorical_crossentropy", "accuracy");
    double scratchAccuracy = trainAndTest(scratch, few, test, headEpochs);

    System.out.println("4. Loading the saved weights by name into a fresh model:");
    System.out.println(network("head_b", 3).loadWeightsByName(save, true));

    System.out.printf(Locale.ROOT, "Test accuracy on the odd classes (%d images): frozen trunk %.4f, "
        + "fine-tuned %.4f, from scratch %.4f%n", test[0].dim(0), transferAccuracy,
        fineTunedAccuracy, scratchAccuracy);
  }

  /**
   * A convolutional trunk (two 3x3 convolutions with max pooling, 1,600 features) and a 5-class
   * softmax head with the given name.
   */
  private static Functional network(String head, long seed) {
    Symbol in = Input.of("pixels", 784);
    Symbol h = new Reshape(28, 28, 1).on(in);
    h = new MaxPooling2D().on(new Conv2D(32, 3, 3, "relu").name("trunk_1").on(h));
    h = new MaxPooling2D().on(new Conv2D(64, 3, 3, "relu").name("trunk_2").on(h));
    h = new Flatten().name("features").on(h);
    return new Functional(List.of(in), List.of(new Dense(5, "softmax").name(head).on(h)),
        "fashion_" + head, seed);
  }

  private static double trainAndTest(Model model, Tensor[] train, Tensor[] test, int epochs) {
    long start = System.nanoTime();
    model.fit(train[0], train[1], Fit.epochs(epochs).batchSize(32).seed(3).verbose(0));
    double accuracy = model.evaluate(test[0], test[1], 256).get("accuracy");
    System.out.printf(Locale.ROOT, "   trained in %.1f s; test accuracy %.4f%n",
        (System.nanoTime() - start) / 1e9, accuracy);
    return accuracy;
  }

  /**
   * The first {@code limit} images of the classes whose parity is {@code parity}, with labels
   * halved to 0..4: {@code {x [n, 784], y [n]}}.
   */
  static Tensor[] classes(Tensor x, Tensor y, int parity, int limit) {
    float[] labels = y.toFloatArray();
    List<Integer> keep = new ArrayList<>();
    for (int i = 0; i < labels.length && keep.size() < limit; i++) {
      if ((int) labels[i] % 2 == parity) {
        keep.add(i);
      }
    }
    int[] idx = keep.stream().mapToInt(Integer::intValue).toArray();
    float[] shifted = new float[idx.length];
    for (int i = 0; i < idx.length; i++) {
      shifted[i] = (int) labels[idx[i]] / 2;
    }
    return new Tensor[] {x.gather(0, idx), Tensor.of(shifted, idx.length)};
  }
}
