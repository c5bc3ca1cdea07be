package ai.lepton.server.tenancy;

import ai.lepton.api.ErrorCode;
import ai.lepton.server.http.ApiException;
import ai.lepton.server.http.Authenticator;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;

/**
 * Resolves {@code Authorization: Bearer lpt_...} or the {@code lepton_session} cookie into a
 * {@link Principal} on the request. A request authenticated by the cookie that changes state
 * (POST, PUT, PATCH, DELETE) must carry the session's CSRF token in {@code X-CSRF-Token}; a bearer
 * token needs none (a browser never sends one by itself).
 */
final class TenancyAuthenticator implements Authenticator {
  static final String CSRF_HEADER = "X-CSRF-Token";

  private final TenancyService service;

  TenancyAuthenticator(TenancyService service) {
    this.service = service;
  }

  @Override
  public boolean authenticate(Context ctx) {
    String authorization = ctx.header("Authorization");
    if (authorization != null) {
      if (!authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
        throw new ApiException(ErrorCode.UNAUTHENTICATED, "the Authorization header must be"
            + " 'Bearer lpt_...' with an API token");
      }
      service.authenticateToken(authorization.substring(7).strip(), ctx.ip()).attach(ctx);
      return true;
    }
    String cookie = ctx.cookie(TenancyRoutes.COOKIE);
    if (cookie == null) {
      return false;
    }
    Principal p = service.authenticateSession(cookie, ctx.ip());
    if (changesState(ctx.method())
        && !Secrets.constantTimeEquals(ctx.header(CSRF_HEADER), p.csrfToken())) {
      throw new ApiException(ErrorCode.PERMISSION_DENIED, (ctx.header(CSRF_HEADER) == null
          ? "the " + CSRF_HEADER + " header is missing" : "the " + CSRF_HEADER + " header is"
          + " wrong") + ": a request signed in with the session cookie that changes something"
          + " must send the session's CSRF token (from POST or GET /api/v1/session) in it");
    }
    p.attach(ctx);
    return true;
  }

  private static boolean changesState(HandlerType method) {
    return method == HandlerType.POST || method == HandlerType.PUT
        || method == HandlerType.PATCH || method == HandlerType.DELETE;
  }
}
