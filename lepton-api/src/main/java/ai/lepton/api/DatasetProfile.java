package ai.lepton.api;

import java.util.List;

/**
 * What the server learned from reading a dataset file whole: its size, schema, statistics and a
 * preview. The sections that do not apply to the format are null.
 *
 * @param format the format the content was read as
 * @param rows rows (CSV, JSON lines), non-blank lines (text), images (image zip) or samples (IDX:
 *     the first dimension)
 * @param columns one entry per column, in file order (tabular formats; empty otherwise)
 * @param labelColumn the column named as the label or target, if any
 * @param classBalance the samples per class, most frequent first: of the label column, of the
 *     class folders of an image zip, or of the values of an IDX labels file; empty when there are
 *     no classes
 * @param preview the first rows as text, each value cut to a few hundred characters (for images
 *     the entry path and class, for IDX labels the label)
 * @param text the text section (TEXT)
 * @param images the images section (IMAGE_ZIP)
 * @param idx the IDX section (IDX)
 */
public record DatasetProfile(DatasetFormat format, long rows, List<ColumnProfile> columns,
    String labelColumn, List<ValueCount> classBalance, List<List<String>> preview,
    TextProfile text, ImagesProfile images, IdxProfile idx) {
  public DatasetProfile {
    columns = List.copyOf(columns);
    classBalance = List.copyOf(classBalance);
    preview = preview.stream().map(List::copyOf).toList();
  }
}
