package ai.lepton.server.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.lepton.api.AuditEvent;
import ai.lepton.server.LeptonServer;
import ai.lepton.server.ServerConfig;
import ai.lepton.server.audit.AuditLog;
import ai.lepton.server.audit.AuditQuery;
import ai.lepton.server.blobs.BlobStore;
import ai.lepton.server.db.Database;
import ai.lepton.server.http.Json;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * A running server for the registry's tests, reached over real HTTP: an organization with an
 * owner and a viewer, and an outsider who owns another organization, each with an API token; and
 * the database and blob store behind it, to check what was (not) stored.
 */
final class RegistryPlatform implements AutoCloseable {
  static final ObjectMapper JSON = Json.mapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  final ServerConfig config;
  final LeptonServer server;
  final Database db;
  final String base;
  final String org;
  final String owner;
  final String viewer;
  final String outsider;
  final String outsiderOrg;

  /** An HTTP answer; the body as bytes. */
  record Response(int status, byte[] bytes, HttpResponse<?> raw) {
    String body() {
      return new String(bytes, StandardCharsets.UTF_8);
    }

    JsonNode json() {
      try {
        return JSON.readTree(bytes);
      } catch (IOException e) {
        throw new AssertionError("not JSON: " + body(), e);
      }
    }

    String errorCode() {
      return json().path("error").path("code").asText();
    }

    String errorMessage() {
      return json().path("error").path("message").asText();
    }

    String header(String name) {
      return raw.headers().firstValue(name).orElse(null);
    }
  }

  /** Starts a server by {@code config}; {@code db} opens its database for the test's checks. */
  RegistryPlatform(ServerConfig config, Supplier<Database> db) {
    this.config = config;
    this.server = LeptonServer.start(config);
    this.base = "http://127.0.0.1:" + server.port();
    this.db = db.get();
    String[] ownerSession = signIn(server.firstSignInLink().orElseThrow());
    this.org = send(request("/api/v1/orgs", null).header("Cookie", ownerSession[0]).GET())
        .json().get("items").get(0).get("id").asText();
    this.owner = token(ownerSession, org);
    String[] viewerSession = newUser(ownerSession, "viewer@x.org");
    Response added = send(session(request("/api/v1/orgs/" + org + "/members", null),
        ownerSession).POST(json(Map.of("email", "viewer@x.org", "role", "viewer"))));
    assertEquals(201, added.status(), added.body());
    this.viewer = token(viewerSession, org);
    String[] outsiderSession = newUser(ownerSession, "outsider@x.org");
    Response b = send(session(request("/api/v1/orgs", null), outsiderSession)
        .POST(json(Map.of("name", "B"))));
    assertEquals(201, b.status(), b.body());
    this.outsiderOrg = b.json().get("id").asText();
    this.outsider = token(outsiderSession, outsiderOrg);
  }

  @Override
  public void close() {
    db.close();
    server.close();
  }

  private String[] signIn(String link) {
    String code = link.substring(link.lastIndexOf('/') + 1);
    Response r = send(request("/api/v1/session/link", null).POST(json(Map.of("code", code))));
    assertEquals(201, r.status(), r.body());
    String cookie = r.header("Set-Cookie");
    return new String[] {cookie.substring(0, cookie.indexOf(';')),
        r.json().get("csrfToken").asText()};
  }

  private String[] newUser(String[] adminSession, String email) {
    Response made = send(session(request("/api/v1/users", null), adminSession)
        .POST(json(Map.of("email", email))));
    assertEquals(201, made.status(), made.body());
    return signIn(made.json().get("signInLink").asText());
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

  // ---------------------------------------------------------------- requests

  /** {@code /api/v1/orgs/{org}/models} + path. */
  String models(String path) {
    return "/api/v1/orgs/" + org + "/models" + path;
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
      HttpResponse<byte[]> r = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
      return new Response(r.statusCode(), r.body(), r);
    } catch (IOException | InterruptedException e) {
      throw new AssertionError(request.build() + " failed: " + e, e);
    }
  }

  Response get(String path, String token) {
    return send(request(path, token).GET());
  }

  Response delete(String path, String token) {
    return send(request(path, token).DELETE());
  }

  Response post(String path, String token, Object body) {
    return send(request(path, token).header("Content-Type", "application/json")
        .POST(json(body)));
  }

  Response putJson(String path, String token, Object body) {
    return send(request(path, token).header("Content-Type", "application/json").PUT(json(body)));
  }

  /** Pushes {@code file} as a version of {@code model}; {@code query} as is ("format=onnx"). */
  Response push(String model, String token, String query, byte[] file) {
    return send(request(models("/" + model + "/versions?" + query), token)
        .header("Content-Type", "application/octet-stream")
        .PUT(HttpRequest.BodyPublishers.ofByteArray(file)));
  }

  // ---------------------------------------------------------------- what is stored

  int versionRows() {
    return db.jdbi().withHandle(h -> h.createQuery("SELECT COUNT(*) FROM model_version")
        .mapTo(Integer.class).one());
  }

  /** The keys of every organization's model blobs, in whichever store the server uses. */
  List<String> modelBlobKeys() {
    try (BlobStore blobs = BlobStore.fromUrl(config.blobsUrl(),
        config.dataDir().resolve("blobs"))) {
      return blobs.list("orgs/").stream().filter(k -> k.contains("/models/")).toList();
    }
  }

  /** The organization's audit events of {@code action}, newest first. */
  List<AuditEvent> events(String organization, String action) {
    return new AuditLog(db, Clock.systemUTC()).list(organization, new AuditQuery(null, action,
        null, null, null, null, null, null, AuditQuery.MAX_LIMIT)).events();
  }
}
