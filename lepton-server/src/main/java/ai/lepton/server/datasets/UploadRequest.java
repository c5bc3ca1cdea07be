package ai.lepton.server.datasets;

import ai.lepton.api.DatasetFormat;
import ai.lepton.server.http.ApiException;
import java.util.Arrays;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * What an upload declares besides its bytes: from the query of a raw {@code PUT}, or from the
 * fields of a multipart form. Every value is checked here and refused with INVALID_ARGUMENT (400)
 * naming the parameter and what it must be.
 *
 * @param format the declared format; the content must agree
 * @param fileName the file's base name, safe to show and to save under
 * @param label the label column of a tabular file, or null
 * @param sha256 the SHA-256 the client computed (64 lower-case hex digits), or null
 */
record UploadRequest(DatasetFormat format, String fileName, String label, String sha256) {
  /** The longest file name (the column holds 255). */
  static final int MAX_FILE_NAME = 255;
  /** The longest label column name. */
  static final int MAX_LABEL = 1024;
  private static final Pattern SHA256 = Pattern.compile("[0-9a-fA-F]{64}");

  /**
   * The declarations, checked.
   *
   * @throws ApiException INVALID_ARGUMENT for a missing or bad format or file name, a label with
   *     control characters or over {@value #MAX_LABEL} characters, or a sha256 that is not 64 hex
   *     digits
   */
  static UploadRequest of(String format, String fileName, String label, String sha256) {
    DatasetFormat f = format(format);
    String name = fileName(fileName);
    String l = label == null || label.isEmpty() ? null : label;
    if (l != null && (l.length() > MAX_LABEL || l.chars().anyMatch(Character::isISOControl))) {
      throw ApiException.invalid("label must name a column: at most " + MAX_LABEL
          + " characters, no control characters");
    }
    String sha = sha256 == null || sha256.isEmpty() ? null : sha256;
    if (sha != null && !SHA256.matcher(sha).matches()) {
      throw ApiException.invalid("sha256 must be the file's SHA-256 as 64 hex digits (as "
          + "sha256sum prints it), or left out");
    }
    return new UploadRequest(f, name, l, sha == null ? null : sha.toLowerCase(Locale.ROOT));
  }

  /**
   * The declared format, by its name in any case ({@code csv}, {@code IMAGE_ZIP}).
   *
   * @throws ApiException INVALID_ARGUMENT when it is missing or not a format
   */
  static DatasetFormat format(String value) {
    String all = Arrays.toString(DatasetFormat.values());
    if (value == null || value.isEmpty()) {
      throw ApiException.invalid("format is required: one of " + all);
    }
    try {
      return DatasetFormat.valueOf(value.strip().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw ApiException.invalid("format must be one of " + all + "; received '"
          + Profiler.shorten(printable(value)) + "'");
    }
  }

  /**
   * The file name, when it is a safe base name: no folder, nothing {@link SafeNames} refuses, not
   * hidden (a leading dot), at most {@value #MAX_FILE_NAME} characters.
   *
   * @throws ApiException INVALID_ARGUMENT otherwise, saying why
   */
  static String fileName(String value) {
    if (value == null || value.isBlank()) {
      throw ApiException.invalid("fileName is required: the file's name, such as iris.csv");
    }
    String why = value.indexOf('/') >= 0 && !value.startsWith("/")
        ? "holds a slash" : SafeNames.problem(value, MAX_FILE_NAME);
    if (why == null && value.startsWith(".")) {
      why = "starts with a dot";
    }
    if (why == null && !printable(value).equals(value)) {
      why = "holds a character that is not valid text";
    }
    if (why != null) {
      throw ApiException.invalid("fileName '" + Profiler.shorten(printable(value)) + "' " + why
          + "; give the file's own name without any folder, such as iris.csv");
    }
    return value;
  }

  /** {@code s} with control characters shown as '?', so a message cannot forge a log line. */
  static String printable(String s) {
    StringBuilder b = new StringBuilder(s.length());
    s.codePoints().forEach(c -> b.appendCodePoint(Character.isISOControl(c)
        || Character.getType(c) == Character.SURROGATE ? '?' : c));
    return b.toString();
  }
}
