package ai.lepton.cli;

import java.io.PrintWriter;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

/**
 * Rows printed as aligned columns under a header, for people ({@code --json} prints JSON instead):
 * a null cell prints as "-", a time to the second, and a cell longer than the column's limit is
 * cut with "...".
 */
final class Table {
  private final List<String> header;
  private final List<List<String>> rows = new ArrayList<>();
  private int maxWidth = 80;

  Table(String... header) {
    this.header = List.of(header);
  }

  /** Cuts cells to {@code max} characters (80 by default). */
  Table maxWidth(int max) {
    this.maxWidth = max;
    return this;
  }

  Table row(Object... cells) {
    List<String> r = new ArrayList<>();
    for (Object c : cells) {
      String s = plain(c);
      r.add(s.length() > maxWidth ? s.substring(0, maxWidth - 3) + "..." : s);
    }
    rows.add(r);
    return this;
  }

  /**
   * A value as text for a terminal: "-" for null, a time to the second, and control characters
   * (newlines, and escape sequences an uploaded file may hold) and invisible format characters
   * (bidirectional overrides) as '?', so that what the server stores cannot move the cursor,
   * recolor the terminal or reorder what it shows.
   */
  static String plain(Object value) {
    if (value == null) {
      return "-";
    }
    String s = value instanceof Instant t ? t.truncatedTo(ChronoUnit.SECONDS).toString()
        : value.toString();
    StringBuilder b = new StringBuilder(s.length());
    s.codePoints().forEach(c -> b.appendCodePoint(Character.isISOControl(c)
        || Character.getType(c) == Character.FORMAT ? '?' : c));
    return b.toString();
  }

  void print(PrintWriter out) {
    print(out, true);
    if (rows.isEmpty()) {
      out.println("(none)");
    }
  }

  /** The rows alone, aligned, without the header: a list of facts. */
  void printRows(PrintWriter out) {
    print(out, false);
  }

  private void print(PrintWriter out, boolean withHeader) {
    int[] width = new int[header.size()];
    for (int i = 0; i < width.length; i++) {
      width[i] = withHeader ? header.get(i).length() : 0;
      for (List<String> r : rows) {
        width[i] = Math.max(width[i], r.get(i).length());
      }
    }
    if (withHeader) {
      line(out, header, width);
    }
    for (List<String> r : rows) {
      line(out, r, width);
    }
  }

  private static void line(PrintWriter out, List<String> cells, int[] width) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < cells.size(); i++) {
      b.append(cells.get(i));
      if (i < cells.size() - 1) {
        b.append(" ".repeat(width[i] - cells.get(i).length() + 2));
      }
    }
    out.println(b.toString().stripTrailing());
  }
}
