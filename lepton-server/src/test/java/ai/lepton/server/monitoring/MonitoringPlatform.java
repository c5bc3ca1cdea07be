package ai.lepton.server.monitoring;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.lepton.layers.Dense;
import ai.lepton.models.Sequential;
import ai.lepton.server.ServerConfig;
import ai.lepton.server.TestPlatform;
import ai.lepton.server.audit.AuditLog;
import ai.lepton.server.blobs.BlobStore;
import ai.lepton.server.crypto.DatabaseFileKey;
import ai.lepton.server.crypto.EncryptedBlobStore;
import ai.lepton.server.crypto.KeyService;
import ai.lepton.server.crypto.MasterKey;
import ai.lepton.server.datasets.DatasetService;
import ai.lepton.server.db.TestDatabases;
import ai.lepton.server.registry.RegistryService;
import ai.lepton.server.registry.RunSource;
import ai.lepton.server.registry.VersionGuard;
import ai.lepton.server.tenancy.Principal;
import ai.lepton.server.tenancy.Scope;
import ai.lepton.server.tenancy.TenancyService;
import ai.lepton.server.tenancy.TestClock;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A running server reached over real HTTP (an organization with an owner and a viewer, each
 * with a token), and beside it, over the same database, keys and blobs, the services a test
 * drives directly as the composition root wires them: a {@link MonitoringService} on a
 * {@link TestClock}, with a retrainer that records its calls, and the registry and datasets its
 * training reference reads.
 */
final class MonitoringPlatform extends TestPlatform {
  final Path data;
  final BlobStore blobStore;
  final Principal ownerPrincipal;
  final TestClock clock = new TestClock(Instant.now().truncatedTo(ChronoUnit.SECONDS));
  final RegistryService registry;
  final MonitoringService monitoring;
  /** The retrainer's calls: organization, deployment, model version, reason. */
  final List<List<String>> retrained = new CopyOnWriteArrayList<>();

  MonitoringPlatform(Path dir, MonitoringLimits limits) {
    super(ServerConfig.embedded(dir.resolve("data"), 0),
        () -> TestDatabases.embedded(dir.resolve("data")));
    data = dir.resolve("data");
    MasterKey master = MasterKey.load(data.resolve("master.key"), null, false);
    blobStore = BlobStore.fromUrl(null, data.resolve("blobs"));
    EncryptedBlobStore blobs = new EncryptedBlobStore(blobStore, new KeyService(db, master,
        DatabaseFileKey.open(data, master), clock));
    AuditLog audit = new AuditLog(db, clock);
    TenancyService tenancy = TenancyService.create(db, audit, clock, o -> { });
    registry = RegistryService.create(db, blobs, audit, tenancy, clock, data.resolve("tmp"),
        ServerConfig.DEFAULT_MAX_MODEL_BYTES, VersionGuard.NONE);
    DatasetService datasets = DatasetService.create(db, blobs, audit, tenancy, clock,
        data.resolve("tmp"), ServerConfig.DEFAULT_MAX_UPLOAD_BYTES);
    monitoring = MonitoringService.create(db, blobs, audit, tenancy, clock,
        TrainingReference.of(registry, datasets), (o, d, v, reason) -> {
          retrained.add(List.of(o, d, v, reason));
          return "job_" + retrained.size();
        }, limits);
    String userId = get("/api/v1/me", owner).json().at("/user/id").asText();
    ownerPrincipal = new Principal(userId, "admin@lepton.local", Principal.Via.SESSION,
        Scope.ADMIN, null, null, null, "csrf", "127.0.0.1");
  }

  @Override
  public void close() {
    monitoring.close();
    blobStore.close();
    super.close();
  }

  /** Uploads a CSV as a new dataset's first version with label column {@code label}; its id. */
  String datasetVersion(String name, String csv, String label) {
    Response d = post(orgPath("/datasets"), owner, Map.of("name", name));
    assertEquals(201, d.status(), d.body());
    Response v = putBytes(orgPath("/datasets/" + d.text("id") + "/versions?format=CSV&fileName="
        + name + ".csv&label=" + label), owner, csv.getBytes(StandardCharsets.UTF_8));
    assertEquals(201, v.status(), v.body());
    return v.json().get("id").asText();
  }

  /** Publishes a small model as trained on {@code datasetVersion}, as a run would; its id. */
  String modelTrainedOn(String name, String datasetVersion) {
    Sequential model = new Sequential().add(new Dense(3, "tanh")).add(new Dense(1, "sigmoid"));
    model.build(1, 2);
    model.compile("adam", "binary_crossentropy");
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    model.save(bytes);
    return registry.publish(org, name, bytes.toByteArray(), new RunSource(
        ownerPrincipal.userId(), "run_1", "job_0", datasetVersion, Map.of(), Map.of(), null,
        null)).id();
  }

  String deployment(String name, String path) {
    return orgPath("/deployments/" + name + path);
  }
}
