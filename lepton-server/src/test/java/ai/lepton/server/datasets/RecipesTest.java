package ai.lepton.server.datasets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.lepton.api.DatasetFormat;
import ai.lepton.api.ErrorCode;
import ai.lepton.api.Recipe;
import ai.lepton.server.http.ApiException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RecipesTest {
  private static final String PEOPLE = """
      id,age,city,score
      1,30,Paris,1.5
      2,,Oslo,2.5
      3,40,Paris,NA
      2,,Oslo,2.5
      5,20,,4.5
      """;

  @TempDir Path dir;
  private final Recipes recipes = new Recipes(new Profiler(ProfileLimits.DEFAULT));

  private Path people() throws IOException {
    return Files.writeString(dir.resolve("people.upload"), PEOPLE);
  }

  private Recipes.Derivation apply(Path input, String recipe) {
    return recipes.apply(Profiler.Source.of(input), DatasetFormat.CSV, "people.csv",
        Recipes.parse(recipe));
  }

  /** The part's content, as it is rendered into its blob. */
  private static byte[] bytes(Recipes.Part part) throws IOException {
    try (InputStream in = part.content().get()) {
      return in.readAllBytes();
    }
  }

  private static String read(Recipes.Part part) throws IOException {
    return new String(bytes(part), StandardCharsets.UTF_8);
  }

  @Test
  void dropsRowsMissingAValue() throws IOException {
    Recipes.Derivation all = apply(people(), "{\"op\": \"drop_missing\"}");
    assertEquals("id,age,city,score\n1,30,Paris,1.5\n", read(all.parts().get(0)));
    Recipes.Derivation age = apply(people(), "{\"op\": \"drop_missing\", \"columns\": [\"age\"]}");
    assertEquals("data", age.parts().get(0).name());
    assertEquals(3, age.parts().get(0).rows());
    assertEquals("id,age,city,score\n1,30,Paris,1.5\n3,40,Paris,\n5,20,,4.5\n",
        read(age.parts().get(0)));
    assertEquals("{\"op\":\"drop_missing\",\"rowsIn\":5,\"rowsOut\":{\"data\":3}}",
        Recipes.json(age.parameters()));
  }

  @Test
  void fillsMissingValuesPerColumnAndRecordsTheFills() throws IOException {
    Recipes.Derivation d = apply(people(), """
        {"op": "fill_missing", "columns": {"score": {"strategy": "constant", "value": "0"},
         "age": {"strategy": "median"}, "city": {"strategy": "mode"}}}""");
    // median of 30, 40, 20; mode of Paris, Oslo, Paris, Oslo: the smaller of the tie
    assertEquals("""
        id,age,city,score
        1,30,Paris,1.5
        2,30,Oslo,2.5
        3,40,Paris,0
        2,30,Oslo,2.5
        5,20,Oslo,4.5
        """, read(d.parts().get(0)));
    assertEquals("{\"op\":\"fill_missing\",\"rowsIn\":5,\"fills\":{"
        + "\"age\":{\"strategy\":\"median\",\"value\":30.0},"
        + "\"city\":{\"strategy\":\"mode\",\"value\":\"Oslo\"},"
        + "\"score\":{\"strategy\":\"constant\",\"value\":0.0}},\"rowsOut\":{\"data\":5}}",
        Recipes.json(d.parameters()));
    Recipes.Derivation mean = apply(people(),
        "{\"op\": \"fill_missing\", \"columns\": {\"score\": {\"strategy\": \"mean\"}}}");
    assertTrue(read(mean.parts().get(0)).contains("\n3,40,Paris,2.75\n"));
  }

  @Test
  void dropsDuplicateRows() throws IOException {
    Recipes.Derivation d = apply(people(), "{\"op\": \"drop_duplicates\"}");
    assertEquals("id,age,city,score\n1,30,Paris,1.5\n2,,Oslo,2.5\n3,40,Paris,\n5,20,,4.5\n",
        read(d.parts().get(0)));
  }

  @Test
  void scalesNumericColumnsAndRecordsTheParameters() throws IOException {
    Recipes.Derivation minmax = apply(people(),
        "{\"op\": \"scale\", \"method\": \"minmax\", \"columns\": [\"age\"]}");
    assertEquals("id,age,city,score\n1,0.5,Paris,1.5\n2,,Oslo,2.5\n3,1,Paris,\n2,,Oslo,2.5\n"
        + "5,0,,4.5\n", read(minmax.parts().get(0)));
    assertEquals("{\"op\":\"scale\",\"rowsIn\":5,\"method\":\"minmax\",\"columns\":[\"age\"],"
        + "\"min\":[20.0],\"max\":[40.0],\"rowsOut\":{\"data\":5}}",
        Recipes.json(minmax.parameters()));

    Recipes.Derivation standard = apply(people(), "{\"op\": \"scale\", \"method\": \"standard\"}");
    assertEquals(List.of("id", "age", "score"), standard.parameters().get("columns"));
    @SuppressWarnings("unchecked")
    List<Double> means = (List<Double>) standard.parameters().get("mean");
    assertEquals(List.of(2.6, 30.0, 2.75), means);
    List<String> lines = read(standard.parts().get(0)).lines().toList();
    double std = Math.sqrt(200.0 / 3); // population std of 30, 40, 20
    assertEquals(10 / std, Double.parseDouble(lines.get(3).split(",")[1]), 1e-6);
    assertEquals("", lines.get(2).split(",", -1)[1]); // missing stays missing
  }

  @Test
  void splitsWithASeedIntoDisjointPartsRepeatably() throws IOException {
    StringBuilder csv = new StringBuilder("n,label\n");
    for (int i = 0; i < 100; i++) {
      csv.append(i).append(',').append(i % 3 == 0 ? "a" : "b").append('\n');
    }
    Path input = Files.writeString(dir.resolve("numbers"), csv.toString());
    String recipe = "{\"op\": \"split\", \"train\": 0.7, \"validation\": 0.1, \"test\": 0.2, "
        + "\"seed\": 42}";
    Recipes.Derivation first = apply(input, recipe);
    Recipes.Derivation second = apply(input, recipe);
    assertEquals(List.of("train", "validation", "test"),
        first.parts().stream().map(Recipes.Part::name).toList());
    assertEquals(List.of(70, 10, 20), first.parts().stream().map(Recipes.Part::rows).toList());
    Set<String> seen = new HashSet<>();
    for (int p = 0; p < 3; p++) {
      assertArrayEquals(bytes(first.parts().get(p)), bytes(second.parts().get(p)));
      assertArrayEquals(bytes(first.parts().get(p)), bytes(first.parts().get(p)),
          "each read of a part renders the same bytes");
      List<String> lines = read(first.parts().get(p)).lines().toList();
      assertEquals("n,label", lines.get(0));
      int[] ns = lines.stream().skip(1).mapToInt(l -> Integer.parseInt(l.split(",")[0])).toArray();
      assertArrayEquals(Arrays.stream(ns).sorted().toArray(), ns); // the input's order kept
      lines.stream().skip(1).forEach(l -> assertTrue(seen.add(l), "in two parts: " + l));
    }
    assertEquals(100, seen.size());
    assertEquals(Recipes.json(first.parameters()), Recipes.json(second.parameters()));
    assertEquals("{\"op\":\"split\",\"rowsIn\":100,\"seed\":42,\"fractions\":{\"train\":0.7,"
        + "\"validation\":0.1,\"test\":0.2},\"rowsOut\":{\"train\":70,\"validation\":10,"
        + "\"test\":20}}", Recipes.json(first.parameters()));
    assertEquals("train.csv", first.parts().get(0).fileName());
  }

  @Test
  void derivesJsonLinesAsJsonLines() throws IOException {
    Path input = Files.writeString(dir.resolve("rows"), """
        {"x": 1, "ok": true, "s": "a"}
        {"x": null, "ok": false, "s": "b"}
        {"x": 3, "ok": true, "s": null}
        """);
    Recipes.Derivation d = recipes.apply(Profiler.Source.of(input), DatasetFormat.JSONL,
        "rows.jsonl", Recipes.parse("{\"op\": \"fill_missing\", \"columns\": {\"x\": "
            + "{\"strategy\": \"mean\"}}}"));
    assertEquals("data.jsonl", d.parts().get(0).fileName());
    assertEquals("""
        {"x":1,"ok":true,"s":"a"}
        {"x":2,"ok":false,"s":"b"}
        {"x":3,"ok":true,"s":null}
        """, read(d.parts().get(0)));
  }

  @Test
  void refusesRecipesThatDoNotFitTheData() throws IOException {
    ApiException text = assertThrows(ApiException.class, () -> apply(people(),
        "{\"op\": \"scale\", \"method\": \"standard\", \"columns\": [\"city\"]}"));
    assertEquals(ErrorCode.UNPROCESSABLE, text.code());
    assertEquals("column 'city' of people.csv is CATEGORICAL, not numeric; name numeric columns "
        + "only", text.getMessage());
    ApiException unknown = assertThrows(ApiException.class, () -> apply(people(),
        "{\"op\": \"drop_missing\", \"columns\": [\"height\"]}"));
    assertEquals("people.csv has no column 'height'; its columns are [id, age, city, score]",
        unknown.getMessage());
    ApiException mean = assertThrows(ApiException.class, () -> apply(people(),
        "{\"op\": \"fill_missing\", \"columns\": {\"city\": {\"strategy\": \"mean\"}}}"));
    assertTrue(mean.getMessage().contains("'city' of people.csv is CATEGORICAL"),
        mean.getMessage());
    ApiException constant = assertThrows(ApiException.class, () -> apply(people(),
        "{\"op\": \"fill_missing\", \"columns\": {\"age\": {\"strategy\": \"constant\", "
            + "\"value\": \"old\"}}}"));
    assertTrue(constant.getMessage().contains("must be a finite number; received 'old'"),
        constant.getMessage());
    Path small = Files.writeString(dir.resolve("two"), "a\n1\n");
    ApiException split = assertThrows(ApiException.class, () -> apply(small,
        "{\"op\": \"split\", \"train\": 0.5, \"test\": 0.5, \"seed\": 1}"));
    assertEquals(ErrorCode.UNPROCESSABLE, split.code());
    assertEquals("splitting the 1 rows of people.csv with fractions train=0.5, validation=0.0, "
        + "test=0.5 leaves the train part empty; use more rows or change the fractions",
        split.getMessage());
    Path zip = TestFiles.zip(dir.resolve("zip"), Map.of("cat/1.png", TestFiles.png(2, 2, true)));
    ApiException images = assertThrows(ApiException.class, () -> recipes.apply(
        Profiler.Source.of(zip), DatasetFormat.IMAGE_ZIP, "pets.zip",
        new Recipe.DropDuplicates()));
    assertEquals("recipes apply to CSV and JSON lines datasets; pets.zip is IMAGE_ZIP; derive "
        + "from a tabular dataset", images.getMessage());
  }

  @Test
  void readsRecipesStrictly() {
    Recipe split = Recipes.parse("{\"op\": \"split\", \"train\": 0.8, \"test\": 0.2, "
        + "\"seed\": 3}");
    assertEquals(new Recipe.Split(0.8, 0.0, 0.2, 3L), split);
    assertEquals("{\"op\":\"split\",\"train\":0.8,\"validation\":0.0,\"test\":0.2,\"seed\":3}",
        Recipes.json(split));
    assertEquals(new Recipe.DropDuplicates(), Recipes.parse(Recipes.json(
        new Recipe.DropDuplicates())));
    Map<String, String> bad = Map.of(
        "{\"op\": \"shuffle\"}", "'shuffle'",
        "{\"columns\": []}", "op",
        "{\"op\": \"drop_duplicates\", \"extra\": 1}", "extra",
        "{\"op\": \"split\", \"train\": 0.8, \"test\": 0.2}", "split needs 'train'",
        "{\"op\": \"split\", \"train\": 0.8, \"test\": 0.3, \"seed\": 1}", "add up to 1",
        "{\"op\": \"scale\", \"method\": \"log\"}", "standard or minmax",
        "{\"op\": \"fill_missing\", \"columns\": {\"a\": {\"strategy\": \"mean\", "
            + "\"value\": \"1\"}}}", "exactly when its strategy is constant");
    bad.forEach((json, fragment) -> {
      ApiException e = assertThrows(ApiException.class, () -> Recipes.parse(json), json);
      assertEquals(ErrorCode.INVALID_ARGUMENT, e.code());
      assertTrue(e.getMessage().contains(fragment), json + " -> " + e.getMessage());
    });
  }
}
