package ai.lepton.server.datasets;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.lepton.api.AuditEvent;
import ai.lepton.server.LeptonServer;
import ai.lepton.server.ServerConfig;
import ai.lepton.server.audit.AuditLog;
import ai.lepton.server.audit.AuditQuery;
import ai.lepton.server.blobs.BlobStore;
import ai.lepton.server.db.Database;
import ai.lepton.server.db.TestDatabases;
import ai.lepton.server.http.Json;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A running server for the dataset tests, reached over real HTTP: an organization with an owner,
 * a viewer and an outsider (who owns another organization), each with an API token; and the
 * database and data directory behind it, to check what was (not) stored.
 */
final class Platform implements AutoCloseable {
  static final ObjectMapper JSON = Json.mapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private final ServerConfig config;
  private final java.util.function.Supplier<Database> databases;
  final Path dataDir;
  LeptonServer server;
  Database db;
  String base;
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

    String text(String field) {
      return json().get(field).asText();
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
  Platform(ServerConfig config, java.util.function.Supplier<Database> databases) {
    this.config = config;
    this.databases = databases;
    this.dataDir = config.dataDir();
    start();
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
    this.outsiderOrg = b.text("id");
    this.outsider = token(outsiderSession, outsiderOrg);
  }

  /** The embedded default (H2 and blobs under {@code dir}), with an upload limit. */
  static Platform embedded(Path dir, long maxUploadBytes) {
    return new Platform(ServerConfig.embedded(dir, 0).withMaxUploadBytes(maxUploadBytes),
        () -> TestDatabases.embedded(dir));
  }

  /** Starts the server (again, on the same data) and opens the database for the checks. */
  void start() {
    server = LeptonServer.start(config);
    base = "http://127.0.0.1:" + server.port();
    db = databases.get();
  }

  /** Stops the server and closes the database; requests then go nowhere until {@link #start}. */
  void stop() {
    if (server != null) {
      db.close();
      server.close();
      server = null;
    }
  }

  /** Sends the requests to another server on the same data (a server in another process). */
  void at(int port) {
    base = "http://127.0.0.1:" + port;
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

  // ---------------------------------------------------------------- requests

  String orgPath(String path) {
    return "/api/v1/orgs/" + org + path;
  }

  HttpRequest.Builder request(String path, String token) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path))
        .timeout(Duration.ofMinutes(5));
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

  Response post(String path, String token, Object body) {
    return send(request(path, token).header("Content-Type", "application/json")
        .POST(body instanceof String s ? HttpRequest.BodyPublishers.ofString(s) : json(body)));
  }

  /** Creates a dataset in the organization; answers its id. */
  String dataset(String name) {
    Response r = post(orgPath("/datasets"), owner, Map.of("name", name));
    assertEquals(201, r.status(), r.body());
    return r.text("id");
  }

  /** {@code PUT} of {@code content} as the raw body; {@code query} as is ("format=CSV&..."). */
  Response put(String datasetId, String token, String query, byte[] content) {
    return send(request(orgPath("/datasets/" + datasetId + "/versions?" + query), token)
        .header("Content-Type", "application/octet-stream")
        .PUT(HttpRequest.BodyPublishers.ofByteArray(content)));
  }

  /**
   * The request line and headers of a raw upload as the owner, for a test that writes the body
   * itself on a socket to {@link #port}; {@code length} is the Content-Length or
   * Transfer-Encoding header.
   */
  byte[] uploadHead(String datasetId, String query, String length) {
    return ("PUT " + orgPath("/datasets/" + datasetId + "/versions?" + query) + " HTTP/1.1\r\n"
        + "Host: 127.0.0.1\r\nAuthorization: Bearer " + owner + "\r\nContent-Type: "
        + "application/octet-stream\r\n" + length + "\r\n\r\n")
        .getBytes(StandardCharsets.US_ASCII);
  }

  int port() {
    return URI.create(base).getPort();
  }

  /** A multipart form: {@code fields} first, then the part 'file'. */
  Response multipart(String datasetId, String token, Map<String, String> fields,
      String fileName, byte[] content) {
    String boundary = "lepton-test-boundary-7d1f";
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    fields.forEach((name, value) -> write(body, "--" + boundary + "\r\nContent-Disposition: "
        + "form-data; name=\"" + name + "\"\r\n\r\n" + value + "\r\n"));
    write(body, "--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\""
        + fileName + "\"\r\nContent-Type: application/octet-stream\r\n\r\n");
    body.writeBytes(content);
    write(body, "\r\n--" + boundary + "--\r\n");
    return send(request(orgPath("/datasets/" + datasetId + "/versions"), token)
        .header("Content-Type", "multipart/form-data; boundary=" + boundary)
        .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())));
  }

  private static void write(ByteArrayOutputStream out, String s) {
    out.writeBytes(s.getBytes(StandardCharsets.UTF_8));
  }

  // ---------------------------------------------------------------- what is stored

  /** Versions in the database, of every organization. */
  int versionRows() {
    return db.jdbi().withHandle(h -> h.createQuery("SELECT COUNT(*) FROM dataset_version")
        .mapTo(Integer.class).one());
  }

  /**
   * The blob store the server uses (a directory or an S3 bucket), opened by the test on its own
   * to check and plant blobs.
   */
  BlobStore blobStore() {
    return BlobStore.fromUrl(config.blobsUrl(), dataDir.resolve("blobs"));
  }

  /** The keys of every organization's blobs, in whichever store the server uses. */
  List<String> blobKeys() {
    try (BlobStore blobs = blobStore()) {
      return blobs.list("orgs/");
    }
  }

  /** The keys of the organization's dataset blobs. */
  List<String> datasetBlobKeys(String organization) {
    return blobKeys().stream().filter(k -> k.startsWith("orgs/" + organization + "/datasets/"))
        .toList();
  }

  /** Dataset blobs in the blob directory, of every organization. */
  List<Path> datasetBlobs() {
    Path orgs = dataDir.resolve("blobs").resolve("orgs");
    if (!Files.isDirectory(orgs)) {
      return List.of();
    }
    try (Stream<Path> all = Files.walk(orgs)) {
      return all.filter(Files::isRegularFile)
          .filter(p -> orgs.relativize(p).toString().contains("/datasets/")).toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The blob store's writes in progress (ciphertext), under {@code blobs/.tmp}: where an upload
   * streams until it is a whole blob.
   */
  List<Path> blobParts() {
    return files(dataDir.resolve("blobs").resolve(".tmp"));
  }

  /**
   * The files of uploads (blobs, blob writes in progress, temporary files) holding {@code bytes}.
   * Not the database: its profiles show a preview and the most frequent values, by design
   * (docs/encryption-at-rest.md).
   */
  List<Path> filesHolding(byte[] bytes) {
    return Stream.of("blobs", "tmp").flatMap(d -> files(dataDir.resolve(d)).stream())
        .filter(f -> holds(f, bytes)).toList();
  }

  private static List<Path> files(Path dir) {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> all = Files.walk(dir)) {
      return all.filter(Files::isRegularFile).toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static boolean holds(Path file, byte[] bytes) {
    byte[] content;
    try {
      content = Files.readAllBytes(file);
    } catch (java.nio.file.NoSuchFileException e) {
      return false; // deleted meanwhile
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    outer:
    for (int i = 0; i + bytes.length <= content.length; i++) {
      for (int j = 0; j < bytes.length; j++) {
        if (content[i + j] != bytes[j]) {
          continue outer;
        }
      }
      return true;
    }
    return false;
  }

  /** Everything in the temporary directory (zips being profiled, derivations). */
  List<Path> tempFiles() {
    Path tmp = dataDir.resolve("tmp");
    if (!Files.isDirectory(tmp)) {
      return List.of();
    }
    try (Stream<Path> all = Files.walk(tmp)) {
      return all.filter(p -> !p.equals(tmp)).toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Whether {@code file} is a file holding bytes. */
  static boolean nonEmpty(Path file) {
    try {
      return Files.isRegularFile(file) && Files.size(file) > 0;
    } catch (IOException e) {
      return false; // deleted meanwhile
    }
  }

  /** The organization's audit events of {@code action}, newest first. */
  List<AuditEvent> events(String organization, String action) {
    return new AuditLog(db, Clock.systemUTC()).list(organization, new AuditQuery(null, action,
        null, null, null, null, null, null, AuditQuery.MAX_LIMIT)).events();
  }

  boolean auditIntact(String organization) {
    return new AuditLog(db, Clock.systemUTC()).verify(organization).intact();
  }

  static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  static String sha256(InputStream in) throws IOException {
    try {
      MessageDigest d = MessageDigest.getInstance("SHA-256");
      byte[] buffer = new byte[1 << 16];
      for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
        d.update(buffer, 0, n);
      }
      return HexFormat.of().formatHex(d.digest());
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
