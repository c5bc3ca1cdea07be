package ai.lepton.server.serving;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.lepton.api.ErrorCode;
import ai.lepton.models.Model;
import ai.lepton.models.ModelArchive;
import ai.lepton.server.http.Api;
import ai.lepton.server.http.ApiException;
import ai.lepton.server.http.Json;
import ai.lepton.server.monitoring.PredictionLog;
import ai.lepton.tensor.Tensor;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.Javalin;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The protocol's endpoints on a real server, with real Core models: organization "a" serves an
 * MLP (batched), the same MLP with class names, a text model and a tabular model; the caller's
 * organization comes from a header standing in for a token; a recording prediction log keeps
 * what serving logs.
 */
class OipRoutesTest {
  private static final ServingLimits LIMITS = new ServingLimits(4096, 1000, 16, 1, 3);
  private static final String TWO_ROWS = "{\"id\":\"req-7\",\"inputs\":[{\"name\":\"input\","
      + "\"shape\":[2,4],\"datatype\":\"FP32\",\"data\":[[1,2,3,4],[-1,0.5,2,0]]}]}";

  @TempDir Path dir;
  private final ObjectMapper json = Json.mapper();
  private final HttpClient http = HttpClient.newHttpClient();
  private final AtomicLong ticker = new AtomicLong();
  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private Model reference;
  private Servable mlp;
  private Servable text;
  private Servable named;
  private Servable tabular;
  private Javalin server;

  /** A request as serving logged it. */
  private record Logged(String organization, String deployment, String versionId,
      List<PredictionLog.Sample> samples, String id) {}

  private final List<Logged> logged = new CopyOnWriteArrayList<>();
  private volatile boolean logFails;

  @BeforeEach
  void start() {
    ModelArchive archive = TestModels.mlp(dir);
    reference = archive.load();
    ServingMetrics metrics = new ServingMetrics(registry);
    mlp = Servable.load("a", "mlp", "1", "mv_1", archive, new Batching(8, Duration.ZERO),
        new Limiter(LIMITS, ticker::get), metrics);
    text = Servable.load("a", "text", "3", "mv_3", TestModels.text(dir), Batching.NONE,
        new Limiter(LIMITS, ticker::get), metrics);
    named = Servable.load("a", "named", "2", "mv_2", TestModels.named(dir), Batching.NONE,
        new Limiter(LIMITS, ticker::get), metrics);
    tabular = Servable.load("a", "tabular", "4", "mv_4", TestModels.tabular(dir), Batching.NONE,
        new Limiter(LIMITS, ticker::get), metrics);
    Map<String, Servable> served = Map.of("mlp", mlp, "text", text, "named", named, "tabular",
        tabular);
    PredictionLog log = (org, deployment, versionId, samples, latency) -> {
      if (logFails) {
        throw new IllegalStateException("the log is broken");
      }
      String id = "prd_" + logged.size();
      logged.add(new Logged(org, deployment, versionId, samples, id));
      return id;
    };
    Servables servables = (org, name, version) -> org.equals("a")
        ? Optional.ofNullable(served.get(name))
            .filter(s -> version == null || s.version().equals(version))
        : Optional.empty();
    OipRoutes.Caller caller = ctx -> {
      String org = ctx.header("X-Org");
      if (org == null) {
        throw new ApiException(ErrorCode.UNAUTHENTICATED, "send a token");
      }
      return org;
    };
    server = new Api(json, registry, ctx -> false,
        new OipRoutes(servables, caller, log, "9.9.9").routes())
        .create("127.0.0.1", 0).start();
  }

  @AfterEach
  void stop() {
    server.stop();
    mlp.close();
    text.close();
    named.close();
    tabular.close();
  }

  private HttpResponse<String> get(String path, String org) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(uri(path));
    if (org != null) {
      b.header("X-Org", org);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** Posts with the rate limit's bucket full (its clock moved on 10 s). */
  private HttpResponse<String> post(String path, String body) throws Exception {
    ticker.addAndGet(10_000_000_000L);
    return postNow(path, body);
  }

  /** Posts without moving the rate limit's clock. */
  private HttpResponse<String> postNow(String path, String body) throws Exception {
    return http.send(HttpRequest.newBuilder(uri(path)).header("X-Org", "a")
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private URI uri(String path) {
    return URI.create("http://127.0.0.1:" + server.port() + path);
  }

  private JsonNode ok(HttpResponse<String> r) throws Exception {
    assertEquals(200, r.statusCode(), r.body());
    return json.readTree(r.body());
  }

  /** The protocol's error body: one string field, nothing else. */
  private void assertError(int status, String fragment, HttpResponse<String> r) throws Exception {
    assertEquals(status, r.statusCode(), r.body());
    JsonNode body = json.readTree(r.body());
    assertEquals(1, body.size(), r.body());
    assertTrue(body.get("error").isTextual() && body.get("error").asText().contains(fragment),
        r.body());
  }

  @Test
  void healthAndServerMetadataNeedNoCredentials() throws Exception {
    assertTrue(ok(get("/v2/health/live", null)).get("live").asBoolean());
    assertTrue(ok(get("/v2/health/ready", null)).get("ready").asBoolean());
    JsonNode meta = ok(get("/v2", null));
    assertEquals("lepton", meta.get("name").asText());
    assertEquals("9.9.9", meta.get("version").asText());
    assertEquals(0, meta.get("extensions").size());
  }

  @Test
  void modelMetadataAndReadinessByNameAndVersion() throws Exception {
    JsonNode meta = ok(get("/v2/models/mlp", "a"));
    assertEquals("mlp", meta.get("name").asText());
    assertEquals("[\"1\"]", meta.get("versions").toString());
    assertEquals("{\"name\":\"input\",\"datatype\":\"FP32\",\"shape\":[-1,4]}",
        meta.get("inputs").get(0).toString());
    assertEquals("{\"name\":\"dense_1\",\"datatype\":\"FP32\",\"shape\":[-1,3]}",
        meta.get("outputs").get(0).toString());
    assertEquals(meta, ok(get("/v2/models/mlp/versions/1", "a")));
    assertEquals("{\"name\":\"mlp\",\"ready\":true}", ok(get("/v2/models/mlp/ready", "a"))
        .toString());
    assertTrue(ok(get("/v2/models/mlp/versions/1/ready", "a")).get("ready").asBoolean());
    assertError(404, "has no version '2'", get("/v2/models/mlp/versions/2/ready", "a"));
  }

  @Test
  void inferenceAnswersAsCorePredictsInTheProtocolsShape() throws Exception {
    JsonNode r = ok(post("/v2/models/mlp/infer", TWO_ROWS));
    assertEquals("mlp", r.get("model_name").asText());
    assertEquals("1", r.get("model_version").asText());
    assertEquals("req-7", r.get("id").asText());
    JsonNode out = r.get("outputs").get(0);
    assertEquals("dense_1", out.get("name").asText());
    assertEquals("FP32", out.get("datatype").asText());
    assertEquals("[2,3]", out.get("shape").toString());
    float[] expected = reference.predict(Tensor.of(new float[] {1, 2, 3, 4, -1, 0.5f, 2, 0},
        2, 4)).toFloatArray();
    float[] data = new float[expected.length];
    Iterator<JsonNode> values = out.get("data").elements();
    for (int i = 0; i < data.length; i++) {
      data[i] = values.next().floatValue();
    }
    assertArrayEquals(expected, data, 0f, "float32 values survive the JSON round trip");
    JsonNode versioned = ok(post("/v2/models/mlp/versions/1/infer", TWO_ROWS.replace(
        "\"id\":\"req-7\",", "") .replace("]}]}", "]}],\"outputs\":[{\"name\":\"dense_1\"}]}")));
    assertEquals(logged.get(1).id(), versioned.get("id").asText(),
        "no id given: the id is the prediction id");
    assertEquals(out.get("data"), versioned.get("outputs").get(0).get("data"));
  }

  @Test
  void aModelWithClassNamesAnswersEachSamplesLabel() throws Exception {
    JsonNode meta = ok(get("/v2/models/named", "a"));
    assertEquals("{\"name\":\"label\",\"datatype\":\"BYTES\",\"shape\":[-1]}",
        meta.get("outputs").get(1).toString());
    JsonNode r = ok(post("/v2/models/named/infer", TWO_ROWS));
    float[] scores = reference.predict(Tensor.of(new float[] {1, 2, 3, 4, -1, 0.5f, 2, 0},
        2, 4)).toFloatArray();
    List<String> names = List.of("cat", "dog", "bird");
    JsonNode label = r.get("outputs").get(1);
    assertEquals("{\"name\":\"label\",\"datatype\":\"BYTES\",\"shape\":[2],\"data\":[\""
        + names.get(argmax(scores, 0)) + "\",\"" + names.get(argmax(scores, 1)) + "\"]}",
        label.toString());
    JsonNode only = ok(post("/v2/models/named/infer", TWO_ROWS.replace("]}]}",
        "]}],\"outputs\":[{\"name\":\"label\"}]}")));
    assertEquals(1, only.get("outputs").size());
    assertEquals(label, only.get("outputs").get(0));
    assertEquals(1, ok(post("/v2/models/mlp/infer", TWO_ROWS)).get("outputs").size(),
        "a model without class names answers its outputs only");
    assertError(400, "its outputs are [dense_1]", post("/v2/models/mlp/infer",
        TWO_ROWS.replace("]}]}", "]}],\"outputs\":[{\"name\":\"label\"}]}")));
  }

  private static int argmax(float[] scores, int row) {
    int best = 0;
    for (int j = 1; j < 3; j++) {
      best = scores[row * 3 + j] > scores[row * 3 + best] ? j : best;
    }
    return best;
  }

  @Test
  void eachAnsweredRequestIsLoggedOnceWithItsPredictionId() throws Exception {
    JsonNode r = ok(post("/v2/models/named/infer", TWO_ROWS));
    assertEquals(1, logged.size());
    Logged l = logged.get(0);
    assertEquals(List.of("a", "named", "mv_2"), List.of(l.organization(), l.deployment(),
        l.versionId()));
    assertEquals("req-7", r.get("id").asText(), "the request's own id is kept");
    assertEquals(l.id(), r.get("parameters").get("prediction_id").asText());
    assertEquals(2, l.samples().size());
    JsonNode labels = r.get("outputs").get(1).get("data");
    JsonNode scores = r.get("outputs").get(0).get("data");
    for (int i = 0; i < 2; i++) {
      PredictionLog.Sample sample = l.samples().get(i);
      assertEquals(labels.get(i).asText(), sample.predictedClass());
      assertEquals(Map.of(), sample.features(), "no feature preprocessing, no named features");
      for (int j = 0; j < 3; j++) {
        assertEquals(scores.get(i * 3 + j).floatValue(), sample.outputs().get(j).floatValue());
      }
    }
    ok(post("/v2/models/mlp/infer", TWO_ROWS));
    assertTrue(List.of("0", "1", "2").contains(logged.get(1).samples().get(0).predictedClass()),
        "without class names a classifier's class is its column index");

    ok(post("/v2/models/tabular/infer", "{\"inputs\":[{\"name\":\"input\",\"shape\":[2],"
        + "\"datatype\":\"BYTES\",\"data\":[\"[3, 30, 300]\",\"{\\\"c\\\": 7, \\\"a\\\": 5, \\\"b\\\": 50}\"]}]}"));
    List<PredictionLog.Sample> rows = logged.get(2).samples();
    assertEquals(List.of("a", "b", "c"), List.copyOf(rows.get(0).features().keySet()));
    assertEquals(List.of(3.0, 30.0, 300.0), List.copyOf(rows.get(0).features().values()));
    assertEquals(List.of(5.0, 50.0, 7.0), List.copyOf(rows.get(1).features().values()),
        "an object's cells in the columns' order");
    // a tensor comes scaled, as the model takes it: the row [5, 50, 500] is 1.2247449 (one and a
    // half standard deviations over the mean) in each column, and is logged in the training
    // data's units, as drift compares it with the training columns
    ok(post("/v2/models/tabular/infer", "{\"inputs\":[{\"name\":\"input\",\"shape\":[1,3],"
        + "\"datatype\":\"FP32\",\"data\":[1.2247449,1.2247449,1.2247449]}]}"));
    PredictionLog.Sample tensor = logged.get(3).samples().get(0);
    assertEquals(List.of("a", "b", "c"), List.copyOf(tensor.features().keySet()),
        "a tensor's values are named by the preprocessing's columns");
    double[] units = {5, 50, 500};
    for (int j = 0; j < 3; j++) {
      double value = (Double) tensor.features().get(List.of("a", "b", "c").get(j));
      assertEquals(units[j], value, units[j] * 1e-5, "column " + j + " in the training units");
    }
    assertEquals(2, tensor.outputs().size());
    assertTrue(List.of("0", "1").contains(tensor.predictedClass()), "two columns: a class");
  }

  @Test
  void aPredictionLogThatFailsNeverFailsTheAnswer() throws Exception {
    logFails = true;
    JsonNode r = ok(post("/v2/models/named/infer", TWO_ROWS));
    assertEquals(2, r.get("outputs").get(1).get("data").size());
    assertTrue(r.get("parameters").get("prediction_id").asText().startsWith("prd_"));
    assertEquals(0, logged.size());
  }

  @Test
  void rawTextsAreTurnedIntoTensorsByTheSavedPreprocessing() throws Exception {
    JsonNode r = ok(post("/v2/models/text/infer", "{\"inputs\":[{\"name\":\"input\","
        + "\"shape\":[2],\"datatype\":\"BYTES\",\"data\":[\"the cat sat\",\"a dog\"]}]}"));
    assertEquals("[2,2]", r.get("outputs").get(0).get("shape").toString());
    assertEquals("3", r.get("model_version").asText());
  }

  @Test
  void modelsOfAnotherOrganizationAndCallersWithoutCredentialsAreRefused() throws Exception {
    assertError(404, "no model 'mlp' is deployed in this organization", get("/v2/models/mlp",
        "b"));
    assertError(404, "no model 'nope'", get("/v2/models/nope", "a"));
    assertError(401, "send a token", get("/v2/models/mlp", null));
  }

  @Test
  void badRequestsAnswer400WithTheProtocolsErrorBody() throws Exception {
    assertError(400, "has shape [1, 3] but the model takes [-1, 4]", post(
        "/v2/models/mlp/infer", "{\"inputs\":[{\"name\":\"input\",\"shape\":[1,3],"
            + "\"datatype\":\"FP32\",\"data\":[1,2,3]}]}"));
    assertError(400, "holds NaN", post("/v2/models/mlp/infer", TWO_ROWS.replace("0.5", "NaN")));
    assertError(400, "not a valid inference request", post("/v2/models/mlp/infer", "{"));
    assertError(400, "is FP64 but the model takes FP32", post("/v2/models/mlp/infer",
        TWO_ROWS.replace("FP32", "FP64")));
    // the model still answers the next request
    ok(post("/v2/models/mlp/infer", TWO_ROWS));
    assertEquals(4, registry.get("lepton_inference_requests").tag("model", "mlp")
        .tag("outcome", "invalid").counter().count());
  }

  @Test
  void oversizedBodiesAnswer413AndBatchesOverTheSampleLimit400() throws Exception {
    String big = TWO_ROWS.replace("[[1,2,3,4]", "[[1" + ",2".repeat(3000) + "]");
    assertError(413, "larger than 4096 bytes", post("/v2/models/mlp/infer", big));
    // without a Content-Length, the count of bytes read refuses it
    HttpResponse<String> chunked = http.send(HttpRequest.newBuilder(uri("/v2/models/mlp/infer"))
        .header("X-Org", "a").POST(HttpRequest.BodyPublishers.ofInputStream(
            () -> new ByteArrayInputStream(big.getBytes()))).build(),
        HttpResponse.BodyHandlers.ofString());
    assertError(413, "larger than 4096 bytes", chunked);
    StringBuilder rows = new StringBuilder("[0,0,0,0]");
    for (int i = 1; i < 17; i++) {
      rows.append(",[0,0,0,0]");
    }
    assertError(400, "at most 16 samples per request", post("/v2/models/mlp/infer",
        "{\"inputs\":[{\"name\":\"input\",\"shape\":[17,4],\"datatype\":\"FP32\","
            + "\"data\":[" + rows + "]}]}"));
  }

  @Test
  void aChangedLimitHoldsFromTheNextRequest() throws Exception {
    ok(post("/v2/models/mlp/infer", TWO_ROWS));
    mlp.limiter().change(new ServingLimits(4096, 1000, 1, 1, 3));
    assertError(400, "at most 1 samples per request", post("/v2/models/mlp/infer", TWO_ROWS));
    mlp.limiter().change(new ServingLimits(100, 1000, 16, 1, 3));
    assertError(413, "larger than 100 bytes, the limit of deployment 'mlp'",
        post("/v2/models/mlp/infer", TWO_ROWS));
    mlp.limiter().change(LIMITS);
    ok(post("/v2/models/mlp/infer", TWO_ROWS)); // the bucket holds 2 of its 3 tokens now

    // a smaller bucket keeps at most its new size, and a larger one is not filled by the change
    mlp.limiter().change(new ServingLimits(4096, 1000, 16, 1, 1));
    ok(postNow("/v2/models/mlp/infer", TWO_ROWS));
    assertError(429, "(bursts of 1)", postNow("/v2/models/mlp/infer", TWO_ROWS));
    mlp.limiter().change(LIMITS);
    assertError(429, "(bursts of 3)", postNow("/v2/models/mlp/infer", TWO_ROWS));
    ticker.addAndGet(1_000_000_000L);
    ok(postNow("/v2/models/mlp/infer", TWO_ROWS));
  }

  @Test
  void overTheRateAModelAnswers429UntilTheBucketRefills() throws Exception {
    for (int i = 0; i < LIMITS.burst(); i++) {
      ok(postNow("/v2/models/mlp/infer", TWO_ROWS));
    }
    HttpResponse<String> refused = postNow("/v2/models/mlp/infer", TWO_ROWS);
    assertError(429, "at most 1.0 requests per second", refused);
    assertEquals("1", refused.headers().firstValue("Retry-After").orElseThrow());
    ok(postNow("/v2/models/text/infer", "{\"inputs\":[{\"name\":\"input\",\"shape\":[1],"
        + "\"datatype\":\"BYTES\",\"data\":[\"the cat\"]}]}")); // another model's own bucket
    ticker.addAndGet(1_000_000_000L);
    ok(postNow("/v2/models/mlp/infer", TWO_ROWS));
    assertEquals(1, registry.get("lepton_inference_requests").tag("model", "mlp")
        .tag("outcome", "rate_limited").counter().count());
  }

  @Test
  void metricsPerModelAndVersion() throws Exception {
    ok(post("/v2/models/mlp/infer", TWO_ROWS));
    String scrape = registry.scrape();
    for (String metric : List.of("lepton_inference_requests_total{model=\"mlp\",organization="
            + "\"a\",outcome=\"ok\",version=\"1\"} 1.0",
        "lepton_inference_latency_seconds_bucket{model=\"mlp\"",
        "lepton_inference_batch_size_count{model=\"mlp\",organization=\"a\",version=\"1\"} 1",
        "lepton_inference_queue_seconds_count{model=\"mlp\",organization=\"a\",version=\"1\"} 1",
        "lepton_inference_in_flight{model=\"mlp\",organization=\"a\",version=\"1\"} 0.0")) {
      assertTrue(scrape.contains(metric), metric + " in\n" + scrape);
    }
  }
}
