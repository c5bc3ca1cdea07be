package ai.lepton.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.lepton.LeptonException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Cleaning real CSV files: missing values are NaN in numbers and "" in text, as Csv reads them. */
class CleaningTest {
  @TempDir Path dir;

  private Table read(String csv) throws IOException {
    Path file = dir.resolve("data.csv");
    Files.writeString(file, csv);
    return Csv.reader().strings("city").missing("NA").read(file);
  }

  @Test
  void dropsRowsWithMissingValuesInAnyOrChosenColumns() throws IOException {
    Table t = read("age,city,income\n31,Paris,1\nNA,Oslo,2\n40,,3\n50,Rome,\n");
    Table complete = t.dropMissing();
    assertArrayEquals(new float[] {31}, complete.floats("age"));
    assertArrayEquals(new String[] {"Paris"}, complete.strings("city"));
    Table byAge = t.dropMissing("age");
    assertArrayEquals(new float[] {31, 40, 50}, byAge.floats("age"));
    assertArrayEquals(new String[] {"Paris", "", "Rome"}, byAge.strings("city"));
    assertEquals(2, t.dropMissing("city", "income").rows());
    assertEquals("dropMissing: no column 'wage'; the columns are [age, city, income]",
        assertThrows(LeptonException.class, () -> t.dropMissing("wage")).getMessage());
  }


  @Test
  void dropsLaterCopiesOfARowMissingValuesIncluded() throws IOException {
    Table t = read("age,city\n31,Paris\nNA,Oslo\n31,Paris\nNA,Oslo\n31,Rome\n");
    Table unique = t.dropDuplicates();
    assertArrayEquals(new float[] {31, Float.NaN, 31}, unique.floats("age"));
    assertArrayEquals(new String[] {"Paris", "Oslo", "Rome"}, unique.strings("city"));
    assertEquals("select: row index 5 is outside the table's 5 rows; expected 0..4",
        assertThrows(LeptonException.class, () -> t.select(new int[] {5})).getMessage());
  }

}
