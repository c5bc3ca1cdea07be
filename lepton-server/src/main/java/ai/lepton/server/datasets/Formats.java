package ai.lepton.server.datasets;

import ai.lepton.api.DatasetFormat;

/**
 * Decides a file's format from what its owner declared and what its first bytes show: zip and
 * gzip magic numbers, the IDX header, a NUL byte for other binary content, then for text the first
 * character ({@code {} for JSON lines) and a comma in the first line (CSV). A declared format the
 * content contradicts answers 422; without a declaration the content decides.
 */
final class Formats {
  /** How much of the file is looked at. */
  static final int HEAD_BYTES = 4096;

  private Formats() {}

  /**
   * The format to read a file as.
   *
   * @param head the file's first {@link #HEAD_BYTES} bytes (all of a shorter file)
   * @param declared the format the upload declared, or null to detect it
   * @param name the file's name for messages
   */
  static DatasetFormat detect(byte[] head, DatasetFormat declared, String name) {
    if (head.length == 0) {
      throw DatasetErrors.unprocessable(name + " is empty; upload a file with data");
    }
    String seen = sniff(head);
    DatasetFormat sniffed = switch (seen) {
      case "zip" -> DatasetFormat.IMAGE_ZIP;
      case "gzip", "idx" -> DatasetFormat.IDX;
      case "binary" -> null;
      case "jsonl" -> DatasetFormat.JSONL;
      case "csv" -> DatasetFormat.CSV;
      default -> DatasetFormat.TEXT;
    };
    if (declared == null) {
      if (sniffed == null) {
        throw DatasetErrors.unprocessable(name + " is binary data of no supported format (it "
            + "holds a NUL byte in its first " + HEAD_BYTES + " bytes); upload CSV, JSON lines, "
            + "UTF-8 text, a zip of image class folders or an IDX file");
      }
      return sniffed;
    }
    if (sniffed == declared || compatible(declared, sniffed)) {
      return declared;
    }
    throw DatasetErrors.unprocessable(name + " was declared " + declared + " but its content "
        + "looks like " + describe(seen) + "; declare " + (sniffed == null ? "the right format"
        : "format " + sniffed) + " or upload a " + declared + " file");
  }

  /** Text read as lines fits any text format; a CSV with one column has no comma. */
  private static boolean compatible(DatasetFormat declared, DatasetFormat sniffed) {
    boolean text = sniffed == DatasetFormat.CSV || sniffed == DatasetFormat.JSONL
        || sniffed == DatasetFormat.TEXT;
    return (declared == DatasetFormat.TEXT && text)
        || (declared == DatasetFormat.CSV && sniffed == DatasetFormat.TEXT);
  }

  private static String sniff(byte[] b) {
    if (b.length >= 4 && b[0] == 'P' && b[1] == 'K' && (b[2] == 3 || b[2] == 5)) {
      return "zip";
    }
    if (b.length >= 2 && (b[0] & 0xff) == 0x1f && (b[1] & 0xff) == 0x8b) {
      return "gzip";
    }
    if (b.length >= 4 && b[0] == 0 && b[1] == 0 && b[2] == 0x08 && b[3] >= 1 && b[3] <= 4) {
      return "idx";
    }
    for (byte x : b) {
      if (x == 0) {
        return "binary";
      }
    }
    int i = b.length >= 3 && (b[0] & 0xff) == 0xef && (b[1] & 0xff) == 0xbb
        && (b[2] & 0xff) == 0xbf ? 3 : 0; // a UTF-8 byte order mark
    while (i < b.length && (b[i] == ' ' || b[i] == '\t' || b[i] == '\r' || b[i] == '\n')) {
      i++;
    }
    if (i < b.length && b[i] == '{') {
      return "jsonl";
    }
    for (; i < b.length && b[i] != '\n' && b[i] != '\r'; i++) {
      if (b[i] == ',') {
        return "csv";
      }
    }
    return "text";
  }

  private static String describe(String seen) {
    return switch (seen) {
      case "zip" -> "a zip archive (it starts with PK)";
      case "gzip" -> "gzip-compressed data (only IDX files are read compressed)";
      case "idx" -> "an IDX file (MNIST style)";
      case "binary" -> "binary data (it holds NUL bytes)";
      case "jsonl" -> "JSON lines (its first character is '{')";
      case "csv" -> "CSV (its first line holds commas)";
      default -> "plain text";
    };
  }
}
