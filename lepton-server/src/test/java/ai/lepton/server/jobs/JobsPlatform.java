package ai.lepton.server.jobs;

import ai.lepton.server.JobServers;
import ai.lepton.server.LeptonServer;
import ai.lepton.server.ServerConfig;
import ai.lepton.server.TestPlatform;
import ai.lepton.server.blobs.BlobStore;
import ai.lepton.server.crypto.EncryptedBlobStore;
import ai.lepton.server.crypto.KeyService;
import ai.lepton.server.crypto.MasterKey;
import ai.lepton.server.db.Database;
import ai.lepton.server.db.TestDatabases;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Supplier;

/**
 * A server with no job workers of its own, reached over real HTTP (an owner, a member, a viewer
 * and an outsider, each with a token), and workers in the test on its database and blobs, as a
 * worker process would run them.
 */
final class JobsPlatform extends TestPlatform {
  final JdbiJobStore store;
  final EncryptedBlobStore blobs;
  final JobEvents events = new JobEvents();
  final List<ModelPublisher.Publication> published = new CopyOnWriteArrayList<>();
  private final BlobStore blobStore;
  private final ScheduledExecutorService heartbeats = LocalExecutor.heartbeatScheduler();

  /** A server without job workers: the test runs its own {@link #worker}s on its database. */
  JobsPlatform(Path dir) {
    this(dir, ServerConfig.embedded(dir, 0), () -> TestDatabases.embedded(dir));
  }

  /** {@link #JobsPlatform(Path)} on a fresh database of the shared PostgreSQL server. */
  static JobsPlatform postgres(Path dir) {
    String url = TestDatabases.postgresUrl();
    return new JobsPlatform(dir, new ServerConfig("127.0.0.1", 0, dir, url, "postgres",
        "postgres", null, null, null, null, null, ServerConfig.DEFAULT_MAX_UPLOAD_BYTES),
        () -> Database.connect(url, "postgres", "postgres"));
  }

  private JobsPlatform(Path dir, ServerConfig config, Supplier<Database> database) {
    super(config, database,
        c -> JobServers.start(c, Map.of(LeptonServer.JOB_WORKERS, "0")));
    store = new JdbiJobStore(db);
    blobStore = BlobStore.directory(dir.resolve("blobs"));
    blobs = new EncryptedBlobStore(blobStore, new KeyService(db,
        MasterKey.load(dir.resolve("master.key"), null, false), Clock.systemUTC()));
  }

  /** A worker on the server's database, preparing the fixture's small training. */
  Worker worker(String owner) {
    return worker(owner, JobFixture::prepare);
  }

  /** A worker on the server's database, preparing with {@code preparer}. */
  Worker worker(String owner, JobPreparer preparer) {
    return new Worker(owner, store, db, blobs, preparer, p -> {
      published.add(p);
      return "mv_" + published.size();
    }, events, Clock.systemUTC(), heartbeats, new Worker.Settings(Duration.ofSeconds(30),
        Duration.ofSeconds(1), 1));
  }

  /** A spec of the fixture's training, as JSON. */
  static String spec(int epochs, String registerAs) {
    return "{\"dataset\":\"points\",\"version\":1,\"model\":{\"template\":\"mlp\"},"
        + "\"target\":\"label\",\"hyperparameters\":{\"epochs\":" + epochs + ",\"seed\":7},"
        + "\"checkpointEvery\":1" + (registerAs == null ? "" : ",\"registerAs\":\"" + registerAs
        + "\"") + "}";
  }

  @Override
  public void close() {
    heartbeats.shutdownNow();
    blobStore.close();
    super.close();
  }
}
