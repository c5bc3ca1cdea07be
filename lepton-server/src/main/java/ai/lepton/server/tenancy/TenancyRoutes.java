package ai.lepton.server.tenancy;

import ai.lepton.api.AddMember;
import ai.lepton.api.ChangePassword;
import ai.lepton.api.CreateDepartment;
import ai.lepton.api.CreateOrganization;
import ai.lepton.api.CreateProject;
import ai.lepton.api.CreateToken;
import ai.lepton.api.CreateUser;
import ai.lepton.api.Department;
import ai.lepton.api.DepartmentList;
import ai.lepton.api.ErrorCode;
import ai.lepton.api.LinkSignIn;
import ai.lepton.api.Me;
import ai.lepton.api.Membership;
import ai.lepton.api.MembershipList;
import ai.lepton.api.Organization;
import ai.lepton.api.OrganizationList;
import ai.lepton.api.Project;
import ai.lepton.api.ProjectList;
import ai.lepton.api.SessionInfo;
import ai.lepton.api.SignIn;
import ai.lepton.api.TokenCreated;
import ai.lepton.api.TokenList;
import ai.lepton.api.UpdateDepartment;
import ai.lepton.api.UpdateMember;
import ai.lepton.api.UserCreated;
import ai.lepton.server.http.Api;
import ai.lepton.server.http.ApiException;
import ai.lepton.server.http.Authenticator;
import ai.lepton.server.http.Route;
import io.javalin.http.Context;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The HTTP API of tenancy and identity under {@code /api/v1} (and the page of a sign-in link), and
 * the authenticator every signed-in route goes through. Routes refuse requests by throwing
 * {@link ApiException} (the codes are documented on {@link TenancyService}'s methods), which the
 * pipeline answers with the one error body; sign-in answers 429 with a {@code Retry-After}
 * header.
 */
public final class TenancyRoutes {
  /** The browser session cookie. */
  public static final String COOKIE = "lepton_session";
  private static final String TAG = "tenancy";

  private final TenancyService service;
  private final boolean secureCookies;
  private final Supplier<String> baseUrl;

  /**
   * @param secureCookies mark the session cookie Secure (the server is reached over https)
   * @param baseUrl the server's public address, for sign-in links
   */
  public TenancyRoutes(TenancyService service, boolean secureCookies, Supplier<String> baseUrl) {
    this.service = service;
    this.secureCookies = secureCookies;
    this.baseUrl = baseUrl;
  }

  /** Resolves bearer tokens and session cookies into a {@link Principal}. */
  public Authenticator authenticator() {
    return new TenancyAuthenticator(service);
  }

  public List<Route> routes() {
    String org = "/api/v1/orgs/{org}";
    return List.of(
        // organizations
        Route.get("/api/v1/orgs").tag(TAG).summary("List the organizations you belong to")
            .returns(OrganizationList.class)
            .handle(ctx -> ctx.json(new OrganizationList(service.organizations(p(ctx))))),
        Route.post("/api/v1/orgs").tag(TAG).summary("Create an organization (you are its owner)")
            .reads(CreateOrganization.class).returns(Organization.class)
            .handle(ctx -> ctx.json(service.createOrganization(p(ctx),
                Api.body(ctx, CreateOrganization.class).name()))),
        Route.get(org).tag(TAG).summary("Get an organization").returns(Organization.class)
            .handle(ctx -> ctx.json(service.organization(p(ctx), ctx.pathParam("org")))),
        Route.delete(org).tag(TAG)
            .summary("Delete an organization and everything in it (owners)")
            .handle(ctx -> service.deleteOrganization(p(ctx), ctx.pathParam("org"))),
        // departments
        Route.get(org + "/departments").tag(TAG).summary("List departments")
            .returns(DepartmentList.class)
            .handle(ctx -> ctx.json(new DepartmentList(
                service.departments(p(ctx), ctx.pathParam("org"))))),
        Route.post(org + "/departments").tag(TAG)
            .summary("Create a department (admins), optionally inside another")
            .reads(CreateDepartment.class).returns(Department.class)
            .handle(ctx -> ctx.json(service.createDepartment(p(ctx), ctx.pathParam("org"),
                Api.body(ctx, CreateDepartment.class)))),
        Route.get(org + "/departments/{dept}").tag(TAG).summary("Get a department")
            .returns(Department.class)
            .handle(ctx -> ctx.json(service.department(p(ctx), ctx.pathParam("org"),
                ctx.pathParam("dept")))),
        Route.patch(org + "/departments/{dept}").tag(TAG)
            .summary("Rename or move a department (admins); a cycle is refused")
            .reads(UpdateDepartment.class).returns(Department.class)
            .handle(ctx -> ctx.json(service.updateDepartment(p(ctx), ctx.pathParam("org"),
                ctx.pathParam("dept"), Api.body(ctx, UpdateDepartment.class)))),
        Route.delete(org + "/departments/{dept}").tag(TAG)
            .summary("Delete an empty department (admins)")
            .handle(ctx -> service.deleteDepartment(p(ctx), ctx.pathParam("org"),
                ctx.pathParam("dept"))),
        // members
        Route.get(org + "/members").tag(TAG).summary("List members and their roles")
            .returns(MembershipList.class)
            .handle(ctx -> ctx.json(new MembershipList(
                service.members(p(ctx), ctx.pathParam("org"))))),
        Route.post(org + "/members").tag(TAG)
            .summary("Add a user by email with a role (admins; owners add owners)")
            .reads(AddMember.class).returns(Membership.class)
            .handle(ctx -> ctx.json(service.addMember(p(ctx), ctx.pathParam("org"),
                Api.body(ctx, AddMember.class)))),
        Route.patch(org + "/members/{user}").tag(TAG)
            .summary("Change a member's role or department (admins; owners for owners)")
            .reads(UpdateMember.class).returns(Membership.class)
            .handle(ctx -> ctx.json(service.updateMember(p(ctx), ctx.pathParam("org"),
                ctx.pathParam("user"), Api.body(ctx, UpdateMember.class)))),
        Route.delete(org + "/members/{user}").tag(TAG)
            .summary("Remove a member and revoke their tokens here (admins; anyone may leave)")
            .handle(ctx -> service.removeMember(p(ctx), ctx.pathParam("org"),
                ctx.pathParam("user"))),
        // projects
        Route.get(org + "/projects").tag(TAG).summary("List projects")
            .returns(ProjectList.class)
            .handle(ctx -> ctx.json(new ProjectList(
                service.projects(p(ctx), ctx.pathParam("org"))))),
        Route.post(org + "/projects").tag(TAG)
            .summary("Create a project (members), optionally in a department")
            .reads(CreateProject.class).returns(Project.class)
            .handle(ctx -> ctx.json(service.createProject(p(ctx), ctx.pathParam("org"),
                Api.body(ctx, CreateProject.class)))),
        Route.get(org + "/projects/{project}").tag(TAG).summary("Get a project")
            .returns(Project.class)
            .handle(ctx -> ctx.json(service.project(p(ctx), ctx.pathParam("org"),
                ctx.pathParam("project")))),
        Route.delete(org + "/projects/{project}").tag(TAG).summary("Delete a project (admins)")
            .handle(ctx -> service.deleteProject(p(ctx), ctx.pathParam("org"),
                ctx.pathParam("project"))),
        // API tokens
        Route.get(org + "/tokens").tag(TAG)
            .summary("List your API tokens here (every member's for admins)")
            .returns(TokenList.class)
            .handle(ctx -> ctx.json(new TokenList(
                service.tokens(p(ctx), ctx.pathParam("org"))))),
        Route.post(org + "/tokens").tag(TAG)
            .summary("Create an API token: scoped, expiring, optionally limited to a project;"
                + " its secret is shown once")
            .reads(CreateToken.class).returns(TokenCreated.class)
            .handle(ctx -> ctx.json(service.createToken(p(ctx), ctx.pathParam("org"),
                Api.body(ctx, CreateToken.class)))),
        Route.delete(org + "/tokens/{token}").tag(TAG)
            .summary("Revoke an API token (yours; any member's for admins)")
            .handle(ctx -> service.revokeToken(p(ctx), ctx.pathParam("org"),
                ctx.pathParam("token"))),
        // users
        Route.post("/api/v1/users").tag(TAG)
            .summary("Create a user with a one-time sign-in link (installation administrators)")
            .reads(CreateUser.class).returns(UserCreated.class)
            .handle(ctx -> ctx.json(service.createUser(p(ctx), Api.body(ctx, CreateUser.class),
                baseUrl.get()))),
        Route.get("/api/v1/me").tag(TAG).summary("Who you are and your memberships")
            .returns(Me.class)
            .handle(ctx -> ctx.json(service.me(p(ctx)))),
        Route.put("/api/v1/me/password").tag(TAG).status(204)
            .summary("Set your password (12-256 characters; the current one once set)")
            .reads(ChangePassword.class)
            .handle(ctx -> service.changePassword(p(ctx), Api.body(ctx, ChangePassword.class),
                ctx.cookie(COOKIE))),
        // browser sessions
        Route.post("/api/v1/session").tag(TAG).publicAccess()
            .summary("Sign in with email and password: sets the lepton_session cookie")
            .reads(SignIn.class).returns(SessionInfo.class)
            .handle(this::signIn),
        Route.post("/api/v1/session/link").tag(TAG).publicAccess()
            .summary("Sign in with a one-time link's code: sets the lepton_session cookie")
            .reads(LinkSignIn.class).returns(SessionInfo.class)
            .handle(this::signInWithLink),
        Route.get("/signin/{code}").tag(TAG).publicAccess()
            .summary("The page a one-time sign-in link opens: signs in, then asks for a password")
            .handle(ctx -> ctx.header("Content-Security-Policy",
                    SignInPage.CONTENT_SECURITY_POLICY)
                .header("Referrer-Policy", "no-referrer")
                .header("Cache-Control", "no-store")
                .html(SignInPage.HTML)),
        Route.get("/api/v1/session").tag(TAG)
            .summary("Your browser session and its CSRF token").returns(SessionInfo.class)
            .handle(ctx -> ctx.json(service.session(sessionCookie(ctx)))),
        Route.delete("/api/v1/session").tag(TAG).summary("Sign out")
            .handle(ctx -> {
              service.signOut(p(ctx), sessionCookie(ctx));
              ctx.res().addHeader("Set-Cookie", cookie("", 0));
            }));
  }

  private void signIn(Context ctx) {
    SignIn req = Api.body(ctx, SignIn.class);
    try {
      started(ctx, service.signIn(req.email(), req.password(), ctx.ip()));
    } catch (ApiException e) {
      if (e.code() == ErrorCode.RATE_LIMITED) {
        retryAfter(ctx, service.signInRetryAfter(req.email(), ctx.ip()));
      }
      throw e;
    }
  }

  private void signInWithLink(Context ctx) {
    LinkSignIn req = Api.body(ctx, LinkSignIn.class);
    try {
      started(ctx, service.signInWithLink(req.code(), ctx.ip()));
    } catch (ApiException e) {
      if (e.code() == ErrorCode.RATE_LIMITED) {
        retryAfter(ctx, service.signInRetryAfter(null, ctx.ip()));
      }
      throw e;
    }
  }

  private static void retryAfter(Context ctx, Optional<Duration> wait) {
    ctx.header("Retry-After", Long.toString(
        TenancyService.retrySeconds(wait.orElse(TenancyService.SIGN_IN_WINDOW))));
  }

  private void started(Context ctx, TenancyService.NewSession session) {
    ctx.res().addHeader("Set-Cookie", cookie(session.cookie(),
        TenancyService.SESSION_ABSOLUTE.toSeconds()));
    ctx.json(session.info());
  }

  private String cookie(String value, long maxAgeSeconds) {
    return COOKIE + "=" + value + "; Path=/; Max-Age=" + maxAgeSeconds
        + "; HttpOnly; SameSite=Strict" + (secureCookies ? "; Secure" : "");
  }

  private static String sessionCookie(Context ctx) {
    if (Principal.of(ctx).via() != Principal.Via.SESSION) {
      throw ApiException.invalid("this request authenticated with an API token, not a browser"
          + " session; sessions are made by POST /api/v1/session");
    }
    return ctx.cookie(COOKIE);
  }

  private static Principal p(Context ctx) {
    return Principal.of(ctx);
  }

}
