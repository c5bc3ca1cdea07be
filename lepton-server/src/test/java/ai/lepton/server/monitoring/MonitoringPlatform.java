package ai.lepton.server.monitoring;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.lepton.layers.Dense;
import ai.lepton.models.Sequential;
import ai.lepton.server.LeptonServer;
import ai.lepton.server.ServerConfig;
import ai.lepton.server.audit.AuditLog;
import ai.lepton.server.blobs.BlobStore;
import ai.lepton.server.crypto.DatabaseFileKey;
import ai.lepton.server.crypto.EncryptedBlobStore;
import ai.lepton.server.crypto.KeyService;
import ai.lepton.server.crypto.MasterKey;
import ai.lepton.server.datasets.DatasetService;
import ai.lepton.server.db.Database;
import ai.lepton.server.db.TestDatabases;
import ai.lepton.server.http.Json;
import ai.lepton.server.registry.RegistryService;
import ai.lepton.server.registry.RunSource;
import ai.lepton.server.registry.VersionGuard;
import ai.lepton.server.tenancy.Principal;
import ai.lepton.server.tenancy.Scope;
import ai.lepton.server.tenancy.TenancyService;
import ai.lepton.server.tenancy.TestClock;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A running server reached over real HTTP (an organization with an owner and a viewer, each
 * with a token), and beside it, over the same database, keys and blobs, the services a test
 * drives directly as the composition root wires them: a {@link MonitoringService} on a
 * {@link TestClock}, with a retrainer that records its calls, and the registry and datasets its
 * training reference reads.
 */
final class MonitoringPlatform implements AutoCloseable {
  static final ObjectMapper JSON = Json.mapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  final Path data;
  final LeptonServer server;
  final Database db;
  final BlobStore blobStore;
  final String base;
  final String org;
  final String owner;
  final String viewer;
  final Principal ownerPrincipal;
  final TestClock clock = new TestClock(Instant.now().truncatedTo(ChronoUnit.SECONDS));
  final RegistryService registry;
  final MonitoringService monitoring;
  /** The retrainer's calls: organization, deployment, model version, reason. */
  final List<List<String>> retrained = new CopyOnWriteArrayList<>();

  record Response(int status, JsonNode json, String body, String header) {}

  MonitoringPlatform(Path dir, MonitoringLimits limits) {
    data = dir.resolve("data");
    server = LeptonServer.start(ServerConfig.embedded(data, 0));
    base = "http://127.0.0.1:" + server.port();
    db = TestDatabases.embedded(data);
    String[] ownerSession = signIn(server.firstSignInLink().orElseThrow());
    org = send(request("/api/v1/orgs", null).header("Cookie", ownerSession[0]).GET())
        .json().get("items").get(0).get("id").asText();
    owner = token(ownerSession, org);
    Response made = send(session(request("/api/v1/users", null), ownerSession)
        .POST(json(Map.of("email", "viewer@x.org"))));
    assertEquals(201, made.status(), made.body());
    String[] viewerSession = signIn(made.json().get("signInLink").asText());
    Response added = send(session(request("/api/v1/orgs/" + org + "/members", null),
        ownerSession).POST(json(Map.of("email", "viewer@x.org", "role", "viewer"))));
    assertEquals(201, added.status(), added.body());
    viewer = token(viewerSession, org);

    MasterKey master = MasterKey.load(data.resolve("master.key"), null, false);
    blobStore = BlobStore.fromUrl(null, data.resolve("blobs"));
    EncryptedBlobStore blobs = new EncryptedBlobStore(blobStore, new KeyService(db, master,
        DatabaseFileKey.open(data, master), clock));
    AuditLog audit = new AuditLog(db, clock);
    TenancyService tenancy = TenancyService.create(db, audit, clock, o -> { });
    registry = RegistryService.create(db, blobs, audit, tenancy, clock, data.resolve("tmp"),
        ServerConfig.DEFAULT_MAX_MODEL_BYTES, VersionGuard.NONE);
    DatasetService datasets = DatasetService.create(db, blobs, audit, tenancy, clock,
        data.resolve("tmp"), ServerConfig.DEFAULT_MAX_UPLOAD_BYTES);
    monitoring = MonitoringService.create(db, blobs, audit, tenancy, clock,
        TrainingReference.of(registry, datasets), (o, d, v, reason) -> {
          retrained.add(List.of(o, d, v, reason));
          return "job_" + retrained.size();
        }, limits);
    String userId = get("/api/v1/me", owner).json().at("/user/id").asText();
    ownerPrincipal = new Principal(userId, "admin@lepton.local", Principal.Via.SESSION,
        Scope.ADMIN, null, null, null, "csrf", "127.0.0.1");
  }

  @Override
  public void close() {
    monitoring.close();
    blobStore.close();
    db.close();
    server.close();
  }

  /** Uploads a CSV as a new dataset's first version with label column {@code label}; its id. */
  String datasetVersion(String name, String csv, String label) {
    Response d = post("/api/v1/orgs/" + org + "/datasets", owner, Map.of("name", name));
    assertEquals(201, d.status(), d.body());
    Response v = send(request("/api/v1/orgs/" + org + "/datasets/" + d.json().get("id").asText()
        + "/versions?format=CSV&fileName=" + name + ".csv&label=" + label, owner)
        .header("Content-Type", "application/octet-stream")
        .PUT(HttpRequest.BodyPublishers.ofString(csv)));
    assertEquals(201, v.status(), v.body());
    return v.json().get("id").asText();
  }

  /** Publishes a small model as trained on {@code datasetVersion}, as a run would; its id. */
  String modelTrainedOn(String name, String datasetVersion) {
    Sequential model = new Sequential().add(new Dense(3, "tanh")).add(new Dense(1, "sigmoid"));
    model.build(1, 2);
    model.compile("adam", "binary_crossentropy");
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    model.save(bytes);
    return registry.publish(org, name, bytes.toByteArray(), new RunSource(
        ownerPrincipal.userId(), "run_1", "job_0", datasetVersion, Map.of(), Map.of(), null,
        null)).id();
  }

  String deployment(String name, String path) {
    return "/api/v1/orgs/" + org + "/deployments/" + name + path;
  }

  private String[] signIn(String link) {
    String code = link.substring(link.lastIndexOf('/') + 1);
    Response r = send(request("/api/v1/session/link", null).POST(json(Map.of("code", code))));
    assertEquals(201, r.status(), r.body());
    return new String[] {r.header.substring(0, r.header.indexOf(';')),
        r.json().get("csrfToken").asText()};
  }

  private String token(String[] session, String organization) {
    Response r = send(session(request("/api/v1/orgs/" + organization + "/tokens", null), session)
        .POST(json(Map.of("name", "t", "scope", "admin", "expiresAt",
            Instant.now().plus(Duration.ofDays(1)).toString()))));
    assertEquals(201, r.status(), r.body());
    return r.json().get("token").asText();
  }

  private static HttpRequest.Builder session(HttpRequest.Builder b, String[] session) {
    return b.header("Cookie", session[0]).header("X-CSRF-Token", session[1]);
  }

  HttpRequest.Builder request(String path, String token) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path))
        .timeout(Duration.ofMinutes(2));
    return token == null ? b : b.header("Authorization", "Bearer " + token);
  }

  static HttpRequest.BodyPublisher json(Object body) {
    try {
      return HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  Response send(HttpRequest.Builder request) {
    try {
      HttpResponse<String> r = HTTP.send(request.build(),
          HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
      JsonNode node = r.body().isEmpty() ? null : JSON.readTree(r.body());
      return new Response(r.statusCode(), node, r.body(),
          r.headers().firstValue("Set-Cookie").orElse(null));
    } catch (IOException | InterruptedException e) {
      throw new AssertionError(request.build() + " failed: " + e, e);
    }
  }

  Response get(String path, String token) {
    return send(request(path, token).GET());
  }

  Response post(String path, String token, Object body) {
    return send(request(path, token).header("Content-Type", "application/json")
        .POST(json(body)));
  }

  Response put(String path, String token, Object body) {
    return send(request(path, token).header("Content-Type", "application/json")
        .PUT(json(body)));
  }
}
