package ai.lepton.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.lepton.api.Dataset;
import ai.lepton.api.Deployment;
import ai.lepton.api.ErrorCode;
import ai.lepton.api.InferenceRequest;
import ai.lepton.api.InferenceResponse;
import ai.lepton.api.InferenceTensor;
import ai.lepton.api.Job;
import ai.lepton.api.ModelVersion;
import ai.lepton.api.Organization;
import ai.lepton.client.LeptonClient;
import ai.lepton.server.LeptonServer;
import ai.lepton.server.ServerConfig;
import ai.lepton.server.http.ApiException;
import ai.lepton.server.tenancy.TenancyService.DemoAccess;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The first-run demo against a real server, on a small slice of the Debian data packages: the
 * organization, its datasets, finished jobs and registered versions with their alias, and a second
 * run that adds nothing.
 */
class DemoTest {
  private static final Demo.Size SMALL = Demo.Size.SMALL;

  @TempDir Path dir;

  @Test
  void theDemoFillsItsOrganizationOnceAndASecondRunAddsNothing() throws Exception {
    Path fashion = Path.of(Demo.FASHION_MNIST);
    Path fortunes = Path.of(Demo.FORTUNES_DIR);
    Assumptions.assumeTrue(Files.isDirectory(fashion) && Files.isDirectory(fortunes),
        "needs the Debian packages dataset-fashion-mnist and fortunes-min");
    try (LeptonServer server = LeptonServer.start(ServerConfig.embedded(dir.resolve("data"), 0))) {
      DemoAccess access = server.demoAccess(Duration.ofHours(1));
      assertTrue(access.created());
      LeptonClient client = LeptonClient.connect(URI.create("http://127.0.0.1:"
          + server.port()), access.token());
      String org = access.organizationId();
      Organization demo = client.organization(org);
      assertEquals(LeptonServer.DEMO_ORG, demo.name());
      assertEquals("owner", client.members(org).items().get(0).role());

      String said = run(client, org, fashion, fortunes);
      assertTrue(said.contains("demo: training fashion-mlp"), said);
      assertTrue(said.contains("demo: fashion-cnn version 1 is 'production'"), said);

      Map<String, Integer> datasets = client.datasets(org).datasets().stream()
          .collect(Collectors.toMap(Dataset::name, Dataset::latestVersion));
      assertEquals(Map.of(Demo.TRAIN_IMAGES, 1, Demo.TRAIN_LABELS, 1, Demo.TEST_IMAGES, 1,
          Demo.TEST_LABELS, 1, Demo.FORTUNES, 1), datasets);
      assertEquals(600, client.version(org, id(client, org, Demo.TRAIN_IMAGES), 1).rows());
      List<Job> jobs = client.jobs(org, 0, 100).jobs();
      assertEquals(3, jobs.size());
      assertTrue(jobs.stream().allMatch(j -> j.state().equals("succeeded")), jobs.toString());
      for (String model : List.of(Demo.MLP, Demo.CNN, Demo.LSTM)) {
        ModelVersion production = client.modelVersion(org, model, Demo.ALIAS);
        assertEquals(1, production.number(), model);
        assertNotNull(production.evaluationReport(), model);
        assertTrue(production.metrics().containsKey("accuracy"), model + " " + production);
        assertTrue(said.contains("demo: " + model + "@production is deployed"), said);
      }

      // each production version answers at once under its model's name, naming its classes
      assertEquals(List.of(Demo.CNN, Demo.MLP, Demo.LSTM), client.deployments(org)
          .deployments().stream().map(Deployment::name).sorted().toList());
      List<Object> pixels = new ArrayList<>(java.util.Collections.nCopies(784, 0.5));
      InferenceResponse image = client.infer(Demo.MLP, new InferenceRequest(null, null,
          List.of(new InferenceTensor("input", List.of(1L, 784L), "FP32", null, pixels)), null));
      assertTrue(List.of("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal",
          "Shirt", "Sneaker", "Bag", "Ankle boot").contains(
              image.output("label").orElseThrow().data().get(0)), image.toString());
      InferenceResponse text = client.infer(Demo.LSTM, new InferenceRequest(null, null,
          List.of(new InferenceTensor(client.modelMetadata(Demo.LSTM).inputs().get(0).name(),
              List.of(1L), "BYTES", null, List.of("A riddle: what walks on four legs?"))),
          null));
      assertTrue(Demo.CATEGORIES.contains(text.output("label").orElseThrow().data().get(0)),
          text.toString());

      // a second start: the same organization, nothing uploaded or trained again
      DemoAccess again = server.demoAccess(Duration.ofHours(1));
      assertFalse(again.created());
      assertEquals(org, again.organizationId());
      String second = run(LeptonClient.connect(URI.create("http://127.0.0.1:" + server.port()),
          again.token()), org, fashion, fortunes);
      assertFalse(second.contains("uploading"), second);
      assertFalse(second.contains("training"), second);
      assertEquals(3, client.jobs(org, 0, 100).jobs().size());
      assertEquals(1, client.modelVersions(org, Demo.MLP).versions().size());
      assertFalse(second.contains("is deployed"), second);
      assertEquals(3, client.deployments(org).deployments().size());
    }
  }

  @Test
  void missingDataPackagesAreNamedAndSkipped() throws Exception {
    try (LeptonServer server = LeptonServer.start(ServerConfig.embedded(dir.resolve("data"), 0))) {
      DemoAccess access = server.demoAccess(Duration.ofHours(1));
      LeptonClient client = LeptonClient.connect(URI.create("http://127.0.0.1:"
          + server.port()), access.token());
      String said = run(client, access.organizationId(), dir.resolve("no-fashion"),
          dir.resolve("no-fortunes"));
      assertTrue(said.contains("apt-get install dataset-fashion-mnist"), said);
      assertTrue(said.contains("apt-get install fortunes-min"), said);
      assertTrue(client.datasets(access.organizationId()).datasets().isEmpty());
      assertTrue(client.jobs(access.organizationId(), 0, 10).jobs().isEmpty());
    }
  }

  @Test
  void theDemoActsAsTheFirstAdministratorAuditedOrSaysWhichEmailToPass() {
    Path data = dir.resolve("data");
    try (LeptonServer server = LeptonServer.start(ServerConfig.embedded(data, 0))) {
      DemoAccess access = server.demoAccess(Duration.ofHours(1));
      LeptonClient client = LeptonClient.connect(URI.create("http://127.0.0.1:"
          + server.port()), access.token());
      List<String> actions = client.auditEvents(access.organizationId(), 10).events().stream()
          .filter(e -> "demo".equals(e.clientAddress())).map(e -> e.action()).toList();
      assertTrue(actions.containsAll(List.of("organization.create", "token.create")),
          actions.toString());
    }
    // a later start under another administrator's email: the demo cannot act as them
    try (LeptonServer server = LeptonServer.start(new ServerConfig("127.0.0.1", 0, data, null,
        null, null, null, null, null, null, "someone@else.example",
        ServerConfig.DEFAULT_MAX_UPLOAD_BYTES))) {
      ApiException e = assertThrows(ApiException.class,
          () -> server.demoAccess(Duration.ofHours(1)));
      assertEquals(ErrorCode.NOT_FOUND, e.code());
      assertTrue(e.getMessage().contains("--admin-email"), e.getMessage());
    }
  }

  @Test
  void anIdxSliceKeepsItsHeaderWithTheNewCount() throws Exception {
    Path fashion = Path.of(Demo.FASHION_MNIST, "t10k-images-idx3-ubyte.gz");
    Assumptions.assumeTrue(Files.isRegularFile(fashion), "needs dataset-fashion-mnist");
    Path slice = dir.resolve("slice.gz");
    assertEquals(3, Demo.sliceIdx(fashion, slice, 3));
    byte[] bytes = new java.util.zip.GZIPInputStream(Files.newInputStream(slice)).readAllBytes();
    assertEquals(16 + 3 * 28 * 28, bytes.length);
    assertEquals(3, java.nio.ByteBuffer.wrap(bytes, 4, 4).getInt());
    assertEquals(28, java.nio.ByteBuffer.wrap(bytes, 8, 4).getInt());
  }

  private String run(LeptonClient client, String org, Path fashion, Path fortunes)
      throws Exception {
    ByteArrayOutputStream said = new ByteArrayOutputStream();
    Path work = Files.createTempDirectory(dir, "work");
    new Demo(client, org, fashion, fortunes, SMALL, work, new PrintStream(said, true,
        StandardCharsets.UTF_8)).run();
    try (var left = Files.list(work)) {
      assertEquals(0, left.count(), "the slices are deleted after their upload");
    }
    return said.toString(StandardCharsets.UTF_8);
  }

  private static String id(LeptonClient client, String org, String name) {
    return client.datasets(org).datasets().stream().filter(d -> d.name().equals(name))
        .findFirst().orElseThrow().id();
  }
}
