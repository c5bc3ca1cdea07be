package ai.lepton.server.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.lepton.server.blobs.BlobStore;
import ai.lepton.server.crypto.EncryptedBlobStore;
import ai.lepton.server.crypto.KeyService;
import ai.lepton.server.crypto.MasterKey;
import ai.lepton.server.db.Database;
import ai.lepton.server.db.TestDatabases;
import ai.lepton.server.jobs.JobStore.JobRow;
import ai.lepton.server.jobs.JobStore.State;
import ai.lepton.server.tenancy.TestClock;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A worker in another JVM is killed with SIGKILL in the middle of a training; once its lease
 * expires, a worker here takes the job over and finishes it from the last checkpoint, on
 * PostgreSQL.
 */
class JobKillTest {
  @TempDir Path dir;

  @Test
  void aJobWhoseWorkerWasKilledResumesFromItsCheckpointElsewhere() throws Exception {
    String url = TestDatabases.postgresUrl();
    Path keyFile = dir.resolve("master.key");
    MasterKey master = MasterKey.generate();
    master.save(keyFile);
    TestClock clock = new TestClock(Instant.now());
    try (Database db = Database.connect(url, "postgres", "postgres");
        BlobStore blobStore = BlobStore.directory(dir.resolve("blobs"))) {
      EncryptedBlobStore blobs = new EncryptedBlobStore(blobStore, new KeyService(db, master,
          clock));
      JdbiJobStore store = new JdbiJobStore(db);
      JobFixture.submitTo(db, store, "job_1", 40, 1, clock.instant());

      ProcessBuilder command = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin",
          "java").toString(), "--add-modules", "jdk.incubator.vector", "-Xmx256m",
          WorkerProcess.class.getName(), url, dir.resolve("blobs").toString(),
          keyFile.toString(), "job_1")
          .redirectError(dir.resolve("worker.log").toFile());
      command.environment().put("CLASSPATH", System.getProperty("java.class.path"));
      Process worker = command.start();
      try (BufferedReader out = new BufferedReader(new InputStreamReader(
          worker.getInputStream(), StandardCharsets.UTF_8))) {
        // reading blocks until the worker prints: kill it once its epoch 2 ended (checkpointed)
        for (String line = out.readLine(); !"epoch=2".equals(line); line = out.readLine()) {
          assertNotNull(line, "the worker process ended early; see " + dir.resolve("worker.log"));
          assertFalse(line.equals("finished"), "the worker finished before it was killed");
        }
        worker.destroyForcibly(); // SIGKILL
        assertTrue(worker.waitFor(60, TimeUnit.SECONDS));
      } finally {
        worker.destroyForcibly();
      }
      JobRow left = store.job("org_a", "job_1").orElseThrow();
      assertEquals(State.RUNNING, left.state(), "the dead worker's job stays leased to it");
      assertEquals("doomed", left.leaseOwner());
      assertTrue(left.checkpointEpoch() >= 2, "checkpoint of " + left.checkpointEpoch());

      JobEvents events = new JobEvents();
      List<Integer> epochs = new CopyOnWriteArrayList<>();
      events.listen("job_1", e -> {
        if ("epoch".equals(e.type())) {
          epochs.add(e.epoch());
        }
      });
      Worker here = new Worker("survivor", store, db, blobs, JobFixture::prepare,
          p -> "mv_1", events, clock, LocalExecutor.heartbeatScheduler(),
          new Worker.Settings(Duration.ofSeconds(30), Duration.ofSeconds(10), 1));
      assertFalse(here.runOnce(), "the lease has not expired yet");
      clock.advance(Duration.ofMinutes(2));
      assertTrue(here.runOnce());

      JobRow done = store.job("org_a", "job_1").orElseThrow();
      assertEquals(State.SUCCEEDED, done.state(), done.error());
      assertEquals(2, done.attempts());
      assertEquals(left.checkpointEpoch(), epochs.get(0), "resumed after the last checkpoint");
      assertTrue(epochs.get(0) > 0);
      assertEquals(39, epochs.get(epochs.size() - 1));
      assertEquals(List.of("runs/" + done.runId() + "/model-2"), blobs.list("org_a", ""),
          "the checkpoints are gone");
    }
  }
}
