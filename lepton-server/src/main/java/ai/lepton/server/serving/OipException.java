package ai.lepton.server.serving;

/**
 * An inference request the server refuses: its HTTP status and a message, safe to show the
 * client, saying what was wrong and how to fix it. Answered as the protocol's
 * {@code {"error": "..."}} body.
 */
final class OipException extends RuntimeException {
  private final int status;

  OipException(int status, String message) {
    super(message, null, false, false);
    this.status = status;
  }

  int status() {
    return status;
  }

  static OipException invalid(String message) {
    return new OipException(400, message);
  }

  static OipException tooLarge(String message) {
    return new OipException(413, message);
  }
}
