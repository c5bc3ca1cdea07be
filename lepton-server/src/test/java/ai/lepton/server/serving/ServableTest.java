package ai.lepton.server.serving;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.lepton.models.Model;
import ai.lepton.models.ModelArchive;
import ai.lepton.tensor.Tensor;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A real Core model behind the batcher answers as it does alone, sample by sample. */
class ServableTest {
  private static final Limiter DEFAULT_LIMITS = new Limiter(ServingLimits.DEFAULT,
      System::nanoTime);

  @TempDir Path dir;

  @Test
  void concurrentRequestsBatchedAnswerAsUnbatchedPredictions() throws Exception {
    ModelArchive archive = TestModels.mlp(dir);
    Model reference = archive.load();
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    int requests = 32;
    // which requests share a batch is left to timing (DynamicBatcherTest pins it down): a
    // request that finds the batcher idle predicts alone, the others batch behind it
    try (Servable servable = Servable.load("org", "mlp", "1", "mv_1", archive,
        new Batching(8, Duration.ZERO), DEFAULT_LIMITS, new ServingMetrics(registry))) {
      CyclicBarrier start = new CyclicBarrier(requests);
      ExecutorService pool = Executors.newFixedThreadPool(requests);
      List<Future<float[]>> answers = new ArrayList<>();
      for (int i = 0; i < requests; i++) {
        float[] x = sample(i);
        answers.add(pool.submit(() -> {
          start.await();
          return servable.infer(List.of(x), 1).get(0);
        }));
      }
      for (int i = 0; i < requests; i++) {
        float[] alone = reference.predict(Tensor.of(sample(i), 1, 4)).toFloatArray();
        assertArrayEquals(alone, answers.get(i).get(), 1e-6f, "sample " + i);
      }
      pool.shutdown();
    }
    DistributionSummary batches = registry.get("lepton_inference_batch_size")
        .tag("model", "mlp").tag("version", "1").summary();
    assertEquals(requests, batches.totalAmount(), 0, "every sample is predicted once");
    assertEquals(true, batches.max() <= 8, "at most 8 samples a batch: " + batches.max());
  }

  @Test
  void withoutBatchingEachRequestPredictsOnItsOwnThread() {
    ModelArchive archive = TestModels.mlp(dir);
    Model reference = archive.load();
    try (Servable servable = Servable.load("org", "mlp", "1", "mv_1", archive, Batching.NONE,
        DEFAULT_LIMITS, new ServingMetrics(new SimpleMeterRegistry()))) {
      float[] two = {1, 2, 3, 4, -1, 0.5f, 2, 0};
      assertArrayEquals(reference.predict(Tensor.of(two, 2, 4)).toFloatArray(),
          servable.infer(List.of(two), 2).get(0), 1e-6f);
      assertEquals(List.of("dense_1"), servable.signature().outputNames());
    }
  }

  @Test
  void aRetiredServableStillAnswersARequestThatFoundItBeforeTheSwitch() {
    ModelArchive archive = TestModels.mlp(dir);
    Model reference = archive.load();
    Servable servable = Servable.load("org", "mlp", "1", "mv_1", archive,
        new Batching(8, Duration.ZERO), DEFAULT_LIMITS,
        new ServingMetrics(new SimpleMeterRegistry()));
    servable.close(); // a rollout retired it after this request found it
    assertArrayEquals(reference.predict(Tensor.of(sample(3), 1, 4)).toFloatArray(),
        servable.infer(List.of(sample(3)), 1).get(0), 1e-6f);
  }

  private static float[] sample(int i) {
    return new float[] {i, -i / 2f, i % 3, 1};
  }
}
