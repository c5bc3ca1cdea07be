package ai.lepton.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.lepton.server.blobs.S3ProxyServer;
import ai.lepton.server.crypto.KeyException;
import ai.lepton.server.crypto.KeyService;
import ai.lepton.server.crypto.MasterKey;
import ai.lepton.server.db.Database;
import ai.lepton.server.db.TestDatabases;
import ai.lepton.server.http.Json;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The storage block of the composition root: blob store choice, master key, readiness. */
class StorageWiringTest {
  @TempDir Path dir;

  private static LeptonServer start(ServerConfig config, Map<String, String> environment) {
    return LeptonServer.start(config, Clock.systemUTC(), environment);
  }

  private static JsonNode readiness(LeptonServer server) throws Exception {
    HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + server.port() + "/readyz")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode(), r.body());
    return Json.mapper().readTree(r.body()).get("checks");
  }

  @Test
  void theEmbeddedDefaultGeneratesTheMasterKeyOnceAndReportsBlobsReady() throws Exception {
    Path data = dir.resolve("data");
    try (LeptonServer server = start(ServerConfig.embedded(data, 0), Map.of())) {
      String notice = server.masterKeyNotice().orElseThrow();
      assertTrue(notice.contains("master key generated at " + data.resolve("master.key")
          .toAbsolutePath()), notice);
      assertEquals("ok", readiness(server).get("blobs").asText());
      assertTrue(Files.isDirectory(data.resolve("blobs")));
    }
    try (LeptonServer again = start(ServerConfig.embedded(data, 0), Map.of())) {
      assertTrue(again.masterKeyNotice().isEmpty());
    }
  }

  /** Every file under {@code root} and its SHA-256: a refused start must change none. */
  private static Map<Path, String> files(Path root) throws IOException {
    Map<Path, String> files = new TreeMap<>();
    try (Stream<Path> all = Files.walk(root)) {
      for (Path p : all.filter(Files::isRegularFile).toList()) {
        try {
          files.put(root.relativize(p), HexFormat.of().formatHex(
              MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p))));
        } catch (NoSuchAlgorithmException e) {
          throw new IllegalStateException(e);
        }
      }
    }
    return files;
  }

  @Test
  void refusesToStartWithAMasterKeyThatCannotOpenTheStoredKeys() throws IOException {
    Path data = dir.resolve("data");
    start(ServerConfig.embedded(data, 0), Map.of()).close();
    // An organization gets keys under the generated master key.
    try (Database db = TestDatabases.embedded(data)) {
      MasterKey generated = MasterKey.load(data.resolve("master.key"), null, false);
      new KeyService(db, generated, Clock.systemUTC()).rotateOrganizationKey("alpha");
    }
    Map<Path, String> before = files(data);
    MasterKey other = MasterKey.generate();
    KeyException e = assertThrows(KeyException.class, () -> start(ServerConfig.embedded(data, 0),
        Map.of(MasterKey.ENVIRONMENT, other.toBase64())));
    // The embedded database's password is the first thing the wrong key fails to unwrap.
    assertTrue(e.getMessage().startsWith("refusing to start: the embedded database's password"),
        e.getMessage());
    assertTrue(e.getMessage().contains("(id " + other.id() + ")"), e.getMessage());
    assertTrue(e.getMessage().contains(MasterKey.ENVIRONMENT), e.getMessage());
    assertEquals(before, files(data), "no second database, no file changed");
    // The failed start released the database: the right key starts.
    start(ServerConfig.embedded(data, 0), Map.of()).close();
  }

  @Test
  void aMissingMasterKeyFileBesideAnExistingDatabaseIsAnErrorNotANewKey() throws IOException {
    Path data = dir.resolve("data");
    start(ServerConfig.embedded(data, 0), Map.of()).close();
    Path key = data.resolve("master.key");
    Path backup = dir.resolve("master.key.backup");
    Files.move(key, backup);
    Map<Path, String> before = files(data);
    KeyException e = assertThrows(KeyException.class,
        () -> start(ServerConfig.embedded(data, 0), Map.of()));
    assertTrue(e.getMessage().contains("the master key file " + key + " does not exist"),
        e.getMessage());
    assertEquals(before, files(data), "no new master key, no file changed");
    Files.move(backup, key);
    try (LeptonServer again = start(ServerConfig.embedded(data, 0), Map.of())) {
      assertTrue(again.masterKeyNotice().isEmpty());
    }
  }

  @Test
  void aConfiguredS3StoreIsUsedAndCheckedForReadiness() throws Exception {
    S3ProxyServer s3 = S3ProxyServer.shared();
    ServerConfig config = new ServerConfig("127.0.0.1", 0, dir.resolve("data"), null, null,
        null, s3.url(s3.newBucket()), null, null, null, null,
        ServerConfig.DEFAULT_MAX_UPLOAD_BYTES);
    try (LeptonServer server = start(config, Map.of())) {
      assertEquals("ok", readiness(server).get("blobs").asText());
      assertTrue(Files.notExists(dir.resolve("data/blobs")));
    }
  }

  @Test
  void aMalformedBlobsUrlStopsTheStartWithWhatToFix() {
    ServerConfig config = new ServerConfig("127.0.0.1", 0, dir.resolve("data"), null, null, null,
        "s3://bucket?endpoint=http://x&regoin=eu", null, null, null, null,
        ServerConfig.DEFAULT_MAX_UPLOAD_BYTES);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> start(config, Map.of()));
    assertTrue(e.getMessage().contains("unknown parameter 'regoin'"), e.getMessage());
  }
}
