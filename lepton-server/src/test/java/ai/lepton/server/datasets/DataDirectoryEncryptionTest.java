package ai.lepton.server.datasets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.lepton.server.ServerConfig;
import ai.lepton.server.TestPlatform.Response;
import ai.lepton.server.db.TestDatabases;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * After a realistic session on the embedded default (an organization, members, tokens, a CSV
 * upload profiled with a preview, the audit log), no file in the data directory holds any of its
 * plaintext; a restart with the same master key reads all of it back.
 */
class DataDirectoryEncryptionTest {
  private static final String ORGANIZATION = "Quokka Orchard Labs";
  private static final String ADMIN = "quokka.keeper@orchard.example";
  private static final String PREVIEW_VALUE = "Wombatville";

  @TempDir Path dir;

  @Test
  void noFileOfTheDataDirectoryHoldsTheSessionsPlaintextAndARestartReadsItBack()
      throws IOException {
    Path data = dir.resolve("data");
    ServerConfig config = new ServerConfig("127.0.0.1", 0, data, null, null, null, null, null,
        null, ORGANIZATION, ADMIN, ServerConfig.DEFAULT_MAX_UPLOAD_BYTES);
    String dataset;
    try (Platform platform = new Platform(config, () -> TestDatabases.embedded(data))) {
      dataset = platform.dataset("marsupial-census");
      byte[] csv = ("town,count\n" + (PREVIEW_VALUE + ",3\n").repeat(5) + "Emuford,4\n")
          .getBytes(StandardCharsets.UTF_8);
      Response upload = platform.put(dataset, platform.owner, "format=CSV&fileName=census.csv",
          csv);
      assertEquals(201, upload.status(), upload.body());
      assertTrue(profile(platform, dataset).contains(PREVIEW_VALUE), "the preview holds it");
      assertEquals(1, platform.events(platform.org, "dataset.upload").size());

      platform.stop();
      List<String> found = plaintextIn(data, ORGANIZATION, ADMIN, "outsider@x.org",
          PREVIEW_VALUE, "Emuford", "marsupial-census", "dataset.upload", "census.csv");
      assertEquals(List.of(), found);

      platform.start(); // the same master key (the data directory's key file)
      assertTrue(profile(platform, dataset).contains(PREVIEW_VALUE));
      Response org = platform.get(platform.orgPath(""), platform.owner);
      assertEquals(ORGANIZATION, org.text("name"), org.body());
      assertEquals(1, platform.events(platform.org, "dataset.upload").size());
      assertTrue(platform.auditIntact(platform.org));
    }
  }

  private static String profile(Platform platform, String dataset) {
    Response r = platform.get(platform.orgPath("/datasets/" + dataset + "/versions/1/profile"),
        platform.owner);
    assertEquals(200, r.status(), r.body());
    return r.body();
  }

  /** "file: text" for each of {@code texts} that a file under {@code root} holds (UTF-8). */
  private static List<String> plaintextIn(Path root, String... texts) throws IOException {
    List<String> found = new ArrayList<>();
    try (Stream<Path> all = Files.walk(root)) {
      for (Path file : all.filter(Files::isRegularFile).toList()) {
        String bytes = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
        for (String text : texts) {
          String utf8 = new String(text.getBytes(StandardCharsets.UTF_8),
              StandardCharsets.ISO_8859_1);
          if (bytes.contains(utf8)) {
            found.add(root.relativize(file) + ": " + text);
          }
        }
      }
    }
    return found;
  }
}
