package ai.lepton.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.lepton.server.LeptonServer;
import ai.lepton.server.ServerConfig;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * A real server for the CLI's tests, and the {@code lepton} command run against it with its
 * output captured. Browser sessions (made over HTTP from one-time sign-in links, as a person's
 * browser would) create the API tokens the commands then use.
 */
final class Platform implements AutoCloseable {
  static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  final LeptonServer server;
  final String base;
  /** The first organization, owned by the first administrator. */
  final String org;
  /** The first administrator's browser session: its cookie and CSRF token. */
  final Session admin;
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  /** A signed-in browser session. */
  record Session(String cookie, String csrf) {}

  Platform(Path dataDir) {
    this(ServerConfig.embedded(dataDir, 0));
  }

  Platform(ServerConfig config) {
    server = LeptonServer.start(config);
    base = "http://127.0.0.1:" + server.port();
    admin = signIn(server.firstSignInLink().orElseThrow());
    org = json(send("GET", "/api/v1/orgs", admin, null)).get("items").get(0).get("id").asText();
  }

  /** Signs in with a one-time link, as the page it opens does. */
  Session signIn(String link) {
    HttpResponse<String> r = send("POST", "/api/v1/session/link", null,
        "{\"code\":\"" + link.substring(link.lastIndexOf('/') + 1) + "\"}");
    assertEquals(201, r.statusCode(), r.body());
    return new Session(r.headers().firstValue("Set-Cookie").orElseThrow().split(";")[0],
        json(r).get("csrfToken").asText());
  }

  /** An API token of the session's user in {@code organization}, with {@code scope}. */
  String token(Session session, String organization, String scope) {
    HttpResponse<String> r = send("POST", "/api/v1/orgs/" + organization + "/tokens", session,
        "{\"name\":\"cli\",\"scope\":\"" + scope + "\",\"expiresAt\":\""
            + Instant.now().plus(1, ChronoUnit.DAYS) + "\"}");
    assertEquals(201, r.statusCode(), r.body());
    return json(r).get("token").asText();
  }

  /** Creates an organization in the session (tokens may not). */
  String createOrganization(Session session, String name) {
    HttpResponse<String> r = send("POST", "/api/v1/orgs", session, "{\"name\":\"" + name + "\"}");
    assertEquals(201, r.statusCode(), r.body());
    return json(r).get("id").asText();
  }

  /**
   * Signs {@code lepton} in with {@code token}, keeping its profile in {@code config} (the
   * commands use that file from now on).
   */
  void login(Path config, String token) {
    System.setProperty("lepton.config", config.toString());
    assertEquals(0, lepton("login", "--server", base, "--token", token), err());
  }

  /** Runs {@code lepton args} in this JVM; its output is then {@link #out()} and {@link #err()}. */
  int lepton(String... args) {
    out.getBuffer().setLength(0);
    err.getBuffer().setLength(0);
    return Main.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
  }

  String out() {
    return out.toString();
  }

  String err() {
    return err.toString();
  }

  /** The standard output of the last command, as JSON. */
  JsonNode outJson() {
    try {
      return JSON.readTree(out());
    } catch (IOException e) {
      throw new AssertionError("not JSON: " + out(), e);
    }
  }

  private HttpResponse<String> send(String method, String path, Session session, String body) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path))
        .header("Content-Type", "application/json")
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body));
    if (session != null) {
      b.header("Cookie", session.cookie()).header("X-CSRF-Token", session.csrf());
    }
    try {
      return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static JsonNode json(HttpResponse<String> r) {
    try {
      return JSON.readTree(r.body());
    } catch (IOException e) {
      throw new AssertionError("not JSON: " + r.body(), e);
    }
  }

  @Override
  public void close() {
    System.clearProperty("lepton.config");
    server.close();
  }
}
