package ai.lepton.examples;

import ai.lepton.data.Idx;
import ai.lepton.layers.Dense;
import ai.lepton.layers.Dropout;
import ai.lepton.models.Fit;
import ai.lepton.models.Model;
import ai.lepton.models.Sequential;
import ai.lepton.tensor.Tensor;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/**
 * Trains an MLP (784-256-128-10, Adam) on Fashion-MNIST and reports test accuracy; the README's
 * demo. Uses Debian's full dataset when installed, otherwise the 3,000-image sample shipped in this
 * module, and says which.
 *
 * <p>Arguments: {@code [--epochs N] [--data DIR] [--save FILE]}.
 */
public final class FashionMnist {
  static final Path DEBIAN = Path.of("/usr/share/datasets/fashion-mnist");
  static final String SAMPLE = "/fashion-mnist-sample/";
  static final String[] FILES = {"train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
      "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"};

  private FashionMnist() {}

  public static void main(String[] args) throws IOException {
    int epochs = 12;
    Path dir = null;
    Path save = Path.of("fashion-mnist.lepton");
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--epochs" -> epochs = Integer.parseInt(args[++i]);
        case "--data" -> dir = Path.of(args[++i]);
        case "--save" -> save = Path.of(args[++i]);
        default -> throw new IllegalArgumentException("unknown argument " + args[i]
            + "; use [--epochs N] [--data DIR] [--save FILE]");
      }
    }
    Data data = load(dir);
    Tensor trainX = data.trainX();
    Tensor trainY = data.trainY();
    Tensor testX = data.testX();
    Tensor testY = data.testY();

    Sequential model = new Sequential()
        .add(new Dense(256, "relu"))
        .add(new Dropout(0.2f))
        .add(new Dense(128, "relu"))
        .add(new Dense(10, "softmax"));
    model.compile("adam", "sparse_categorical_crossentropy", "accuracy");
    model.build(42, 784);
    System.out.println(model.summary());
    model.fit(trainX, trainY, Fit.epochs(epochs).batchSize(64).validationSplit(0.1).seed(42));
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
