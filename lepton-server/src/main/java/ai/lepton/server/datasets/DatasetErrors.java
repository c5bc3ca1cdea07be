package ai.lepton.server.datasets;

import ai.lepton.LeptonException;
import ai.lepton.api.ErrorCode;
import ai.lepton.server.http.ApiException;
import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * The errors of reading a dataset file, as {@link ApiException}s the HTTP layer answers as they
 * are: {@link ErrorCode#UNPROCESSABLE} (422) when the content is not valid for its format, and
 * {@link ErrorCode#PAYLOAD_TOO_LARGE} (413) when it is over a limit. Messages name the dataset
 * file by the name its owner gave it, never by the server's temporary path, and say where (line,
 * column, zip entry) and what to change.
 */
final class DatasetErrors {
  /** Core's advice to a library user (raise a limit in code, more heap), not to an API client. */
  private static final Pattern LIBRARY_ADVICE = Pattern.compile(
      "(raise max\\w+ in [\\w.]+( or )?|pass a higher maxValues to Idx\\.read\\(file, maxValues\\)"
      + " if the file is genuine(, or )?|, or give the JVM more heap with -Xmx)");
  /** Core's words for a limit, as opposed to invalid content. */
  private static final Pattern LIMIT = Pattern.compile(
      "raise max\\w+|higher maxValues|over the budget");

  private DatasetErrors() {}

  static ApiException unprocessable(String message) {
    return new ApiException(ErrorCode.UNPROCESSABLE, message);
  }

  static ApiException tooLarge(String message) {
    return new ApiException(ErrorCode.PAYLOAD_TOO_LARGE, message);
  }

  /**
   * A Lepton Core reader's error as the API's: a limit answers 413, anything else 422; the local
   * {@code paths} in the message become {@code name}, and advice meant for code is dropped.
   */
  static ApiException fromCore(LeptonException e, String name, Path... paths) {
    String message = String.valueOf(e.getMessage());
    for (Path p : paths) {
      message = message.replace(p.toString(), name);
    }
    boolean limit = LIMIT.matcher(message).find();
    message = LIBRARY_ADVICE.matcher(message).replaceAll("").strip();
    if (message.endsWith(";")) {
      message = message.substring(0, message.length() - 1);
    }
    return limit ? tooLarge(message) : unprocessable(message);
  }
}
