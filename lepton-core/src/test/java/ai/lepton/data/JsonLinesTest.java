package ai.lepton.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.lepton.LeptonException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JsonLinesTest {
  @TempDir Path dir;

  private Path write(String content) throws IOException {
    return Files.writeString(dir.resolve("data.jsonl"), content);
  }

  private String error(JsonLines reader, String content) throws IOException {
    Path file = write(content);
    String message = assertThrows(LeptonException.class, () -> reader.read(file)).getMessage();
    return message.replace(file.toString(), "data.jsonl");
  }

  @Test
  void streamsRowsAsText() throws IOException {
    Path file = write("{\"x\": 1.5, \"ok\": true, \"s\": \"a\"}\n\n{\"x\": null, \"s\": 2}\n"
        + "{\"x\": [1]}\n");
    List<String> seen = new java.util.ArrayList<>();
    Rows rows = new Rows() {
      @Override
      public void columns(List<String> names) {
        seen.add(names.toString());
      }

      @Override
      public void row(long line, List<String> values) {
        seen.add(line + ":" + values);
      }
    };
    String message = assertThrows(LeptonException.class,
        () -> JsonLines.reader().forEachRow(file, rows)).getMessage();
    assertEquals(List.of("[x, ok, s]", "1:[1.5, true, a]", "3:[, , 2]"), seen);
    assertTrue(message.contains("line 4, field 'x': expected a string, number or boolean"),
        message);
  }

  @Test
  void streamsRowsFromAStreamNamedInMessages() {
    List<String> seen = new java.util.ArrayList<>();
    Rows rows = new Rows() {
      @Override
      public void columns(List<String> names) {
        seen.add(names.toString());
      }

      @Override
      public void row(long line, List<String> values) {
        seen.add(line + ":" + values);
      }
    };
    byte[] lines = "{\"x\": 1, \"s\": \"a\"}\n{\"x\": {}}\n".getBytes(StandardCharsets.UTF_8);
    String message = assertThrows(LeptonException.class, () -> JsonLines.reader().forEachRow(
        new ByteArrayInputStream(lines), "upload.jsonl", rows)).getMessage();
    assertEquals(List.of("[x, s]", "1:[1, a]"), seen);
    assertTrue(message.startsWith("upload.jsonl line 2, field 'x': expected a string"), message);
    byte[] latin1 = "{\"s\": \"caf\u00e9\"}\n".getBytes(StandardCharsets.ISO_8859_1);
    assertEquals("JSON lines file upload.jsonl is not valid UTF-8; save it as UTF-8",
        assertThrows(LeptonException.class, () -> JsonLines.reader().forEachRow(
            new ByteArrayInputStream(latin1), "upload.jsonl", rows)).getMessage());
  }

  @Test
  void readsATableFromAStreamAsFromAFileNamingItInMessages() throws IOException {
    String lines = "{\"x\": 1.5, \"s\": \"a\"}\n{\"x\": null, \"s\": \"b\"}\n";
    JsonLines reader = JsonLines.reader().strings("s");
    Table fromStream = reader.read(new ByteArrayInputStream(
        lines.getBytes(StandardCharsets.UTF_8)), "upload.jsonl");
    Table fromFile = reader.read(write(lines));
    assertEquals(fromFile.columns(), fromStream.columns());
    assertArrayEquals(fromFile.floats("x"), fromStream.floats("x"));
    assertArrayEquals(new String[] {"a", "b"}, fromStream.texts().get("s"));
    String message = assertThrows(LeptonException.class, () -> JsonLines.reader().read(
        new ByteArrayInputStream("{\"x\": [1]}\n".getBytes(StandardCharsets.UTF_8)),
        "upload.jsonl")).getMessage();
    assertTrue(message.startsWith("upload.jsonl line 1, field 'x': expected a number"), message);
  }

  @Test
  void readsTheFirstObjectsFieldsWithMissingValues() throws IOException {
    Table t = JsonLines.reader().strings("text").missing("NA").read(write(
        "{\"x\": 1.5, \"text\": \"a, b\"}\n"
        + "\n"
        + "{\"x\": \"NA\", \"text\": null}\r\n"
        + "{\"text\": \"c\", \"x\": \"2\"}"));
    assertEquals(List.of("x", "text"), t.columns());
    assertArrayEquals(new float[] {1.5f, Float.NaN, 2}, t.floats("x"));
    assertArrayEquals(new String[] {"a, b", "", "c"}, t.strings("text"));
  }

  @Test
  void readsSelectedFieldsInTheirOrder() throws IOException {
    Table t = JsonLines.reader().fields("y", "x").read(write(
        "{\"x\": 1, \"y\": 2, \"z\": {}}\n{\"x\": 3, \"y\": 4}\n"));
    assertEquals(List.of("y", "x"), t.columns());
    assertArrayEquals(new float[] {2, 1, 4, 3}, t.features("y", "x").toFloatArray());
  }

  @Test
  void refusesAnInvalidJsonLine() throws IOException {
    String message = error(JsonLines.reader(), "{\"x\": 1}\n{\"x\": 2,}\n");
    assertTrue(message.startsWith("data.jsonl line 2: invalid JSON ("), message);
    assertTrue(message.endsWith("); expected one JSON object per line"), message);
    assertTrue(error(JsonLines.reader(), "{\"x\": 1, \"x\": 2}\n")
        .startsWith("data.jsonl line 1: invalid JSON (Duplicate field 'x'"));
  }

  @Test
  void refusesALineThatIsNotAnObject() throws IOException {
    assertEquals("data.jsonl line 2: expected a JSON object, received [1,2]",
        error(JsonLines.reader(), "{\"x\": 1}\n[1, 2]\n"));
  }

  @Test
  void refusesValuesOfTheWrongType() throws IOException {
    assertEquals("data.jsonl line 2, column 'x': expected a number, received 'abc'; declare the "
        + "column with strings(\"x\") to keep it as text, or list the token with missing(...)",
        error(JsonLines.reader(), "{\"x\": 1}\n{\"x\": \"abc\"}\n"));
    assertEquals("data.jsonl line 1, field 'x': expected a number, received {\"a\":1}",
        error(JsonLines.reader(), "{\"x\": {\"a\": 1}}\n"));
  }

  @Test
  void refusesAnOverlongLineAndTooManyRows() throws IOException {
    assertEquals("data.jsonl line 2: longer than 12 characters; raise maxLineChars in ReadLimits",
        error(JsonLines.reader().limits(new ReadLimits(1000, 12, 10, 10)),
            "{\"x\": 1}\n{\"x\": 1000000}\n"));
    assertEquals(2, JsonLines.reader().limits(new ReadLimits(1000, 12, 10, 10))
        .read(write("{\"x\": 1}\r\n{\"x\": 1000}\r\n")).rows());
    assertEquals("data.jsonl line 3: more than 2 rows; raise maxRows in ReadLimits or split the "
        + "file", error(JsonLines.reader().limits(new ReadLimits(1000, 100, 10, 2)),
            "{\"x\": 1}\n{\"x\": 2}\n{\"x\": 3}\n"));
  }
}
