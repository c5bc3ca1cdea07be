package ai.lepton.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.lepton.api.Dataset;
import ai.lepton.api.DatasetFormat;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What lepton dataset reads from its command line: versions, formats and download targets. */
class DatasetArgumentsTest {
  @TempDir Path dir;

  @Test
  void aVersionIsNamedWithAtAndTheLatestWithout() {
    Dataset iris = new Dataset("ds_1", "org_1", null, "iris", null, "usr_1", Instant.now(), 3);
    assertEquals(2, DatasetCommand.Ref.parse("iris@2").number(iris));
    assertEquals(3, DatasetCommand.Ref.parse("iris").number(iris));
    assertEquals("iris", DatasetCommand.Ref.parse("iris@2").dataset());
    for (String bad : new String[] {"iris@", "iris@0", "iris@-1", "iris@x", "@2",
        "iris@99999999999"}) {
      CommandException e = assertThrows(CommandException.class,
          () -> DatasetCommand.Ref.parse(bad), bad);
      assertTrue(e.getMessage().contains("DATASET@N"), e.getMessage());
    }
    Dataset empty = new Dataset("ds_2", "org_1", null, "empty", null, "usr_1", Instant.now(), 0);
    CommandException e = assertThrows(CommandException.class,
        () -> DatasetCommand.Ref.parse("empty").number(empty));
    assertTrue(e.getMessage().contains("lepton dataset push FILE --dataset empty"),
        e.getMessage());
  }

  @Test
  void theFormatComesFromTheFileName() {
    assertEquals(DatasetFormat.CSV, DatasetCommand.formatOf(Path.of("a/Iris.CSV")));
    assertEquals(DatasetFormat.JSONL, DatasetCommand.formatOf(Path.of("rows.jsonl")));
    assertEquals(DatasetFormat.JSONL, DatasetCommand.formatOf(Path.of("rows.ndjson")));
    assertEquals(DatasetFormat.TEXT, DatasetCommand.formatOf(Path.of("fortunes.txt")));
    assertEquals(DatasetFormat.IMAGE_ZIP, DatasetCommand.formatOf(Path.of("pets.zip")));
    assertEquals(DatasetFormat.IDX, DatasetCommand.formatOf(
        Path.of("train-images-idx3-ubyte.gz")));
    assertEquals(DatasetFormat.IDX, DatasetCommand.formatOf(Path.of("t10k-labels-idx1-ubyte")));
    CommandException e = assertThrows(CommandException.class,
        () -> DatasetCommand.formatOf(Path.of("report.pdf")));
    assertTrue(e.getMessage().contains("--format CSV, JSONL, TEXT, IMAGE_ZIP or IDX"),
        e.getMessage());
  }

  @Test
  void aDownloadLandsWhereAskedAndAStoredNameCannotPointElsewhere() throws Exception {
    assertEquals(Path.of("iris.csv"), DatasetCommand.target(null, "iris.csv"));
    assertEquals(dir.resolve("x.csv"), DatasetCommand.target(dir.resolve("x.csv"), "iris.csv"));
    assertEquals(dir.resolve("iris.csv"), DatasetCommand.target(dir, "iris.csv"));
    assertEquals(Path.of("passwd"), DatasetCommand.target(null, "../../etc/passwd"));
    assertEquals(Path.of("evil.csv"), DatasetCommand.target(null, "C:\\Windows\\..\\evil.csv"));
    assertEquals(dir.resolve("ok.csv"), DatasetCommand.target(dir, "/abs/ok.csv"));
    for (String bad : new String[] {"", "..", "dir/..", ".", "a\u001b[2J.csv", "a\u202e.csv",
        null}) {
      CommandException e = assertThrows(CommandException.class,
          () -> DatasetCommand.target(null, bad), String.valueOf(bad));
      assertTrue(e.getMessage().contains("-o FILE"), e.getMessage());
    }
    assertTrue(Files.notExists(Path.of("passwd")), "only names were computed");
  }

  @Test
  void anOversizedRecipeIsRefusedBeforeAnythingIsSent() {
    StringWriter err = new StringWriter();
    int exit = Main.run(new PrintWriter(new StringWriter()),
        new PrintWriter(err, true), "dataset", "derive", "iris@1",
        "{\"op\":\"drop_missing\",\"columns\":[\"" + "x".repeat(DatasetCommand.MAX_RECIPE)
            + "\"]}");
    assertEquals(1, exit);
    assertTrue(err.toString().startsWith("lepton: the recipe is ")
        && err.toString().contains("at most 65536"), err.toString());
  }
}
