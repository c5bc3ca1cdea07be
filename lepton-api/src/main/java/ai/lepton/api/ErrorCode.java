package ai.lepton.api;

/**
 * Every error the API answers with: a stable code (what clients branch on) and its HTTP status. One
 * table, so the server, the client and the OpenAPI document agree.
 */
public enum ErrorCode {
  /** The request is malformed: bad JSON, unknown fields, a missing or out-of-range value. */
  INVALID_ARGUMENT(400),
  /** No valid credentials: no token, an unknown, expired or revoked one, or a failed sign-in. */
  UNAUTHENTICATED(401),
  /** Signed in, but the role or the token's scope does not allow this action. */
  PERMISSION_DENIED(403),
  /** No such resource in this organization (also the answer for another tenant's resources). */
  NOT_FOUND(404),
  /** The method is not allowed on this path. */
  METHOD_NOT_ALLOWED(405),
  /** The resource exists already, or its state does not allow the change. */
  CONFLICT(409),
  /** The body is larger than the limit for this endpoint. */
  PAYLOAD_TOO_LARGE(413),
  /** The body's content type or format is not one this endpoint reads. */
  UNSUPPORTED_MEDIA_TYPE(415),
  /** The upload was read but its content is not valid for its declared format. */
  UNPROCESSABLE(422),
  /** Too many requests (sign-in attempts, for example) from this client; retry later. */
  RATE_LIMITED(429),
  /** The headers are larger than the server accepts. */
  HEADERS_TOO_LARGE(431),
  /** Something unexpected failed on the server; the request id finds the detail in its log. */
  INTERNAL(500),
  /** The server cannot take the request now (starting, stopping, a dependency down). */
  UNAVAILABLE(503);

  private final int httpStatus;

  ErrorCode(int httpStatus) {
    this.httpStatus = httpStatus;
  }

  public int httpStatus() {
    return httpStatus;
  }
}
