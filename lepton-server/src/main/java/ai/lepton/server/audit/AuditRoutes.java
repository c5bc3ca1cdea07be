package ai.lepton.server.audit;

import ai.lepton.api.AuditEvent.Outcome;
import ai.lepton.api.AuditPage;
import ai.lepton.api.AuditVerification;
import ai.lepton.server.http.ApiException;
import ai.lepton.server.http.Route;
import ai.lepton.server.tenancy.Principal;
import ai.lepton.server.tenancy.Role;
import ai.lepton.server.tenancy.Scope;
import ai.lepton.server.tenancy.TenancyService;
import io.javalin.http.Context;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * The audit log over HTTP: an organization's events (newest first, filtered, paged) and the proof
 * that its chain is intact, for admins of the organization only (the log names everyone's
 * actions); the same for the installation's log ({@link AuditLog#INSTALLATION}: users, and
 * organizations created and deleted), for installation administrators only.
 */
public final class AuditRoutes {
  private static final String QUERY = "; query actor, action, resourceType, resourceId, outcome,"
      + " from, to, before, limit";
  private static final String VERIFY = ": intact, or the first event changed, removed or"
      + " inserted";

  private AuditRoutes() {}

  public static List<Route> routes(AuditLog audit, TenancyService tenancy) {
    // which log a request reads, once its caller may read it
    Function<Context, String> organization = ctx -> {
      String org = ctx.pathParam("org");
      tenancy.authorize(Principal.of(ctx), org, Role.ADMIN, Scope.READ);
      return org;
    };
    Function<Context, String> installation = ctx -> {
      tenancy.authorizeInstallation(Principal.of(ctx), Scope.READ);
      return AuditLog.INSTALLATION;
    };
    return List.of(
        Route.get("/api/v1/orgs/{org}/audit").tag("audit")
            .summary("The organization's audit events, newest first" + QUERY)
            .returns(AuditPage.class)
            .handle(ctx -> ctx.json(audit.list(organization.apply(ctx), query(ctx)))),
        Route.get("/api/v1/orgs/{org}/audit/verify").tag("audit")
            .summary("Checks the organization's hash chain" + VERIFY)
            .returns(AuditVerification.class)
            .handle(ctx -> ctx.json(audit.verify(organization.apply(ctx)))),
        Route.get("/api/v1/audit").tag("audit")
            .summary("The installation's audit events (users; organizations created and"
                + " deleted), newest first, for installation administrators" + QUERY)
            .returns(AuditPage.class)
            .handle(ctx -> ctx.json(audit.list(installation.apply(ctx), query(ctx)))),
        Route.get("/api/v1/audit/verify").tag("audit")
            .summary("Checks the installation's hash chain" + VERIFY)
            .returns(AuditVerification.class)
            .handle(ctx -> ctx.json(audit.verify(installation.apply(ctx)))));
  }

  private static AuditQuery query(Context ctx) {
    try {
      String outcome = ctx.queryParam("outcome");
      String before = ctx.queryParam("before");
      String limit = ctx.queryParam("limit");
      return new AuditQuery(ctx.queryParam("actor"), ctx.queryParam("action"),
          ctx.queryParam("resourceType"), ctx.queryParam("resourceId"),
          outcome == null ? null : Outcome.valueOf(outcome.toUpperCase(Locale.ROOT)),
          time(ctx.queryParam("from")), time(ctx.queryParam("to")),
          before == null ? null : Long.valueOf(before),
          limit == null ? 100 : Integer.parseInt(limit));
    } catch (IllegalArgumentException | DateTimeParseException e) {
      throw ApiException.invalid("bad audit query: " + e.getMessage() + "; outcome is success,"
          + " denied or failed, from and to are ISO-8601 instants (2026-12-02T08:00:00Z), before"
          + " a sequence number, limit 1-" + AuditQuery.MAX_LIMIT);
    }
  }

  private static Instant time(String s) {
    return s == null ? null : Instant.parse(s);
  }
}
