package ai.lepton.examples;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code ```java} blocks of a Markdown file, each turned into a Java source file that keeps
 * track of which README line each of its lines came from, so that a compile error can name the
 * README line to fix.
 *
 * <p>A block is either a whole compilation unit (it declares a package or a top-level class, and is
 * compiled as it is) or statements, optionally preceded by imports: the imports go to the top of a
 * generated class and the statements into its {@code main} method. Nothing else is added, no
 * imports in particular, so a block compiles here only if a user can paste it as it is.
 */
final class ReadmeSnippets {
  // A top-level declaration starts in column 0; members and local classes are indented.
  private static final Pattern TOP_LEVEL_CLASS =
      Pattern.compile("^(?:public\\s+)?(?:final\\s+)?(?:class|record)\\s+(\\w+)");
  private static final Pattern PACKAGE = Pattern.compile("^package\\s+([\\w.]+)\\s*;");

  private ReadmeSnippets() {}

  /** A {@code ```java} block: the README line of its opening fence and its lines, unindented. */
  record Snippet(int fenceLine, List<String> lines) {
    Snippet {
      lines = List.copyOf(lines);
    }

    /** The README line of the block's {@code i}-th line (0-based). */
    int readmeLine(int i) {
      return fenceLine + 1 + i;
    }
  }

  /**
   * A generated source file: the class to run, its lines, and for each line the README line it
   * came from (0 for a line the wrapper added).
   */
  record Source(String className, List<String> lines, List<Integer> readmeLines) {
    Source {
      lines = List.copyOf(lines);
      readmeLines = List.copyOf(readmeLines);
    }

    /** The file name javac requires: the simple class name with {@code .java}. */
    String fileName() {
      return className.substring(className.lastIndexOf('.') + 1) + ".java";
    }

    /** The README line of a 1-based source line, or 0 if the wrapper wrote it (or it is out of range). */
    int readmeLine(long sourceLine) {
      return sourceLine >= 1 && sourceLine <= readmeLines.size()
          ? readmeLines.get((int) sourceLine - 1) : 0;
    }
  }

  /**
   * Every {@code ```java} block of {@code markdown} (its lines), in order. A fence may be indented
   * (a block inside a list item); that indentation is removed from the block's lines.
   *
   * @throws AssertionError if a block is never closed
   */
  static List<Snippet> extract(List<String> markdown) {
    List<Snippet> snippets = new ArrayList<>();
    for (int i = 0; i < markdown.size(); i++) {
      String line = markdown.get(i);
      if (!line.strip().equals("```java")) {
        continue;
      }
      int indent = line.indexOf('`');
      int fence = i + 1;
      List<String> body = new ArrayList<>();
      for (i++; i < markdown.size() && !markdown.get(i).strip().equals("```"); i++) {
        String code = markdown.get(i);
        int strip = 0;
        while (strip < indent && strip < code.length() && code.charAt(strip) == ' ') {
          strip++;
        }
        body.add(code.substring(strip));
      }
      if (i == markdown.size()) {
        throw new AssertionError("README.md line " + fence + ": the ```java block is never closed;"
            + " end it with a line of ```");
      }
      snippets.add(new Snippet(fence, body));
    }
    return snippets;
  }

  /** The source file that compiles {@code snippet}: as it is, or wrapped into a class with a main. */
  static Source toSource(Snippet snippet) {
    String packageName = null;
    String className = null;
    for (String line : snippet.lines()) {
      Matcher p = PACKAGE.matcher(line);
      Matcher c = TOP_LEVEL_CLASS.matcher(line);
      if (p.find()) {
        packageName = p.group(1);
      } else if (className == null && c.find()) {
        className = c.group(1);
      }
    }
    if (className != null) {
      List<Integer> readmeLines = new ArrayList<>();
      for (int i = 0; i < snippet.lines().size(); i++) {
        readmeLines.add(snippet.readmeLine(i));
      }
      String qualified = packageName == null ? className : packageName + "." + className;
      return new Source(qualified, snippet.lines(), readmeLines);
    }
    if (packageName != null) {
      throw new AssertionError("README.md line " + snippet.fenceLine() + ": the ```java block "
          + "declares package " + packageName + " but no top-level class; add the class or drop "
          + "the package line");
    }
    return wrap(snippet);
  }

  // Leading imports (with blank and comment lines among them) go above the class; everything from
  // the first other line on goes into main, so an import after a statement fails to compile, as it
  // would for a user pasting the block.
  private static Source wrap(Snippet snippet) {
    String className = "ReadmeLine" + snippet.fenceLine();
    List<String> lines = new ArrayList<>();
    List<Integer> readmeLines = new ArrayList<>();
    int body = 0;
    for (int i = 0; i < snippet.lines().size(); i++) {
      String line = snippet.lines().get(i).strip();
      if (line.startsWith("import ")) {
        body = i + 1;
      } else if (!line.isEmpty() && !line.startsWith("//")) {
        break;
      }
    }
    for (int i = 0; i < body; i++) {
      lines.add(snippet.lines().get(i));
      readmeLines.add(snippet.readmeLine(i));
    }
    lines.add("public final class " + className + " {");
    readmeLines.add(0);
    lines.add("  public static void main(String[] args) throws Exception {");
    readmeLines.add(0);
    for (int i = body; i < snippet.lines().size(); i++) {
      lines.add(snippet.lines().get(i));
      readmeLines.add(snippet.readmeLine(i));
    }
    lines.add("  }");
    readmeLines.add(0);
    lines.add("}");
    readmeLines.add(0);
    return new Source(className, lines, readmeLines);
  }
}
