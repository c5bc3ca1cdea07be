package ai.lepton.server.datasets;

/**
 * Limits on reading one dataset file, checked while it is read so that memory and time stay bounded
 * whatever the file declares. Going over one answers 413 (PAYLOAD_TOO_LARGE).
 *
 * @param maxRows the most rows (CSV, JSON lines), lines (text) or samples (IDX)
 * @param maxColumns the most columns of a tabular file
 * @param maxDistinct the most distinct values tracked per column (and words of a text file): past
 *     it counts are capped or estimated, not refused; a file so wide that its columns together
 *     would track more than 200,000 values tracks fewer per column (at least 10)
 * @param maxLineChars the longest line (a CSV record with quoted line breaks counts as one)
 * @param maxImagePixels the most pixels one image may declare in its header
 * @param maxZipEntries the most entries in a zip archive
 * @param maxExpandedBytes the most bytes a compressed file (zip, gzip) may expand to, as declared
 *     by its headers and as read
 */
public record ProfileLimits(int maxRows, int maxColumns, int maxDistinct, int maxLineChars,
    long maxImagePixels, int maxZipEntries, long maxExpandedBytes) {
  /**
   * 10 million rows, 1,000 columns, 1,000 distinct values per column, 1 Mi-character lines, 40
   * megapixels per image, 100,000 zip entries, 4 GiB expanded.
   */
  public static final ProfileLimits DEFAULT =
      new ProfileLimits(10_000_000, 1_000, 1_000, 1 << 20, 40_000_000L, 100_000, 4L << 30);

  public ProfileLimits {
    if (maxRows < 1 || maxColumns < 1 || maxDistinct < 1 || maxLineChars < 1
        || maxImagePixels < 1 || maxZipEntries < 1 || maxExpandedBytes < 1) {
      throw new IllegalArgumentException("profile limits must all be positive; received " + "maxRows="
          + maxRows + ", maxColumns=" + maxColumns + ", maxDistinct=" + maxDistinct
          + ", maxLineChars=" + maxLineChars + ", maxImagePixels=" + maxImagePixels
          + ", maxZipEntries=" + maxZipEntries + ", maxExpandedBytes=" + maxExpandedBytes);
    }
  }
}
