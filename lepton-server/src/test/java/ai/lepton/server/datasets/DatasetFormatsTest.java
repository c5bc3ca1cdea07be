package ai.lepton.server.datasets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.lepton.server.ServerConfig;
import ai.lepton.server.TestPlatform.Response;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every dataset format goes up, is profiled as its format, and comes back byte for byte: JSON
 * lines, text, a zip of image class folders, IDX images plain and gzip-compressed (CSV in
 * {@link DatasetRoutesContract}).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DatasetFormatsTest {
  private Path dir;
  private Platform platform;

  @BeforeAll
  void start(@TempDir Path dir) {
    this.dir = dir;
    platform = Platform.embedded(dir.resolve("data"), ServerConfig.DEFAULT_MAX_UPLOAD_BYTES);
  }

  @AfterAll
  void stop() {
    platform.close();
  }

  /** Uploads {@code content}, checks the download, and answers the profile. */
  private JsonNode roundTrip(String format, String fileName, byte[] content) {
    String id = platform.dataset(format.toLowerCase() + "-" + fileName.replace('.', '-'));
    Response up = platform.put(id, platform.owner, "format=" + format + "&fileName=" + fileName,
        content);
    assertEquals(201, up.status(), up.body());
    assertEquals(format, up.text("format"));
    String versions = platform.orgPath("/datasets/" + id + "/versions/1");
    Response down = platform.get(versions + "/content", platform.owner);
    assertArrayEquals(content, down.bytes());
    assertEquals(Platform.sha256(content), down.header("X-Content-SHA256"));
    JsonNode profile = platform.get(versions + "/profile", platform.owner).json();
    assertEquals(format, profile.get("format").asText());
    assertEquals(up.json().get("rows").asLong(), profile.get("rows").asLong());
    return profile;
  }

  @Test
  void jsonLines() {
    JsonNode p = roundTrip("JSONL", "people.jsonl", """
        {"name": "ada", "age": 36}
        {"name": "alan", "age": 41}
        {"name": "grace", "age": null}
        """.getBytes(StandardCharsets.UTF_8));
    assertEquals(3, p.get("rows").asLong());
    assertEquals("age", p.get("columns").get(1).get("name").asText());
    assertEquals(1, p.get("columns").get(1).get("missing").asLong());
    assertEquals(38.5, p.get("columns").get(1).get("mean").asDouble(), 1e-9);
  }

  @Test
  void text() {
    JsonNode p = roundTrip("TEXT", "fortunes.txt", "the cat sat\n\nthe dog ran far\n"
        .getBytes(StandardCharsets.UTF_8));
    assertEquals(2, p.get("rows").asLong());
    assertEquals(7, p.get("text").get("words").asLong());
    assertEquals(6, p.get("text").get("vocabulary").asLong());
  }

  @Test
  void aZipOfImageClassFolders() throws IOException {
    Map<String, byte[]> entries = new LinkedHashMap<>();
    entries.put("cat/1.png", TestFiles.png(4, 3, false));
    entries.put("cat/2.png", TestFiles.png(4, 3, false));
    entries.put("dog/1.png", TestFiles.png(5, 6, true));
    byte[] zip = Files.readAllBytes(TestFiles.zip(dir.resolve("pets.zip"), entries));
    JsonNode p = roundTrip("IMAGE_ZIP", "pets.zip", zip);
    assertEquals(3, p.get("rows").asLong());
    assertEquals("[\"cat\",\"dog\"]", p.get("images").get("classes").toString());
    assertEquals(2, p.get("classBalance").get(0).get("count").asLong());
    assertEquals(5, p.get("images").get("maxWidth").asInt());
  }

  @Test
  void idxImagesPlainAndCompressed() throws IOException {
    byte[] values = new byte[3 * 2 * 2];
    for (int i = 0; i < values.length; i++) {
      values[i] = (byte) (i * 20);
    }
    for (boolean gzip : new boolean[] {false, true}) {
      byte[] idx = Files.readAllBytes(TestFiles.idx(dir.resolve("images" + gzip + ".idx"),
          new int[] {3, 2, 2}, values, gzip));
      JsonNode p = roundTrip("IDX", gzip ? "images-idx3-ubyte.gz" : "images-idx3-ubyte", idx);
      assertEquals(3, p.get("rows").asLong());
      assertEquals("[3,2,2]", p.get("idx").get("shape").toString());
      assertEquals(220, p.get("idx").get("maxValue").asInt());
    }
  }
}
