package ai.lepton.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.lepton.api.ColumnProfile;
import ai.lepton.api.ColumnType;
import ai.lepton.api.Dataset;
import ai.lepton.api.DatasetFormat;
import ai.lepton.api.DatasetProfile;
import ai.lepton.api.DatasetVersion;
import ai.lepton.api.Histogram;
import ai.lepton.api.ImagesProfile;
import ai.lepton.api.Lineage;
import ai.lepton.api.ValueCount;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** lepton dataset show's text: the profile's facts, columns, class balance and preview. */
class ProfileViewTest {
  private static final Dataset DATASET = new Dataset("ds_1", "org_1", null, "iris", null,
      "usr_1", Instant.parse("2026-01-02T03:04:05.678Z"), 3);

  private static String show(DatasetVersion v, DatasetProfile p) {
    StringWriter out = new StringWriter();
    ProfileView.print(new PrintWriter(out, true), DATASET, v, p);
    return out.toString();
  }

  private static DatasetVersion version(DatasetFormat format, Lineage lineage) {
    return new DatasetVersion("dsv_2", "ds_1", 2, format, "train.csv", 4608, "ab".repeat(32), 4,
        lineage, "usr_1", Instant.parse("2026-01-02T03:04:05.678Z"), null);
  }

  @Test
  void aTabularProfileShowsColumnsClassesAndTheFirstRows() {
    ColumnProfile sepal = new ColumnProfile("sepal", ColumnType.NUMBER, false, 4, 0, 4.3, 7.9,
        5.843333, 0.8, 4, false, List.of(), new Histogram(List.of(4.3, 7.9), List.of(4L)));
    ColumnProfile species = new ColumnProfile("species", ColumnType.CATEGORICAL, true, 3, 1, null,
        null, null, null, 2, false, List.of(new ValueCount("setosa", 2),
        new ValueCount("virginica", 1)), null);
    DatasetProfile p = new DatasetProfile(DatasetFormat.CSV, 4, List.of(sepal, species),
        "species", List.of(new ValueCount("setosa", 2), new ValueCount("virginica", 1)),
        List.of(List.of("5.1", "setosa"), List.of("4.9", "\u001b[2Jsetosa")), null, null, null);
    Lineage lineage = new Lineage("dsv_1", 1, Map.of("op", "split", "seed", 42), Map.of(),
        "train", false);

    String text = show(version(DatasetFormat.CSV, lineage), p);
    assertTrue(text.startsWith("Dataset iris (ds_1), version 2 of 3\n"), text);
    assertTrue(text.contains("  file     train.csv (CSV, 4.5 KiB)\n"), text);
    assertTrue(text.contains("  created  2026-01-02T03:04:05Z by usr_1\n"), text);
    assertTrue(text.contains("  lineage  from #1 by {\"op\":\"split\",\"seed\":42} part train")
        || text.contains("  lineage  from #1 by {\"seed\":42,\"op\":\"split\"} part train"), text);
    assertTrue(text.contains("\nColumns (2)\nNAME             TYPE         MISSING    MIN  MAX  "
        + "MEAN   STD  DISTINCT  TOP VALUES\n"), text);
    assertTrue(text.contains("\nsepal            NUMBER       0          4.3  7.9  5.843  0.8  "
        + "4         -\n"), text);
    assertTrue(text.contains("\nspecies (label)  CATEGORICAL  1 (25.0%)  -    -    -      -    "
        + "2         setosa (2), virginica (1)\n"), text);
    assertTrue(text.contains("\nClass balance (species): 2 classes\nCLASS      COUNT  SHARE\n"
        + "setosa     2      66.7%\nvirginica  1      33.3%\n"), text);
    assertTrue(text.contains("\nPreview (first 2 of 4)\nsepal  species\n5.1    setosa\n"
        + "4.9    ?[2Jsetosa\n"), "an escape sequence in the data is shown, not obeyed:\n"
        + text);
  }

  @Test
  void anImageProfileShowsItsSectionAndLongListsAreCut() {
    List<ValueCount> classes = new ArrayList<>();
    List<List<String>> preview = new ArrayList<>();
    for (int i = 0; i < 25; i++) {
      classes.add(new ValueCount("class" + i, 100 - i));
      preview.add(List.of("class" + i + "/" + "x".repeat(40) + ".png", "class" + i));
    }
    DatasetProfile p = new DatasetProfile(DatasetFormat.IMAGE_ZIP, 2200, List.of(), null,
        classes, preview, null, new ImagesProfile(List.of("a", "b"), 28, 32, 28, 28,
        List.of(1, 3)), null);

    String text = show(version(DatasetFormat.IMAGE_ZIP, null), p);
    assertTrue(!text.contains("lineage") && !text.contains("Columns"), text);
    assertTrue(text.contains("\nImages: 2 classes, width 28-32 px, height 28-28 px, channels 1, "
        + "3\n"), text);
    assertTrue(text.contains("\nClass balance: 25 classes\n"), text);
    assertTrue(text.contains("\n... and 5 more (--json lists them all)\n"), text);
    assertTrue(text.contains("\nPreview (first 10 of 2200)\nENTRY                     CLASS\n"
        + "class0/xxxxxxxxxxxxxx...  class0\n"), text);
  }

  @Test
  void statisticsReadAsNumbers() {
    assertEquals("42", ProfileView.num(42.0));
    assertEquals("5.843", ProfileView.num(5.843333));
    assertEquals("0.001235", ProfileView.num(0.0012345));
    assertEquals("1.235e+20", ProfileView.num(1.2345e20));
    assertEquals("-", ProfileView.num(null));
    assertEquals("-", ProfileView.num(Double.NaN));
  }
}
