package ai.lepton.server.datasets;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.lepton.server.ServerConfig;
import ai.lepton.server.TestPlatform;
import ai.lepton.server.blobs.BlobStore;
import ai.lepton.server.db.Database;
import ai.lepton.server.db.TestDatabases;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * The running server of the dataset tests ({@link TestPlatform}), with the data directory behind
 * it, to check what was (not) stored.
 */
final class Platform extends TestPlatform {
  final Path dataDir;

  /** Starts a server by {@code config}; {@code databases} opens its database for the checks. */
  Platform(ServerConfig config, Supplier<Database> databases) {
    super(config, databases);
    this.dataDir = config.dataDir();
  }

  /** The embedded default (H2 and blobs under {@code dir}), with an upload limit. */
  static Platform embedded(Path dir, long maxUploadBytes) {
    return new Platform(ServerConfig.embedded(dir, 0).withMaxUploadBytes(maxUploadBytes),
        () -> TestDatabases.embedded(dir));
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
