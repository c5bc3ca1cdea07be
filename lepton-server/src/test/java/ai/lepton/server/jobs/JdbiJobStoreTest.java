package ai.lepton.server.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.lepton.server.db.Database;
import ai.lepton.server.db.TestDatabases;
import ai.lepton.server.jobs.JobStore.Heartbeat;
import ai.lepton.server.jobs.JobStore.JobRow;
import ai.lepton.server.jobs.JobStore.MetricRow;
import ai.lepton.server.jobs.JobStore.RunRow;
import ai.lepton.server.jobs.JobStore.State;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The job store on H2 and on PostgreSQL: the queue, leases, transitions and runs. */
class JdbiJobStoreTest {
  private static final Instant NOW = Instant.parse("2026-12-02T08:00:00Z");
  private static final Duration LEASE = Duration.ofSeconds(30);

  static List<TestDatabases.Named> databases() {
    return TestDatabases.both();
  }

  static JobRow queued(String id, String org, Instant at) {
    return new JobRow(id, org, "train", State.QUEUED, "{}", "usr_a", at, null, null, null, null,
        0, false, null, null, null, null, null);
  }

  private static void submit(Database db, JobStore store, JobRow... rows) {
    db.jdbi().useTransaction(tx -> {
      for (JobRow r : rows) {
        store.submit(tx, r);
      }
    });
  }

  @ParameterizedTest
  @MethodSource("databases")
  void claimTakesTheOldestQueuedJobAndLeasesIt(TestDatabases.Named kind) {
    try (Database db = kind.open().get()) {
      JobStore store = new JdbiJobStore(db);
      submit(db, store, queued("job_2", "org_a", NOW.plusSeconds(1)), queued("job_1", "org_b", NOW));
      JobRow first = store.claim("w1", NOW, LEASE, 3).orElseThrow();
      assertEquals("job_1", first.id());
      assertEquals(State.RUNNING, first.state());
      assertEquals(1, first.attempts());
      assertEquals("w1", first.leaseOwner());
      assertEquals(NOW.plus(LEASE), store.job("org_b", "job_1").orElseThrow().leaseExpiresAt());
      assertEquals("job_2", store.claim("w2", NOW, LEASE, 3).orElseThrow().id());
      assertTrue(store.claim("w3", NOW, LEASE, 3).isEmpty(), "both are leased");
      assertTrue(store.job("org_a", "job_1").isEmpty(), "another organization's job reads as missing");
    }
  }

  @ParameterizedTest
  @MethodSource("databases")
  void aSearchIsClaimedOnlyOnceItsTrialsEndedAndRunsFromItsFirstTrialsClaim(
      TestDatabases.Named kind) {
    try (Database db = kind.open().get()) {
      JobStore store = new JdbiJobStore(db);
      JobRow search = new JobRow("job_s", "org_a", "tune", State.QUEUED, "{}", "usr_a", NOW,
          null, null, null, null, 0, false, null, null, null, null, null);
      JobRow t0 = new JobRow("job_s_t000", "org_a", "train", State.QUEUED, "{}", "usr_a", NOW,
          null, null, null, null, 0, false, null, null, null, "job_s", null);
      JobRow t1 = new JobRow("job_s_t001", "org_a", "train", State.QUEUED, "{}", "usr_a", NOW,
          null, null, null, null, 0, false, null, null, null, "job_s", null);
      submit(db, store, search, t0, t1);
      assertEquals(List.of("job_s_t000", "job_s_t001"), store.trials("org_a", "job_s").stream()
          .map(JobRow::id).toList());
      assertTrue(store.trials("org_b", "job_s").isEmpty());
      assertEquals("job_s_t000", store.claim("w1", NOW, LEASE, 3).orElseThrow().id(),
          "the search waits for its trials");
      JobRow running = store.job("org_a", "job_s").orElseThrow();
      assertEquals(State.RUNNING, running.state());
      assertEquals(NOW, running.startedAt());
      assertNull(running.leaseOwner());
      assertEquals("job_s_t001", store.claim("w2", NOW, LEASE, 3).orElseThrow().id());
      assertTrue(store.claim("w3", NOW, LEASE, 3).isEmpty(), "trials running: not the search");
      assertTrue(store.fail("org_a", "job_s_t000", "w1", NOW, "boom"));
      assertTrue(store.claim("w3", NOW, LEASE, 3).isEmpty(), "a trial still runs");
      db.jdbi().useTransaction(tx -> store.requestCancel(tx, "org_a", "job_s_t001", NOW));
      assertTrue(store.cancelled("org_a", "job_s_t001", "w2", NOW));
      JobRow claimed = store.claim("w3", NOW, LEASE, 3).orElseThrow();
      assertEquals("job_s", claimed.id(), "every trial ended: the search is ended by a worker");
      assertEquals("w3", claimed.leaseOwner());
      boolean ended = db.jdbi().inTransaction(tx -> store.succeedSearch(tx, "org_a", "job_s",
          "w3", "run_best", null, NOW));
      assertTrue(ended);
      assertEquals("run_best", store.job("org_a", "job_s").orElseThrow().runId());
      assertTrue(store.claim("w4", NOW, LEASE, 3).isEmpty());
    }
  }

  @ParameterizedTest
  @MethodSource("databases")
  void anExpiredLeaseIsReclaimedAndTheOldOwnerCanNoLongerWrite(TestDatabases.Named kind) {
    try (Database db = kind.open().get()) {
      JobStore store = new JdbiJobStore(db);
      submit(db, store, queued("job_1", "org_a", NOW));
      store.claim("w1", NOW, LEASE, 3).orElseThrow();
      assertTrue(store.checkpoint("org_a", "job_1", "w1", "jobs/job_1/checkpoint-2", 2));
      assertEquals(Heartbeat.HELD, store.heartbeat("org_a", "job_1", "w1", NOW.plusSeconds(20),
          LEASE));
      // the lease now runs to +50 s: not yet reclaimable at +49 s, reclaimable at +51 s
      assertTrue(store.claim("w2", NOW.plusSeconds(49), LEASE, 3).isEmpty());
      JobRow again = store.claim("w2", NOW.plusSeconds(51), LEASE, 3).orElseThrow();
      assertEquals(2, again.attempts());
      assertEquals(2, again.checkpointEpoch());
      assertEquals("jobs/job_1/checkpoint-2", again.checkpointKey());
      assertEquals(Heartbeat.LOST, store.heartbeat("org_a", "job_1", "w1", NOW.plusSeconds(52),
          LEASE));
      assertFalse(store.checkpoint("org_a", "job_1", "w1", "stale", 3));
      assertFalse(store.fail("org_a", "job_1", "w1", NOW.plusSeconds(53), "stale"));
      assertTrue((boolean) db.jdbi().inTransaction(tx -> store.succeed(tx, "org_a", "job_1", "w2",
          NOW.plusSeconds(60))));
      JobRow done = store.job("org_a", "job_1").orElseThrow();
      assertEquals(State.SUCCEEDED, done.state());
      assertEquals(NOW.plusSeconds(60), done.finishedAt());
      assertEquals(null, done.leaseOwner());
      assertTrue(store.claim("w3", NOW.plusSeconds(999), LEASE, 3).isEmpty(), "a finished job stays");
    }
  }

  @ParameterizedTest
  @MethodSource("databases")
  void aJobWhoseLeaseExpiredTooOftenFailsWithTheReason(TestDatabases.Named kind) {
    try (Database db = kind.open().get()) {
      JobStore store = new JdbiJobStore(db);
      submit(db, store, queued("job_1", "org_a", NOW));
      Instant t = NOW;
      for (int i = 1; i <= 3; i++) {
        assertEquals(i, store.claim("w" + i, t, LEASE, 3).orElseThrow().attempts());
        t = t.plus(LEASE).plusSeconds(1);
      }
      assertTrue(store.claim("w4", t, LEASE, 3).isEmpty());
      JobRow failed = store.job("org_a", "job_1").orElseThrow();
      assertEquals(State.FAILED, failed.state());
      assertTrue(failed.error().contains("stopped before finishing 3 times"), failed.error());
      assertTrue(failed.error().contains("w3"), failed.error());
    }
  }

  @ParameterizedTest
  @MethodSource("databases")
  void cancelEndsAQueuedJobAndAsksARunningOneThroughItsHeartbeat(TestDatabases.Named kind) {
    try (Database db = kind.open().get()) {
      JobStore store = new JdbiJobStore(db);
      submit(db, store, queued("job_1", "org_a", NOW), queued("job_2", "org_a", NOW.plusSeconds(1)));
      store.claim("w1", NOW, LEASE, 3).orElseThrow();
      assertEquals(Optional.of(State.QUEUED), db.jdbi().inTransaction(tx ->
          store.requestCancel(tx, "org_a", "job_2", NOW)));
      assertEquals(State.CANCELLED, store.job("org_a", "job_2").orElseThrow().state());
      assertEquals(Optional.empty(), db.jdbi().inTransaction(tx ->
          store.requestCancel(tx, "org_b", "job_1", NOW)), "another organization's job");
      assertEquals(Heartbeat.HELD, store.heartbeat("org_a", "job_1", "w1", NOW, LEASE));
      assertEquals(Optional.of(State.RUNNING), db.jdbi().inTransaction(tx ->
          store.requestCancel(tx, "org_a", "job_1", NOW)));
      assertEquals(Heartbeat.CANCEL_REQUESTED, store.heartbeat("org_a", "job_1", "w1", NOW,
          LEASE));
      assertTrue(store.cancelled("org_a", "job_1", "w1", NOW.plusSeconds(1)));
      assertEquals(State.CANCELLED, store.job("org_a", "job_1").orElseThrow().state());
      assertEquals(Optional.of(State.CANCELLED), db.jdbi().inTransaction(tx ->
          store.requestCancel(tx, "org_a", "job_1", NOW)), "a terminal job stays as it is");
      assertTrue(store.claim("w2", NOW.plusSeconds(999), LEASE, 3).isEmpty());
    }
  }

  @ParameterizedTest
  @MethodSource("databases")
  void concurrentClaimersNeverGetTheSameJob(TestDatabases.Named kind) throws Exception {
    int jobs = 40;
    int claimers = 4;
    try (Database db = kind.open().get()) {
      JobStore store = new JdbiJobStore(db);
      List<JobRow> rows = new ArrayList<>();
      for (int i = 0; i < jobs; i++) {
        rows.add(queued(String.format("job_%03d", i), "org_a", NOW.plusMillis(i)));
      }
      submit(db, store, rows.toArray(JobRow[]::new));
      CountDownLatch start = new CountDownLatch(1);
      ExecutorService pool = Executors.newFixedThreadPool(claimers);
      try {
        List<Future<List<String>>> claimed = new ArrayList<>();
        for (int c = 0; c < claimers; c++) {
          String owner = "w" + c;
          claimed.add(pool.submit(() -> {
            start.await();
            List<String> mine = new ArrayList<>();
            for (Optional<JobRow> j; (j = store.claim(owner, NOW, LEASE, 3)).isPresent(); ) {
              mine.add(j.get().id());
            }
            return mine;
          }));
        }
        start.countDown();
        List<String> all = new ArrayList<>();
        for (Future<List<String>> f : claimed) {
          all.addAll(f.get());
        }
        assertEquals(jobs, all.size(), "each job claimed once: " + all);
        assertEquals(jobs, new HashSet<>(all).size(), "no job claimed twice: " + all);
        Collections.sort(all);
        assertEquals(rows.stream().map(JobRow::id).toList(), all);
      } finally {
        pool.shutdownNow();
      }
    }
  }

  @ParameterizedTest
  @MethodSource("databases")
  void aRunKeepsItsMetricHistoryAndFinalResults(TestDatabases.Named kind) {
    try (Database db = kind.open().get()) {
      JobStore store = new JdbiJobStore(db);
      submit(db, store, queued("job_1", "org_a", NOW));
      store.claim("w1", NOW, LEASE, 3).orElseThrow();
      RunRow run = new RunRow("run_1", "org_a", "job_1", "{\"epochs\":\"2\"}", "dsv_1", "mv_0",
          "{}", "{\"jdk\":\"17\"}", null, null, null, null, NOW, null);
      assertFalse(store.startRun("w2", run), "not the lease owner");
      assertTrue(store.startRun("w1", run));
      assertEquals("run_1", store.job("org_a", "job_1").orElseThrow().runId());
      store.addMetrics("org_a", "run_1", List.of(new MetricRow("epoch", 0, 4, "loss", 0.9, NOW),
          new MetricRow("epoch", 1, 8, "loss", 0.5, NOW.plusSeconds(1))));
      assertEquals(List.of(0.9, 0.5), store.metrics("org_a", "run_1").stream()
          .map(MetricRow::value).toList());
      assertTrue(store.metrics("org_b", "run_1").isEmpty());
      db.jdbi().useTransaction(tx -> store.finishRun(tx, "org_a", "run_1", "{\"loss\":0.4}",
          "{\"task\":\"regression\"}", "runs/run_1/model.lepton", "mv_1", NOW.plusSeconds(2)));
      RunRow done = store.run("org_a", "run_1").orElseThrow();
      assertEquals("{\"loss\":0.4}", done.metricsJson());
      assertEquals("{\"task\":\"regression\"}", done.evaluationJson());
      assertEquals("mv_0", done.baseVersionId());
      assertEquals("mv_1", done.modelVersionId());
      assertEquals(List.of("run_1"), store.runs("org_a", 0, 10).stream().map(RunRow::id).toList());
      assertTrue(store.run("org_b", "run_1").isEmpty());
    }
  }
}
