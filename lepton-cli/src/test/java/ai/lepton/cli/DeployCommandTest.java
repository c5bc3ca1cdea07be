package ai.lepton.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import ai.lepton.layers.Dense;
import ai.lepton.layers.Embedding;
import ai.lepton.layers.GlobalAveragePooling1D;
import ai.lepton.models.Sequential;
import ai.lepton.preprocessing.FeaturePreprocessing;
import ai.lepton.preprocessing.StandardScaler;
import ai.lepton.preprocessing.TextPreprocessing;
import ai.lepton.preprocessing.Tokenizer;
import ai.lepton.server.ServerConfig;
import ai.lepton.tensor.Tensor;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * lepton deploy and lepton predict, and the client calls under them, against a real server:
 * deploy with a canary, list, show, promote, rollback, delete; predict from JSON, CSV rows and
 * a text.
 */
class DeployCommandTest {
  @TempDir static Path dir;
  private static Platform p;

  @BeforeAll
  static void start() throws Exception {
    p = new Platform(ServerConfig.embedded(dir.resolve("data"), 0));
    p.login(dir.resolve("admin.json"), p.token(p.admin, p.org, "admin"));
    StandardScaler scaler = StandardScaler.fit(Tensor.of(new float[] {1, 10, 100, 3, 30, 300,
        5, 50, 500}, 3, 3));
    for (int seed = 1; seed <= 2; seed++) {
      Sequential m = new Sequential().add(new Dense(2, "softmax"));
      m.build(seed, 3);
      m.preprocessing(new FeaturePreprocessing(List.of("a", "b", "c"), null, scaler));
      Path file = dir.resolve("churn-" + seed + ".lepton");
      m.save(file);
      assertEquals(0, p.lepton("model", "push", file.toString(), "--name", "churn"), p.err());
    }
    Tokenizer tokenizer = new Tokenizer();
    tokenizer.fitOnTexts(List.of("the cat sat on the mat", "a dog barked at the cat"));
    Sequential text = new Sequential().add(new Embedding(20, 4))
        .add(new GlobalAveragePooling1D()).add(new Dense(2));
    text.build(3, 5);
    text.preprocessing(new TextPreprocessing(tokenizer, 5));
    text.save(dir.resolve("text.lepton"));
    Sequential named = new Sequential().add(new Dense(2, "softmax"));
    named.build(1, 3);
    named.preprocessing(new FeaturePreprocessing(List.of("a", "b", "c"), null, scaler));
    named.classNames(List.of("stays", "leaves"));
    named.save(dir.resolve("named.lepton"));
    assertEquals(0, p.lepton("model", "push", dir.resolve("named.lepton").toString(), "--name",
        "churn-named"), p.err());
    assertEquals(0, p.lepton("model", "push", dir.resolve("text.lepton").toString(), "--name",
        "reviews"), p.err());
  }

  @AfterAll
  static void stop() {
    p.close();
  }

  @Test
  void aDeploymentIsCanariedPromotedRolledBackAndDeleted() {
    assertEquals(0, p.lepton("deploy", "create", "churn-api", "--model", "churn@1",
        "--canary", "churn@2", "--share", "100"), p.err());
    assertTrue(p.out().startsWith("Deployed churn-api serves churn@1, canary churn@2 at 100%."),
        p.out());
    assertEquals(0, p.lepton("deploy", "list"), p.err());
    assertTrue(p.out().lines().anyMatch(l -> l.startsWith("churn-api ")
        && l.contains("churn@1") && l.contains("churn@2") && l.contains("100%")), p.out());

    assertEquals(0, p.lepton("predict", "churn-api", "--request", "{\"id\": \"q1\", \"inputs\": "
        + "[{\"name\": \"input\", \"shape\": [1, 3], \"datatype\": \"FP32\", \"data\": [1, 2, "
        + "3]}]}"), p.err());
    assertTrue(p.out().contains("dense [1, 2]: ["), p.out());
    assertTrue(p.out().contains("model churn-api@2, prediction id prd_"), p.out());

    assertEquals(0, p.lepton("deploy", "rollback", "churn-api", "--json"), p.err());
    assertTrue(p.outJson().get("canary").isNull());
    assertEquals(0, p.lepton("deploy", "update", "churn-api", "--canary", "churn@2"), p.err());
    assertEquals("Updated: churn-api serves churn@1, canary churn@2 at 10%.\n", p.out());
    assertEquals(0, p.lepton("deploy", "promote", "churn-api"), p.err());
    assertEquals("Promoted: churn-api serves churn@2.\n", p.out());
    assertEquals(0, p.lepton("deploy", "show", "churn-api", "--json"), p.err());
    assertEquals(2, p.outJson().at("/primary/number").asInt());

    assertEquals(0, p.lepton("deploy", "token", "churn-api", "--create", "shop", "--json"),
        p.err());
    String secret = p.outJson().get("token").asText();
    String id = p.outJson().at("/info/id").asText();
    var app = ai.lepton.client.LeptonClient.connect(java.net.URI.create(p.base), secret);
    assertEquals("2", app.infer("churn-api", new ai.lepton.api.InferenceRequest(null, null,
        List.of(new ai.lepton.api.InferenceTensor("input", List.of(1L, 3L), "FP32", null,
            List.of(1, 2, 3))), null)).model_version());
    assertEquals(0, p.lepton("deploy", "token", "churn-api"), p.err());
    assertTrue(p.out().contains(id + " ") && p.out().contains("shop"), p.out());
    assertEquals(0, p.lepton("deploy", "token", "churn-api", "--revoke", id), p.err());
    assertEquals(401, org.junit.jupiter.api.Assertions.assertThrows(
        ai.lepton.client.LeptonClientException.class, () -> app.infer("churn-api",
            new ai.lepton.api.InferenceRequest(null, null, List.of(), null))).status());

    assertEquals(1, p.lepton("deploy", "promote", "churn-api"));
    assertTrue(p.err().contains("has no canary to promote"), p.err());
    assertEquals(0, p.lepton("deploy", "delete", "churn-api"), p.err());
    assertEquals(1, p.lepton("predict", "churn-api", "--text", "x"));
    assertTrue(p.err().contains("no model 'churn-api' is deployed"), p.err());
  }

  @Test
  void trafficCountsEachVersionsRequestsByOutcome() {
    assertEquals(0, p.lepton("deploy", "create", "counted", "--model", "churn@1"), p.err());
    String row = "{\"inputs\": [{\"name\": \"input\", \"shape\": [1, 3], \"datatype\": "
        + "\"FP32\", \"data\": [1, 2, 3]}]}";
    assertEquals(0, p.lepton("predict", "counted", "--request", row), p.err());
    assertEquals(0, p.lepton("predict", "counted", "--request", row), p.err());
    assertEquals(1, p.lepton("predict", "counted", "--request", row.replace("[1, 3]", "[1, 4]")));
    assertEquals(0, p.lepton("deploy", "traffic", "counted"), p.err());
    assertTrue(p.out().startsWith("VERSION"), p.out());
    assertTrue(p.out().lines().anyMatch(l -> l.matches("1 +2 +1 +0 +0 +0 +0 +[0-9.]+")), p.out());
    assertEquals(0, p.lepton("deploy", "traffic", "counted", "--json"), p.err());
    assertEquals(2, p.outJson().at("/versions/0/requests/ok").asInt(), p.out());
    assertEquals(1, p.lepton("deploy", "traffic", "nope"));
    assertTrue(p.err().contains("deployment 'nope'"), p.err());
  }

  @Test
  void rowsAndTextsAreSentRawForTheModelsPreprocessing() throws Exception {
    assertEquals(0, p.lepton("deploy", "create", "tabular", "--model", "churn"), p.err());
    Path csv = dir.resolve("rows.csv");
    Files.writeString(csv, "c,a,b\n300,3,30\n500,5,50\n");
    assertEquals(0, p.lepton("predict", "tabular", "--rows", csv.toString(), "--json"),
        p.err());
    assertEquals("[2,2]", p.outJson().at("/outputs/0/shape").toString());
    assertTrue(p.outJson().get("id").asText().startsWith("prd_"), p.out());

    assertEquals(0, p.lepton("deploy", "create", "reviews-api", "--model", "reviews"),
        p.err());
    assertEquals(0, p.lepton("predict", "reviews-api", "--text", "the cat sat"), p.err());
    assertTrue(p.out().contains("[1, 2]: ["), p.out());
    assertTrue(p.out().contains("model reviews-api@1, prediction id prd_"), p.out());

    assertEquals(0, p.lepton("deploy", "create", "named-api", "--model", "churn-named"),
        p.err());
    assertEquals(0, p.lepton("predict", "named-api", "--rows", csv.toString(), "--json"),
        p.err());
    JsonNode answer = p.outJson();
    assertEquals(0, p.lepton("predict", "named-api", "--rows", csv.toString()), p.err());
    List<String> lines = p.out().lines().toList();
    assertEquals(List.of("SAMPLE", "CLASS", "SCORE"), List.of(lines.get(0).split(" +")));
    for (int i = 0; i < 2; i++) {
      String[] cells = lines.get(i + 1).split(" +");
      String label = answer.at("/outputs/1/data/" + i).asText();
      double best = Math.max(answer.at("/outputs/0/data/" + (2 * i)).asDouble(),
          answer.at("/outputs/0/data/" + (2 * i + 1)).asDouble());
      assertEquals(List.of(Integer.toString(i), label), List.of(cells[0], cells[1]), p.out());
      assertTrue(List.of("stays", "leaves").contains(label), p.out());
      assertEquals(best, Double.parseDouble(cells[2]), 1e-4, p.out());
    }
    assertTrue(lines.get(3).startsWith("model named-api@1, prediction id prd_"), p.out());

    Files.writeString(csv, "a,b\n1\n");
    assertEquals(1, p.lepton("predict", "tabular", "--rows", csv.toString()));
    assertTrue(p.err().contains("line 2 has 1 values for 2 columns"), p.err());
  }

  @Test
  void requestLimitsAreSetShownAndChanged() {
    assertEquals(0, p.lepton("deploy", "create", "limited", "--model", "churn@1", "--rate",
        "0.5", "--burst", "4", "--max-request-bytes", "4096", "--max-batch", "2"), p.err());
    assertEquals(0, p.lepton("deploy", "show", "limited"), p.err());
    assertTrue(p.out().contains("\nrate        0.5 requests/s, bursts of 4\n"), p.out());
    assertTrue(p.out().contains("\nrequests    up to 4096 bytes, 2 samples\n"), p.out());

    String threeRows = "{\"inputs\": [{\"name\": \"input\", \"shape\": [3, 3], \"datatype\": "
        + "\"FP32\", \"data\": [1, 2, 3, 4, 5, 6, 7, 8, 9]}]}";
    assertEquals(1, p.lepton("predict", "limited", "--request", threeRows));
    assertTrue(p.err().contains("this deployment takes at most 2 samples per request"),
        p.err());
    assertEquals(0, p.lepton("deploy", "update", "limited", "--max-batch", "3", "--json"),
        p.err());
    assertEquals(3, p.outJson().at("/limits/maxRequestSamples").asInt());
    assertEquals(0.5, p.outJson().at("/limits/requestsPerSecond").asDouble(), "kept");
    assertEquals(0, p.lepton("predict", "limited", "--request", threeRows), p.err());

    assertEquals(1, p.lepton("deploy", "update", "limited", "--burst", "1000000"));
    assertTrue(p.err().contains("limits.burst must be 1 to 20000, this server's limit"),
        p.err());
    assertEquals(0, p.lepton("deploy", "create", "unlimited", "--model", "churn@1"), p.err());
    assertEquals(0, p.lepton("deploy", "show", "unlimited"), p.err());
    assertTrue(p.out().contains("\nrate        20000.0 requests/s, bursts of 20000\n"),
        p.out());
    assertTrue(p.out().contains("\nrequests    up to 8388608 bytes, 1024 samples\n"), p.out());
  }
}
