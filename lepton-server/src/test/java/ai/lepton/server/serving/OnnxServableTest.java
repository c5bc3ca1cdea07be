package ai.lepton.server.serving;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.lepton.LeptonException;
import ai.lepton.layers.Dense;
import ai.lepton.models.Sequential;
import ai.lepton.server.http.Api;
import ai.lepton.server.http.Json;
import ai.lepton.tensor.Tensor;
import io.javalin.Javalin;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * ONNX models served through ONNX Runtime: a Core MLP exported with its own weights answers as
 * Core does on them, alone and batched; token ids are taken as INT64 whole numbers; signatures
 * a deployment cannot serve are refused with the way out; a retired session is freed once the last request lets go (a request that finds
 * it freed is answered by what is served now), and deploying and removing many times does not
 * grow the process.
 */
class OnnxServableTest {
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final ServingMetrics metrics = new ServingMetrics(registry);
  private static final Limiter LIMITER = new Limiter(ServingLimits.DEFAULT, System::nanoTime);

  /** 4 features -> 8 relu -> 3 softmax, as DeploymentPlatform.model(seed). */
  private static Sequential mlp(long seed) {
    Sequential model = new Sequential().add(new Dense(8, "relu")).add(new Dense(3, "softmax"));
    model.build(seed, 4);
    return model;
  }

  private static float[] rows(int n, int offset) {
    float[] x = new float[4 * n];
    for (int i = 0; i < x.length; i++) {
      x[i] = ((i + offset) % 7 - 3) * 0.7f;
    }
    return x;
  }

  @Test
  void aCoreMlpExportedToOnnxAnswersAsCoreOnItsWeights() {
    Sequential core = mlp(7);
    try (Servable s = Servable.onnx("org", "mlp", "1", "mv_1", OnnxFiles.dense(core, "input",
        "dense_1", null), Batching.NONE, LIMITER, metrics)) {
      assertEquals(List.of("input"), s.signature().inputNames());
      assertEquals(List.of(-1, 4), s.signature().inputs().get(0).shape());
      assertEquals(List.of(-1, 3), s.signature().outputs().get(0).shape());
      assertNull(s.signature().preprocessing(), "an ONNX model takes tensors only");
      assertEquals("onnxruntime_onnx", s.platform());
      float[] x = rows(5, 0);
      float[] expected = core.predict(Tensor.of(x, 5, 4)).toFloatArray();
      float[] y = s.infer(List.of(x), 5).get(0);
      assertArrayEquals(expected, y, 1e-6f);
      assertEquals(1f, y[0] + y[1] + y[2], 1e-6f, "softmax rows sum to 1");
    }
  }

  @Test
  void concurrentRequestsBatchedAnswerAsCoreSampleBySample() throws Exception {
    Sequential core = mlp(3);
    int requests = 24;
    // which requests share a batch is left to timing (DynamicBatcherTest pins it down): a
    // request that finds the batcher idle predicts alone, the others batch behind it
    try (Servable s = Servable.onnx("org", "mlp", "1", "mv_1", OnnxFiles.dense(core, "input",
        "dense_1", null), new Batching(8, Duration.ZERO), LIMITER, metrics)) {
      CyclicBarrier start = new CyclicBarrier(requests);
      ExecutorService pool = Executors.newFixedThreadPool(requests);
      List<Future<float[]>> answers = new ArrayList<>();
      for (int i = 0; i < requests; i++) {
        float[] x = rows(1, i);
        answers.add(pool.submit(() -> {
          start.await();
          return s.infer(List.of(x), 1).get(0);
        }));
      }
      for (int i = 0; i < requests; i++) {
        assertArrayEquals(core.predict(Tensor.of(rows(1, i), 1, 4)).toFloatArray(),
            answers.get(i).get(), 1e-6f, "sample " + i);
      }
      pool.shutdown();
    }
    DistributionSummary batches = registry.get("lepton_inference_batch_size")
        .tag("model", "mlp").summary();
    assertEquals(requests, batches.totalAmount(), 0, "every sample is predicted once");
    assertTrue(batches.max() <= 8, "at most 8 samples a batch: " + batches.max());
  }

  @Test
  void aModelExportedForOneSampleAnswersSeveralOneByOne() {
    Sequential core = mlp(5);
    try (Servable s = Servable.onnx("org", "mlp", "1", "mv_1", OnnxFiles.dense(core, "input",
        "dense_1", 1), Batching.NONE, LIMITER, metrics)) {
      assertEquals(List.of(-1, 4), s.signature().inputs().get(0).shape());
      float[] x = rows(3, 1);
      assertArrayEquals(core.predict(Tensor.of(x, 3, 4)).toFloatArray(),
          s.infer(List.of(x), 3).get(0), 1e-6f);
    }
  }

  @Test
  void inputsThatAreNotFp32OrInt64OrWithoutAFixedSampleShapeAreRefusedWithTheWayOut() {
    LeptonException wide = assertThrows(LeptonException.class, () -> Servable.onnx("org", "m",
        "1", "mv_1", OnnxFiles.castToFloat("x", OnnxFiles.DOUBLE), Batching.NONE, LIMITER, metrics));
    assertTrue(wide.getMessage().contains("input 'x' is a ONNX_TENSOR_ELEMENT_DATA_TYPE_DOUBLE"
        + " tensor") && wide.getMessage().contains("inputs are FP32 (float) or INT64"),
        wide.getMessage());
    LeptonException free = assertThrows(LeptonException.class, () -> Servable.onnx("org", "m",
        "1", "mv_1", OnnxFiles.symbolicSampleShape(), Batching.NONE, LIMITER, metrics));
    assertTrue(free.getMessage().contains("input 'x' has shape [-1, -1]")
        && free.getMessage().contains("dynamic_axes"), free.getMessage());
    LeptonException garbage = assertThrows(LeptonException.class, () -> Servable.onnx("org",
        "m", "1", "mv_1", new byte[] {1, 2, 3}, Batching.NONE, LIMITER, metrics));
    assertTrue(garbage.getMessage().startsWith("ONNX Runtime cannot load the model"),
        garbage.getMessage());
  }

  @Test
  void aRetiredSessionIsFreedOnceTheLastRequestHoldingItLetsGo() {
    Sequential core = mlp(7);
    Servable s = Servable.onnx("org", "mlp", "1", "mv_1", OnnxFiles.dense(core, "input", "dense_1",
        null), new Batching(4, Duration.ZERO), LIMITER, metrics);
    assertTrue(s.acquire(), "a request holds it");
    s.close(); // a rollout retired it meanwhile
    float[] x = rows(1, 2);
    assertArrayEquals(core.predict(Tensor.of(x, 1, 4)).toFloatArray(),
        s.infer(List.of(x), 1).get(0), 1e-6f, "the request that holds it still gets its answer");
    s.release();
    assertFalse(s.acquire(), "freed: a later request looks the deployment up again");
    IllegalStateException freed = assertThrows(IllegalStateException.class,
        () -> s.infer(List.of(x), 1));
    assertTrue(freed.getMessage().contains("retired"), freed.getMessage());
  }

  @Test
  void aRequestThatFindsAVersionFreedMeanwhileIsAnsweredByTheOneServedNow() throws Exception {
    Sequential core = mlp(7);
    byte[] file = OnnxFiles.dense(core, "input", "dense_1", null);
    Servable freed = Servable.onnx("a", "mlp", "1", "mv_1", file, Batching.NONE, LIMITER, metrics);
    freed.close(); // retired by a rollout just after the request looked it up, and freed
    Servable live = Servable.onnx("a", "mlp", "2", "mv_1", file, Batching.NONE, LIMITER, metrics);
    AtomicInteger lookups = new AtomicInteger();
    Servables servables = (org, name, version) -> Optional.of(lookups.getAndIncrement() == 0
        ? freed : live);
    Javalin server = serve(servables);
    try {
      HttpResponse<String> r = send(server, "/v2/models/mlp/infer", DeploymentPlatform.ROW);
      assertEquals(200, r.statusCode(), r.body());
      assertTrue(r.body().contains("\"model_version\":\"2\""), r.body());
      assertEquals(2, lookups.get());
      assertTrue(live.acquire(), "the request let go of what it held");
    } finally {
      server.stop();
      live.close();
    }
  }

  @Test
  void tokenIdsAreTakenAsInt64WholeNumbers() throws Exception {
    Servable ids = Servable.onnx("a", "ids", "1", "mv_1", OnnxFiles.castToFloat("ids", OnnxFiles.INT64),
        new Batching(8, Duration.ZERO), LIMITER, metrics);
    Javalin server = serve((org, name, version) -> Optional.of(ids));
    try {
      String meta = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
          "http://127.0.0.1:" + server.port() + "/v2/models/ids")).build(),
          HttpResponse.BodyHandlers.ofString()).body();
      assertTrue(meta.contains("\"inputs\":[{\"name\":\"ids\",\"datatype\":\"INT64\","
          + "\"shape\":[-1,3]}]"), meta);
      String body = "{\"inputs\":[{\"name\":\"ids\",\"shape\":[2,3],\"datatype\":\"%s\","
          + "\"data\":[[1,2,3],[16777215,-5,%s]]}]}";
      HttpResponse<String> r = send(server, "/v2/models/ids/infer", body.formatted("INT64", "0"));
      assertEquals(200, r.statusCode(), r.body());
      assertTrue(r.body().contains("\"data\":[1.0,2.0,3.0,1.6777215E7,-5.0,0.0]"), r.body());
      for (String[] bad : List.of(new String[] {"FP32", "0", "is FP32 but the model takes "
          + "INT64"}, new String[] {"INT64", "2.5", "holds 2.5 at sample 1, element 2; send "
          + "whole numbers"}, new String[] {"INT64", "16777217", "below 16777216"})) {
        r = send(server, "/v2/models/ids/infer", body.formatted(bad[0], bad[1]));
        assertEquals(400, r.statusCode(), r.body());
        assertTrue(r.body().contains(bad[2]), r.body());
      }
    } finally {
      server.stop();
      ids.close();
    }
  }

  private static Javalin serve(Servables servables) {
    return new Api(Json.mapper(), new PrometheusMeterRegistry(PrometheusConfig.DEFAULT),
        ctx -> false, new OipRoutes(servables, ctx -> "a",
            (org, deployment, version, samples, latency) -> "prd_1", "test")
        .routes()).create("127.0.0.1", 0).start();
  }

  private static HttpResponse<String> send(Javalin server, String path, String body)
      throws Exception {
    return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
        + server.port() + path)).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void deployingAndRemovingManyTimesFreesEverySessionAndDoesNotGrowTheProcess()
      throws IOException {
    // 1,000 -> 1,000: 4 MB of weights, which ONNX Runtime holds in native memory per session
    Sequential big = new Sequential().add(new Dense(1000));
    big.build(1, 1000);
    byte[] file = OnnxFiles.dense(big, "input", "dense", null);
    float[] x = new float[1000];
    ServingTable table = new ServingTable();
    List<Servable> retired = new ArrayList<>();
    long before = 0;
    for (int cycle = 0; cycle < 120; cycle++) {
      if (cycle == 20) {
        before = residentBytes();
      }
      Servable s = Servable.onnx("org", "big", Integer.toString(cycle), "mv_1", file,
          new Batching(cycle % 2 == 0 ? 1 : 8, Duration.ZERO), LIMITER, metrics);
      table.deploy("org", "big", s);
      Servable found = table.find("org", "big", null).orElseThrow();
      assertTrue(found.acquire());
      assertEquals(1000, found.infer(List.of(x), 1).get(0).length);
      found.release();
      table.remove("org", "big");
      retired.add(s);
    }
    long grown = residentBytes() - before;
    for (Servable s : retired) {
      assertFalse(s.acquire(), "version " + s.version() + " was freed");
    }
    // 100 sessions kept would hold 400 MB of weights at least
    assertTrue(grown < 100L << 20, "the process grew by " + (grown >> 20) + " MB over 100 "
        + "deployments of a 4 MB model");
  }

  /** This process's resident memory (Linux). */
  private static long residentBytes() throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("\\D", "")) * 1024;
      }
    }
    throw new IllegalStateException("no VmRSS in /proc/self/status");
  }
}
