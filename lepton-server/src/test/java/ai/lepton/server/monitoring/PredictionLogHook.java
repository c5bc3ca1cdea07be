package ai.lepton.server.monitoring;

import ai.lepton.server.ServerConfig;
import ai.lepton.server.audit.AuditLog;
import ai.lepton.server.blobs.BlobStore;
import ai.lepton.server.crypto.DatabaseFileKey;
import ai.lepton.server.crypto.EncryptedBlobStore;
import ai.lepton.server.crypto.KeyService;
import ai.lepton.server.crypto.MasterKey;
import ai.lepton.server.datasets.DatasetService;
import ai.lepton.server.db.Database;
import ai.lepton.server.db.TestDatabases;
import ai.lepton.server.monitoring.PredictionLog.Sample;
import ai.lepton.server.registry.RegistryService;
import ai.lepton.server.registry.VersionGuard;
import ai.lepton.server.tenancy.TenancyService;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Logs predictions into a running embedded server's prediction log from beside it, as serving
 * will once {@code OipRoutes.infer} hands each inference to the log: a {@link MonitoringService}
 * over the server's own database, master key and blobs (see {@link MonitoringPlatform}). Tests of
 * other packages (the web pages) use it until then; after that wiring, their predictions can be
 * made through OIP instead.
 */
public final class PredictionLogHook {
  private PredictionLogHook() {}

  /**
   * Logs each sample as one request of {@code deployment} served by {@code versionId}, written
   * before it returns.
   *
   * @param dataDir the embedded server's data directory
   * @return the prediction ids, in order
   */
  public static List<String> logAsServingWill(Path dataDir, String org, String deployment,
      String versionId, List<Sample> samples) {
    Clock clock = Clock.systemUTC();
    Database db = TestDatabases.embedded(dataDir);
    BlobStore blobStore = BlobStore.fromUrl(null, dataDir.resolve("blobs"));
    try {
      MasterKey master = MasterKey.load(dataDir.resolve("master.key"), null, false);
      EncryptedBlobStore blobs = new EncryptedBlobStore(blobStore, new KeyService(db, master,
          DatabaseFileKey.open(dataDir, master), clock));
      AuditLog audit = new AuditLog(db, clock);
      TenancyService tenancy = TenancyService.create(db, audit, clock, o -> { });
      RegistryService registry = RegistryService.create(db, blobs, audit, tenancy, clock,
          dataDir.resolve("tmp"), ServerConfig.DEFAULT_MAX_MODEL_BYTES, VersionGuard.NONE);
      DatasetService datasets = DatasetService.create(db, blobs, audit, tenancy, clock,
          dataDir.resolve("tmp"), ServerConfig.DEFAULT_MAX_UPLOAD_BYTES);
      List<String> ids = new ArrayList<>();
      try (MonitoringService monitoring = MonitoringService.create(db, blobs, audit, tenancy,
          clock, TrainingReference.of(registry, datasets), (o, d, v, reason) -> "job_none",
          MonitoringLimits.DEFAULT)) {
        for (Sample s : samples) {
          ids.add(monitoring.predictionLog().log(org, deployment, versionId, List.of(s),
              Duration.ofMillis(2)));
        }
        monitoring.flush();
      }
      return ids;
    } finally {
      blobStore.close();
      db.close();
    }
  }
}
