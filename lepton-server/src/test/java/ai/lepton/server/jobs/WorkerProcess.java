package ai.lepton.server.jobs;

import ai.lepton.data.Dataset;
import ai.lepton.server.blobs.BlobStore;
import ai.lepton.server.crypto.EncryptedBlobStore;
import ai.lepton.server.crypto.KeyService;
import ai.lepton.server.crypto.MasterKey;
import ai.lepton.server.db.Database;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;

/**
 * A job worker in a JVM of its own, for the test that kills it: on the PostgreSQL database
 * {@code args[0]} (user and password "postgres"), the blob directory {@code args[1]} and the
 * master key file {@code args[2]}, it claims one job and trains it slowly (each batch takes 25 ms
 * more, as a bigger model would), printing {@code epoch=<n>} at each epoch's end; it is killed
 * before it finishes.
 */
final class WorkerProcess {
  private WorkerProcess() {}

  public static void main(String[] args) throws InterruptedException {
    Database db = Database.connect(args[0], "postgres", "postgres");
    EncryptedBlobStore blobs = new EncryptedBlobStore(BlobStore.directory(Path.of(args[1])),
        new KeyService(db, MasterKey.load(Path.of(args[2]), null, false), Clock.systemUTC()));
    JobEvents events = new JobEvents();
    Worker worker = new Worker("doomed", new JdbiJobStore(db), db, blobs, (org, spec) -> {
      JobPreparer.Prepared fast = JobFixture.prepare(org, spec);
      PreparedTraining t = fast.training();
      Dataset slow = t.train().map(batch -> {
        try {
          Thread.sleep(25); // the work of a bigger model
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        return batch;
      });
      return new JobPreparer.Prepared(new PreparedTraining(t.model(), slow, t.validation(),
          t.test(), t.epochs(), t.batchSize(), t.seed(), t.task(), t.classes(), t.parameters()),
          fast.datasetVersionId());
    }, p -> "mv_never", events, Clock.systemUTC(), LocalExecutor.heartbeatScheduler(),
        new Worker.Settings(Duration.ofSeconds(30), Duration.ofSeconds(1), 1));
    String job = args[3];
    events.listen(job, e -> {
      if ("epoch".equals(e.type())) {
        System.out.println("epoch=" + e.epoch());
        System.out.flush();
      }
    });
    worker.runOnce();
    System.out.println("finished");
    System.out.flush();
    Thread.currentThread().join();
  }
}
