package ai.lepton.server.tenancy;

import ai.lepton.api.ErrorCode;
import ai.lepton.server.http.ApiException;
import io.javalin.http.Context;
import java.util.Objects;

/**
 * Who is calling: a user, the limits of the credential they called with, and where from. The
 * authenticator keeps it on the request; routes read it with {@link #of(Context)} and hand it to
 * the services, which check the user's role and these limits on every action and record the
 * address in the audit log.
 *
 * @param userId the user
 * @param email the user's email
 * @param via how the request authenticated
 * @param scope what the credential may do ({@link Scope#ADMIN} for a session: the role decides)
 * @param organizationId the one organization a token is limited to; null for a session
 * @param projectId the one project a token is limited to, or null
 * @param tokenId the token's id, or null for a session
 * @param csrfToken the session's CSRF token, or null for a token
 * @param clientAddress the IP address the request came from (the TCP peer, as Javalin's
 *     {@code ctx.ip()} sees it: a proxy's address behind a reverse proxy), or null
 */
public record Principal(String userId, String email, Via via, Scope scope,
    String organizationId, String projectId, String tokenId, String csrfToken,
    String clientAddress) {
  private static final String ATTRIBUTE = "lepton.principal";

  /** How a request authenticated. */
  public enum Via {
    /** {@code Authorization: Bearer lpt_...}. */
    TOKEN,
    /** The {@code lepton_session} cookie of a browser. */
    SESSION
  }

  public Principal {
    Objects.requireNonNull(userId, "userId");
    Objects.requireNonNull(email, "email");
    Objects.requireNonNull(via, "via");
    Objects.requireNonNull(scope, "scope");
  }

  /**
   * The principal of a signed-in request.
   *
   * @throws ApiException UNAUTHENTICATED when the request did not authenticate (a public route)
   */
  public static Principal of(Context ctx) {
    Principal p = ctx.attribute(ATTRIBUTE);
    if (p == null) {
      throw new ApiException(ErrorCode.UNAUTHENTICATED, "sign in first: send 'Authorization: "
          + "Bearer <token>' or a session cookie");
    }
    return p;
  }

  void attach(Context ctx) {
    ctx.attribute(ATTRIBUTE, this);
  }
}
