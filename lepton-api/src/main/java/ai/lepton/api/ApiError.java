package ai.lepton.api;

/**
 * The one error body of the API: {@code {"error": {"code", "message", "requestId"}}}. The message
 * says what was wrong and how to fix it, and is safe to show a client; the request id finds the
 * server's log lines for this request.
 */
public record ApiError(Body error) {
  public record Body(ErrorCode code, String message, String requestId) {}

  public static ApiError of(ErrorCode code, String message, String requestId) {
    return new ApiError(new Body(code, message, requestId));
  }
}
