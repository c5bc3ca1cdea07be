package ai.lepton.server.registry;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.lepton.api.AuditEvent;
import ai.lepton.api.ErrorCode;
import ai.lepton.api.EvaluationReport;
import ai.lepton.api.ModelVersion;
import ai.lepton.server.ServerConfig;
import ai.lepton.server.audit.AuditLog;
import ai.lepton.server.blobs.BlobStore;
import ai.lepton.server.crypto.DatabaseFileKey;
import ai.lepton.server.crypto.EncryptedBlobStore;
import ai.lepton.server.crypto.KeyService;
import ai.lepton.server.crypto.MasterKey;
import ai.lepton.server.db.TestDatabases;
import ai.lepton.server.http.ApiException;
import ai.lepton.server.tenancy.Principal;
import ai.lepton.server.tenancy.Scope;
import ai.lepton.server.tenancy.TenancyService;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The calls other parts of the platform make ({@link RegistryService#publish},
 * {@link RegistryService#resolve}, {@link RegistryService#open}) and the {@link VersionGuard},
 * on a service built over a running server's database, keys and blobs (as its composition root
 * builds it), with a guard the test controls.
 */
class RegistryServiceTest {
  @TempDir Path dir;
  private RegistryPlatform p;
  private BlobStore blobStore;
  private RegistryService registry;
  private EncryptedBlobStore blobs;
  private final Set<String> served = ConcurrentHashMap.newKeySet();
  private Principal owner;

  @BeforeEach
  void start() {
    Path data = dir.resolve("data");
    p = new RegistryPlatform(ServerConfig.embedded(data, 0), () -> TestDatabases.embedded(data));
    MasterKey master = MasterKey.load(data.resolve("master.key"), null, false);
    blobStore = BlobStore.fromUrl(null, data.resolve("blobs"));
    Clock clock = Clock.systemUTC();
    blobs = new EncryptedBlobStore(blobStore, new KeyService(p.db, master,
        DatabaseFileKey.open(data, master), clock));
    AuditLog audit = new AuditLog(p.db, clock);
    registry = RegistryService.create(p.db, blobs, audit, TenancyService.create(p.db, audit,
        clock, org -> { }), clock, data.resolve("tmp"), ServerConfig.DEFAULT_MAX_MODEL_BYTES,
        (org, version) -> served.contains(version) ? Optional.of("deployment 'fraud-api'")
            : Optional.empty());
    String userId = p.get("/api/v1/me", p.owner).json().at("/user/id").asText();
    owner = new Principal(userId, "admin@lepton.local", Principal.Via.SESSION, Scope.ADMIN, null,
        null, null, "csrf", "127.0.0.1");
  }

  @AfterEach
  void stop() {
    blobStore.close();
    p.close();
  }

  private RunSource run(String parent) {
    EvaluationReport report = new EvaluationReport("classification", 10, Map.of("loss", 0.3,
        "accuracy", 0.9), List.of("no", "yes"), List.of(List.of(5L, 1L), List.of(0L, 4L)),
        List.of(new EvaluationReport.ClassMetrics("no", 1.0, 0.83, 0.91, 6),
            new EvaluationReport.ClassMetrics("yes", 0.8, 1.0, 0.89, 4)),
        List.of(new EvaluationReport.RocPoint(0, 0, null),
            new EvaluationReport.RocPoint(1, 1, 0.1)), 0.95, null);
    return new RunSource(owner.userId(), "run_1", "job_1", "dsv_1", Map.of("epochs", 3,
        "optimizer", "adam"), Map.of("accuracy", 0.9), report, parent);
  }

  @Test
  void aRunPublishesAVersionWithItsLineageMetricsAndReport() {
    byte[] file = TestModels.lepton();
    ModelVersion v = registry.publish(p.org, "churn", file, run(null));
    assertEquals(1, v.number());
    assertEquals("lepton", v.format());
    assertEquals("run", v.lineage().source());
    assertEquals("run_1", v.lineage().runId());
    assertEquals("job_1", v.lineage().jobId());
    assertEquals("dsv_1", v.lineage().datasetVersionId());
    assertEquals(3, v.lineage().parameters().get("epochs"));
    assertEquals(0.9, v.metrics().get("accuracy"));
    assertEquals(run(null).evaluationReport(), v.evaluationReport());
    ModelVersion fineTuned = registry.publish(p.org, "churn", file, run(v.id()));
    assertEquals(v.id(), fineTuned.lineage().parentVersionId());

    // the same over HTTP, as a person reads it
    var http = p.get(p.models("/churn/versions/1"), p.viewer).json();
    assertEquals("[[5,1],[0,4]]", http.at("/evaluationReport/confusionMatrix").toString());
    assertEquals("input", http.at("/signature/inputs/0/name").asText());
    AuditEvent published = p.events(p.org, RegistryService.PUBLISH).get(0);
    assertEquals(owner.userId(), published.actor());
    assertEquals("run_1", published.details().get("run"));
  }

  @Test
  void aPublishedFileThatIsNotAModelIsNoVersion() {
    ApiException e = assertThrows(ApiException.class, () -> registry.publish(p.org, "churn",
        new byte[] {1, 2, 3}, run(null)));
    assertEquals(ErrorCode.UNPROCESSABLE, e.code());
    ApiException parent = assertThrows(ApiException.class, () -> registry.publish(p.org,
        "churn", TestModels.lepton(), run("mv_nosuchversion")));
    assertEquals(ErrorCode.INVALID_ARGUMENT, parent.code());
    assertEquals(0, p.versionRows());
    assertEquals(List.of(), p.modelBlobKeys());
  }

  @Test
  void referencesResolveByNumberAliasOrLatest() {
    byte[] file = TestModels.lepton();
    ModelVersion one = registry.publish(p.org, "churn", file, run(null));
    ModelVersion two = registry.publish(p.org, "churn", file, run(null));
    p.put(p.models("/churn/aliases/production"), p.owner, Map.of("version", 1));
    assertEquals(one.id(), registry.resolve(p.org, "churn@1").id());
    assertEquals(one.id(), registry.resolve(p.org, "churn@production").id());
    assertEquals(two.id(), registry.resolve(p.org, "churn").id());
    assertEquals(ErrorCode.NOT_FOUND, assertThrows(ApiException.class,
        () -> registry.resolve(p.org, "churn@staging")).code());
    assertEquals(ErrorCode.NOT_FOUND, assertThrows(ApiException.class,
        () -> registry.resolve(p.outsiderOrg, "churn")).code(), "another organization's");
    assertEquals(ErrorCode.INVALID_ARGUMENT, assertThrows(ApiException.class,
        () -> registry.resolve(p.org, "churn@")).code());
    p.delete(p.models("/churn/versions/2"), p.owner);
    assertEquals(one.id(), registry.resolve(p.org, "churn").id(), "the newest not deleted");
  }

  @Test
  void openGivesTheFileDecryptedAndNothingOnceDeleted() {
    byte[] file = TestModels.lepton();
    ModelVersion v = registry.publish(p.org, "churn", file, run(null));
    assertArrayEquals(file, registry.open(p.org, v.id()));
    assertEquals(ErrorCode.NOT_FOUND, assertThrows(ApiException.class,
        () -> registry.open(p.outsiderOrg, v.id())).code());
    registry.deleteVersion(owner, p.org, "churn", "1", "127.0.0.1");
    assertEquals(ErrorCode.NOT_FOUND, assertThrows(ApiException.class,
        () -> registry.open(p.org, v.id())).code());
  }

  @Test
  void theSweepDeletesModelBlobsThatNoVersionRefersTo() {
    byte[] file = TestModels.lepton();
    ModelVersion v = registry.publish(p.org, "churn", file, run(null));
    blobs.put(p.org, "models/left-by-a-killed-push", new java.io.ByteArrayInputStream(
        new byte[] {1, 2, 3}), 3);
    assertEquals(2, p.modelBlobKeys().size());
    registry.sweep();
    assertEquals(1, p.modelBlobKeys().size());
    assertArrayEquals(file, registry.open(p.org, v.id()), "the version's blob stays");
  }

  @Test
  void aServedVersionAndItsModelAreNotDeleted() {
    byte[] file = TestModels.lepton();
    ModelVersion v = registry.publish(p.org, "churn", file, run(null));
    served.add(v.id());
    ApiException e = assertThrows(ApiException.class,
        () -> registry.deleteVersion(owner, p.org, "churn", "1", "127.0.0.1"));
    assertEquals(ErrorCode.CONFLICT, e.code());
    assertEquals("version 1 of model 'churn' is served by deployment 'fraud-api'; move that "
        + "deployment to another version (or delete it) first", e.getMessage());
    assertEquals(ErrorCode.CONFLICT, assertThrows(ApiException.class,
        () -> registry.delete(owner, p.org, "churn", "127.0.0.1")).code());
    assertArrayEquals(file, registry.open(p.org, v.id()), "still served");
    assertNull(registry.resolve(p.org, "churn@1").deletedAt());
    assertEquals(AuditEvent.Outcome.FAILED, p.events(p.org, RegistryService.DELETE).get(0)
        .outcome());

    served.clear();
    registry.deleteVersion(owner, p.org, "churn", "1", "127.0.0.1");
    assertTrue(p.modelBlobKeys().isEmpty());
  }
}
