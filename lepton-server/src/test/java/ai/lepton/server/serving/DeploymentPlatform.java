package ai.lepton.server.serving;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.lepton.api.AuditEvent;
import ai.lepton.layers.Dense;
import ai.lepton.models.Sequential;
import ai.lepton.server.LeptonServer;
import ai.lepton.server.ServerConfig;
import ai.lepton.server.audit.AuditLog;
import ai.lepton.server.audit.AuditQuery;
import ai.lepton.server.db.Database;
import ai.lepton.server.http.Json;
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
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * A running server for the deployments' tests, over real HTTP: an organization with an owner
 * and a viewer (API tokens), an outsider in another organization, and the database behind it.
 * {@link #restart} starts the server again on the same data (tokens stay valid).
 */
final class DeploymentPlatform implements AutoCloseable {
  static final ObjectMapper JSON = Json.mapper();
  static final String ROW = "{\"inputs\":[{\"name\":\"input\",\"shape\":[1,4],\"datatype\":"
      + "\"FP32\",\"data\":[1,2,3,4]}]}";
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  final ServerConfig config;
  final Database db;
  private LeptonServer server;
  private String base;
  final String org;
  final String owner;
  final String viewer;
  final String outsider;

  record Response(int status, String body) {
    JsonNode json() {
      try {
        return JSON.readTree(body);
      } catch (IOException e) {
        throw new AssertionError("not JSON: " + body, e);
      }
    }
  }

  DeploymentPlatform(ServerConfig config, Supplier<Database> db) {
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
    this.outsider = token(outsiderSession, b.json().get("id").asText());
  }

  /** Stops the server and starts it again on the same database and blobs. */
  void restart() {
    server.close();
    server = LeptonServer.start(config);
    base = "http://127.0.0.1:" + server.port();
  }

  @Override
  public void close() {
    db.close();
    server.close();
  }

  /** A small Core model file: 4 features -> 8 relu -> 3 softmax, weights drawn from seed. */
  static byte[] model(long seed) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    sequential(seed).save(bytes);
    return bytes.toByteArray();
  }

  /** The same model exported to ONNX, with the same input and output names. */
  static byte[] onnxModel(long seed) {
    return OnnxFiles.dense(sequential(seed), "input", "dense_1", null);
  }

  static Sequential sequential(long seed) {
    Sequential model = new Sequential().add(new Dense(8, "relu")).add(new Dense(3, "softmax"));
    model.build(seed, 4);
    return model;
  }

  /** Pushes {@code file} as the next version of {@code model}. */
  void push(String model, String query, byte[] file) {
    Response r = send(request("/api/v1/orgs/" + org + "/models/" + model + "/versions?"
        + query, owner).header("Content-Type", "application/octet-stream")
        .PUT(HttpRequest.BodyPublishers.ofByteArray(file)));
    assertEquals(201, r.status(), r.body());
  }

  String api(String path) {
    return "/api/v1/orgs/" + org + path;
  }

  /** One inference of {@link #ROW} on deployment {@code name}. */
  Response infer(String name, String token) {
    return send(request("/v2/models/" + name + "/infer", token)
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(ROW)));
  }

  private String[] signIn(String link) {
    String code = link.substring(link.lastIndexOf('/') + 1);
    HttpResponse<String> r = raw(request("/api/v1/session/link", null)
        .POST(json(Map.of("code", code))));
    assertEquals(201, r.statusCode(), r.body());
    String cookie = r.headers().firstValue("Set-Cookie").orElseThrow();
    return new String[] {cookie.substring(0, cookie.indexOf(';')),
        new Response(201, r.body()).json().get("csrfToken").asText()};
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

  private static HttpResponse<String> raw(HttpRequest.Builder request) {
    try {
      return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString(
          StandardCharsets.UTF_8));
    } catch (IOException | InterruptedException e) {
      throw new AssertionError(request.build() + " failed: " + e, e);
    }
  }

  Response send(HttpRequest.Builder request) {
    HttpResponse<String> r = raw(request);
    return new Response(r.statusCode(), r.body());
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

  Response patch(String path, String token, Object body) {
    return send(request(path, token).header("Content-Type", "application/json")
        .method("PATCH", json(body)));
  }

  Response put(String path, String token, Object body) {
    return send(request(path, token).header("Content-Type", "application/json").PUT(json(body)));
  }

  /** The organization's audit events of {@code action}, newest first. */
  List<AuditEvent> events(String action) {
    return new AuditLog(db, Clock.systemUTC()).list(org, new AuditQuery(null, action,
        null, null, null, null, null, null, AuditQuery.MAX_LIMIT)).events();
  }
}
