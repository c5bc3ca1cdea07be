package ai.lepton.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.lepton.LeptonException;
import ai.lepton.tensor.Tensor;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CsvTest {
  @TempDir Path dir;

  private Path write(String content) throws IOException {
    return Files.writeString(dir.resolve("data.csv"), content);
  }

  private String error(Csv csv, String content) throws IOException {
    Path file = write(content);
    String message = assertThrows(LeptonException.class, () -> csv.read(file)).getMessage();
    return message.replace(file.toString(), "data.csv");
  }

  @Test
  void streamsRowsAsTextWithTheirLines() throws IOException {
    Path file = write("a,b\n1,\"x\ny\"\n\n,NA\n");
    List<String> columns = new java.util.ArrayList<>();
    List<String> seen = new java.util.ArrayList<>();
    Csv.reader().forEachRow(file, new Rows() {
      @Override
      public void columns(List<String> names) {
        columns.addAll(names);
      }

      @Override
      public void row(long line, List<String> values) {
        seen.add(line + ":" + values);
      }
    });
    assertEquals(List.of("a", "b"), columns);
    assertEquals(List.of("2:[1, x\ny]", "5:[, NA]"), seen);
    Csv oneRow = Csv.reader().limits(new ReadLimits(1000, 100, 10, 1));
    Rows ignore = new Rows() {
      @Override
      public void columns(List<String> names) {}

      @Override
      public void row(long line, List<String> values) {}
    };
    assertEquals("data.csv line 5: more than 1 rows; raise maxRows in ReadLimits or split the "
        + "file", assertThrows(LeptonException.class, () -> oneRow.forEachRow(file, ignore))
        .getMessage().replace(file.toString(), "data.csv"));
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
    byte[] csv = "\uFEFFa,b\n1,\"x\ny\"\n".getBytes(StandardCharsets.UTF_8);
    Csv.reader().forEachRow(new ByteArrayInputStream(csv), "upload.csv", rows);
    assertEquals(List.of("[a, b]", "2:[1, x\ny]"), seen);
    byte[] latin1 = "a,b\n1,caf\u00e9\n".getBytes(StandardCharsets.ISO_8859_1);
    assertEquals("CSV file upload.csv is not valid UTF-8; save it as UTF-8",
        assertThrows(LeptonException.class, () -> Csv.reader().forEachRow(
            new ByteArrayInputStream(latin1), "upload.csv", rows)).getMessage());
    Csv oneRow = Csv.reader().limits(new ReadLimits(1000, 100, 10, 1));
    assertEquals("upload.csv line 3: more than 1 rows; raise maxRows in ReadLimits or split the "
        + "file", assertThrows(LeptonException.class, () -> oneRow.forEachRow(
            new ByteArrayInputStream("a\n1\n2\n".getBytes(StandardCharsets.UTF_8)),
            "upload.csv", rows)).getMessage());
  }

  @Test
  void readsATableFromAStreamAsFromAFileNamingItInMessages() throws IOException {
    String csv = "\uFEFFage,city\n31,Paris\nNA,Oslo\n";
    Csv reader = Csv.reader().strings("city").missing("NA");
    Table fromStream = reader.read(new ByteArrayInputStream(csv.getBytes(StandardCharsets.UTF_8)),
        "upload.csv");
    Table fromFile = reader.read(write(csv));
    assertEquals(fromFile.columns(), fromStream.columns());
    assertArrayEquals(fromFile.floats("age"), fromStream.floats("age"));
    assertArrayEquals(new String[] {"Paris", "Oslo"}, fromStream.texts().get("city"));
    String message = assertThrows(LeptonException.class, () -> Csv.reader().read(
        new ByteArrayInputStream("age\nx\n".getBytes(StandardCharsets.UTF_8)), "upload.csv"))
        .getMessage();
    assertTrue(message.startsWith("upload.csv line 2, column 'age': expected a number"),
        message);
  }

  @Test
  void readsTypedColumnsWithQuotesAndMissingValues() throws IOException {
    Path file = write("age,city,income,note\r\n"
        + "31,Paris,1.5,\"likes \"\"tea\"\", and, commas\"\r\n"
        + "\n"
        + "NA,\"New\nYork\",,plain\n"
        + "-2e1,Oslo,3,\"\"\n");
    Table t = Csv.reader().strings("city", "note").missing("NA").read(file);
    assertEquals(List.of("age", "city", "income", "note"), t.columns());
    assertEquals(3, t.rows());
    assertArrayEquals(new float[] {31, Float.NaN, -20}, t.floats("age"));
    assertArrayEquals(new float[] {1.5f, Float.NaN, 3}, t.floats("income"));
    assertArrayEquals(new String[] {"Paris", "New\nYork", "Oslo"}, t.strings("city"));
    assertArrayEquals(new String[] {"likes \"tea\", and, commas", "plain", ""}, t.strings("note"));

    Tensor x = t.features("income", "age");
    assertArrayEquals(new int[] {3, 2}, x.shape());
    assertArrayEquals(new float[] {1.5f, 31, Float.NaN, Float.NaN, 3, -20}, x.toFloatArray());
    assertArrayEquals(new float[] {1.5f, Float.NaN, 3}, t.label("income").toFloatArray());
  }

  @Test
  void readsWithoutHeaderAndWithAnotherDelimiter() throws IOException {
    Table t = Csv.reader().header(false).delimiter(';').read(write("1;2\n3;4"));
    assertEquals(List.of("column0", "column1"), t.columns());
    assertArrayEquals(new float[] {2, 4}, t.floats("column1"));
  }

  @Test
  void skipsAByteOrderMarkAndRefusesInvalidUtf8() throws IOException {
    assertEquals(List.of("a"), Csv.reader().read(write("\uFEFFa\n1\n")).columns());
    Path file = Files.write(dir.resolve("data.csv"), new byte[] {'a', '\n', (byte) 0xff});
    assertEquals("CSV file data.csv is not valid UTF-8; save it as UTF-8",
        assertThrows(LeptonException.class, () -> Csv.reader().read(file)).getMessage()
            .replace(file.toString(), "data.csv"));
  }

  @Test
  void namesFileLineAndColumnForTextInANumericColumn() throws IOException {
    assertEquals("data.csv line 4, column 'age': expected a number, received 'abc'; declare the "
        + "column with strings(\"age\") to keep it as text, or list the token with missing(...)",
        error(Csv.reader().strings("name"), "name,age\n\"a\nb\",1\nc,abc\n"));
  }

  @Test
  void refusesJavaNumberSyntax() throws IOException {
    assertEquals("data.csv line 2, column 'x': expected a number, received '1f'; declare the "
        + "column with strings(\"x\") to keep it as text, or list the token with missing(...)",
        error(Csv.reader(), "x\n1f\n"));
  }

  @Test
  void refusesAnUnterminatedQuote() throws IOException {
    assertEquals("data.csv line 3: unterminated quote; the file ends inside a quoted field; "
        + "close the quote or double quotes inside it as \"\"",
        error(Csv.reader().strings("a"), "a,b\n1,2\n\"x,3\n4,5\n"));
  }

  @Test
  void refusesARowWithTooManyFields() throws IOException {
    assertEquals("data.csv line 3: expected 2 fields as in the first row, received 3; quote "
        + "fields that contain the delimiter ','", error(Csv.reader(), "a,b\n1,2\n3,4,5\n"));
  }

  @Test
  void refusesMoreColumnsThanTheLimit() throws IOException {
    Csv csv = Csv.reader().limits(new ReadLimits(1000, 1000, 2, 1000));
    assertEquals("data.csv line 1: more than 2 columns; raise maxColumns in ReadLimits or check "
        + "the delimiter", error(csv, "a,b,c\n"));
  }

  @Test
  void refusesAnOverlongLineAndAnOverlongQuotedField() throws IOException {
    Csv csv = Csv.reader().limits(new ReadLimits(1000, 10, 10, 1000));
    String expected = "data.csv line 2: longer than 10 characters; raise maxLineChars in "
        + "ReadLimits or check for an unterminated quote";
    assertEquals(expected, error(csv, "a\n12345678901\n"));
    assertEquals(1, csv.read(write("a\r\n1234567890\r\n")).rows()); // line breaks not counted
    assertEquals(expected, error(csv.strings("a"), "a\n\"1\n2\n3\n4\n5\n6\n"));
  }

  @Test
  void refusesTooManyRowsAndTooLargeFiles() throws IOException {
    assertEquals("data.csv line 4: more than 2 rows; raise maxRows in ReadLimits or split the "
        + "file", error(Csv.reader().limits(new ReadLimits(1000, 100, 10, 2)), "a\n1\n2\n3\n"));
    assertEquals("CSV file data.csv has 8 bytes, over the limit of 4; raise maxFileBytes in "
        + "ReadLimits or split the file",
        error(Csv.reader().limits(new ReadLimits(4, 100, 10, 2)), "a\n1\n2\n3\n"));
  }

  @Test
  void refusesAQuoteFollowedByText() throws IOException {
    assertEquals("data.csv line 2: unexpected character 'x' after a closing quote; expected the "
        + "delimiter or the end of the line; double quotes inside a quoted field as \"\"",
        error(Csv.reader().strings("a"), "a\n\"1\"x\n"));
  }

  @Test
  void refusesAnUnknownTextColumnAndAWrongColumnType() throws IOException {
    assertEquals("data.csv: text column 'b' is not among the columns [a]; check the name passed "
        + "to strings(...)", error(Csv.reader().strings("b"), "a\n1\n"));
    Table t = Csv.reader().read(write("a\n1\n"));
    assertEquals("column 'a' holds numbers, not text; use floats(\"a\")",
        assertThrows(LeptonException.class, () -> t.strings("a")).getMessage());
    Table text = Csv.reader().strings("a").read(write("a\nx\n"));
    assertEquals("column 'a' holds text, not numbers; use strings(\"a\")",
        assertThrows(LeptonException.class, () -> text.label("a")).getMessage());
    assertEquals("no column 'z'; the columns are [a]",
        assertThrows(LeptonException.class, () -> t.features("z")).getMessage());
  }
}
