package ai.lepton.examples;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.awt.image.BufferedImage;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Compiles and runs every {@code ```java} block of the repository's README.md, so the README cannot
 * drift from the API. Each block is compiled with javac against this module's test classpath (Lepton
 * Core and its dependencies) and run in a fresh JVM with {@code --add-modules jdk.incubator.vector},
 * in its own empty working directory that holds only the {@link #writeFixtures fixtures}. A compile
 * error names the README line; a run that exits non-zero fails with its output.
 */
class ReadmeTest {
  private static final long RUN_TIMEOUT_SECONDS = 120;

  @TempDir Path tmp;

  @TestFactory
  Stream<DynamicTest> everyJavaBlockInTheReadmeCompilesAndRuns() throws IOException {
    List<ReadmeSnippets.Snippet> snippets = ReadmeSnippets.extract(Files.readAllLines(readme()));
    // A guard against an extraction bug that would find nothing and so check nothing.
    assertTrue(snippets.size() >= 3,
        "expected the README's ```java blocks (at least 3), found " + snippets.size());
    return snippets.stream().map(s -> DynamicTest.dynamicTest(
        "README.md line " + s.fenceLine(), () -> compileAndRun(s)));
  }

  @Test
  void extractionUnindentsBlocksAndKeepsTheirReadmeLines() {
    List<String> markdown = List.of(
        "# Title",
        "```java",
        "int a = 1;",
        "```",
        "- a list item:",
        "  ```java",
        "  import java.util.List;",
        "  List<Integer> b = List.of(1);",
        "  ```");
    List<ReadmeSnippets.Snippet> snippets = ReadmeSnippets.extract(markdown);
    assertEquals(2, snippets.size());
    assertEquals(2, snippets.get(0).fenceLine());
    assertEquals(6, snippets.get(1).fenceLine());
    assertEquals(List.of("import java.util.List;", "List<Integer> b = List.of(1);"),
        snippets.get(1).lines());

    ReadmeSnippets.Source source = ReadmeSnippets.toSource(snippets.get(1));
    assertEquals("ReadmeLine6", source.className());
    assertEquals("import java.util.List;", source.lines().get(0));
    assertEquals(7, source.readmeLine(1));
    assertEquals(0, source.readmeLine(2), "the wrapper's class line has no README line");
    assertEquals(8, source.readmeLine(source.lines().indexOf("List<Integer> b = List.of(1);") + 1));
  }

  @Test
  void aBlockThatDeclaresAClassIsCompiledAsItIs() {
    ReadmeSnippets.Snippet snippet = new ReadmeSnippets.Snippet(10, List.of(
        "package com.example;", "", "public class App {", "  public static void main(String[] a) {}",
        "}"));
    ReadmeSnippets.Source source = ReadmeSnippets.toSource(snippet);
    assertEquals("com.example.App", source.className());
    assertEquals("App.java", source.fileName());
    assertEquals(snippet.lines(), source.lines());
    assertEquals(13, source.readmeLine(3));
  }

  @Test
  void anUnclosedBlockIsReported() {
    AssertionError e = assertThrows(AssertionError.class,
        () -> ReadmeSnippets.extract(List.of("text", "```java", "int a = 1;")));
    assertTrue(e.getMessage().contains("README.md line 2: the ```java block is never closed"),
        e.getMessage());
  }

  @Test
  void aCompileErrorNamesTheReadmeLineAndTheCode() {
    // Line 5 of this Markdown calls a method that does not exist; the wrapper shifts it in the
    // generated file, and the message must still point at README line 5.
    List<String> markdown = List.of(
        "text", "```java", "import ai.lepton.tensor.Tensor;", "", "Tensor t = Tensor.zeroes(2);",
        "```");
    ReadmeSnippets.Snippet snippet = ReadmeSnippets.extract(markdown).get(0);
    AssertionError e = assertThrows(AssertionError.class, () -> compileAndRun(snippet));
    assertTrue(e.getMessage().contains("README.md line 5: cannot find symbol"), e.getMessage());
    assertTrue(e.getMessage().contains("Tensor t = Tensor.zeroes(2);"), e.getMessage());
    assertTrue(e.getMessage().contains("block at README.md line 2"), e.getMessage());
  }

  @Test
  void aRunThatFailsReportsItsExitCodeAndOutput() {
    ReadmeSnippets.Snippet snippet = new ReadmeSnippets.Snippet(7, List.of(
        "System.out.println(\"about to fail\");", "System.exit(3);"));
    AssertionError e = assertThrows(AssertionError.class, () -> compileAndRun(snippet));
    assertTrue(e.getMessage().contains("README.md line 7 exited with code 3"), e.getMessage());
    assertTrue(e.getMessage().contains("about to fail"), e.getMessage());
  }

  private void compileAndRun(ReadmeSnippets.Snippet snippet) throws IOException,
      InterruptedException {
    ReadmeSnippets.Source source = ReadmeSnippets.toSource(snippet);
    Path dir = tmp.resolve("line-" + snippet.fenceLine());
    Path classes = Files.createDirectories(dir.resolve("classes"));
    Path work = Files.createDirectories(dir.resolve("work"));
    compile(snippet, source, Files.createDirectories(dir.resolve("src")), classes);
    writeFixtures(work);
    run(snippet, source, classes, work, dir.resolve("output.txt"));
  }

  private static void compile(ReadmeSnippets.Snippet snippet, ReadmeSnippets.Source source,
      Path src, Path classes) throws IOException {
    Path file = Files.write(src.resolve(source.fileName()), source.lines(), UTF_8);
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
    List<String> options = List.of("--add-modules", "jdk.incubator.vector", "-proc:none",
        "-classpath", classpath(), "-d", classes.toString());
    boolean compiled;
    try (StandardJavaFileManager files = javac.getStandardFileManager(diagnostics, Locale.ROOT,
        UTF_8)) {
      compiled = javac.getTask(null, files, diagnostics, options, null,
          files.getJavaFileObjects(file)).call();
    }
    if (compiled) {
      return;
    }
    StringBuilder message = new StringBuilder("The ```java block at README.md line ")
        .append(snippet.fenceLine()).append(" does not compile against today's API:\n");
    for (Diagnostic<? extends JavaFileObject> d : diagnostics.getDiagnostics()) {
      if (d.getKind() != Diagnostic.Kind.ERROR) {
        continue;
      }
      int line = source.readmeLine(d.getLineNumber());
      String code = d.getLineNumber() >= 1 ? source.lines().get((int) d.getLineNumber() - 1) : "";
      message.append(line > 0 ? "  README.md line " + line : "  (in the generated wrapper)")
          .append(": ").append(d.getMessage(Locale.ROOT)).append("\n      ").append(code.strip())
          .append('\n');
    }
    message.append("Fix the block in README.md: it must compile when pasted as it is, imports "
        + "included (statements are compiled as the body of a main method, a block with a "
        + "top-level class as it is).");
    fail(message.toString());
  }

  private static void run(ReadmeSnippets.Snippet snippet, ReadmeSnippets.Source source,
      Path classes, Path work, Path output) throws IOException, InterruptedException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process process = new ProcessBuilder(java, "--add-modules", "jdk.incubator.vector", "-cp",
        classes + File.pathSeparator + classpath(), source.className())
        .directory(work.toFile())
        .redirectErrorStream(true)
        .redirectOutput(output.toFile())
        .start();
    if (!process.waitFor(RUN_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor();
      fail("The ```java block at README.md line " + snippet.fenceLine() + " ran longer than "
          + RUN_TIMEOUT_SECONDS + " s; README snippets must finish in seconds (fewer epochs, "
          + "less data). Output so far:\n" + tail(output));
    }
    if (process.exitValue() != 0) {
      fail("The ```java block at README.md line " + snippet.fenceLine() + " exited with code "
          + process.exitValue() + " (run in " + work + "). Its output:\n" + tail(output));
    }
  }

  /**
   * Files every block finds in its working directory: {@code pets/train} and {@code pets/val},
   * folders of class folders ({@code cat}, {@code dog}) of small PNG images, for the image snippets.
   */
  private static void writeFixtures(Path work) throws IOException {
    int image = 0;
    for (String split : List.of("train", "val")) {
      for (String kind : List.of("cat", "dog")) {
        Path folder = Files.createDirectories(work.resolve("pets").resolve(split).resolve(kind));
        for (int i = 0; i < 4; i++, image++) {
          // Cats dark, dogs bright, each image a slightly different shade.
          int level = (kind.equals("cat") ? 40 : 200) + 4 * i;
          BufferedImage png = new BufferedImage(16, 16, BufferedImage.TYPE_INT_RGB);
          for (int y = 0; y < 16; y++) {
            for (int x = 0; x < 16; x++) {
              png.setRGB(x, y, (level << 16) | ((level + x) << 8) | (level + y));
            }
          }
          ImageIO.write(png, "png", folder.resolve(image + ".png").toFile());
        }
      }
    }
  }

  private static Path readme() {
    // Surefire runs tests in the module directory; the README is in the repository root above it.
    Path readme = Path.of("").toAbsolutePath().getParent().resolve("README.md");
    assertTrue(Files.isRegularFile(readme), "expected the repository's README.md at " + readme
        + "; run the test from the lepton-examples module directory (Maven does)");
    return readme;
  }

  private static String classpath() {
    return System.getProperty("java.class.path");
  }

  private static String tail(Path output) throws IOException {
    List<String> lines = Files.readAllLines(output, UTF_8);
    List<String> last = new ArrayList<>(lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    if (lines.size() > last.size()) {
      last.add(0, "... (" + (lines.size() - last.size()) + " lines before these)");
    }
    return String.join("\n", last);
  }
}
