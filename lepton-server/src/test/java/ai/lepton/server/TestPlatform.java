package ai.lepton.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.lepton.api.AuditEvent;
import ai.lepton.server.audit.AuditLog;
import ai.lepton.server.audit.AuditQuery;
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
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * A running server for the HTTP tests, reached over real HTTP: organization {@link #org} with an
 * owner, a member and a viewer, and an outsider who owns organization {@link #outsiderOrg}, each
 * with an admin-scoped API token; and the database behind it, to check what was (not) stored.
 * Each package's fixture extends it with what its tests need.
 */
public class TestPlatform implements AutoCloseable {
  public static final ObjectMapper JSON = Json.mapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  public final ServerConfig config;
  private final Supplier<Database> databases;
  private final Function<ServerConfig, LeptonServer> starter;
  public LeptonServer server;
  public Database db;
  public String base;
  public final String org;
  public final String owner;
  public final String member;
  public final String viewer;
  public final String outsider;
  public final String outsiderOrg;
  /** Browser sessions: the cookie header value and the CSRF token. */
  public final String[] ownerSession;
  public final String[] viewerSession;
  public final String[] outsiderSession;

  /** An HTTP answer; the body as bytes. */
  public record Response(int status, byte[] bytes, HttpResponse<?> raw) {
    public String body() {
      return new String(bytes, StandardCharsets.UTF_8);
    }

    public JsonNode json() {
      try {
        return JSON.readTree(bytes);
      } catch (IOException e) {
        throw new AssertionError("not JSON: " + body(), e);
      }
    }

    public String text(String field) {
      return json().get(field).asText();
    }

    public String errorCode() {
      return json().path("error").path("code").asText();
    }

    public String errorMessage() {
      return json().path("error").path("message").asText();
    }

    public String header(String name) {
      return raw.headers().firstValue(name).orElse(null);
    }
  }

  /** Starts a server by {@code config}; {@code databases} opens its database for the checks. */
  public TestPlatform(ServerConfig config, Supplier<Database> databases) {
    this(config, databases, LeptonServer::start);
  }

  /** The same, the server started by {@code starter} (settings of its own). */
  public TestPlatform(ServerConfig config, Supplier<Database> databases,
      Function<ServerConfig, LeptonServer> starter) {
    this.config = config;
    this.databases = databases;
    this.starter = starter;
    start();
    this.ownerSession = signIn(server.firstSignInLink().orElseThrow());
    this.org = send(request("/api/v1/orgs", null).header("Cookie", ownerSession[0]).GET())
        .json().get("items").get(0).get("id").asText();
    this.owner = token(ownerSession, org);
    this.member = join(newUser(ownerSession, "member@x.org"), "member@x.org", "member");
    this.viewerSession = newUser(ownerSession, "viewer@x.org");
    this.viewer = join(viewerSession, "viewer@x.org", "viewer");
    this.outsiderSession = newUser(ownerSession, "outsider@x.org");
    Response b = send(session(request("/api/v1/orgs", null), outsiderSession)
        .POST(json(Map.of("name", "B"))));
    assertEquals(201, b.status(), b.body());
    this.outsiderOrg = b.text("id");
    this.outsider = token(outsiderSession, outsiderOrg);
  }

  /** Starts the server (again, on the same data) and opens the database for the checks. */
  public void start() {
    server = starter.apply(config);
    base = "http://127.0.0.1:" + server.port();
    db = databases.get();
  }

  /** Stops the server and closes the database; requests then go nowhere until {@link #start}. */
  public void stop() {
    if (server != null) {
      db.close();
      server.close();
      server = null;
    }
  }

  /** Stops the server and starts it again on the same database and blobs. */
  public void restart() {
    stop();
    start();
  }

  /** Sends the requests to another server on the same data (a server in another process). */
  public void at(int port) {
    base = "http://127.0.0.1:" + port;
  }

  public int port() {
    return URI.create(base).getPort();
  }

  @Override
  public void close() {
    stop();
  }

  // ---------------------------------------------------------------- users

  /** Signs in with a one-time link: {cookie header, CSRF token}. */
  private String[] signIn(String link) {
    String code = link.substring(link.lastIndexOf('/') + 1);
    Response r = send(request("/api/v1/session/link", null).POST(json(Map.of("code", code))));
    assertEquals(201, r.status(), r.body());
    String cookie = r.header("Set-Cookie");
    return new String[] {cookie.substring(0, cookie.indexOf(';')), r.text("csrfToken")};
  }

  /** A new user (made by the administrator's session), signed in. */
  private String[] newUser(String[] adminSession, String email) {
    Response made = send(session(request("/api/v1/users", null), adminSession)
        .POST(json(Map.of("email", email))));
    assertEquals(201, made.status(), made.body());
    return signIn(made.text("signInLink"));
  }

  /** A new user (signed in as {@code session}) who joins {@link #org} with {@code role}. */
  private String join(String[] session, String email, String role) {
    Response added = send(session(request("/api/v1/orgs/" + org + "/members", null),
        ownerSession).POST(json(Map.of("email", email, "role", role))));
    assertEquals(201, added.status(), added.body());
    return token(session, org);
  }

  private String token(String[] session, String organization) {
    Response r = send(session(request("/api/v1/orgs/" + organization + "/tokens", null), session)
        .POST(json(Map.of("name", "t", "scope", "admin", "expiresAt",
            Instant.now().plus(Duration.ofDays(1)).toString()))));
    assertEquals(201, r.status(), r.body());
    return r.text("token");
  }

  public static HttpRequest.Builder session(HttpRequest.Builder b, String[] session) {
    return b.header("Cookie", session[0]).header("X-CSRF-Token", session[1]);
  }

  // ---------------------------------------------------------------- requests

  /** {@code /api/v1/orgs/{org}} + path. */
  public String orgPath(String path) {
    return "/api/v1/orgs/" + org + path;
  }

  public HttpRequest.Builder request(String path, String token) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path))
        .timeout(Duration.ofMinutes(5));
    return token == null ? b : b.header("Authorization", "Bearer " + token);
  }

  /** A String as is (JSON written by the test), anything else written as JSON. */
  public static HttpRequest.BodyPublisher json(Object body) {
    try {
      return HttpRequest.BodyPublishers.ofString(body instanceof String s ? s
          : JSON.writeValueAsString(body));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public Response send(HttpRequest.Builder request) {
    try {
      HttpResponse<byte[]> r = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
      return new Response(r.statusCode(), r.body(), r);
    } catch (IOException | InterruptedException e) {
      throw new AssertionError(request.build() + " failed: " + e, e);
    }
  }

  public Response get(String path, String token) {
    return send(request(path, token).GET());
  }

  public Response delete(String path, String token) {
    return send(request(path, token).DELETE());
  }

  public Response post(String path, String token, Object body) {
    return send(request(path, token).header("Content-Type", "application/json")
        .POST(json(body)));
  }

  public Response put(String path, String token, Object body) {
    return send(request(path, token).header("Content-Type", "application/json").PUT(json(body)));
  }

  public Response patch(String path, String token, Object body) {
    return send(request(path, token).header("Content-Type", "application/json")
        .method("PATCH", json(body)));
  }

  /** {@code PUT} of {@code content} as a raw application/octet-stream body (a file upload). */
  public Response putBytes(String path, String token, byte[] content) {
    return send(request(path, token).header("Content-Type", "application/octet-stream")
        .PUT(HttpRequest.BodyPublishers.ofByteArray(content)));
  }

  // ---------------------------------------------------------------- what is stored

  /** The organization's audit events of {@code action}, newest first. */
  public List<AuditEvent> events(String organization, String action) {
    return new AuditLog(db, Clock.systemUTC()).list(organization, new AuditQuery(null, action,
        null, null, null, null, null, null, AuditQuery.MAX_LIMIT)).events();
  }

  public boolean auditIntact(String organization) {
    return new AuditLog(db, Clock.systemUTC()).verify(organization).intact();
  }
}
