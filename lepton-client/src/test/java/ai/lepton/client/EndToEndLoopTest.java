package ai.lepton.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.lepton.api.CreateDataset;
import ai.lepton.api.Dataset;
import ai.lepton.api.DatasetFormat;
import ai.lepton.api.DatasetVersion;
import ai.lepton.api.EvaluationReport;
import ai.lepton.api.Job;
import ai.lepton.api.JobEvent;
import ai.lepton.api.ModelVersion;
import ai.lepton.api.Run;
import ai.lepton.api.TrainingSpec;
import ai.lepton.server.LeptonServer;
import ai.lepton.server.ServerConfig;
import ai.lepton.server.tenancy.TenancyService.DemoAccess;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The platform's loop driven through the HTTP API only, as a user's program would, on 2,000
 * Fashion-MNIST images: upload the images and their labels, train an MLP that registers a model,
 * follow its live events to the end, read the evaluation report and lineage on the model version.
 */
class EndToEndLoopTest {
  private static final Path FASHION = Path.of("/usr/share/datasets/fashion-mnist");
  private static final int IMAGES = 2_000;

  @TempDir Path dir;

  @Test
  void uploadTrainFollowEvaluateAndRegister() throws Exception {
    Assumptions.assumeTrue(Files.isDirectory(FASHION), "needs the Debian package "
        + "dataset-fashion-mnist (apt-get install dataset-fashion-mnist)");
    try (LeptonServer server = LeptonServer.start(ServerConfig.embedded(dir.resolve("data"), 0))) {
      // an organization and an API token of its owner (the demo's door: no browser in this test)
      DemoAccess access = server.demoAccess(Duration.ofHours(1));
      LeptonClient client = LeptonClient.connect(URI.create("http://127.0.0.1:" + server.port()),
          access.token());
      String org = access.organizationId();

      // upload: the images, and their labels as the dataset the job's target names
      DatasetVersion images = upload(client, org, "images", "train-images-idx3-ubyte.gz");
      DatasetVersion labels = upload(client, org, "labels", "train-labels-idx1-ubyte.gz");
      assertEquals(IMAGES, images.rows());
      assertEquals(IMAGES, labels.rows());

      // train, registering the result
      Job job = client.submitJob(org, new TrainingSpec("images", null,
          new TrainingSpec.ModelChoice("mlp", null, null), "labels", null,
          new TrainingSpec.Hyperparameters(3, 64, null, null, null, null, null, 0.2, 7L), null,
          "fashion"));
      assertEquals("queued", job.state());

      // follow its live events to the end: an epoch event each with its loss, then succeeded
      List<JobEvent> events = new ArrayList<>();
      JobEvent last = client.followJob(org, job.id(), events::add);
      assertEquals("succeeded", last.state(), String.valueOf(last.error()));
      List<JobEvent> epochs = events.stream().filter(e -> e.type().equals("epoch")).toList();
      assertEquals(3, epochs.size(), events.toString());
      assertTrue(epochs.stream().allMatch(e -> e.logs().containsKey("loss")), epochs.toString());
      assertTrue(epochs.get(2).logs().get("loss") < epochs.get(0).logs().get("loss"),
          "the loss falls over the epochs: " + epochs);

      // evaluate: the run's held-out metrics and the version's evaluation report
      Run run = client.run(org, client.job(org, job.id()).runId());
      assertTrue(run.artifact());
      assertEquals(images.id(), run.datasetVersionId());
      ModelVersion version = client.modelVersion(org, "fashion", "1");
      assertEquals(run.modelVersionId(), version.id());
      double accuracy = version.metrics().get("accuracy");
      assertTrue(accuracy > 0.6 && accuracy <= 1, "10 classes: chance is 0.1; got " + accuracy);
      EvaluationReport report = version.evaluationReport();
      assertNotNull(report);
      assertEquals("classification", report.task());
      // the test split, a fifth held out from training, stratified
      assertTrue(report.samples() > 350 && report.samples() < 450,
          "a fifth of " + IMAGES + ": " + report.samples());
      assertEquals(10, report.confusionMatrix().size());
      assertEquals(report.samples(), report.confusionMatrix().stream()
          .flatMap(List::stream).mapToLong(Long::longValue).sum());
      assertEquals(10, report.perClass().size());
      assertTrue(version.hasPreprocessing());

      // register: its lineage names the job, run and dataset version; an alias addresses it
      assertEquals("run", version.lineage().source());
      assertEquals(job.id(), version.lineage().jobId());
      assertEquals(run.id(), version.lineage().runId());
      assertEquals(images.id(), version.lineage().datasetVersionId());
      client.setAlias(org, "fashion", "production", 1);
      assertEquals(version.id(), client.modelVersion(org, "fashion", "production").id());
    }
  }

  /** The first {@value #IMAGES} samples of a Fashion-MNIST file as the dataset {@code name}. */
  private DatasetVersion upload(LeptonClient client, String org, String name, String file)
      throws Exception {
    Path slice = dir.resolve(file);
    try (DataInputStream in = new DataInputStream(new GZIPInputStream(
            Files.newInputStream(FASHION.resolve(file))));
        DataOutputStream out = new DataOutputStream(new GZIPOutputStream(
            Files.newOutputStream(slice)))) {
      int magic = in.readInt(); // 0x0803 images (n, rows, columns), 0x0801 labels (n)
      out.writeInt(magic);
      in.readInt();
      out.writeInt(IMAGES);
      int perSample = 1;
      for (int d = 1; d < (magic & 0xff); d++) {
        int size = in.readInt();
        out.writeInt(size);
        perSample *= size;
      }
      out.write(in.readNBytes(IMAGES * perSample));
    }
    Dataset dataset = client.createDataset(org, new CreateDataset(name, null, null));
    return client.uploadVersion(org, dataset.id(), slice, DatasetFormat.IDX, null, null);
  }
}
