package ai.lepton.server.jobs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.lepton.api.JobEvent;
import ai.lepton.models.Model;
import ai.lepton.server.db.TestDatabases;
import ai.lepton.server.jobs.JobStore.JobRow;
import ai.lepton.server.jobs.JobStore.MetricRow;
import ai.lepton.server.jobs.JobStore.RunRow;
import ai.lepton.server.jobs.JobStore.State;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A worker running train jobs on H2: history, artifacts, checkpoints, resume, cancel. */
class WorkerTest {
  @TempDir Path dir;

  @Test
  void aJobTrainsKeepsItsHistoryStoresItsModelAndPublishesIt() throws Exception {
    try (JobFixture f = new JobFixture(TestDatabases.h2(), dir)) {
      f.submit("job_1", 3, 1, "points-classifier");
      List<JobEvent> events = new CopyOnWriteArrayList<>();
      f.events.listen("job_1", events::add);
      assertTrue(f.worker("w1").runOnce());
      assertFalse(f.worker("w1").runOnce(), "nothing else queued");

      JobRow job = f.job("job_1");
      assertEquals(State.SUCCEEDED, job.state(), job.error());
      RunRow run = f.store.run("org_a", job.runId()).orElseThrow();
      assertEquals("dsv_points1", run.datasetVersionId());
      assertEquals("mv_1", run.modelVersionId());
      assertTrue(run.metricsJson().contains("\"accuracy\""), run.metricsJson());
      assertTrue(run.environmentJson().contains("\"jdk\""), run.environmentJson());
      assertEquals(List.of(0, 1, 2), epochs(f, run.id()));
      assertTrue(f.store.metrics("org_a", run.id()).stream().anyMatch(m ->
          m.kind().equals("batch") && m.name().equals(Worker.ETA_SECONDS)),
          "batch progress is kept too (once a second: here the clock stands still, so once)");

      byte[] artifact;
      try (InputStream in = f.blobs.open("org_a", run.artifactKey())) {
        artifact = in.readAllBytes();
      }
      Model trained = Checkpoints.model(artifact);
      assertEquals(2, trained.layers().size());
      ModelPublisher.Publication p = f.published.get(0);
      assertEquals("points-classifier", p.name());
      assertEquals("usr_a", p.userId());
      assertEquals("job_1", p.jobId());
      assertEquals(run.id(), p.runId());
      assertEquals("dsv_points1", p.datasetVersionId());
      assertArrayEquals(artifact, p.model(), "the registry gets the run's artifact");
      assertTrue(p.metrics().containsKey("loss"), p.metrics().toString());
      assertEquals("runs/" + run.id() + "/model-1", run.artifactKey());
      assertEquals(List.of(run.artifactKey()), f.blobs.list("org_a", ""),
          "the checkpoints are gone once the job succeeded");

      assertEquals(List.of("state", "epoch", "epoch", "epoch", "state"), events.stream()
          .filter(e -> !e.type().equals("batch")).map(JobEvent::type).toList());
      assertEquals("succeeded", events.get(events.size() - 1).state());
    }
  }

  @Test
  void aJobWhoseWorkerStoppedResumesFromItsCheckpointOnceTheLeaseExpires() throws Exception {
    try (JobFixture f = new JobFixture(TestDatabases.h2(), dir)) {
      f.submit("job_1", 6, 2, null);
      Worker first = f.worker("w1");
      // the first worker stops (as if killed) during epoch 3, after the checkpoint of epoch 2
      f.events.listen("job_1", e -> {
        if ("epoch".equals(e.type()) && e.epoch() == 2) {
          first.stop();
        }
      });
      assertTrue(first.runOnce());
      JobRow left = f.job("job_1");
      assertEquals(State.RUNNING, left.state());
      assertEquals(2, left.checkpointEpoch());
      assertEquals(List.of(), filesHolding("config.json"), "the checkpoint is ciphertext on disk");

      Worker second = f.worker("w2");
      assertFalse(second.runOnce(), "the first worker's lease has not expired");
      f.clock.advance(JobFixture.LEASE.plusSeconds(1));
      List<Integer> resumedEpochs = new CopyOnWriteArrayList<>();
      f.events.listen("job_1", e -> {
        if ("epoch".equals(e.type())) {
          resumedEpochs.add(e.epoch());
        }
      });
      assertTrue(second.runOnce());
      JobRow done = f.job("job_1");
      assertEquals(State.SUCCEEDED, done.state(), done.error());
      assertEquals(2, done.attempts());
      assertEquals(List.of(2, 3, 4, 5), resumedEpochs, "resumed at the epoch after the checkpoint");
      assertEquals(List.of(0, 1, 2, 2, 3, 4, 5), epochs(f, done.runId()),
          "epoch 2 ran twice: once before the stop (after its checkpoint was due), once resumed");
    }
  }

  /** The epochs whose end the run's history records, in order. */
  private static List<Integer> epochs(JobFixture f, String runId) {
    return f.store.metrics("org_a", runId).stream()
        .filter(m -> m.kind().equals("epoch") && m.name().equals("loss"))
        .map(MetricRow::epoch).toList();
  }

  /** The files under the blob directory whose bytes contain {@code text}. */
  private List<Path> filesHolding(String text) throws java.io.IOException {
    byte[] needle = text.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    try (java.util.stream.Stream<Path> files = java.nio.file.Files.walk(dir)) {
      return files.filter(java.nio.file.Files::isRegularFile).filter(f -> {
        try {
          String all = new String(java.nio.file.Files.readAllBytes(f),
              java.nio.charset.StandardCharsets.ISO_8859_1);
          return all.contains(new String(needle, java.nio.charset.StandardCharsets.ISO_8859_1));
        } catch (java.io.IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      }).toList();
    }
  }

  @Test
  void aCorruptedCheckpointFailsTheJobWithAClearMessageAndNoRetry() throws Exception {
    try (JobFixture f = new JobFixture(TestDatabases.h2(), dir)) {
      f.submit("job_1", 4, 1, null);
      Worker first = f.worker("w1");
      f.events.listen("job_1", e -> {
        if ("epoch".equals(e.type()) && e.epoch() == 1) {
          first.stop();
        }
      });
      first.runOnce();
      JobRow left = f.job("job_1");
      byte[] junk = "not a model file".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
      f.blobs.put("org_a", left.checkpointKey(), new ByteArrayInputStream(junk), junk.length);
      f.clock.advance(JobFixture.LEASE.plusSeconds(1));

      assertTrue(f.worker("w2").runOnce());
      JobRow failed = f.job("job_1");
      assertEquals(State.FAILED, failed.state());
      assertTrue(failed.error().startsWith("the checkpoint of epoch 2 (blob jobs/job_1/checkpoint-2)"
          + " cannot be read, so the job cannot resume"), failed.error());
      assertTrue(failed.error().endsWith("submit the job again to train from the start"),
          failed.error());
      f.clock.advance(JobFixture.LEASE.multipliedBy(10));
      assertFalse(f.worker("w3").runOnce(), "a failed job is not retried");
    }
  }

  @Test
  void aCancelFromAnotherProcessReachesTheWorkerThroughItsHeartbeat() throws Exception {
    try (JobFixture f = new JobFixture(TestDatabases.h2(), dir)) {
      f.submit("job_1", 100_000, 1_000, null);
      f.events.listen("job_1", e -> {
        if ("epoch".equals(e.type()) && e.epoch() == 0) {
          // as another server would: in the database only
          f.db.jdbi().useTransaction(tx -> f.store.requestCancel(tx, "org_a", "job_1",
              f.clock.instant()));
        }
      });
      assertTrue(f.worker("w1", Duration.ofMillis(20)).runOnce());
      JobRow job = f.job("job_1");
      assertEquals(State.CANCELLED, job.state());
      assertNull(job.error());
      assertTrue(f.store.metrics("org_a", job.runId()).size() < 100_000);
    }
  }
}
