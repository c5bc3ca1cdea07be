package ai.lepton.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.lepton.layers.BatchNormalization;
import ai.lepton.layers.Conv2D;
import ai.lepton.layers.Dense;
import ai.lepton.layers.Dropout;
import ai.lepton.layers.Embedding;
import ai.lepton.layers.Flatten;
import ai.lepton.layers.GlobalAveragePooling1D;
import ai.lepton.layers.LSTM;
import ai.lepton.layers.MaxPooling2D;
import ai.lepton.layers.TokenAndPositionEmbedding;
import ai.lepton.layers.TransformerEncoder;
import ai.lepton.tensor.Tensor;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One loaded model answers predict from many threads at once with exactly the single-threaded
 * answers (docs/concurrency.md). The threads hit a copy loaded from the same file that has never
 * predicted, so they also race to pack its weights; the inputs mix batch sizes so that products
 * run on the calling thread alone, on the worker pool, and with packed and plain weights.
 */
class ConcurrentPredictTest {
  private static final int THREADS = 8;
  private static final int CALLS = 24; // per thread
  private static final int[] BATCHES = {1, 3, 8, 64};

  @TempDir Path dir;

  private final ExecutorService pool = Executors.newFixedThreadPool(THREADS);

  @AfterEach
  void stopThreads() throws InterruptedException {
    pool.shutdownNow();
    assertTrue(pool.awaitTermination(30, TimeUnit.SECONDS), "the predicting threads stopped");
  }

  @Test
  void anMlpAnswersManyThreadsAsItAnswersOne() throws Exception {
    Sequential model = new Sequential()
        .add(new Dense(256, "relu"))
        .add(new Dropout(0.5f)) // inference: the identity, and no draw from its generator
        .add(new Dense(128, "relu"))
        .add(new Dense(10, "softmax"));
    model.build(1, 784);
    check(model, batch -> uniform(batch, 784));
  }

  @Test
  void aCnnWithBatchNormalizationAnswersManyThreadsAsItAnswersOne() throws Exception {
    Sequential model = new Sequential()
        .add(new Conv2D(8, 3, 3, "relu"))
        .add(new BatchNormalization())
        .add(new MaxPooling2D())
        .add(new Flatten())
        .add(new Dense(10, "softmax"));
    model.build(2, 16, 16, 1);
    check(model, batch -> uniform(batch, 16, 16, 1));
  }

  @Test
  void anLstmTextModelAnswersManyThreadsAsItAnswersOne() throws Exception {
    Sequential model = new Sequential()
        .add(new Embedding(50, 16, true))
        .add(new LSTM(32))
        .add(new Dense(3, "softmax"));
    model.build(3, 20);
    check(model, batch -> ids(batch, 20, 50));
  }

  @Test
  void aTransformerEncoderAnswersManyThreadsAsItAnswersOne() throws Exception {
    Sequential model = new Sequential()
        .add(new TokenAndPositionEmbedding(30, 12, 16, true))
        .add(new TransformerEncoder(32, 2))
        .add(new GlobalAveragePooling1D())
        .add(new Dense(2, "softmax"));
    model.build(4, 12);
    check(model, batch -> ids(batch, 12, 30));
  }

  private final SplittableRandom rng = new SplittableRandom(9);

  private Tensor uniform(int batch, int... sample) {
    int[] shape = new int[sample.length + 1];
    shape[0] = batch;
    System.arraycopy(sample, 0, shape, 1, sample.length);
    return Tensor.uniform(rng, 0f, 1f, shape);
  }

  /** Token ids with padding (0) at the end of some sequences. */
  private Tensor ids(int batch, int length, int vocabulary) {
    float[] v = new float[batch * length];
    for (int b = 0; b < batch; b++) {
      int used = 1 + rng.nextInt(length);
      for (int t = 0; t < used; t++) {
        v[b * length + t] = 1 + rng.nextInt(vocabulary - 1);
      }
    }
    return Tensor.of(v, batch, length);
  }

  /**
   * Saves {@code built}, loads it twice, computes each input's answer on one copy from this
   * thread, then has {@link #THREADS} threads, released together, ask the other copy for every
   * input many times over, and compares each answer bit for bit.
   */
  private void check(Model built, IntFunction<Tensor> inputs) throws Exception {
    Path file = dir.resolve("model.lepton");
    built.save(file);
    Model single = Model.load(file);
    Model shared = Model.load(file);
    List<Tensor> xs = new ArrayList<>();
    for (int i = 0; i < 3 * BATCHES.length; i++) {
      xs.add(inputs.apply(BATCHES[i % BATCHES.length]));
    }
    // No warm-up: the kernels give the same bits interpreted and compiled, so the first answers
    // are the answers.
    List<float[]> expected = new ArrayList<>();
    for (Tensor x : xs) {
      expected.add(single.predict(x, 64).toFloatArray());
    }

    CyclicBarrier start = new CyclicBarrier(THREADS);
    List<Future<Integer>> results = new ArrayList<>();
    for (int t = 0; t < THREADS; t++) {
      int thread = t;
      results.add(pool.submit(() -> {
        start.await(30, TimeUnit.SECONDS);
        for (int call = 0; call < CALLS; call++) {
          int i = (thread * 5 + call) % xs.size(); // each thread its own order of inputs
          float[] got = shared.predict(xs.get(i), 64).toFloatArray();
          assertSameBits(expected.get(i), got, "thread " + thread + ", call " + call + ", input "
              + i + " (batch " + xs.get(i).dim(0) + ")");
        }
        return CALLS;
      }));
    }
    int calls = 0;
    for (Future<Integer> f : results) {
      calls += f.get(120, TimeUnit.SECONDS); // rethrows a thread's assertion failure
    }
    assertEquals(THREADS * CALLS, calls);
  }

  private static void assertSameBits(float[] expected, float[] actual, String what) {
    assertEquals(expected.length, actual.length, what);
    for (int i = 0; i < expected.length; i++) {
      if (Float.floatToRawIntBits(expected[i]) != Float.floatToRawIntBits(actual[i])) {
        throw new AssertionError(what + ": at " + i + " expected " + expected[i] + " but was "
            + actual[i]);
      }
    }
  }
}
