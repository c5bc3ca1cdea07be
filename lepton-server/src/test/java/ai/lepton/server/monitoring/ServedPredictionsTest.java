package ai.lepton.server.monitoring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.lepton.layers.Dense;
import ai.lepton.models.Sequential;
import ai.lepton.preprocessing.FeaturePreprocessing;
import ai.lepton.preprocessing.StandardScaler;
import ai.lepton.server.registry.RunSource;
import ai.lepton.tensor.Tensor;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Serving feeds monitoring, all over real HTTP on a running server: a classifier with class names
 * and feature preprocessing, published as trained on a CSV dataset version and deployed, answers
 * raw rows; each answer is logged under the prediction id it carries, so feedback by that id
 * moves live quality and inputs unlike the training data raise drift.
 */
class ServedPredictionsTest {
  @TempDir Path dir;
  private MonitoringPlatform p;
  private final Random random = new Random(11);

  @BeforeEach
  void deploy() {
    p = new MonitoringPlatform(dir, MonitoringLimits.DEFAULT);
    StringBuilder csv = new StringBuilder("x,y,label\n");
    for (int i = 0; i < 400; i++) {
      double x = random.nextGaussian();
      csv.append(String.format(Locale.ROOT, "%.4f,%.4f,%s%n", x, random.nextGaussian(),
          x > 0 ? "yes" : "no"));
    }
    String datasetVersion = p.datasetVersion("points", csv.toString(), "label");
    // scores (no, yes) = (-4x', 4x') of the standardized x': "yes" exactly when x > 0
    Sequential model = new Sequential().add(new Dense(2, "softmax"));
    model.build(1, 2);
    List<Tensor> weights = List.copyOf(model.weights().values());
    weights.get(0).assign(Tensor.of(new float[] {-4, 4, 0, 0}, 2, 2));
    weights.get(1).assign(Tensor.of(new float[] {0, 0}, 2));
    model.preprocessing(new FeaturePreprocessing(List.of("x", "y"), null,
        StandardScaler.fit(Tensor.of(new float[] {-1, -1, 1, 1}, 2, 2))));
    model.classNames(List.of("no", "yes"));
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    model.save(bytes);
    p.registry.publish(p.org, "points", bytes.toByteArray(), new RunSource(
        p.ownerPrincipal.userId(), "run_1", "job_0", datasetVersion, Map.of(), Map.of(), null,
        null));
    MonitoringPlatform.Response d = p.post("/api/v1/orgs/" + p.org + "/deployments", p.owner,
        Map.of("name", "points", "model", "points@1"));
    assertEquals(201, d.status(), d.body());
  }

  @AfterEach
  void close() {
    p.close();
  }

  /** Sends {@code rows} raw rows [x, y] with x drawn around {@code shift}; the answer. */
  private JsonNode predict(int rows, double shift, List<Double> xs) {
    List<String> data = new ArrayList<>();
    for (int i = 0; i < rows; i++) {
      double x = shift + random.nextGaussian();
      xs.add(x);
      data.add(String.format(Locale.ROOT, "[%.4f, %.4f]", x, random.nextGaussian()));
    }
    MonitoringPlatform.Response r = p.post("/v2/models/points/infer", p.owner, Map.of("inputs",
        List.of(Map.of("name", "input", "shape", List.of(rows), "datatype", "BYTES", "data",
            data))));
    assertEquals(200, r.status(), r.body());
    return r.json();
  }

  @Test
  void feedbackByTheAnswersPredictionIdMovesLiveQuality() {
    List<Double> xs = new ArrayList<>();
    JsonNode answer = predict(150, 0, xs);
    String id = answer.at("/parameters/prediction_id").asText();
    assertEquals(id, answer.get("id").asText(), "the request sent no id of its own");
    JsonNode labels = answer.get("outputs").get(1).get("data");
    List<Map<String, Object>> items = new ArrayList<>();
    int right = 0;
    for (int i = 0; i < 150; i++) {
      String truth = i % 5 == 0 ? "maybe" : xs.get(i) > 0 ? "yes" : "no"; // one in five wrong
      right += truth.equals(labels.get(i).asText()) ? 1 : 0;
      items.add(Map.of("predictionId", id, "sample", i, "groundTruth", truth));
    }
    MonitoringPlatform.Response f = p.post(p.deployment("points", "/feedback"), p.owner,
        Map.of("items", items));
    assertEquals(200, f.status(), f.body());
    assertEquals(150, f.json().get("accepted").asInt(), f.body());

    JsonNode report = p.get(p.deployment("points", "/monitoring"), p.owner).json();
    assertEquals(150, report.get("predictions").asLong());
    assertEquals(150, report.at("/quality/samples").asLong());
    assertEquals(right / 150.0, report.at("/quality/accuracy").asDouble(), 1e-9);
    assertTrue(right <= 120, "the model is right on at most the four in five: " + right);
  }

  @Test
  void inputsShiftedFromTheTrainingDataRaiseDrift() {
    predict(200, 0, new ArrayList<>());
    JsonNode before = feature(p.get(p.deployment("points", "/monitoring"), p.owner).json(), "x");
    assertTrue(before.get("psi").asDouble() < 0.25, "as trained: " + before);

    predict(200, 6, new ArrayList<>());
    predict(200, 6, new ArrayList<>());
    JsonNode report = p.get(p.deployment("points", "/monitoring"), p.owner).json();
    JsonNode x = feature(report, "x");
    assertEquals(600, x.get("samples").asLong());
    assertTrue(x.get("psi").asDouble() > 0.25, "x moved by six deviations: " + x);
    assertTrue(feature(report, "y").get("psi").asDouble() < 0.25, "y did not move: " + report);
  }

  private static JsonNode feature(JsonNode report, String name) {
    for (JsonNode f : report.get("features")) {
      if (f.get("feature").asText().equals(name)) {
        return f;
      }
    }
    throw new AssertionError("no drift of feature " + name + " in " + report);
  }
}
