package ai.lepton.server.http;

import ai.lepton.api.ErrorCode;

/**
 * A request the server refuses, with a stable code and a message that says what to fix; the one
 * exception a route throws on purpose. Anything else that escapes a route answers a generic 500
 * and goes to the log with the request id.
 */
public final class ApiException extends RuntimeException {
  private final ErrorCode code;

  public ApiException(ErrorCode code, String message) {
    super(message, null, false, false);
    this.code = code;
  }

  public ErrorCode code() {
    return code;
  }

  public static ApiException invalid(String message) {
    return new ApiException(ErrorCode.INVALID_ARGUMENT, message);
  }

  public static ApiException notFound(String what) {
    return new ApiException(ErrorCode.NOT_FOUND, what + " not found");
  }
}
