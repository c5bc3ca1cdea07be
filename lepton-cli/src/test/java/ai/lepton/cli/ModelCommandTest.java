package ai.lepton.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.lepton.api.ModelVersion;
import ai.lepton.client.LeptonClient;
import ai.lepton.client.LeptonClientException;
import ai.lepton.layers.Dense;
import ai.lepton.models.Sequential;
import ai.lepton.server.ServerConfig;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * lepton model, and the client calls under it, against a real server: push, list, versions,
 * show, alias, tag, download, delete.
 */
class ModelCommandTest {
  @TempDir static Path dir;
  private static Platform p;
  private static Path model;

  @BeforeAll
  static void start() {
    p = new Platform(ServerConfig.embedded(dir.resolve("data"), 0));
    Sequential m = new Sequential().add(new Dense(4, "relu")).add(new Dense(2, "softmax"));
    m.build(1, 3);
    model = dir.resolve("churn.lepton");
    m.save(model);
  }

  @AfterAll
  static void stop() {
    p.close();
  }

  @BeforeEach
  void signIn() {
    p.login(dir.resolve("admin.json"), p.token(p.admin, p.org, "admin"));
  }

  private static int lepton(String... args) {
    return p.lepton(args);
  }

  private static void refused(int exit, String... fragments) {
    assertEquals(1, exit, p.out() + p.err());
    assertTrue(p.err().startsWith("lepton: "), p.err());
    for (String f : fragments) {
      assertTrue(p.err().contains(f), "expected '" + f + "' in: " + p.err());
    }
  }

  @Test
  void aPushedModelIsVersionedAliasedTaggedAndDownloadedIntact() throws Exception {
    assertEquals(0, lepton("model", "push", model.toString(), "--name", "churn", "--metrics",
        "accuracy=0.91,loss=0.23"), p.err());
    assertTrue(p.out().startsWith("Pushed churn.lepton as churn@1: lepton, "), p.out());
    assertTrue(p.out().contains("inputs      input FP32 [?, 3]"), p.out());
    assertTrue(p.out().contains("outputs     dense_1 FP32 [?, 2]"), p.out());
    assertTrue(p.out().contains("'lepton model alias churn@1 production'"), p.out());

    assertEquals(0, lepton("model", "push", model.toString(), "--name", "churn", "--json"),
        p.err());
    assertEquals(2, p.outJson().get("number").asInt());

    assertEquals(0, lepton("model", "alias", "churn@1", "production"), p.err());
    assertEquals("churn@production is now version 1.\n", p.out());
    assertEquals(0, lepton("model", "list"), p.err());
    assertTrue(p.out().lines().anyMatch(l -> l.startsWith("churn ") && l.contains(" 2 ")
        && l.contains("production=#1")), p.out());

    assertEquals(0, lepton("model", "tag", "churn@production", "team=risk", "stage=beta"),
        p.err());
    assertEquals("churn@1 tags: stage=beta, team=risk.\n", p.out());
    assertEquals(0, lepton("model", "tag", "churn@1", "--delete", "stage"), p.err());
    assertEquals("churn@1 tags: team=risk.\n", p.out());

    assertEquals(0, lepton("model", "show", "churn@production"), p.err());
    assertTrue(p.out().startsWith("churn@1  (mv_"), p.out());
    assertTrue(p.out().contains("metrics     accuracy=0.91,loss=0.23"), p.out());
    assertTrue(p.out().contains("aliases     production"), p.out());
    assertTrue(p.out().contains("tags        team=risk"), p.out());
    assertTrue(p.out().contains("source      upload"), p.out());

    assertEquals(0, lepton("model", "versions", "churn"), p.err());
    assertTrue(p.out().lines().anyMatch(l -> l.startsWith("1 ") && l.contains("production")),
        p.out());

    Path saved = dir.resolve("saved.lepton");
    assertEquals(0, lepton("model", "download", "churn@production", "-o", saved.toString()),
        p.err());
    assertArrayEquals(Files.readAllBytes(model), Files.readAllBytes(saved));
    assertTrue(p.out().contains("verified"), p.out());
    refused(lepton("model", "download", "churn@1", "-o", saved.toString()), "--force");

    refused(lepton("model", "delete", "churn@2"), "--yes");
    assertEquals(0, lepton("model", "delete", "churn@2", "--yes"), p.err());
    assertEquals("Deleted version 2 of model churn.\n", p.out());
    assertEquals(0, lepton("model", "versions", "churn", "--json"), p.err());
    assertTrue(p.outJson().get("versions").get(1).hasNonNull("deletedAt"), p.out());
    assertEquals(0, lepton("model", "delete", "churn", "--yes"), p.err());
    refused(lepton("model", "show", "churn"), "model 'churn'");
  }

  @Test
  void metricsPrintToFourSignificantDigitsAndWholeAsJson() throws Exception {
    assertEquals(0, lepton("model", "push", model.toString(), "--name", "digits", "--metrics",
        "accuracy=0.9134567890123456,loss=1234.5678901,rmse=0.00012345678901,epochs=12"),
        p.err());
    assertEquals(0, lepton("model", "show", "digits@1"), p.err());
    assertTrue(p.out().contains(
        "metrics     accuracy=0.9135,epochs=12,loss=1235,rmse=0.0001235\n"), p.out());
    assertEquals(0, lepton("model", "versions", "digits"), p.err());
    assertTrue(p.out().contains("accuracy=0.9135,epochs=12,loss=1235,rmse=0.0001235"),
        p.out());
    assertEquals(0, lepton("model", "show", "digits@1", "--json"), p.err());
    assertEquals(0.9134567890123456, p.outJson().get("metrics").get("accuracy").asDouble());
  }

  @Test
  void aFileThatIsNotAModelIsRefusedWithTheServersReason() throws Exception {
    Path fake = Files.writeString(dir.resolve("fake.lepton"), "not a zip at all");
    refused(lepton("model", "push", fake.toString(), "--name", "fake"),
        "not a valid .lepton model file");
    refused(lepton("model", "push", dir.resolve("missing.lepton").toString(), "--name", "x"),
        "no file");
    Path csv = Files.writeString(dir.resolve("data.csv"), "a,b\n");
    refused(lepton("model", "push", csv.toString(), "--name", "x"), "cannot tell the format");
    refused(lepton("model", "push", model.toString(), "--name", "x", "--metrics", "auc=high"),
        "must be a number");
  }

  @Test
  void theClientPushesResolvesAndDownloadsWithItsHashChecked() throws Exception {
    LeptonClient client = LeptonClient.connect(URI.create(p.base), p.token(p.admin, p.org,
        "admin"));
    ModelVersion v = client.pushModel(p.org, "client-model", model, Map.of("auc", 0.8));
    assertEquals(1, v.number());
    assertEquals(0.8, v.metrics().get("auc"));
    assertEquals(1, client.setAlias(p.org, "client-model", "staging", 1).number());
    assertEquals(v.id(), client.modelVersion(p.org, "client-model", "staging").id());
    Path target = dir.resolve("client.lepton");
    assertEquals(v.sha256(), client.downloadModel(p.org, "client-model", "staging", target));
    assertArrayEquals(Files.readAllBytes(model), Files.readAllBytes(target));
    LeptonClientException e = org.junit.jupiter.api.Assertions.assertThrows(
        LeptonClientException.class, () -> client.modelVersion(p.org, "client-model", "9"));
    assertEquals(404, e.status());
    client.deleteModel(p.org, "client-model");
    assertTrue(client.models(p.org).models().stream().noneMatch(m -> m.name().equals(
        "client-model")));
  }
}
