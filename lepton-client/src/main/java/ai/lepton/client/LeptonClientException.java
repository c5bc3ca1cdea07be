package ai.lepton.client;

import ai.lepton.api.ErrorCode;

/**
 * The server refused a request, or could not be reached. {@link #code()} is the server's stable
 * error code ({@link ErrorCode#UNAVAILABLE} when the server did not answer); the message is the
 * server's, which says what to fix.
 */
public final class LeptonClientException extends RuntimeException {
  private final ErrorCode code;
  private final int status;
  private final String requestId;

  LeptonClientException(ErrorCode code, int status, String message, String requestId,
      Throwable cause) {
    super(message + (requestId == null ? "" : " (request " + requestId + ")"), cause);
    this.code = code;
    this.status = status;
    this.requestId = requestId;
  }

  public ErrorCode code() {
    return code;
  }

  /** The HTTP status, or 0 when the server did not answer. */
  public int status() {
    return status;
  }

  /** The server's id of the request, for its operator's logs; null when it did not answer. */
  public String requestId() {
    return requestId;
  }
}
