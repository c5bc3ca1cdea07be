package ai.lepton.server.datasets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import ai.lepton.api.DatasetFormat;
import ai.lepton.api.DatasetVersion;
import ai.lepton.server.ServerConfig;
import ai.lepton.server.audit.AuditLog;
import ai.lepton.server.blobs.BlobStore;
import ai.lepton.server.crypto.EncryptedBlobStore;
import ai.lepton.server.crypto.KeyService;
import ai.lepton.server.crypto.MasterKey;
import ai.lepton.server.tenancy.Principal;
import ai.lepton.server.tenancy.Scope;
import ai.lepton.server.tenancy.TenancyService;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * "Files in the data directory are unreadable without the key": no file of an upload or a
 * derivation (temporary files, blobs, blob writes in progress) holds a recognizable piece of its
 * plaintext, while its body is still arriving (or its parent is read and its parts written) nor
 * once it is a version.
 */
class DatasetPlaintextTest {
  private static final Duration DEADLINE = Duration.ofSeconds(60);
  /** In every row but the first few. */
  private static final byte[] SECRET = "patient-7f3a-diagnosis-confidential"
      .getBytes(StandardCharsets.US_ASCII);

  @TempDir Path dir;

  /** About 2.5 MB of CSV, with {@link #SECRET} in every row but the first ten. */
  private static byte[] records() {
    ByteArrayOutputStream csv = new ByteArrayOutputStream();
    csv.writeBytes("id,note\n".getBytes(StandardCharsets.US_ASCII));
    for (int i = 0; i < 60_000; i++) {
      String note = i < 10 ? "ordinary" : new String(SECRET,
          StandardCharsets.US_ASCII);
      csv.writeBytes((i + "," + note + "\n").getBytes(StandardCharsets.US_ASCII));
    }
    return csv.toByteArray();
  }

  @Test
  void noPlaintextOfAnUploadReachesTheDiskDuringOrAfterIt() throws IOException {
    byte[] content = records();
    int half = content.length / 2;
    try (Platform platform = Platform.embedded(dir.resolve("data"),
        ServerConfig.DEFAULT_MAX_UPLOAD_BYTES)) {
      String dataset = platform.dataset("records");
      try (Socket upload = new Socket("127.0.0.1", platform.port())) {
        OutputStream out = upload.getOutputStream();
        out.write(platform.uploadHead(dataset, "format=CSV&fileName=records.csv",
            "Content-Length: " + content.length));
        out.write(content, 0, half);
        out.flush();
        // the body is held open halfway: the server has written some of it
        Instant end = Instant.now().plus(DEADLINE);
        while (platform.blobParts().stream().noneMatch(Platform::nonEmpty)) {
          if (Instant.now().isAfter(end)) {
            fail("the upload's blob never received the first half of the body");
          }
          Thread.onSpinWait();
        }
        assertEquals(List.of(), platform.filesHolding(SECRET), "plaintext during the upload");
        assertEquals(List.of(), platform.tempFiles(), "no temporary file during the upload");

        out.write(content, half, content.length - half);
        out.flush();
        String answer = statusLine(upload.getInputStream());
        assertTrue(answer.contains(" 201 "), answer);
      }
      assertEquals(1, platform.versionRows());
      assertEquals(List.of(), platform.filesHolding(SECRET), "plaintext after the upload");
      assertEquals(List.of(), platform.tempFiles());
      // the version holds it, decrypted as it is downloaded
      assertArrayEquals(content, platform.get(platform.orgPath("/datasets/" + dataset
          + "/versions/1/content"), platform.owner).bytes());
      // and the scan finds plaintext where there is some
      Path copy = Files.write(Files.createDirectories(platform.dataDir.resolve("tmp"))
          .resolve("copy.csv"), content);
      assertEquals(List.of(copy), platform.filesHolding(SECRET));
    }
  }

  /**
   * A derivation reads its parent from the parent's blob and renders each part into a new blob:
   * the data directory is scanned halfway through every read of a blob and every write of one,
   * and after the derivation.
   */
  @Test
  void noPlaintextOfADerivationReachesTheDiskDuringOrAfterIt() {
    byte[] content = records();
    try (Platform platform = Platform.embedded(dir.resolve("data"),
        ServerConfig.DEFAULT_MAX_UPLOAD_BYTES)) {
      String dataset = platform.dataset("records");
      assertEquals(201, platform.put(dataset, platform.owner, "format=CSV&fileName=records.csv",
          content).status());
      Watched watched = new Watched(platform);

      watched.service.derive(watched.owner, platform.org, dataset, 1,
          "{\"op\": \"drop_duplicates\"}", "test");

      // scans ran while the parent was read (to profile it, then into a table), while the part
      // was written, and while it was read back to be profiled
      assertTrue(watched.scans.contains("open") && watched.scans.contains("put"),
          watched.scans.toString());
      assertTrue(watched.partsSeen > 0, "a scan ran while the part's blob was being written");
      assertEquals(List.of(), platform.filesHolding(SECRET), "plaintext after the derivation");
      assertEquals(List.of(), platform.tempFiles());
      // the derived version holds the rows (none duplicated), decrypted as it is downloaded
      assertArrayEquals(content, platform.get(platform.orgPath("/datasets/" + dataset
          + "/versions/2/content"), platform.owner).bytes());
    }
  }

  /**
   * A zip of images is profiled as it streams from its blob, twice (its entries and headers, then
   * Core's decoding): the data directory is scanned halfway through the upload's write and every
   * read, and after the upload. The secret is in the entry names, which a zip stores as they are.
   */
  @Test
  void noPlaintextOfAZipOfImagesReachesTheDiskWhileItIsProfiled() throws IOException {
    ByteArrayOutputStream zip = new ByteArrayOutputStream();
    try (ZipOutputStream out = new ZipOutputStream(zip)) {
      for (int i = 0; i < 40; i++) {
        out.putNextEntry(new ZipEntry((i % 2 == 0 ? "cat/" : "dog/")
            + new String(SECRET, StandardCharsets.US_ASCII) + "-" + i + ".png"));
        out.write(TestFiles.png(128, 128, false));
        out.closeEntry();
      }
    }
    byte[] content = zip.toByteArray();
    assertTrue(content.length > 2 * Halfway.AT, "the zip must outlast a scan: " + content.length);
    try (Platform platform = Platform.embedded(dir.resolve("data"),
        ServerConfig.DEFAULT_MAX_UPLOAD_BYTES)) {
      String dataset = platform.dataset("pets");
      Watched watched = new Watched(platform);

      DatasetVersion version = watched.service.upload(watched.owner, platform.org, dataset,
          "test", incoming -> {
            incoming.receive(new ByteArrayInputStream(content), content.length);
            return new UploadRequest(DatasetFormat.IMAGE_ZIP, "pets.zip", null, null);
          });

      assertEquals(40, version.rows());
      // written once, then read to be profiled: its format (one 4 KiB segment, too short to be
      // scanned halfway), then the two passes over the zip, each scanned halfway
      assertEquals("put", watched.scans.get(0));
      assertTrue(watched.scans.stream().filter("open"::equals).count() >= 2,
          watched.scans.toString());
      assertEquals(List.of(), platform.filesHolding(SECRET), "plaintext after the upload");
      assertEquals(List.of(), platform.tempFiles());
      assertArrayEquals(content, platform.get(platform.orgPath("/datasets/" + dataset
          + "/versions/1/content"), platform.owner).bytes());
    }
  }

  /**
   * A second dataset service over the server's database and blob directory, acting for the
   * server's owner, whose blob store scans the data directory for {@link #SECRET} (and for
   * temporary files) halfway through every blob it writes or reads.
   */
  private static final class Watched {
    final List<String> scans = new ArrayList<>(); // what each scan was halfway through
    final DatasetService service;
    final Principal owner;
    int partsSeen; // blob writes in progress that a scan saw

    Watched(Platform platform) {
      BlobStore scanned = new Scanned(platform.blobStore(), (what, in) -> new Halfway(in, () -> {
        scans.add(what);
        assertEquals(List.of(), platform.filesHolding(SECRET), "plaintext during a " + what);
        assertEquals(List.of(), platform.tempFiles(), "a temporary file during a " + what);
        partsSeen += (int) platform.blobParts().stream().filter(Platform::nonEmpty).count();
      }));
      Clock clock = Clock.systemUTC();
      AuditLog audit = new AuditLog(platform.db, clock);
      service = DatasetService.create(platform.db, new EncryptedBlobStore(scanned,
          new KeyService(platform.db, MasterKey.load(ServerConfig.embedded(platform.dataDir, 0)
              .masterKeyPath(), null, false), clock)), audit, TenancyService.create(platform.db,
          audit, clock, org -> { }), clock, platform.dataDir.resolve("tmp"), Long.MAX_VALUE);
      JsonNode me = platform.get("/api/v1/me", platform.owner).json().get("user");
      owner = new Principal(me.get("id").asText(), me.get("email").asText(),
          Principal.Via.SESSION, Scope.ADMIN, null, null, null, null, "127.0.0.1");
    }
  }

  /** A blob store whose streams, read and written, are wrapped ({@code "open"} or {@code "put"}). */
  private record Scanned(BlobStore raw, BiFunction<String, InputStream, InputStream> wrap)
      implements BlobStore {
    @Override
    public long put(String key, InputStream in, long maxBytes) {
      return raw.put(key, wrap.apply("put", in), maxBytes);
    }

    @Override
    public InputStream open(String key) {
      return wrap.apply("open", raw.open(key));
    }

    @Override
    public boolean exists(String key) {
      return raw.exists(key);
    }

    @Override
    public void delete(String key) {
      raw.delete(key);
    }

    @Override
    public List<String> list(String prefix) {
      return raw.list(prefix);
    }

    @Override
    public boolean ping() {
      return raw.ping();
    }
  }

  /** Runs {@code halfway} once, when more than 64 KiB have been read through it. */
  private static final class Halfway extends FilterInputStream {
    static final long AT = 1 << 16;
    private final Runnable halfway;
    private long read;

    Halfway(InputStream in, Runnable halfway) {
      super(in);
      this.halfway = halfway;
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n = in.read(b, off, len);
      if (n > 0 && read <= AT && (read += n) > AT) {
        halfway.run();
      }
      return n;
    }
  }

  private static String statusLine(InputStream in) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    for (int b = in.read(); b != -1 && b != '\n'; b = in.read()) {
      line.write(b);
    }
    return line.toString(StandardCharsets.US_ASCII);
  }
}
