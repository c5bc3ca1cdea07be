package ai.lepton.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.lepton.api.CreateDataset;
import ai.lepton.api.CreateDeployment;
import ai.lepton.api.Dataset;
import ai.lepton.api.DatasetFormat;
import ai.lepton.api.DatasetVersion;
import ai.lepton.api.Deployment;
import ai.lepton.api.EvaluationReport;
import ai.lepton.api.Feedback;
import ai.lepton.api.InferenceRequest;
import ai.lepton.api.InferenceResponse;
import ai.lepton.api.InferenceTensor;
import ai.lepton.api.Job;
import ai.lepton.api.JobEvent;
import ai.lepton.api.ModelMetadata;
import ai.lepton.api.ModelVersion;
import ai.lepton.api.Monitor;
import ai.lepton.api.MonitoringAlert;
import ai.lepton.api.MonitoringReport;
import ai.lepton.api.Run;
import ai.lepton.api.TrainingSpec;
import ai.lepton.api.UpdateDeployment;
import ai.lepton.api.ValueCount;
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
import java.util.Locale;
import java.util.Random;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The platform's loop driven through the HTTP API only, as a user's program would, on 2,000
 * Fashion-MNIST images: upload the images and their labels, train an MLP that registers a model,
 * follow its live events to the end, read the evaluation report and lineage on the model version;
 * deploy it, predict with a tensor and with raw rows, answered with the class names, give
 * feedback by the prediction ids and read live quality. Then, on a table of points, a deployment
 * whose monitor retrains: inputs shifted from the training data raise a drift alert that starts
 * a retraining job, whose new version goes out as a canary.
 */
class EndToEndLoopTest {
  private static final Path FASHION = Path.of("/usr/share/datasets/fashion-mnist");
  private static final int IMAGES = 2_000;
  private static final List<String> FASHION_CLASSES = List.of("T-shirt/top", "Trouser",
      "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");

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
      DatasetVersion labels = upload(client, org, "fashion-labels",
          "train-labels-idx1-ubyte.gz");
      assertEquals(IMAGES, images.rows());
      assertEquals(IMAGES, labels.rows());

      // train, registering the result
      Job job = client.submitJob(org, new TrainingSpec("images", null,
          new TrainingSpec.ModelChoice("mlp", null, null), "fashion-labels", null,
          new TrainingSpec.Hyperparameters(3, 64, null, null, null, null, null, 0.2, 7L), null,
          "fashion", FASHION_CLASSES));
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
      assertEquals(report, run.evaluationReport(), "the run keeps the report its version has");
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

      deployPredictAndGiveFeedback(client, org);
      driftRetrainsAndTheNewVersionGoesOutAsACanary(client, org);
    }
  }

  /**
   * Deploys the production version; the same 20 images sent as a tensor (pixels scaled to 0..1,
   * as the model takes them) and as raw rows (pixels 0..255, through the saved preprocessing)
   * get the same class names; feedback by both answers' prediction ids gives live quality.
   */
  private void deployPredictAndGiveFeedback(LeptonClient client, String org) throws Exception {
    client.createDeployment(org, new CreateDeployment("fashion", "fashion@production", null,
        null, null));
    ModelMetadata meta = client.modelMetadata("fashion");
    assertEquals(new ModelMetadata.Tensor("label", "BYTES", List.of(-1L)),
        meta.outputs().get(meta.outputs().size() - 1));
    byte[] pixels = idx("train-images-idx3-ubyte.gz", 16, 20 * 784);
    byte[] truth = idx("train-labels-idx1-ubyte.gz", 8, 20);
    List<Object> scaled = new ArrayList<>();
    List<Object> rows = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      StringBuilder row = new StringBuilder("[");
      for (int j = 0; j < 784; j++) {
        int v = pixels[i * 784 + j] & 0xff;
        scaled.add(v / 255f);
        row.append(j == 0 ? "" : ",").append(v);
      }
      rows.add(row.append(']').toString());
    }
    String input = meta.inputs().get(0).name();
    InferenceResponse tensor = client.infer("fashion", new InferenceRequest(null, null,
        List.of(new InferenceTensor(input, List.of(20L, 784L), "FP32", null, scaled)), null));
    InferenceResponse raw = client.infer("fashion", new InferenceRequest("mine", null,
        List.of(new InferenceTensor(input, List.of(20L), "BYTES", null, rows)), null));
    List<Object> classes = tensor.output("label").orElseThrow().data();
    assertEquals(classes, raw.output("label").orElseThrow().data(),
        "the server's preprocessing scales the raw pixels as the tensor was scaled");
    assertTrue(FASHION_CLASSES.containsAll(classes), classes.toString());
    assertEquals(tensor.predictionId(), tensor.id(), "no id sent: the id is the prediction's");
    assertEquals("mine", raw.id(), "the request's own id is kept");
    assertTrue(raw.predictionId().startsWith("prd_"), raw.toString());

    List<Feedback> items = new ArrayList<>();
    int right = 0;
    for (InferenceResponse answer : List.of(tensor, raw)) {
      for (int i = 0; i < 20; i++) {
        String label = FASHION_CLASSES.get(truth[i]);
        right += label.equals(classes.get(i)) ? 1 : 0;
        items.add(new Feedback(answer.predictionId(), i, label));
      }
    }
    assertEquals(40, client.feedback(org, "fashion", items).accepted());
    MonitoringReport report = client.monitoring(org, "fashion", null);
    assertEquals(40, report.predictions());
    assertEquals(40, report.quality().samples());
    assertEquals(right / 40.0, report.quality().accuracy(), 1e-9);
    assertTrue(report.quality().accuracy() > 0.5, "live accuracy " + report.quality());
    // the predicted classes against the held-out split's, by the names the model answers (the
    // images' profile has no labels of its own)
    MonitoringReport.PredictionDrift predicted = report.predictionDrift();
    assertEquals(FASHION_CLASSES, predicted.training().stream().map(ValueCount::value).toList(),
        predicted.toString());
    assertTrue(predicted.training().stream().allMatch(c -> c.count() > 0), predicted.toString());
    assertTrue(predicted.psi() != null && predicted.psi() >= 0, predicted.toString());
  }

  /**
   * A table of points (label: x + y > 0), trained into "points" and deployed with a monitor that
   * retrains: rows like the training data raise nothing; rows with x moved by five deviations
   * raise a drift alert on x that starts a retraining job, which registers version 2, deployed
   * as the canary.
   */
  private void driftRetrainsAndTheNewVersionGoesOutAsACanary(LeptonClient client, String org)
      throws Exception {
    Random random = new Random(5);
    StringBuilder csv = new StringBuilder("x,y,label\n");
    for (int i = 0; i < 600; i++) {
      double x = random.nextGaussian();
      double y = random.nextGaussian();
      csv.append(String.format(Locale.ROOT, "%.4f,%.4f,%s%n", x, y, x + y > 0 ? "yes" : "no"));
    }
    Path file = dir.resolve("points.csv");
    Files.writeString(file, csv);
    Dataset points = client.createDataset(org, new CreateDataset("points", null, null));
    client.uploadVersion(org, points.id(), file, DatasetFormat.CSV, "label", null);
    Job job = client.submitJob(org, new TrainingSpec("points", null,
        new TrainingSpec.ModelChoice("mlp", null, null), "label", null,
        new TrainingSpec.Hyperparameters(5, 32, null, null, null, null, null, null, 3L), null,
        "points", null));
    assertEquals("succeeded", client.followJob(org, job.id(), e -> { }).state());
    client.createDeployment(org, new CreateDeployment("points", "points@1", null, null, null));
    client.setMonitor(org, "points", new Monitor(null, 0.25, null, null, null, 100, "retrain"));

    predictPoints(client, 200, 0, random);
    MonitoringReport calm = client.evaluateMonitor(org, "points");
    assertTrue(calm.alerts().isEmpty(), "inputs like the training data: " + calm);

    predictPoints(client, 400, 5, random);
    MonitoringReport drifted = client.evaluateMonitor(org, "points");
    MonitoringAlert alert = drifted.alerts().stream().filter(a -> a.signal().equals("psi:x"))
        .findFirst().orElseThrow(() -> new AssertionError("no drift alert on x: " + drifted));
    assertTrue(alert.observed() > 0.25, alert.toString());
    assertNotNull(alert.retrainJob(), "the monitor retrains: " + alert);
    assertTrue(drifted.alerts().stream().noneMatch(a -> a.signal().equals("psi:y")),
        "y did not move: " + drifted.alerts());

    JobEvent retrained = client.followJob(org, alert.retrainJob(), e -> { });
    assertEquals("succeeded", retrained.state(), String.valueOf(retrained.error()));
    ModelVersion second = client.modelVersion(org, "points", "2");
    assertEquals(alert.retrainJob(), second.lineage().jobId());
    Deployment canary = client.updateDeployment(org, "points",
        new UpdateDeployment(null, "points@2", 10, null));
    assertEquals(1, canary.primary().number());
    assertEquals(2, canary.canary().number());
    assertEquals(10, canary.canaryPercent());
  }

  /** {@code n} raw rows [x, y] with x drawn around {@code shift}, answered by "points". */
  private static void predictPoints(LeptonClient client, int n, double shift, Random random) {
    List<Object> rows = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      rows.add(String.format(Locale.ROOT, "{\"x\": %.4f, \"y\": %.4f}",
          shift + random.nextGaussian(), random.nextGaussian()));
    }
    InferenceResponse r = client.infer("points", new InferenceRequest(null, null,
        List.of(new InferenceTensor("input", List.of((long) n), "BYTES", null, rows)), null));
    assertEquals(n, r.output("label").orElseThrow().data().size());
  }

  /** {@code count} bytes of a Fashion-MNIST file after its header of {@code header} bytes. */
  private static byte[] idx(String file, int header, int count) throws Exception {
    try (DataInputStream in = new DataInputStream(new GZIPInputStream(
        Files.newInputStream(FASHION.resolve(file))))) {
      in.skipNBytes(header);
      return in.readNBytes(count);
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
