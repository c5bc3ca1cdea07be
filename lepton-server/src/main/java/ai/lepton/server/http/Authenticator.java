package ai.lepton.server.http;

import io.javalin.http.Context;

/** Resolves the caller of a request, before any {@link Route.Access#SIGNED_IN} route runs. */
@FunctionalInterface
public interface Authenticator {
  /**
   * Resolves the request's credentials (a bearer token, a session cookie) and keeps the principal
   * on the context for the route.
   *
   * @return whether the request carries credentials that resolved to a principal; false when it
   *     carries none
   * @throws ApiException UNAUTHENTICATED for credentials that are invalid, expired or revoked,
   *     PERMISSION_DENIED for a cookie session's state change without its CSRF token
   */
  boolean authenticate(Context ctx);
}
