package ai.lepton.server.registry;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.lepton.api.AuditEvent;
import ai.lepton.server.TestPlatform.Response;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The registry API over real HTTP, run on each storage the platform offers (H2 with a blob
 * directory, PostgreSQL, S3): pushes, versions, aliases, tags, downloads and deletions, and what
 * each leaves in the database, the blob store and the audit log.
 */
abstract class RegistryRoutesContract {
  @TempDir Path dir;
  RegistryPlatform p;

  /** A server on the storage under test, with its data directory in {@code dir}. */
  abstract RegistryPlatform start(Path dir);

  @BeforeEach
  void startPlatform() {
    p = start(dir.resolve("data"));
  }

  @AfterEach
  void stopPlatform() {
    p.close();
  }

  static String sha256(byte[] bytes) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
  }

  private static String query(String metrics) {
    return "format=onnx&metrics=" + URLEncoder.encode(metrics, StandardCharsets.UTF_8);
  }

  @Test
  void aPushedOnnxModelIsAVersionWithItsSignatureHashMetricsAndLineage() throws Exception {
    byte[] onnx = TestModels.onnxAdd();
    Response r = p.push("fraud", p.owner, query("{\"auc\": 0.93, \"loss\": 0.2}") + "&sha256="
        + sha256(onnx), onnx);
    assertEquals(201, r.status(), r.body());
    JsonNode v = r.json();
    assertEquals(1, v.get("number").asInt());
    assertEquals("onnx", v.get("format").asText());
    assertEquals("fraud", v.get("modelName").asText());
    assertEquals(sha256(onnx), v.get("sha256").asText());
    assertEquals(onnx.length, v.get("sizeBytes").asLong());
    assertEquals("x", v.at("/signature/inputs/0/name").asText());
    assertEquals("[-1,3]", v.at("/signature/inputs/0/shape").toString());
    assertEquals("FP32", v.at("/signature/outputs/0/dtype").asText());
    assertEquals(0.93, v.at("/metrics/auc").asDouble());
    assertEquals("upload", v.at("/lineage/source").asText());
    assertTrue(v.get("evaluationReport").isNull());
    assertTrue(v.get("id").asText().startsWith("mv_"));

    JsonNode model = p.get(p.models("/fraud"), p.viewer).json();
    assertEquals(1, model.get("latestVersion").asInt());
    assertEquals(1, p.get(p.models(""), p.viewer).json().get("models").size());
    assertEquals(1, p.versionRows());
    assertEquals(1, p.modelBlobKeys().size());
    AuditEvent pushed = p.events(p.org, RegistryService.UPLOAD).get(0);
    assertEquals(AuditEvent.Outcome.SUCCESS, pushed.outcome());
    assertEquals(sha256(onnx), pushed.details().get("sha256"));
    assertEquals(1, p.events(p.org, RegistryService.CREATE).size(), "registered on its push");
  }

  @Test
  void numbersGrowAndAreNeverReusedAfterADeletion() {
    byte[] onnx = TestModels.onnxAdd();
    for (int i = 1; i <= 2; i++) {
      assertEquals(i, p.push("m", p.owner, "format=onnx", onnx).json().get("number").asInt());
    }
    Response deleted = p.delete(p.models("/m/versions/2"), p.owner);
    assertEquals(204, deleted.status(), deleted.body());
    JsonNode tombstone = p.get(p.models("/m/versions/2"), p.viewer).json();
    assertFalse(tombstone.get("deletedAt").isNull());
    assertTrue(tombstone.get("signature").isNull());
    Response gone = p.get(p.models("/m/versions/2/content"), p.owner);
    assertEquals(404, gone.status());
    assertTrue(gone.errorMessage().contains("was deleted"), gone.errorMessage());
    assertEquals(3, p.push("m", p.owner, "format=onnx", onnx).json().get("number").asInt());
    assertEquals(3, p.get(p.models("/m/versions"), p.viewer).json().get("versions").size());
    assertEquals(2, p.modelBlobKeys().size(), "the deleted version's blob is gone");
    assertEquals(3, p.get(p.models("/m"), p.viewer).json().get("latestVersion").asInt());
  }

  @Test
  void aliasesPointAtVersionsMoveAndResolve() {
    byte[] onnx = TestModels.onnxAdd();
    p.push("m", p.owner, "format=onnx", onnx);
    p.push("m", p.owner, "format=onnx", onnx);
    Response set = p.put(p.models("/m/aliases/production"), p.owner, Map.of("version", 1));
    assertEquals(200, set.status(), set.body());
    assertEquals("[\"production\"]", set.json().get("aliases").toString());
    assertEquals(1, p.get(p.models("/m/versions/production"), p.viewer).json().get("number")
        .asInt());
    p.put(p.models("/m/aliases/production"), p.owner, Map.of("version", 2));
    assertEquals(2, p.get(p.models("/m/versions/production"), p.viewer).json().get("number")
        .asInt());
    assertEquals(Map.of("production", 2), RegistryPlatform.JSON.convertValue(
        p.get(p.models("/m"), p.viewer).json().get("aliases"), Map.class));
    AuditEvent moved = p.events(p.org, RegistryService.ALIAS).get(0);
    assertEquals("1", moved.details().get("previousNumber"));
    assertEquals("2", moved.details().get("number"));

    // deleting the version takes its alias with it
    assertEquals(204, p.delete(p.models("/m/versions/2"), p.owner).status());
    Response none = p.get(p.models("/m/versions/production"), p.viewer);
    assertEquals(404, none.status(), none.body());
    assertTrue(none.errorMessage().contains("alias 'production'"), none.errorMessage());

    assertEquals(404, p.put(p.models("/m/aliases/staging"), p.owner, Map.of("version", 2))
        .status(), "a deleted version takes no alias");
    assertEquals(400, p.put(p.models("/m/aliases/7up"), p.owner, Map.of("version", 1))
        .status(), "an alias starts with a letter, so that it never reads as a number");
    p.put(p.models("/m/aliases/staging"), p.owner, Map.of("version", 1));
    assertEquals(204, p.delete(p.models("/m/aliases/staging"), p.owner).status());
    assertEquals(404, p.delete(p.models("/m/aliases/staging"), p.owner).status());
  }

  @Test
  void tagsAreSetReplacedAndRemoved() {
    p.push("m", p.owner, "format=onnx", TestModels.onnxAdd());
    Response tagged = p.put(p.models("/m/versions/1/tags/team"), p.owner,
        Map.of("value", "risk"));
    assertEquals(200, tagged.status(), tagged.body());
    assertEquals("risk", tagged.json().at("/tags/team").asText());
    p.put(p.models("/m/versions/1/tags/team"), p.owner, Map.of("value", "fraud"));
    assertEquals("fraud", p.get(p.models("/m/versions/1"), p.viewer).json().at("/tags/team")
        .asText());
    assertEquals(204, p.delete(p.models("/m/versions/1/tags/team"), p.owner).status());
    assertEquals(0, p.get(p.models("/m/versions/1"), p.viewer).json().get("tags").size());
    assertEquals(400, p.put(p.models("/m/versions/1/tags/team"), p.owner,
        Map.of("value", "x".repeat(501))).status());
  }

  @Test
  void aDownloadIsTheFileAsPushedWithItsHashAndIsAudited() throws Exception {
    byte[] onnx = TestModels.onnxAdd();
    p.push("m", p.owner, "format=onnx", onnx);
    Response r = p.get(p.models("/m/versions/1/content"), p.viewer);
    assertEquals(200, r.status());
    assertArrayEquals(onnx, r.bytes());
    assertEquals(sha256(onnx), r.header("X-Content-SHA256"));
    assertEquals("attachment; filename=\"m-1.onnx\"", r.header("Content-Disposition"));
    AuditEvent read = p.events(p.org, RegistryService.DOWNLOAD).get(0);
    assertEquals(sha256(onnx), read.details().get("sha256"));
  }

  @Test
  void aFileThatDoesNotMatchItsDeclaredHashIsNoVersionAndLeavesNoBlob() throws Exception {
    byte[] onnx = TestModels.onnxAdd();
    Response r = p.push("m", p.owner, "format=onnx&sha256=" + sha256(new byte[] {1}), onnx);
    assertEquals(422, r.status(), r.body());
    assertTrue(r.errorMessage().contains("arrived with SHA-256 " + sha256(onnx)),
        r.errorMessage());
    assertEquals(0, p.versionRows());
    assertEquals(List.of(), p.modelBlobKeys());
    assertEquals(AuditEvent.Outcome.FAILED, p.events(p.org, RegistryService.UPLOAD).get(0)
        .outcome());
  }

  @Test
  void viewersReadButNeitherPushNorAliasNorDeleteAndOutsidersSeeNothing() {
    p.push("m", p.owner, "format=onnx", TestModels.onnxAdd());
    assertEquals(403, p.push("m", p.viewer, "format=onnx", TestModels.onnxAdd()).status());
    assertEquals(403, p.put(p.models("/m/aliases/production"), p.viewer,
        Map.of("version", 1)).status());
    assertEquals(403, p.delete(p.models("/m/versions/1"), p.viewer).status());
    assertEquals(200, p.get(p.models("/m/versions/1"), p.viewer).status());
    assertEquals(404, p.get(p.models("/m/versions/1"), p.outsider).status());
    assertEquals(404, p.get("/api/v1/orgs/" + p.outsiderOrg + "/models/m", p.outsider)
        .status(), "another organization's model of the same name does not exist there");
    assertEquals(1, p.versionRows());
  }

  @Test
  void deletingAModelDeletesItsFilesAndFreesItsName() {
    byte[] onnx = TestModels.onnxAdd();
    p.push("m", p.owner, "format=onnx", onnx);
    p.push("m", p.owner, "format=onnx", onnx);
    p.put(p.models("/m/aliases/production"), p.owner, Map.of("version", 2));
    p.put(p.models("/m/versions/2/tags/k"), p.owner, Map.of("value", "v"));
    assertEquals(204, p.delete(p.models("/m"), p.owner).status());
    assertEquals(404, p.get(p.models("/m"), p.viewer).status());
    assertEquals(List.of(), p.modelBlobKeys());
    assertEquals(0, p.versionRows());
    Response again = p.post(p.models(""), p.owner, Map.of("name", "m"));
    assertEquals(201, again.status(), again.body());
    assertEquals(0, again.json().get("latestVersion").asInt());
    assertEquals(409, p.post(p.models(""), p.owner, Map.of("name", "m")).status());
  }

  @Test
  void concurrentFirstPushesOfANewModelRegisterItOnceAndNumberInTurn() throws Exception {
    byte[] onnx = TestModels.onnxAdd();
    java.util.concurrent.ExecutorService pool =
        java.util.concurrent.Executors.newFixedThreadPool(4);
    try {
      List<java.util.concurrent.Future<Response>> pushes = new java.util.ArrayList<>();
      for (int i = 0; i < 4; i++) {
        pushes.add(pool.submit(() -> p.push("race", p.owner, "format=onnx", onnx)));
      }
      java.util.Set<Integer> numbers = new java.util.TreeSet<>();
      for (var push : pushes) {
        Response r = push.get();
        assertEquals(201, r.status(), r.body());
        numbers.add(r.json().get("number").asInt());
      }
      assertEquals(java.util.Set.of(1, 2, 3, 4), numbers);
    } finally {
      pool.shutdown();
    }
    assertEquals(1, p.get(p.models(""), p.viewer).json().get("models").size());
    assertEquals(1, p.events(p.org, RegistryService.CREATE).size());
  }

  @Test
  void deletingAnOrganizationDeletesItsModels() {
    byte[] onnx = TestModels.onnxAdd();
    String b = "/api/v1/orgs/" + p.outsiderOrg + "/models";
    Response pushed = p.send(p.request(b + "/theirs/versions?format=onnx", p.outsider)
        .header("Content-Type", "application/octet-stream")
        .PUT(java.net.http.HttpRequest.BodyPublishers.ofByteArray(onnx)));
    assertEquals(201, pushed.status(), pushed.body());
    p.put(b + "/theirs/aliases/production", p.outsider, Map.of("version", 1));
    p.put(b + "/theirs/versions/1/tags/k", p.outsider, Map.of("value", "v"));
    p.push("ours", p.owner, "format=onnx", onnx);
    assertEquals(2, p.versionRows());
    Response deleted = p.delete("/api/v1/orgs/" + p.outsiderOrg, p.outsider);
    assertEquals(204, deleted.status(), deleted.body());
    assertEquals(1, p.versionRows(), "only the other organization's version is left");
    assertEquals(1, p.modelBlobKeys().size());
    assertTrue(p.modelBlobKeys().get(0).contains(p.org));
  }

  @Test
  void badDeclarationsAreRefusedBeforeTheBodyIsStored() {
    byte[] onnx = TestModels.onnxAdd();
    Response format = p.push("m", p.owner, "format=pickle", onnx);
    assertEquals(400, format.status());
    assertTrue(format.errorMessage().contains("[lepton, onnx]"), format.errorMessage());
    Response metrics = p.push("m", p.owner, query("{\"auc\": \"high\"}"), onnx);
    assertEquals(400, metrics.status());
    assertTrue(metrics.errorMessage().contains("names to numbers"), metrics.errorMessage());
    assertEquals(400, p.push("bad%20name!", p.owner, "format=onnx", onnx).status());
    assertEquals(0, p.versionRows());
    assertEquals(List.of(), p.modelBlobKeys());
  }
}
