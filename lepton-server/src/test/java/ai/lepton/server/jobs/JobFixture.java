package ai.lepton.server.jobs;

import ai.lepton.api.TrainingSpec;
import ai.lepton.data.Dataset;
import ai.lepton.layers.Dense;
import ai.lepton.models.Model;
import ai.lepton.models.Sequential;
import ai.lepton.server.blobs.BlobStore;
import ai.lepton.server.crypto.EncryptedBlobStore;
import ai.lepton.server.crypto.KeyService;
import ai.lepton.server.crypto.MasterKey;
import ai.lepton.server.db.Database;
import ai.lepton.server.http.Json;
import ai.lepton.server.jobs.JobStore.JobRow;
import ai.lepton.server.jobs.JobStore.State;
import ai.lepton.server.tenancy.TestClock;
import ai.lepton.tensor.Tensor;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledExecutorService;

/**
 * A database, an encrypted blob directory, the job store and workers over them, with a small
 * real training (a two-class MLP on 16 points) as the prepared job.
 */
final class JobFixture implements AutoCloseable {
  static final Duration LEASE = Duration.ofSeconds(30);

  final Database db;
  final JdbiJobStore store;
  final EncryptedBlobStore blobs;
  final TestClock clock = new TestClock();
  final JobEvents events = new JobEvents();
  final List<ModelPublisher.Publication> published = new CopyOnWriteArrayList<>();
  final ScheduledExecutorService heartbeats = LocalExecutor.heartbeatScheduler();
  private final BlobStore blobStore;

  JobFixture(Database db, Path blobDir) {
    this.db = db;
    this.store = new JdbiJobStore(db);
    this.blobStore = BlobStore.directory(blobDir);
    this.blobs = new EncryptedBlobStore(blobStore, new KeyService(db, MasterKey.generate(),
        clock));
  }

  /** A worker heartbeating every {@code heartbeat}, training with one thread. */
  Worker worker(String owner, Duration heartbeat) {
    return new Worker(owner, store, db, blobs, JobFixture::prepare, this::publish, events, clock,
        heartbeats, new Worker.Settings(LEASE, heartbeat, 1));
  }

  Worker worker(String owner) {
    return worker(owner, Duration.ofSeconds(10));
  }

  private String publish(ModelPublisher.Publication p) {
    published.add(p);
    return "mv_" + published.size();
  }

  /** Queues a train job of {@code epochs} epochs in org_a. */
  String submit(String id, int epochs, int checkpointEvery, String registerAs) {
    return submit(db, store, id, epochs, checkpointEvery, registerAs, clock.instant());
  }

  /** Queues a train job of {@code epochs} epochs in org_a of {@code db}. */
  static void submitTo(Database db, JobStore store, String id, int epochs, int checkpointEvery,
      java.time.Instant at) {
    submit(db, store, id, epochs, checkpointEvery, null, at);
  }

  private static String submit(Database db, JobStore store, String id, int epochs,
      int checkpointEvery, String registerAs, java.time.Instant at) {
    TrainingSpec spec = new TrainingSpec("points", 1, new TrainingSpec.ModelChoice("mlp", null,
        null), "label", null, new TrainingSpec.Hyperparameters(epochs, 4, null, null, null, null,
        null, null, 7L), checkpointEvery, registerAs, null);
    String json;
    try {
      json = Json.mapper().writeValueAsString(spec);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new AssertionError(e);
    }
    db.jdbi().useTransaction(tx -> store.submit(tx, new JobRow(id, "org_a", "train",
        State.QUEUED, json, "usr_a", at, null, null, null, null, 0, false, null,
        null, null, null, null)));
    return id;
  }

  JobRow job(String id) {
    return store.job("org_a", id).orElseThrow();
  }

  /** The training of a spec: 16 points in two classes, linearly separable. */
  static JobPreparer.Prepared prepare(String org, TrainingSpec spec) {
    float[] x = new float[16 * 2];
    float[] y = new float[16];
    for (int i = 0; i < 16; i++) {
      x[2 * i] = i % 2 == 0 ? 1f + i * 0.01f : -1f - i * 0.01f;
      x[2 * i + 1] = (i % 4) * 0.1f;
      y[i] = i % 2;
    }
    Dataset data = Dataset.of(Tensor.of(x, 16, 2), Tensor.of(y, 16)).batch(4);
    Model model = new Sequential().add(new Dense(4, "relu")).add(new Dense(2, "softmax"));
    model.compile("adam", "sparse_categorical_crossentropy", "accuracy");
    int epochs = spec.hyperparameters().epochs();
    return new JobPreparer.Prepared(new PreparedTraining(model, data, null, data, epochs, 4, 7L,
        "classification", List.of("a", "b"), Map.of("epochs", Integer.toString(epochs))),
        "dsv_points1");
  }

  @Override
  public void close() throws Exception {
    heartbeats.shutdownNow();
    db.close();
    blobStore.close();
  }
}
