package ai.lepton.data;

import ai.lepton.LeptonException;

/**
 * Limits on one tabular file ({@link Csv}, {@link JsonLines}). A line longer than
 * {@code maxLineChars} (not counting its line break) is refused before it is held in memory; a
 * record spanning several lines (a quoted CSV field holding newlines) counts as one line, the
 * newlines inside its quotes included.
 */
public record ReadLimits(long maxFileBytes, int maxLineChars, int maxColumns, int maxRows) {
  /** 2 GiB files, 1 Mi-character lines, 10,000 columns, 10 million rows. */
  public static final ReadLimits DEFAULT = new ReadLimits(2L << 30, 1 << 20, 10_000, 10_000_000);

  public ReadLimits {
    if (maxFileBytes < 1 || maxLineChars < 1 || maxColumns < 1 || maxRows < 1) {
      throw new LeptonException("read limits must all be positive; received maxFileBytes="
          + maxFileBytes + ", maxLineChars=" + maxLineChars + ", maxColumns=" + maxColumns
          + ", maxRows=" + maxRows);
    }
  }
}
