package ai.lepton.preprocessing;

import static ai.lepton.LeptonAssertions.assertFailsWith;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.lepton.LeptonException;
import ai.lepton.data.Csv;
import ai.lepton.data.Table;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Imputing tables read from real CSV files, where missing values are NaN or "" as Csv reads them. */
class ImputerTest {
  @TempDir Path dir;

  private Table read(String csv) throws IOException {
    Path file = dir.resolve("data.csv");
    Files.writeString(file, csv);
    return Csv.reader().strings("city").missing("NA").read(file);
  }

  @Test
  void imputesWithStatisticsOfTheTrainingRowsOnly() throws IOException {
    Table train = read("age,city,income\n10,Paris,1\n20,Paris,NA\n60,Oslo,3\nNA,,5\n");
    Table test = read("age,city,income\nNA,,NA\n7,Rome,8\n");

    Imputer mean = Imputer.fit(train, "mean");
    assertEquals(Map.of("age", 30f, "income", 3f), mean.numbers());
    assertEquals(Map.of(), mean.texts());
    assertArrayEquals(new float[] {30, 7}, mean.transform(test).floats("age"));
    assertArrayEquals(new float[] {3, 8}, mean.transform(test).floats("income"));
    assertArrayEquals(new String[] {"", "Rome"}, mean.transform(test).strings("city"));

    assertEquals(20f, Imputer.fit(train, "median", "age").numbers().get("age"));
    assertEquals(3f, Imputer.fit(train, "median", "income").numbers().get("income"));
    Imputer frequent = Imputer.fit(train, "most_frequent", "city", "age");
    assertEquals(Map.of("city", "Paris"), frequent.texts());
    assertEquals(Map.of("age", 10f), frequent.numbers()); // a tie: the smallest wins
    assertArrayEquals(new String[] {"Paris", "Rome"}, frequent.transform(test).strings("city"));

    Imputer constant = new Imputer("constant", Map.of("income", 0f), Map.of("city", "unknown"));
    Table filled = constant.transform(test);
    assertArrayEquals(new float[] {0, 8}, filled.floats("income"));
    assertArrayEquals(new String[] {"unknown", "Rome"}, filled.strings("city"));
    assertArrayEquals(new float[] {Float.NaN, 7}, filled.floats("age"));
  }


  @Test
  void imputerStateRoundTripsThroughJson() throws Exception {
    Imputer imputer = Imputer.fit(read("a,city\n1,x\n3,x\n"), "most_frequent");
    ObjectMapper json = new ObjectMapper();
    assertEquals(imputer, Imputer.fromState(json.readValue(json.writeValueAsString(
        imputer.state()), new TypeReference<Map<String, Object>>() {})));
    assertEquals("Imputer state: the fill of numeric column 'a' must be a number; received x",
        assertThrows(LeptonException.class, () -> Imputer.fromState(Map.of("strategy", "mean",
            "numbers", Map.of("a", "x"), "texts", Map.of()))).getMessage());
  }


  @Test
  void imputerErrorsSayWhatToDo() throws IOException {
    Table t = read("age,city\nNA,Paris\nNA,Oslo\n");
    assertEquals("Imputer.fit: mean needs a numeric column, but 'city' holds text; use "
        + "\"most_frequent\" or a constant for text columns",
        assertThrows(LeptonException.class, () -> Imputer.fit(t, "mean", "city")).getMessage());
    assertEquals("Imputer.fit: column 'age' has no value to learn from (all missing); drop the "
        + "column or use a constant imputer",
        assertThrows(LeptonException.class, () -> Imputer.fit(t, "median")).getMessage());
    assertEquals("Imputer.fit: strategy must be \"mean\", \"median\" or \"most_frequent\"; "
        + "received constant; a constant imputer needs no fitting: use new Imputer(\"constant\", "
        + "numbers, texts)",
        assertThrows(LeptonException.class, () -> Imputer.fit(t, "constant")).getMessage());
    Imputer cityFill = new Imputer("constant", Map.of(), Map.of("city", "x"));
    Table numericCity = new Table(List.of("city"), 1, Map.of("city", new float[] {2}), Map.of());
    assertEquals("column 'city' holds numbers, not text; use floats(\"city\")",
        assertThrows(LeptonException.class, () -> cityFill.transform(numericCity)).getMessage());
    assertFailsWith("the fill value of column 'age' must be a finite number",
        () -> new Imputer("constant", Map.of("age", Float.NaN), Map.of()));
  }
}
