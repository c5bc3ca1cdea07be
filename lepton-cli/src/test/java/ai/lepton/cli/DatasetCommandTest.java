package ai.lepton.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.lepton.server.ServerConfig;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * lepton dataset against a real server: push, list, show, versions, derive, download, delete.
 */
class DatasetCommandTest {
  private static final int MAX_UPLOAD = 64 * 1024;
  @TempDir static Path dir;
  private static Platform p;
  private static Path iris;

  @BeforeAll
  static void start() throws Exception {
    p = new Platform(ServerConfig.embedded(dir.resolve("data"), 0)
        .withMaxUploadBytes(MAX_UPLOAD));
    StringBuilder csv = new StringBuilder("sepal,petals,species,note\n");
    String[] species = {"setosa", "versicolor", "virginica"};
    for (int i = 0; i < 30; i++) {
      csv.append(4.5 + i * 0.1).append(',').append(i % 5).append(',').append(species[i % 3])
          .append(',').append(i % 10 == 0 ? "" : "n" + i).append('\n');
    }
    iris = Files.writeString(dir.resolve("iris.csv"), csv);
  }

  @AfterAll
  static void stop() {
    p.close();
  }

  @BeforeEach
  void signIn() {
    p.login(dir.resolve("admin.json"), p.token(p.admin, p.org, "admin"));
  }

  private static int lepton(String... args) {
    return p.lepton(args);
  }

  private static void refused(int exit, String... fragments) {
    assertEquals(1, exit, p.out() + p.err());
    assertEquals(1, p.err().lines().count(), p.err());
    assertTrue(p.err().startsWith("lepton: "), p.err());
    for (String f : fragments) {
      assertTrue(p.err().contains(f), "expected '" + f + "' in: " + p.err());
    }
  }

  @Test
  void aPushedFileIsProfiledVersionedDerivedAndDownloadedIntact() throws Exception {
    refused(lepton("dataset", "push", iris.toString(), "--dataset", "iris"), "--create");
    assertEquals(0, lepton("dataset", "push", iris.toString(), "--dataset", "iris", "--create",
        "--label", "species"), p.err());
    assertTrue(p.out().startsWith("Pushed iris.csv as version 1 of iris: CSV, "), p.out());
    assertEquals("", p.err(), "no progress bar outside a terminal unless asked");

    assertEquals(0, lepton("dataset", "push", iris.toString(), "--dataset", "iris", "--label",
        "species", "--progress", "--json"), p.err());
    assertEquals(2, p.outJson().get("number").asInt());
    assertTrue(p.err().startsWith("upload iris.csv [==============================] 100%"),
        p.err());

    assertEquals(0, lepton("dataset", "list"), p.err());
    assertTrue(p.out().lines().anyMatch(l -> l.startsWith("iris ") && l.contains(" 2 ")),
        p.out());

    assertEquals(0, lepton("dataset", "show", "iris@1"), p.err());
    String show = p.out();
    assertTrue(show.startsWith("Dataset iris (") && show.contains("version 1 of 2"), show);
    assertTrue(show.contains("Columns (4)") && show.contains("Class balance (species): 3 "
        + "classes") && show.contains("Preview (first"), show);
    assertTrue(show.lines().anyMatch(l -> l.startsWith("species (label)")
        && l.contains("CATEGORICAL")), show);
    assertTrue(show.lines().anyMatch(l -> l.startsWith("note ") && l.contains("3 (10.0%)")),
        "3 of 30 notes are missing:\n" + show);
    assertTrue(show.lines().anyMatch(l -> l.startsWith("setosa") && l.endsWith("33.3%")), show);
    assertEquals(0, lepton("dataset", "show", "iris", "--json"), p.err());
    JsonNode shown = p.outJson();
    assertEquals(2, shown.get("version").get("number").asInt(), "the latest without @N");
    assertEquals(30, shown.get("profile").get("rows").asLong());

    assertEquals(0, lepton("dataset", "derive", "iris@1",
        "{\"op\":\"split\",\"train\":0.8,\"test\":0.2,\"seed\":42}"), p.err());
    assertEquals(0, lepton("dataset", "versions", "iris"), p.err());
    assertTrue(p.out().lines().anyMatch(l -> l.contains("#1") && l.contains("\"op\":\"split\"")
        && l.endsWith("part train")), p.out());
    assertEquals(0, lepton("dataset", "versions", "iris", "--json"));
    JsonNode versions = p.outJson().get("versions");
    assertEquals(4, versions.size());
    assertEquals(1, versions.get(2).get("lineage").get("parentNumber").asInt());
    refused(lepton("dataset", "derive", "iris@1", "{\"op\":\"explode\"}"),
        "(request ");

    Path out = Files.createDirectories(dir.resolve("downloads"));
    assertEquals(0, lepton("dataset", "download", "iris@1", "-o", out.toString()), p.err());
    assertArrayEquals(Files.readAllBytes(iris), Files.readAllBytes(out.resolve("iris.csv")));
    assertTrue(p.out().contains("verified"), p.out());
    refused(lepton("dataset", "download", "iris@1", "-o", out.toString()), "exists", "--force");
    assertEquals(0, lepton("dataset", "download", "iris@1", "-o", out.resolve("again.csv")
        .toString(), "--progress"), p.err());
    assertTrue(p.err().startsWith("download again.csv [="), p.err());
    assertArrayEquals(Files.readAllBytes(iris), Files.readAllBytes(out.resolve("again.csv")));
  }

  @Test
  void refusalsNameTheProblemAndStoreNothing() throws Exception {
    assertEquals(0, lepton("dataset", "create", "broken"), p.err());
    Path bad = Files.write(dir.resolve("bad.csv"), new byte[] {'a', ',', 'b', '\n', (byte) 0xff,
        ',', '1', '\n'});
    refused(lepton("dataset", "push", bad.toString(), "--dataset", "broken"), "(request ");
    assertEquals(0, lepton("dataset", "versions", "broken", "--json"));
    assertEquals(0, p.outJson().get("versions").size(), "a refused upload leaves no version");

    Path big = Files.writeString(dir.resolve("big.csv"), "a,b\n" + "1,2\n".repeat(MAX_UPLOAD));
    refused(lepton("dataset", "push", big.toString(), "--dataset", "broken"),
        String.valueOf(MAX_UPLOAD), "(request ");
    assertEquals(0, lepton("dataset", "versions", "broken", "--json"));
    assertEquals(0, p.outJson().get("versions").size(), "an oversized upload leaves no version");

    refused(lepton("dataset", "show", "broken"), "no versions (none yet", "lepton dataset push");
    refused(lepton("dataset", "show", "nothing@1"), "no dataset 'nothing'");
    refused(lepton("dataset", "show", "broken@x"), "DATASET@N");
    refused(lepton("dataset", "download", "broken@7"), "(request ");
    Path odd = Files.writeString(dir.resolve("data.bin"), "x");
    refused(lepton("dataset", "push", odd.toString(), "--dataset", "broken"), "--format");
    refused(lepton("dataset", "push", dir.resolve("absent.csv").toString(), "--dataset",
        "broken"), "no file");
    assertEquals(2, lepton("dataset", "push", odd.toString(), "--dataset", "broken", "--format",
        "PDF"), "an unknown format is a usage error");
  }

  @Test
  void deleteNeedsYesAndLeavesTombstonesThatKeepLineage() {
    assertEquals(0, lepton("dataset", "push", iris.toString(), "--dataset", "short", "--create"),
        p.err());
    assertEquals(0, lepton("dataset", "derive", "short@1", "{\"op\":\"drop_duplicates\"}"),
        p.err());
    refused(lepton("dataset", "delete", "short@1"), "version 1 of dataset short", "--yes");
    refused(lepton("dataset", "delete", "short"), "with all its versions", "--yes", "short@N");
    assertEquals(0, lepton("dataset", "delete", "short@1", "--yes"), p.err());
    assertEquals("Deleted version 1 of dataset short.", p.out().strip());
    assertEquals(0, lepton("dataset", "versions", "short"), p.err());
    assertTrue(p.out().lines().anyMatch(l -> l.startsWith("2 ") && l.contains("#1 (deleted)")),
        p.out());
    refused(lepton("dataset", "download", "short@1"), "was deleted");
    refusedAgain(lepton("dataset", "delete", "short@1", "--yes"));
    assertEquals(0, lepton("dataset", "delete", "short", "--yes", "--json"), p.err());
    assertTrue(p.outJson().get("dataset").asText().startsWith("ds_"), p.out());
    refused(lepton("dataset", "versions", "short"), "no dataset 'short'");
  }

  private static void refusedAgain(int exit) {
    refused(exit, "was deleted", "(request ");
  }
}
