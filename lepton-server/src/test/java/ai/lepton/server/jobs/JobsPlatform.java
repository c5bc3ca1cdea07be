package ai.lepton.server.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.lepton.server.JobServers;
import ai.lepton.server.LeptonServer;
import ai.lepton.server.ServerConfig;
import ai.lepton.server.blobs.BlobStore;
import ai.lepton.server.crypto.EncryptedBlobStore;
import ai.lepton.server.crypto.KeyService;
import ai.lepton.server.crypto.MasterKey;
import ai.lepton.server.db.Database;
import ai.lepton.server.db.TestDatabases;
import ai.lepton.server.http.Json;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledExecutorService;

/**
 * A server with no job workers of its own, reached over real HTTP (an owner, a member, a viewer
 * and an outsider, each with a token), and workers in the test on its database and blobs, as a
 * worker process would run them.
 */
final class JobsPlatform implements AutoCloseable {
  static final ObjectMapper JSON = Json.mapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  final LeptonServer server;
  final String base;
  final String org;
  final String owner;
  final String member;
  final String viewer;
  final String outsider;
  final Database db;
  final JdbiJobStore store;
  final EncryptedBlobStore blobs;
  final JobEvents events = new JobEvents();
  final List<ModelPublisher.Publication> published = new CopyOnWriteArrayList<>();
  private final BlobStore blobStore;
  private final ScheduledExecutorService heartbeats = LocalExecutor.heartbeatScheduler();

  record Response(int status, String body, HttpResponse<String> raw) {
    JsonNode json() {
      try {
        return JSON.readTree(body);
      } catch (IOException e) {
        throw new AssertionError("not JSON: " + body, e);
      }
    }

    String text(String field) {
      return json().get(field).asText();
    }

    String errorMessage() {
      return json().path("error").path("message").asText();
    }
  }

  JobsPlatform(Path dir) {
    server = JobServers.start(ServerConfig.embedded(dir, 0), Map.of(LeptonServer.JOB_WORKERS,
        "0"));
    base = "http://127.0.0.1:" + server.port();
    String[] ownerSession = signIn(server.firstSignInLink().orElseThrow());
    org = send(request("/api/v1/orgs", null).header("Cookie", ownerSession[0]).GET())
        .json().get("items").get(0).get("id").asText();
    owner = token(ownerSession, org);
    member = member(ownerSession, "member@x.org", "member");
    viewer = member(ownerSession, "viewer@x.org", "viewer");
    String[] outsiderSession = newUser(ownerSession, "outsider@x.org");
    Response b = send(session(request("/api/v1/orgs", null), outsiderSession)
        .POST(json(Map.of("name", "B"))));
    outsider = token(outsiderSession, b.text("id"));
    db = TestDatabases.embedded(dir);
    store = new JdbiJobStore(db);
    blobStore = BlobStore.directory(dir.resolve("blobs"));
    blobs = new EncryptedBlobStore(blobStore, new KeyService(db,
        MasterKey.load(dir.resolve("master.key"), null, false), Clock.systemUTC()));
  }

  /** A worker on the server's database, preparing the fixture's small training. */
  Worker worker(String owner) {
    return worker(owner, JobFixture::prepare);
  }

  /** A worker on the server's database, preparing with {@code preparer}. */
  Worker worker(String owner, JobPreparer preparer) {
    return new Worker(owner, store, db, blobs, preparer, p -> {
      published.add(p);
      return "mv_" + published.size();
    }, events, Clock.systemUTC(), heartbeats, new Worker.Settings(Duration.ofSeconds(30),
        Duration.ofSeconds(1), 1));
  }

  private String member(String[] ownerSession, String email, String role) {
    String[] session = newUser(ownerSession, email);
    Response added = send(session(request("/api/v1/orgs/" + org + "/members", null),
        ownerSession).POST(json(Map.of("email", email, "role", role))));
    assertEquals(201, added.status(), added.body());
    return token(session, org);
  }

  private String[] signIn(String link) {
    String code = link.substring(link.lastIndexOf('/') + 1);
    Response r = send(request("/api/v1/session/link", null).POST(json(Map.of("code", code))));
    assertEquals(201, r.status(), r.body());
    String cookie = r.raw().headers().firstValue("Set-Cookie").orElseThrow();
    return new String[] {cookie.substring(0, cookie.indexOf(';')), r.text("csrfToken")};
  }

  private String[] newUser(String[] adminSession, String email) {
    Response made = send(session(request("/api/v1/users", null), adminSession)
        .POST(json(Map.of("email", email))));
    assertEquals(201, made.status(), made.body());
    return signIn(made.text("signInLink"));
  }

  private String token(String[] session, String organization) {
    Response r = send(session(request("/api/v1/orgs/" + organization + "/tokens", null), session)
        .POST(json(Map.of("name", "t", "scope", "admin", "expiresAt",
            Instant.now().plus(Duration.ofDays(1)).toString()))));
    assertEquals(201, r.status(), r.body());
    return r.text("token");
  }

  private static HttpRequest.Builder session(HttpRequest.Builder b, String[] session) {
    return b.header("Cookie", session[0]).header("X-CSRF-Token", session[1]);
  }

  String orgPath(String path) {
    return "/api/v1/orgs/" + org + path;
  }

  HttpRequest.Builder request(String path, String token) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path))
        .timeout(Duration.ofMinutes(2));
    return token == null ? b : b.header("Authorization", "Bearer " + token);
  }

  static HttpRequest.BodyPublisher json(Object body) {
    try {
      return HttpRequest.BodyPublishers.ofString(body instanceof String s ? s
          : JSON.writeValueAsString(body));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  Response send(HttpRequest.Builder request) {
    try {
      HttpResponse<String> r = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
      return new Response(r.statusCode(), r.body(), r);
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

  /** A spec of the fixture's training, as JSON. */
  static String spec(int epochs, String registerAs) {
    return "{\"dataset\":\"points\",\"version\":1,\"model\":{\"template\":\"mlp\"},"
        + "\"target\":\"label\",\"hyperparameters\":{\"epochs\":" + epochs + ",\"seed\":7},"
        + "\"checkpointEvery\":1" + (registerAs == null ? "" : ",\"registerAs\":\"" + registerAs
        + "\"") + "}";
  }

  @Override
  public void close() {
    heartbeats.shutdownNow();
    db.close();
    blobStore.close();
    server.close();
  }
}
