package ai.lepton.server.datasets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.lepton.api.AuditEvent;
import ai.lepton.api.AuditEvent.Outcome;
import ai.lepton.server.TestPlatform.Response;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dataset API over real HTTP, end to end: create, upload (raw and multipart), list, profile,
 * download, derive, lineage, delete, and what the audit log records of each. Runs on H2
 * ({@link DatasetRoutesH2Test}) and PostgreSQL ({@link DatasetRoutesPostgresTest}) with a blob
 * directory, and on H2 with an S3 bucket ({@link DatasetRoutesS3Test}).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class DatasetRoutesContract {
  static final String IRIS = """
      sepal,petal,species
      5.1,1.4,setosa
      4.9,1.4,setosa
      4.7,1.3,setosa
      7.0,4.7,versicolor
      6.4,4.5,versicolor
      6.9,4.9,versicolor
      6.3,6.0,virginica
      5.8,5.1,virginica
      7.1,5.9,virginica
      6.5,5.8,virginica
      """;
  static final String GAPS = """
      id,age,city
      1,30,Paris
      2,,Oslo
      3,40,Paris
      4,,Rome
      5,20,Paris
      6,50,Oslo
      7,60,Paris
      8,,Rome
      9,10,Paris
      10,40,Oslo
      """;

  Platform platform;

  abstract Platform start(Path dir);

  @BeforeAll
  void setUp(@TempDir Path dir) {
    platform = start(dir);
  }

  @AfterAll
  void tearDown() {
    platform.close();
  }

  private String versions(String dataset) {
    return platform.orgPath("/datasets/" + dataset + "/versions");
  }

  private static AuditEvent only(List<AuditEvent> events, String resourceId, Outcome outcome) {
    List<AuditEvent> matching = events.stream().filter(e -> resourceId.equals(e.resourceId())
        && e.outcome() == outcome).toList();
    assertEquals(1, matching.size(), events.toString());
    return matching.get(0);
  }

  @Test
  void aCsvGoesUpRawAndAsAFormAndComesBackByteForByteWithItsProfile() {
    Response created = platform.post(platform.orgPath("/datasets"), platform.owner,
        Map.of("name", "iris", "description", "Fisher's irises"));
    assertEquals(201, created.status(), created.body());
    String id = created.text("id");
    assertTrue(id.startsWith("ds_"), id);
    assertEquals(0, created.json().get("latestVersion").asInt());
    Response again = platform.post(platform.orgPath("/datasets"), platform.owner,
        Map.of("name", "iris"));
    assertEquals(409, again.status(), again.body());
    assertEquals("CONFLICT", again.errorCode());

    byte[] csv = IRIS.getBytes(StandardCharsets.UTF_8);
    String sha = Platform.sha256(csv);
    Response raw = platform.put(id, platform.owner, "format=CSV&fileName=iris.csv&label=species"
        + "&sha256=" + sha.toUpperCase(), csv);
    assertEquals(201, raw.status(), raw.body());
    JsonNode v1 = raw.json();
    assertEquals(1, v1.get("number").asInt());
    assertEquals(id, v1.get("datasetId").asText());
    assertEquals("CSV", v1.get("format").asText());
    assertEquals("iris.csv", v1.get("fileName").asText());
    assertEquals(csv.length, v1.get("sizeBytes").asLong());
    assertEquals(sha, v1.get("sha256").asText());
    assertEquals(10, v1.get("rows").asLong());
    assertTrue(v1.get("lineage").isNull());

    Response form = platform.multipart(id, platform.owner, Map.of("format", "csv"), "iris2.csv",
        csv);
    assertEquals(201, form.status(), form.body());
    assertEquals(2, form.json().get("number").asInt());
    assertEquals(sha, form.text("sha256"));

    JsonNode list = platform.get(platform.orgPath("/datasets"), platform.viewer).json();
    JsonNode iris = null;
    for (JsonNode d : list.get("datasets")) {
      iris = d.get("id").asText().equals(id) ? d : iris;
    }
    assertEquals(2, iris.get("latestVersion").asInt(), list.toString());
    assertEquals("Fisher's irises", iris.get("description").asText());
    assertEquals("iris", platform.get(platform.orgPath("/datasets/" + id), platform.viewer)
        .text("name"));
    JsonNode all = platform.get(versions(id), platform.viewer).json().get("versions");
    assertEquals(List.of(1, 2), List.of(all.get(0).get("number").asInt(),
        all.get(1).get("number").asInt()), "oldest first");
    assertEquals("iris2.csv", platform.get(versions(id) + "/2", platform.viewer)
        .text("fileName"));

    Response profile = platform.get(versions(id) + "/1/profile", platform.viewer);
    assertEquals(200, profile.status(), profile.body());
    JsonNode p = profile.json();
    assertEquals(10, p.get("rows").asLong());
    assertEquals("species", p.get("labelColumn").asText());
    JsonNode sepal = p.get("columns").get(0);
    assertEquals("sepal", sepal.get("name").asText());
    assertEquals(6.07, sepal.get("mean").asDouble(), 1e-6);
    assertEquals(4.7, sepal.get("min").asDouble(), 1e-6);
    assertEquals(4, p.get("classBalance").get(0).get("count").asLong(), "virginica");

    Response download = platform.get(versions(id) + "/1/content", platform.viewer);
    assertEquals(200, download.status(), download.body());
    assertArrayEquals(csv, download.bytes());
    assertEquals(sha, download.header("X-Content-SHA256"));
    assertEquals(Platform.sha256(download.bytes()), download.header("X-Content-SHA256"));
    assertEquals(Integer.toString(csv.length), download.header("Content-Length"));
    assertTrue(download.header("Content-Type").startsWith("text/csv"));
    assertEquals("attachment; filename=\"iris.csv\"; filename*=UTF-8''iris.csv",
        download.header("Content-Disposition"));

    // every step is in the audit log, and the chain verifies
    String org = platform.org;
    assertEquals("iris", only(platform.events(org, DatasetService.CREATE), id,
        Outcome.SUCCESS).details().get("name"));
    List<AuditEvent> uploads = platform.events(org, DatasetService.UPLOAD).stream()
        .filter(e -> id.equals(e.resourceId())).toList();
    assertEquals(2, uploads.size());
    assertEquals(sha, uploads.get(1).details().get("sha256"));
    assertEquals("1", uploads.get(1).details().get("number"));
    assertEquals(v1.get("id").asText(), only(platform.events(org, DatasetService.PROFILE_READ),
        id, Outcome.SUCCESS).details().get("version"));
    AuditEvent read = only(platform.events(org, DatasetService.DOWNLOAD), id, Outcome.SUCCESS);
    assertEquals(Integer.toString(csv.length), read.details().get("bytes"));
    assertNotEquals(uploads.get(0).actor(), read.actor(), "the viewer downloaded");
    assertTrue(platform.auditIntact(org));
  }

  @Test
  void deletingAnOrganizationDeletesItsDatasetsAndShredsItsKeys(@TempDir Path other) {
    try (Platform p = start(other)) {
      String id = p.dataset("doomed");
      byte[] csv = GAPS.getBytes(StandardCharsets.UTF_8);
      assertEquals(201, p.put(id, p.owner, "format=CSV&fileName=a.csv", csv).status());
      assertEquals(201, p.post(p.orgPath("/datasets/" + id + "/versions/1/derive"), p.owner,
          "{\"op\": \"drop_duplicates\"}").status(), "a derived version refers to its parent");
      assertEquals(2, p.datasetBlobKeys(p.org).size());
      Response deleted = p.send(p.request("/api/v1/orgs/" + p.org, p.owner).DELETE());
      assertTrue(deleted.status() < 300, deleted.body());
      assertEquals(List.of(), p.blobKeys().stream()
          .filter(k -> k.startsWith("orgs/" + p.org + "/")).toList(), "the ciphertext is gone");
      for (String sql : List.of("SELECT COUNT(*) FROM dataset WHERE org_id = :o",
          "SELECT COUNT(*) FROM dataset_version WHERE org_id = :o",
          "SELECT COUNT(*) FROM organization_keyset WHERE organization_id = :o")) {
        int rows = p.db.jdbi().withHandle(h -> h.createQuery(sql).bind("o", p.org)
            .mapTo(Integer.class).one());
        assertEquals(0, rows, sql);
      }
    }
  }

  /**
   * Tokens, memberships, datasets and keys are kept in memory between requests: every change to
   * them must still refuse the very next request.
   */
  @Test
  void theRequestRightAfterADemotionRevocationRemovalOrDeletionIsRefused(@TempDir Path other) {
    try (Platform p = start(other)) {
      String id = p.dataset("watched");
      byte[] csv = IRIS.getBytes(StandardCharsets.UTF_8);
      assertEquals(201, p.put(id, p.owner, "format=CSV&fileName=a.csv", csv).status());
      String content = p.orgPath("/datasets/" + id + "/versions/1/content");
      assertEquals(200, p.get(content, p.viewer).status()); // now kept: token, role, rows, keys
      String viewerId = null;
      for (JsonNode m : p.get(p.orgPath("/members"), p.owner).json().get("items")) {
        viewerId = m.get("email").asText().equals("viewer@x.org") ? m.get("userId").asText()
            : viewerId;
      }
      String member = p.orgPath("/members/" + viewerId);

      // A role change applies to the next request, up and down.
      assertEquals(403, p.put(id, p.viewer, "format=CSV&fileName=b.csv", csv).status());
      assertEquals(200, p.send(p.request(member, p.owner).header("Content-Type",
          "application/json").method("PATCH", Platform.json(Map.of("role", "member"))))
          .status());
      assertEquals(201, p.put(id, p.viewer, "format=CSV&fileName=b.csv", csv).status());
      assertEquals(200, p.send(p.request(member, p.owner).header("Content-Type",
          "application/json").method("PATCH", Platform.json(Map.of("role", "viewer"))))
          .status());
      Response demoted = p.put(id, p.viewer, "format=CSV&fileName=c.csv", csv);
      assertEquals(403, demoted.status(), demoted.body());

      // A revoked token is refused at once; the member's other token still works.
      Response made = p.post(p.orgPath("/tokens"), p.viewer, Map.of("name", "second",
          "scope", "read", "expiresAt", java.time.Instant.now().plusSeconds(3600).toString()));
      assertEquals(201, made.status(), made.body());
      String second = made.text("token");
      assertEquals(200, p.get(content, second).status());
      Response revoked = p.send(p.request(p.orgPath("/tokens/" + made.json().get("info")
          .get("id").asText()), p.owner).DELETE());
      assertTrue(revoked.status() < 300, revoked.body());
      Response refused = p.get(content, second);
      assertEquals(401, refused.status(), refused.body());
      assertEquals(200, p.get(content, p.viewer).status());

      // A removed member is refused at once.
      Response removed = p.send(p.request(member, p.owner).DELETE());
      assertTrue(removed.status() < 300, removed.body());
      assertEquals(401, p.get(content, p.viewer).status());

      // A deleted organization's data is gone at once.
      assertEquals(200, p.get(content, p.owner).status());
      Response deleted = p.send(p.request("/api/v1/orgs/" + p.org, p.owner).DELETE());
      assertTrue(deleted.status() < 300, deleted.body());
      Response gone = p.get(content, p.owner);
      assertEquals(401, gone.status(), gone.body());
    }
  }

  @Test
  void derivingFillsGapsAndSplitsRepeatablyWithLineage() {
    String id = platform.dataset("people");
    byte[] csv = GAPS.getBytes(StandardCharsets.UTF_8);
    assertEquals(201, platform.put(id, platform.owner,
        "format=CSV&fileName=people.csv&label=city", csv).status());

    Response filled = platform.post(versions(id) + "/1/derive", platform.owner,
        "{\"op\": \"fill_missing\", \"columns\": {\"age\": {\"strategy\": \"mean\"}}}");
    assertEquals(201, filled.status(), filled.body());
    JsonNode v2 = filled.json().get("versions").get(0);
    assertEquals(2, v2.get("number").asInt());
    assertEquals("people.csv", v2.get("fileName").asText());
    JsonNode lineage = v2.get("lineage");
    assertEquals(1, lineage.get("parentNumber").asInt());
    assertEquals("fill_missing", lineage.get("recipe").get("op").asText());
    assertEquals(35.714, lineage.get("parameters").get("fills").get("age").get("value")
        .asDouble(), 1e-3, "the mean of the present ages");
    assertTrue(lineage.get("part").isNull());
    String content = platform.get(versions(id) + "/2/content", platform.viewer).body();
    assertFalse(content.contains(",,"), content);
    assertEquals(10, v2.get("rows").asLong());

    String split = "{\"op\": \"split\", \"train\": 0.8, \"test\": 0.2, \"seed\": 7}";
    Response parts = platform.post(versions(id) + "/2/derive", platform.owner, split);
    assertEquals(201, parts.status(), parts.body());
    JsonNode made = parts.json().get("versions");
    assertEquals(2, made.size());
    assertEquals("train", made.get(0).get("lineage").get("part").asText());
    assertEquals("test", made.get(1).get("lineage").get("part").asText());
    assertEquals("train.csv", made.get(0).get("fileName").asText());
    assertEquals(8, made.get(0).get("rows").asLong());
    assertEquals(2, made.get(1).get("rows").asLong());
    assertEquals(List.of(3, 4), List.of(made.get(0).get("number").asInt(),
        made.get(1).get("number").asInt()));
    Response repeated = platform.post(versions(id) + "/2/derive", platform.owner, split);
    JsonNode again = repeated.json().get("versions");
    assertEquals(made.get(0).get("sha256"), again.get(0).get("sha256"), "same seed, same rows");
    assertEquals(made.get(1).get("sha256"), again.get(1).get("sha256"));
    Response otherSeed = platform.post(versions(id) + "/2/derive", platform.owner,
        split.replace("7", "8"));
    assertNotEquals(made.get(1).get("sha256"), otherSeed.json().get("versions").get(1)
        .get("sha256"));

    // lineage reads back from the version and the list
    JsonNode test = platform.get(versions(id) + "/4", platform.viewer).json();
    assertEquals(2, test.get("lineage").get("parentNumber").asInt());
    assertEquals(v2.get("id").asText(), test.get("lineage").get("parentId").asText());
    assertEquals(7, test.get("lineage").get("recipe").get("seed").asLong());
    assertEquals(8, test.get("lineage").get("parameters").get("rowsOut").get("train").asInt());
    JsonNode listed = platform.get(versions(id), platform.viewer).json().get("versions");
    assertEquals(test, listed.get(3));
    JsonNode testProfile = platform.get(versions(id) + "/4/profile", platform.viewer).json();
    assertEquals("city", testProfile.get("labelColumn").asText(), "the label carries over");
    assertFalse(testProfile.get("classBalance").isEmpty());

    AuditEvent derived = platform.events(platform.org, DatasetService.DERIVE).stream()
        .filter(e -> e.details().get("numbers").equals("3,4")).findFirst().orElseThrow();
    assertEquals("split", derived.details().get("op"));
    assertEquals("2", derived.details().get("parentNumber"));
    assertTrue(platform.auditIntact(platform.org));

    Response bad = platform.post(versions(id) + "/1/derive", platform.owner,
        "{\"op\": \"scale\", \"method\": \"standard\", \"columns\": [\"city\"]}");
    assertEquals(422, bad.status(), bad.body());
    assertTrue(bad.errorMessage().contains("not numeric"), bad.body());
  }

  @Test
  void aRefusedUploadStoresNothingAndIsRecordedAsFailed() {
    String id = platform.dataset("broken");
    int versions = platform.versionRows();
    int blobs = platform.blobKeys().size();
    Response r = platform.put(id, platform.owner, "format=CSV&fileName=broken.csv",
        "a,b\n1,\"open\n2,3\n".getBytes(StandardCharsets.UTF_8));
    assertEquals(422, r.status(), r.body());
    assertTrue(r.errorMessage().contains("broken.csv line 2"), r.body());
    assertEquals(versions, platform.versionRows());
    assertEquals(blobs, platform.blobKeys().size());
    assertEquals(List.of(), platform.tempFiles());
    AuditEvent failed = only(platform.events(platform.org, DatasetService.UPLOAD), id,
        Outcome.FAILED);
    assertEquals("UNPROCESSABLE", failed.details().get("code"));
    assertTrue(failed.details().get("reason").contains("unterminated quote"), failed.toString());
    assertTrue(platform.auditIntact(platform.org));
    List<String> none = new ArrayList<>();
    platform.get(versions(id), platform.owner).json().get("versions").forEach(v -> none.add(
        v.toString()));
    assertEquals(List.of(), none);
  }

  private Response delete(String path, String token) {
    return platform.send(platform.request(path, token).DELETE());
  }

  @Test
  void aDeletedVersionLeavesATombstoneItsNumberIsNeverReusedAndLineageStays() {
    String id = platform.dataset("tombstones");
    byte[] csv = GAPS.getBytes(StandardCharsets.UTF_8);
    assertEquals(201, platform.put(id, platform.owner, "format=CSV&fileName=g.csv", csv)
        .status());
    assertEquals(201, platform.post(versions(id) + "/1/derive", platform.owner,
        "{\"op\": \"drop_missing\"}").status());
    assertEquals(201, platform.put(id, platform.owner, "format=CSV&fileName=g3.csv", csv)
        .status());
    List<String> blobs = platform.datasetBlobKeys(platform.org);
    // read once, so the server keeps the version's content row: the deletion must empty it
    assertEquals(200, platform.get(versions(id) + "/1/content", platform.viewer).status());

    Response denied = delete(versions(id) + "/1", platform.viewer);
    assertEquals(403, denied.status(), denied.body());
    assertEquals(404, delete(versions(id) + "/1", platform.outsider).status());
    Response gone = delete(versions(id) + "/1", platform.owner);
    assertEquals(204, gone.status(), gone.body());
    List<String> left = platform.datasetBlobKeys(platform.org);
    assertEquals(blobs.size() - 1, left.size(), "the version's blob is deleted: " + left);
    assertTrue(blobs.containsAll(left));

    JsonNode tombstone = platform.get(versions(id) + "/1", platform.viewer).json();
    assertFalse(tombstone.get("deletedAt").isNull(), tombstone.toString());
    assertEquals("g.csv", tombstone.get("fileName").asText(), "what it was stays known");
    String v1 = tombstone.get("id").asText();
    assertTrue(platform.db.jdbi().withHandle(h -> h.createQuery(
        "SELECT profile_json FROM dataset_version WHERE id = :id").bind("id", v1)
        .mapTo(String.class).findOne()).isEmpty(), "the profile (a preview of the data) is gone");
    for (Response r : List.of(platform.get(versions(id) + "/1/content", platform.viewer),
        platform.get(versions(id) + "/1/profile", platform.viewer),
        platform.post(versions(id) + "/1/derive", platform.owner, "{\"op\": \"drop_missing\"}"),
        delete(versions(id) + "/1", platform.owner))) {
      assertEquals(404, r.status(), r.body());
      assertTrue(r.errorMessage().contains("was deleted"), r.body());
    }
    JsonNode child = platform.get(versions(id) + "/2", platform.viewer).json().get("lineage");
    assertEquals(1, child.get("parentNumber").asInt());
    assertEquals(v1, child.get("parentId").asText());
    assertTrue(child.get("parentDeleted").asBoolean(), child.toString());
    assertEquals("drop_missing", child.get("recipe").get("op").asText());
    assertEquals(200, platform.get(versions(id) + "/2/content", platform.viewer).status());

    // the newest deleted: the dataset's latest is the one before, and the next upload is 4
    assertEquals(204, delete(versions(id) + "/3", platform.owner).status());
    assertEquals(2, platform.get(platform.orgPath("/datasets/" + id), platform.viewer).json()
        .get("latestVersion").asInt());
    Response next = platform.put(id, platform.owner, "format=CSV&fileName=g4.csv", csv);
    assertEquals(4, next.json().get("number").asInt(), next.body());
    JsonNode listed = platform.get(versions(id), platform.viewer).json().get("versions");
    assertEquals(4, listed.size(), "tombstones stay listed");
    assertFalse(listed.get(2).get("deletedAt").isNull());
    assertTrue(listed.get(3).get("deletedAt").isNull());

    AuditEvent event = platform.events(platform.org, DatasetService.DELETE_VERSION).stream()
        .filter(e -> id.equals(e.resourceId()) && e.outcome() == Outcome.SUCCESS
            && "1".equals(e.details().get("number"))).findFirst().orElseThrow();
    assertEquals(v1, event.details().get("version"));
    assertEquals("PERMISSION_DENIED", only(platform.events(platform.org,
        DatasetService.DELETE_VERSION), id, Outcome.DENIED).details().get("code"));
    assertTrue(platform.auditIntact(platform.org));
  }

  @Test
  void aDeletedDatasetTakesItsVersionsAndBlobsWithItAndFreesItsName() {
    String id = platform.dataset("short-lived");
    byte[] csv = GAPS.getBytes(StandardCharsets.UTF_8);
    assertEquals(201, platform.put(id, platform.owner, "format=CSV&fileName=s.csv", csv)
        .status());
    assertEquals(201, platform.post(versions(id) + "/1/derive", platform.owner,
        "{\"op\": \"split\", \"train\": 0.5, \"test\": 0.5, \"seed\": 1}").status());
    assertEquals(204, delete(versions(id) + "/2", platform.owner).status());
    int others = platform.datasetBlobKeys(platform.org).size();

    assertEquals(403, delete(platform.orgPath("/datasets/" + id), platform.viewer).status());
    Response foreign = delete("/api/v1/orgs/" + platform.outsiderOrg + "/datasets/" + id,
        platform.outsider);
    assertEquals(404, foreign.status(), foreign.body());
    Response gone = delete(platform.orgPath("/datasets/" + id), platform.owner);
    assertEquals(204, gone.status(), gone.body());
    assertEquals(404, platform.get(platform.orgPath("/datasets/" + id), platform.viewer)
        .status());
    assertEquals(404, delete(platform.orgPath("/datasets/" + id), platform.owner).status());
    int rows = platform.db.jdbi().withHandle(h -> h.createQuery(
        "SELECT COUNT(*) FROM dataset_version WHERE dataset_id = :id").bind("id", id)
        .mapTo(Integer.class).one());
    assertEquals(0, rows, "tombstones go with their dataset");
    assertEquals(others - 2, platform.datasetBlobKeys(platform.org).size(),
        "v1 and v3 had blobs; v2 had been deleted");
    assertTrue(platform.datasetBlobKeys(platform.org).stream().noneMatch(k -> k.contains(id)));

    String again = platform.dataset("short-lived");
    assertNotEquals(id, again);
    assertEquals(1, platform.put(again, platform.owner, "format=CSV&fileName=s.csv", csv).json()
        .get("number").asInt());
    AuditEvent event = only(platform.events(platform.org, DatasetService.DELETE), id,
        Outcome.SUCCESS);
    assertEquals("short-lived", event.details().get("name"));
    assertEquals("2", event.details().get("versions"));
    assertTrue(platform.auditIntact(platform.org));
  }

  /**
   * What a failed deletion leaves (a blob no version refers to, after a version's or a
   * dataset's deletion committed) and an organization deleted while its blobs could not be: the
   * next start deletes both, and keeps what versions use.
   */
  @Test
  void aRestartDeletesBlobsOfDeletedVersionsAndOfOrganizationsThatNoLongerExist(
      @TempDir Path other) {
    try (Platform p = start(other)) {
      String id = p.dataset("swept");
      byte[] csv = GAPS.getBytes(StandardCharsets.UTF_8);
      assertEquals(201, p.put(id, p.owner, "format=CSV&fileName=a.csv", csv).status());
      assertEquals(201, p.put(id, p.owner, "format=CSV&fileName=b.csv", csv).status());
      List<String> both = p.datasetBlobKeys(p.org);
      assertEquals(204, p.send(p.request(p.orgPath("/datasets/" + id + "/versions/1"), p.owner)
          .DELETE()).status());
      List<String> kept = p.datasetBlobKeys(p.org);
      p.stop();
      String deletedVersionBlob = both.stream().filter(k -> !kept.contains(k)).findFirst()
          .orElseThrow();
      String deletedOrgBlob = "orgs/org_" + "q".repeat(26) + "/datasets/ds_x/blob";
      String otherFeature = "orgs/org_" + "q".repeat(26) + "/models/m1";
      try (ai.lepton.server.blobs.BlobStore blobs = p.blobStore()) {
        for (String key : List.of(deletedVersionBlob, deletedOrgBlob, otherFeature)) {
          blobs.put(key, new java.io.ByteArrayInputStream(csv), csv.length);
        }
      }
      p.start();
      List<String> after = p.blobKeys();
      assertTrue(after.containsAll(kept), after.toString());
      assertFalse(after.contains(deletedVersionBlob), after.toString());
      assertFalse(after.contains(deletedOrgBlob), after.toString());
      assertFalse(after.contains(otherFeature), "every blob of a deleted organization goes");
      assertEquals(200, p.get(p.orgPath("/datasets/" + id + "/versions/2/content"), p.owner)
          .status());
    }
  }
}
