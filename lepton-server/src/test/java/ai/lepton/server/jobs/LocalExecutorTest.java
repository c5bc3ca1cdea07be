package ai.lepton.server.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.lepton.server.db.TestDatabases;
import ai.lepton.server.jobs.JobStore.JobRow;
import ai.lepton.server.jobs.JobStore.State;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The in-process pool: its workers take queued jobs when woken, stop a job when its cancel
 * commits, and stop on close.
 */
class LocalExecutorTest {
  @TempDir Path dir;

  @Test
  void wokenWorkersRunEveryQueuedJob() throws Exception {
    try (JobFixture f = new JobFixture(TestDatabases.h2(), dir)) {
      List<String> jobs = List.of("job_1", "job_2", "job_3");
      CountDownLatch ended = new CountDownLatch(jobs.size());
      for (String id : jobs) {
        f.events.listen(id, e -> {
          if (e.terminal()) {
            ended.countDown();
          }
        });
      }
      // polling once a minute: only wake() can make them start within the test's time
      try (LocalExecutor executor = new LocalExecutor(List.of(f.worker("w1"), f.worker("w2")),
          LocalExecutor.heartbeatScheduler(), Duration.ofMinutes(1))) {
        assertEquals(2, executor.slots());
        executor.start();
        for (String id : jobs) {
          f.submit(id, 2, 1, null);
          executor.wake();
        }
        assertTrue(ended.await(2, TimeUnit.MINUTES), "every job ended");
      }
      for (String id : jobs) {
        assertEquals(State.SUCCEEDED, f.job(id).state(), f.job(id).error());
      }
    }
  }

  @Test
  void closingStopsARunningJobAndLeavesItToBeResumed() throws Exception {
    try (JobFixture f = new JobFixture(TestDatabases.h2(), dir)) {
      f.submit("job_1", 100_000, 1, null);
      CountDownLatch training = new CountDownLatch(1);
      f.events.listen("job_1", e -> {
        if ("epoch".equals(e.type()) && e.epoch() == 1) {
          training.countDown();
        }
      });
      LocalExecutor executor = new LocalExecutor(List.of(f.worker("w1")),
          LocalExecutor.heartbeatScheduler(), Duration.ofMinutes(1));
      executor.start();
      executor.wake();
      assertTrue(training.await(2, TimeUnit.MINUTES));
      executor.close(); // returns once the worker stopped at its next batch
      JobRow left = f.job("job_1");
      assertEquals(State.RUNNING, left.state(), "left for another worker to resume");
      assertTrue(left.checkpointEpoch() >= 2, "checkpointed: " + left.checkpointEpoch());
    }
  }

  @Test
  void aCancelStopsARunningJobAtItsNextBatchWithoutWaitingForTheHeartbeat() throws Exception {
    try (JobFixture f = new JobFixture(TestDatabases.h2(), dir)) {
      f.submit("job_1", 100_000, 1, null);
      CountDownLatch training = new CountDownLatch(1);
      CountDownLatch cancelled = new CountDownLatch(1);
      f.events.listen("job_1", e -> {
        if ("epoch".equals(e.type()) && e.epoch() == 1) {
          training.countDown();
        } else if (e.terminal() && "cancelled".equals(e.state())) {
          cancelled.countDown();
        }
      });
      // the worker's first heartbeat comes 29 s after the job starts (its lease is 30 s): only
      // the executor's signal can stop the job before that
      Duration heartbeat = Duration.ofSeconds(29);
      try (LocalExecutor executor = new LocalExecutor(List.of(f.worker("w1", heartbeat)),
          LocalExecutor.heartbeatScheduler(), Duration.ofMinutes(1))) {
        executor.start();
        executor.wake();
        long started = System.nanoTime();
        assertTrue(training.await(2, TimeUnit.MINUTES));
        f.db.jdbi().useTransaction(tx -> f.store.requestCancel(tx, "org_a", "job_1",
            f.clock.instant())); // what JobService.cancel commits, then it tells the executor:
        executor.cancelled("job_1");
        assertTrue(cancelled.await(heartbeat.toSeconds(), TimeUnit.SECONDS));
        Duration took = Duration.ofNanos(System.nanoTime() - started);
        assertTrue(took.compareTo(heartbeat) < 0, "stopped " + took + " after it started,"
            + " before its first heartbeat");
      }
      assertEquals(State.CANCELLED, f.job("job_1").state());
    }
  }
}
