package ai.lepton.tensor;

import ai.lepton.layers.Conv2D;
import ai.lepton.layers.Dense;
import ai.lepton.layers.Flatten;
import ai.lepton.layers.LSTM;
import ai.lepton.models.Fit;
import ai.lepton.models.Model;
import ai.lepton.models.Sequential;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * The program {@link ReproducibilityTest} runs in fresh JVMs: seeded trainings of a softmax
 * classifier, a small convolutional net and a small LSTM, then a prediction of each, printing one
 * hash of every bit of the final weights and outputs ({@code hash=...}), for each of a few
 * rounds of the same work.
 *
 * <p>Arguments: {@code load} starts one busy thread per processor beside the work (a crowded
 * machine, so the JIT compiles late and the workers are often descheduled); {@code context=N} runs
 * everything inside a {@code ComputeContext.vector(N)} scope instead of the default context.
 */
public final class ReproducibilityRun {
  private static final int ROUNDS = 3;

  private ReproducibilityRun() {}

  public static void main(String[] args) {
    int contextThreads = 0;
    for (String arg : args) {
      if (arg.equals("load")) {
        startBusyThreads();
      } else if (arg.startsWith("context=")) {
        contextThreads = Integer.parseInt(arg.substring("context=".length()));
      }
    }
    if (contextThreads > 0) {
      try (ComputeContext context = ComputeContext.vector(contextThreads);
          ComputeContext.Scope scope = context.enter()) {
        printRounds();
      }
    } else {
      printRounds();
    }
  }

  /**
   * The same work {@link #ROUNDS} times, a hash per round: the first runs interpreted and in C1
   * code, later ones more and more in C2 code, whose Vector API intrinsics used to give other bits.
   */
  private static void printRounds() {
    for (int round = 0; round < ROUNDS; round++) {
      System.out.println("hash=" + Long.toHexString(trainAll()));
    }
  }

  private static long trainAll() {
    SplittableRandom rng = new SplittableRandom(17);
    long hash = 0xcbf29ce484222325L;
    // a softmax classifier over 20 features and 10 classes
    hash = train(hash, new Sequential().add(new Dense(32, "relu")).add(new Dense(10, "softmax")),
        Tensor.uniform(rng, -1f, 1f, 512, 20), labels(rng, 512, 10), 3);
    // convolution, pooling-free: 8 x 8 single-channel images
    hash = train(hash, new Sequential().add(new Conv2D(4, 3, 3, "relu")).add(new Flatten())
        .add(new Dense(3, "softmax")), Tensor.uniform(rng, 0f, 1f, 64, 8, 8, 1),
        labels(rng, 64, 3), 2);
    // a recurrence over 6 steps of 5 features
    hash = train(hash, new Sequential().add(new LSTM(8)).add(new Dense(3, "softmax")),
        Tensor.uniform(rng, -1f, 1f, 64, 6, 5), labels(rng, 64, 3), 2);
    return hash;
  }

  /** One-hot labels {@code (n, classes)}. */
  private static Tensor labels(SplittableRandom rng, int n, int classes) {
    float[] y = new float[n * classes];
    for (int i = 0; i < n; i++) {
      y[i * classes + rng.nextInt(classes)] = 1f;
    }
    return Tensor.of(y, n, classes);
  }

  private static long train(long hash, Model model, Tensor x, Tensor y, int epochs) {
    model.compile("adam", "categorical_crossentropy");
    model.fit(x, y, Fit.epochs(epochs).batchSize(32).seed(42).verbose(0));
    Map<String, Tensor> weights = new TreeMap<>(model.weights());
    for (Tensor w : weights.values()) {
      hash = mix(hash, w.toFloatArray());
    }
    return mix(hash, model.predict(x).toFloatArray());
  }

  /** FNV-1a over the bits of {@code values}. */
  private static long mix(long hash, float[] values) {
    for (float v : values) {
      hash = (hash ^ Float.floatToRawIntBits(v)) * 0x100000001b3L;
    }
    return hash;
  }

  private static void startBusyThreads() {
    for (int i = 0; i < Runtime.getRuntime().availableProcessors(); i++) {
      Thread busy = new Thread(() -> {
        long x = 1;
        while (x != 0) {
          x = x * 6364136223846793005L + 1442695040888963407L;
        }
      }, "busy-" + i);
      busy.setDaemon(true);
      busy.start();
    }
  }
}
