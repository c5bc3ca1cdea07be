package ai.lepton.cli;

import ai.lepton.api.ColumnProfile;
import ai.lepton.api.ColumnType;
import ai.lepton.api.Dataset;
import ai.lepton.api.DatasetProfile;
import ai.lepton.api.DatasetVersion;
import ai.lepton.api.IdxProfile;
import ai.lepton.api.ImagesProfile;
import ai.lepton.api.TextProfile;
import ai.lepton.api.ValueCount;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/** A dataset version's profile as text for people: {@code lepton dataset show}. */
final class ProfileView {
  /** Classes and preview rows shown; the JSON has them all. */
  static final int MAX_CLASSES = 20;
  static final int MAX_PREVIEW = 10;
  private static final int TOP_VALUES = 3;

  private ProfileView() {}

  static void print(PrintWriter out, Dataset d, DatasetVersion v, DatasetProfile p) {
    out.println("Dataset " + Table.plain(d.name()) + " (" + d.id() + "), version " + v.number()
        + " of " + d.latestVersion());
    Table facts = new Table("", "").maxWidth(200);
    facts.row("  file", v.fileName() + " (" + v.format() + ", "
        + TransferProgress.bytes(v.sizeBytes()) + ")");
    facts.row("  sha256", v.sha256());
    facts.row("  rows", p.rows());
    facts.row("  created", Table.plain(v.createdAt()) + " by " + Table.plain(v.createdBy()));
    if (v.lineage() != null) {
      facts.row("  lineage", "from " + DatasetCommand.from(v.lineage()) + " by "
          + DatasetCommand.recipe(v.lineage()));
    }
    facts.printRows(out);
    sections(out, p);
    columns(out, p);
    classBalance(out, p);
    preview(out, p);
  }

  private static void sections(PrintWriter out, DatasetProfile p) {
    TextProfile t = p.text();
    if (t != null) {
      out.println();
      out.println("Text: " + t.lines() + " lines (" + t.blankLines() + " blank), length "
          + t.minLength() + "-" + t.maxLength() + " (mean " + num(t.meanLength()) + "), "
          + t.words() + " words, vocabulary " + t.vocabulary()
          + (t.vocabularyEstimated() ? " (estimated)" : ""));
    }
    ImagesProfile i = p.images();
    if (i != null) {
      out.println();
      out.println("Images: " + i.classes().size() + " classes, width " + i.minWidth() + "-"
          + i.maxWidth() + " px, height " + i.minHeight() + "-" + i.maxHeight()
          + " px, channels " + i.channels().stream().map(String::valueOf)
          .collect(Collectors.joining(", ")));
    }
    IdxProfile x = p.idx();
    if (x != null) {
      out.println();
      out.println("IDX: shape " + x.shape() + ", values " + x.minValue() + "-" + x.maxValue()
          + " (mean " + num(x.meanValue()) + ")");
    }
  }

  private static void columns(PrintWriter out, DatasetProfile p) {
    if (p.columns().isEmpty()) {
      return;
    }
    out.println();
    out.println("Columns (" + p.columns().size() + ")");
    Table table = new Table("NAME", "TYPE", "MISSING", "MIN", "MAX", "MEAN", "STD", "DISTINCT",
        "TOP VALUES");
    for (ColumnProfile c : p.columns()) {
      boolean numeric = c.type() == ColumnType.INTEGER || c.type() == ColumnType.NUMBER;
      table.row(c.name() + (c.name().equals(p.labelColumn()) ? " (label)" : ""), c.type(),
          c.missing() == 0 ? "0" : c.missing() + " (" + share(c.missing(), p.rows()) + ")",
          num(c.min()), num(c.max()), num(c.mean()), num(c.std()),
          c.distinct() + (c.distinctCapped() ? "+" : ""),
          numeric ? null : c.top().stream().limit(TOP_VALUES)
              .map(v -> v.value() + " (" + v.count() + ")").collect(Collectors.joining(", ")));
    }
    table.print(out);
  }

  private static void classBalance(PrintWriter out, DatasetProfile p) {
    if (p.classBalance().isEmpty()) {
      return;
    }
    long total = p.classBalance().stream().mapToLong(ValueCount::count).sum();
    out.println();
    out.println("Class balance" + (p.labelColumn() == null ? "" : " (" + Table.plain(
        p.labelColumn()) + ")") + ": " + p.classBalance().size() + " classes");
    Table table = new Table("CLASS", "COUNT", "SHARE");
    p.classBalance().stream().limit(MAX_CLASSES)
        .forEach(c -> table.row(c.value(), c.count(), share(c.count(), total)));
    table.print(out);
    if (p.classBalance().size() > MAX_CLASSES) {
      out.println("... and " + (p.classBalance().size() - MAX_CLASSES) + " more (--json lists "
          + "them all)");
    }
  }

  private static void preview(PrintWriter out, DatasetProfile p) {
    if (p.preview().isEmpty()) {
      return;
    }
    List<List<String>> rows = p.preview().subList(0, Math.min(MAX_PREVIEW, p.preview().size()));
    int width = rows.stream().mapToInt(List::size).max().orElse(0);
    out.println();
    out.println("Preview (first " + rows.size() + " of " + p.rows() + ")");
    Table table = new Table(previewHeader(p, width).toArray(String[]::new)).maxWidth(24);
    for (List<String> row : rows) {
      List<Object> cells = new ArrayList<>(row);
      while (cells.size() < width) {
        cells.add(null);
      }
      table.row(cells.toArray());
    }
    table.print(out);
  }

  private static List<String> previewHeader(DatasetProfile p, int width) {
    if (p.columns().size() == width) {
      return p.columns().stream().map(c -> Table.plain(c.name())).toList();
    }
    List<String> header = switch (p.format()) {
      case IMAGE_ZIP -> List.of("ENTRY", "CLASS");
      case IDX -> List.of("LABEL");
      case TEXT -> List.of("LINE");
      default -> List.of();
    };
    if (header.size() == width) {
      return header;
    }
    List<String> generic = new ArrayList<>();
    for (int i = 1; i <= width; i++) {
      generic.add("#" + i);
    }
    return generic;
  }

  /** A statistic: whole numbers as such, others to four significant digits; null as "-". */
  static String num(Double x) {
    if (x == null || x.isNaN()) {
      return "-";
    }
    if (x == Math.rint(x) && Math.abs(x) < 1e15) {
      return Long.toString(x.longValue());
    }
    String s = String.format(Locale.ROOT, "%.4g", x);
    return s.contains("e") ? s : s.replaceAll("0+$", "").replaceAll("\\.$", "");
  }

  private static String share(long part, long whole) {
    return whole <= 0 ? "-" : String.format(Locale.ROOT, "%.1f%%", 100.0 * part / whole);
  }
}
