package ai.lepton.server.tenancy;

import static ai.lepton.server.tenancy.TenancyWorld.code;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.lepton.api.AddMember;
import ai.lepton.api.ChangePassword;
import ai.lepton.api.CreateDepartment;
import ai.lepton.api.CreateProject;
import ai.lepton.api.CreateToken;
import ai.lepton.api.CreateUser;
import ai.lepton.api.Department;
import ai.lepton.api.ErrorCode;
import ai.lepton.api.Organization;
import ai.lepton.api.Project;
import ai.lepton.api.TokenCreated;
import ai.lepton.api.UpdateDepartment;
import ai.lepton.api.UpdateMember;
import ai.lepton.api.UserCreated;
import ai.lepton.server.db.TestDatabases;
import ai.lepton.server.http.ApiException;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The rules of tenancy and identity, on H2 and on PostgreSQL. */
class TenancyServiceTest {
  static List<TestDatabases.Named> databases() {
    return TestDatabases.both();
  }

  static ApiException fails(ErrorCode code, String fragment, Executable action) {
    ApiException e = assertThrows(ApiException.class, action);
    assertEquals(code, e.code(), e.getMessage());
    assertTrue(e.getMessage().contains(fragment), e.getMessage());
    return e;
  }

  @ParameterizedTest
  @MethodSource("databases")
  void theFirstStartCreatesOneAdministratorWithASingleUseLink(TestDatabases.Named kind) {
    try (TenancyWorld w = new TenancyWorld(kind)) {
      assertTrue(w.adminLink.matches("http://x:1/signin/[A-Za-z0-9_-]{43}"), w.adminLink);
      assertTrue(w.service.bootstrap("default", "other@lepton.local", "http://x:1").isEmpty(),
          "a second start creates nobody");
      fails(ErrorCode.UNAUTHENTICATED, "unknown, used or expired",
          () -> w.service.signInWithLink(code(w.adminLink), "10.0.0.1"));
      List<Organization> orgs = w.service.organizations(w.admin);
      assertEquals(1, orgs.size());
      assertEquals("default", orgs.get(0).name());
      assertEquals("owner", w.service.me(w.admin).memberships().get(0).role());
      assertTrue(w.service.me(w.admin).installationAdmin());
      assertFalse(w.service.me(w.admin).passwordSet(), "no default password");
    }
  }

  @ParameterizedTest
  @MethodSource("databases")
  void aSignInLinkExpiresAfter24Hours(TestDatabases.Named kind) {
    try (TenancyWorld w = new TenancyWorld(kind)) {
      UserCreated u = w.service.createUser(w.admin, new CreateUser("late@x.org", "Late"),
          "http://x:1");
      assertEquals(w.clock.instant().plus(Duration.ofHours(24)), u.linkExpiresAt());
      w.clock.advance(Duration.ofHours(24));
      fails(ErrorCode.UNAUTHENTICATED, "expired",
          () -> w.service.signInWithLink(code(u.signInLink()), "10.0.0.3"));
      fails(ErrorCode.CONFLICT, "exists already", () -> w.service.createUser(w.admin,
          new CreateUser("LATE@x.org", null), "http://x:1"));
    }
  }

  @ParameterizedTest
  @MethodSource("databases")
  void onlyInstallationAdministratorsCreateUsers(TestDatabases.Named kind) {
    try (TenancyWorld w = new TenancyWorld(kind)) {
      Principal bob = w.user("bob@x.org");
      fails(ErrorCode.PERMISSION_DENIED, "administrator of this installation",
          () -> w.service.createUser(bob, new CreateUser("eve@x.org", null), "http://x:1"));
      fails(ErrorCode.INVALID_ARGUMENT, "name@example.org",
          () -> w.service.createUser(w.admin, new CreateUser("not-an-email", null), "http://x"));
    }
  }

  @ParameterizedTest
  @MethodSource("databases")
  void passwordsAreSetThenSignInAndRateLimitsHold(TestDatabases.Named kind) {
    try (TenancyWorld w = new TenancyWorld(kind)) {
      fails(ErrorCode.INVALID_ARGUMENT, "at least 12",
          () -> w.service.changePassword(w.admin, new ChangePassword(null, "short"), null));
      w.service.changePassword(w.admin, new ChangePassword(null, "a long enough password"), null);
      fails(ErrorCode.PERMISSION_DENIED, "currentPassword is wrong",
          () -> w.service.changePassword(w.admin, new ChangePassword("wrong one here",
              "another long password"), null));
      assertNotNull(w.service.signIn("Admin@Lepton.local", "a long enough password", "10.1.1.1")
          .cookie());
      for (int i = 0; i < 4; i++) { // the sign-in above cleared the account's failures
        fails(ErrorCode.UNAUTHENTICATED, "email or password is wrong",
            () -> w.service.signIn("admin@lepton.local", "bad password!!", "10.1.1.1"));
      }
      // a fifth failure from another address
      fails(ErrorCode.UNAUTHENTICATED, "email or password is wrong",
          () -> w.service.signIn("admin@lepton.local", "bad password!!", "10.1.1.2"));
      fails(ErrorCode.RATE_LIMITED, "try again in",
          () -> w.service.signIn("admin@lepton.local", "a long enough password", "10.1.1.3"));
      assertTrue(w.service.signInRetryAfter("admin@lepton.local", "10.1.1.3").isPresent());
      w.clock.advance(TenancyService.SIGN_IN_WINDOW);
      assertNotNull(w.service.signIn("admin@lepton.local", "a long enough password", "10.1.1.3"));
      // per address: five failures on five accounts block a sixth from the same address
      for (int i = 0; i < 5; i++) {
        String email = "nobody" + i + "@x.org";
        fails(ErrorCode.UNAUTHENTICATED, "wrong",
            () -> w.service.signIn(email, "whatever password", "10.9.9.9"));
      }
      fails(ErrorCode.RATE_LIMITED, "try again",
          () -> w.service.signIn("admin@lepton.local", "a long enough password", "10.9.9.9"));
    }
  }

  @ParameterizedTest
  @MethodSource("databases")
  void changingThePasswordEndsTheOtherSessions(TestDatabases.Named kind) {
    try (TenancyWorld w = new TenancyWorld(kind)) {
      String org = w.service.organizations(w.admin).get(0).id();
      UserCreated u = w.service.createUser(w.admin, new CreateUser("p@x.org", null), "http://x");
      w.service.addMember(w.admin, org, new AddMember("p@x.org", "member", null));
      String here = w.service.signInWithLink(code(u.signInLink()), "10.0.0.7").cookie();
      Principal p = w.service.authenticateSession(here, "10.0.0.9");
      w.service.changePassword(p, new ChangePassword(null, "first password here"), here);
      String elsewhere = w.service.signIn("p@x.org", "first password here", "10.0.0.8").cookie();
      w.service.changePassword(p, new ChangePassword("first password here",
          "second password here"), here);
      w.service.authenticateSession(here, "10.0.0.9");
      fails(ErrorCode.UNAUTHENTICATED, "sign in again",
          () -> w.service.authenticateSession(elsewhere, "10.0.0.9"));
      fails(ErrorCode.PERMISSION_DENIED, "browser session", () -> w.service.changePassword(
          new Principal(p.userId(), p.email(), Principal.Via.TOKEN, Scope.ADMIN, org, null,
              "tok_x", null, "10.0.0.9"), new ChangePassword("second password here",
              "third password!!"), null));
    }
  }

  @ParameterizedTest
  @MethodSource("databases")
  void sessionsEndWhenIdleAndAtTheirAbsoluteLimit(TestDatabases.Named kind) {
    try (TenancyWorld w = new TenancyWorld(kind)) {
      UserCreated u = w.service.createUser(w.admin, new CreateUser("s@x.org", null), "http://x");
      String cookie = w.service.signInWithLink(code(u.signInLink()), "10.0.0.5").cookie();
      assertEquals("s@x.org", w.service.authenticateSession(cookie, "10.0.0.9").email());
      for (int i = 0; i < 15; i++) { // active every 11 hours: 165 hours after sign-in
        w.clock.advance(Duration.ofHours(11));
        w.service.authenticateSession(cookie, "10.0.0.9");
      }
      w.clock.advance(Duration.ofHours(11)); // 176 hours: past the 7 days (168 hours)
      fails(ErrorCode.UNAUTHENTICATED, "sign in again", () -> w.service.authenticateSession(
          cookie, "10.0.0.9"));

      UserCreated v = w.service.createUser(w.admin, new CreateUser("t@x.org", null), "http://x");
      String idle = w.service.signInWithLink(code(v.signInLink()), "10.0.0.5").cookie();
      w.clock.advance(TenancyService.SESSION_IDLE);
      fails(ErrorCode.UNAUTHENTICATED, "sign in again", () -> w.service.authenticateSession(
          idle, "10.0.0.9"));
    }
  }

  @ParameterizedTest
  @MethodSource("databases")
  void aDepartmentCannotMoveIntoItself(TestDatabases.Named kind) {
    try (TenancyWorld w = new TenancyWorld(kind)) {
      String org = w.service.organizations(w.admin).get(0).id();
      Department a = w.service.createDepartment(w.admin, org, new CreateDepartment("A", null));
      Department b = w.service.createDepartment(w.admin, org, new CreateDepartment("B", a.id()));
      Department c = w.service.createDepartment(w.admin, org, new CreateDepartment("C", b.id()));
      fails(ErrorCode.INVALID_ARGUMENT, "cycle", () -> w.service.updateDepartment(w.admin, org,
          a.id(), new UpdateDepartment(null, c.id())));
      fails(ErrorCode.INVALID_ARGUMENT, "cycle", () -> w.service.updateDepartment(w.admin, org,
          a.id(), new UpdateDepartment(null, a.id())));
      Department moved = w.service.updateDepartment(w.admin, org, c.id(),
          new UpdateDepartment("C2", ""));
      assertNull(moved.parentId());
      assertEquals("C2", w.service.department(w.admin, org, c.id()).name());
      Department under = w.service.updateDepartment(w.admin, org, a.id(),
          new UpdateDepartment(null, c.id()));
      assertEquals(c.id(), under.parentId(), "now that C is outside A, A may move under it");
      fails(ErrorCode.CONFLICT, "not empty", () -> w.service.deleteDepartment(w.admin, org,
          c.id()));
      w.service.deleteDepartment(w.admin, org, b.id());
      fails(ErrorCode.NOT_FOUND, "not found", () -> w.service.department(w.admin, org, b.id()));
    }
  }

  @ParameterizedTest
  @MethodSource("databases")
  void departmentsNestAtMostSixteenLevels(TestDatabases.Named kind) {
    try (TenancyWorld w = new TenancyWorld(kind)) {
      String org = w.service.organizations(w.admin).get(0).id();
      String parent = null;
      for (int i = 0; i < TenancyService.MAX_DEPARTMENT_DEPTH; i++) {
        parent = w.service.createDepartment(w.admin, org, new CreateDepartment("d" + i, parent))
            .id();
      }
      String last = parent;
      fails(ErrorCode.INVALID_ARGUMENT, "at most 16 levels", () -> w.service.createDepartment(
          w.admin, org, new CreateDepartment("too deep", last)));
    }
  }

  @ParameterizedTest
  @MethodSource("databases")
  void anotherOrganizationsIdsAnswerNotFoundLikeMissingOnes(TestDatabases.Named kind) {
    try (TenancyWorld w = new TenancyWorld(kind)) {
      String orgA = w.service.organizations(w.admin).get(0).id();
      Project pa = w.service.createProject(w.admin, orgA, new CreateProject("p", null, null));
      Principal bob = w.user("bob@x.org");
      Organization orgB = w.service.createOrganization(bob, "B");
      Project pb = w.service.createProject(bob, orgB.id(), new CreateProject("p", null, "d"));
      // bob is not in A; the admin is not in B
      ApiException foreign = fails(ErrorCode.NOT_FOUND, "not found",
          () -> w.service.organization(bob, orgA));
      ApiException missing = fails(ErrorCode.NOT_FOUND, "not found",
          () -> w.service.organization(bob, "org_aaaaaaaaaaaaaaaaaaaaaaaaaa"));
      assertEquals(missing.getMessage().replace("org_aaaaaaaaaaaaaaaaaaaaaaaaaa", "ID"),
          foreign.getMessage().replace(orgA, "ID"));
      // B's project under A's path
      ApiException crossed = fails(ErrorCode.NOT_FOUND, "project",
          () -> w.service.project(w.admin, orgA, pb.id()));
      assertEquals(("project '" + pb.id() + "' not found"), crossed.getMessage());
      assertEquals(pa, w.service.project(w.admin, orgA, pa.id()));
      fails(ErrorCode.CONFLICT, "already", () -> w.service.createProject(w.admin, orgA,
          new CreateProject("p", null, null)));
      fails(ErrorCode.NOT_FOUND, "not found", () -> w.service.deleteProject(bob, orgA, pa.id()));
    }
  }

  @ParameterizedTest
  @MethodSource("databases")
  void aDepartmentLimitedMemberWorksInsideItsDepartmentAndReadsElsewhere(
      TestDatabases.Named kind) {
    try (TenancyWorld w = new TenancyWorld(kind)) {
      String org = w.service.organizations(w.admin).get(0).id();
      Department lab = w.service.createDepartment(w.admin, org, new CreateDepartment("Lab", null));
      Department sub = w.service.createDepartment(w.admin, org,
          new CreateDepartment("Sub", lab.id()));
      Department other = w.service.createDepartment(w.admin, org,
          new CreateDepartment("Other", null));
      Principal carol = w.user("carol@x.org");
      w.service.addMember(w.admin, org, new AddMember("carol@x.org", "admin", lab.id()));
      assertEquals("Lab/1", w.service.createProject(carol, org,
          new CreateProject("Lab/1", sub.id(), null)).name());
      w.service.createDepartment(carol, org, new CreateDepartment("Sub2", lab.id()));
      fails(ErrorCode.PERMISSION_DENIED, "limited to department",
          () -> w.service.createProject(carol, org, new CreateProject("x", other.id(), null)));
      fails(ErrorCode.PERMISSION_DENIED, "limited to department",
          () -> w.service.createProject(carol, org, new CreateProject("x", null, null)));
      fails(ErrorCode.PERMISSION_DENIED, "limited to department",
          () -> w.service.addMember(carol, org, new AddMember("admin@lepton.local", "viewer",
              null)));
      assertEquals(4, w.service.departments(carol, org).size(), "reads elsewhere");
      fails(ErrorCode.CONFLICT, "not empty", () -> w.service.deleteDepartment(w.admin, org,
          lab.id()));
    }
  }

  @ParameterizedTest
  @MethodSource("databases")
  void anOrganizationKeepsAnOwner(TestDatabases.Named kind) {
    try (TenancyWorld w = new TenancyWorld(kind)) {
      String org = w.service.organizations(w.admin).get(0).id();
      fails(ErrorCode.CONFLICT, "at least one owner",
          () -> w.service.removeMember(w.admin, org, w.admin.userId()));
      fails(ErrorCode.CONFLICT, "at least one owner", () -> w.service.updateMember(w.admin, org,
          w.admin.userId(), new UpdateMember("admin", null)));
      Principal dan = w.user("dan@x.org");
      w.service.addMember(w.admin, org, new AddMember("dan@x.org", "admin", null));
      fails(ErrorCode.PERMISSION_DENIED, "needs owner", () -> w.service.updateMember(dan, org,
          dan.userId(), new UpdateMember("owner", null)));
      fails(ErrorCode.PERMISSION_DENIED, "needs owner",
          () -> w.service.removeMember(dan, org, w.admin.userId()));
      w.service.updateMember(w.admin, org, dan.userId(), new UpdateMember("owner", null));
      w.service.removeMember(w.admin, org, w.admin.userId());
      fails(ErrorCode.NOT_FOUND, "not found", () -> w.service.organization(w.admin, org));
      fails(ErrorCode.CONFLICT, "a member already", () -> w.service.addMember(dan, org,
          new AddMember("dan@x.org", "viewer", null)));
      fails(ErrorCode.INVALID_ARGUMENT, "role must be one of", () -> w.service.addMember(dan,
          org, new AddMember("admin@lepton.local", "superuser", null)));
      fails(ErrorCode.NOT_FOUND, "POST /api/v1/users", () -> w.service.addMember(dan, org,
          new AddMember("nobody@x.org", "viewer", null)));
      w.service.deleteOrganization(dan, org);
      assertTrue(w.service.organizations(dan).isEmpty());
    }
  }

  @ParameterizedTest
  @MethodSource("databases")
  void tokensExpireAndAreRevokedAndStoreOnlyAHash(TestDatabases.Named kind) {
    try (TenancyWorld w = new TenancyWorld(kind)) {
      String org = w.service.organizations(w.admin).get(0).id();
      var in30Days = w.clock.instant().plus(Duration.ofDays(30));
      TokenCreated t = w.service.createToken(w.admin, org,
          new CreateToken("ci", "write", null, in30Days));
      assertTrue(t.token().startsWith("lpt_"));
      String stored = w.db.jdbi().withHandle(h -> h.createQuery(
          "SELECT token_hash FROM api_token WHERE id = :id").bind("id", t.info().id())
          .mapTo(String.class).one());
      assertEquals(Secrets.hash(t.token()), stored);
      Principal p = w.tokenPrincipal(t);
      assertEquals(Scope.WRITE, p.scope());
      assertEquals(org, p.organizationId());
      assertNotNull(w.service.tokens(w.admin, org).get(0).lastUsedAt());

      fails(ErrorCode.PERMISSION_DENIED, "scope is write",
          () -> w.service.createDepartment(p, org, new CreateDepartment("no", null)));
      fails(ErrorCode.PERMISSION_DENIED, "scope admin", () -> w.service.createToken(p, org,
          new CreateToken("again", "read", null, in30Days)));

      w.clock.advance(Duration.ofDays(30));
      fails(ErrorCode.UNAUTHENTICATED, "expired", () -> w.tokenPrincipal(t));

      TokenCreated r = w.service.createToken(w.admin, org,
          new CreateToken("r", "read", null, w.clock.instant().plus(Duration.ofDays(1))));
      w.tokenPrincipal(r);
      w.service.revokeToken(w.admin, org, r.info().id());
      fails(ErrorCode.UNAUTHENTICATED, "revoked", () -> w.tokenPrincipal(r));
      fails(ErrorCode.UNAUTHENTICATED, "unknown",
          () -> w.service.authenticateToken("lpt_nope", "10.0.0.9"));

      fails(ErrorCode.INVALID_ARGUMENT, "expiresAt is required", () -> w.service.createToken(
          w.admin, org, new CreateToken("x", "read", null, null)));
      fails(ErrorCode.INVALID_ARGUMENT, "at most 365 days", () -> w.service.createToken(
          w.admin, org, new CreateToken("x", "read", null,
              w.clock.instant().plus(Duration.ofDays(366)))));
      fails(ErrorCode.INVALID_ARGUMENT, "in the future", () -> w.service.createToken(
          w.admin, org, new CreateToken("x", "read", null, w.clock.instant())));
      fails(ErrorCode.INVALID_ARGUMENT, "scope must be one of", () -> w.service.createToken(
          w.admin, org, new CreateToken("x", "root", null, in30Days)));
    }
  }

  @ParameterizedTest
  @MethodSource("databases")
  void aProjectLimitedTokenSeesOnlyItsProject(TestDatabases.Named kind) {
    try (TenancyWorld w = new TenancyWorld(kind)) {
      String org = w.service.organizations(w.admin).get(0).id();
      Project one = w.service.createProject(w.admin, org, new CreateProject("one", null, null));
      Project two = w.service.createProject(w.admin, org, new CreateProject("two", null, null));
      TokenCreated t = w.service.createToken(w.admin, org, new CreateToken("p1", "admin",
          one.id(), w.clock.instant().plus(Duration.ofDays(1))));
      Principal p = w.tokenPrincipal(t);
      assertEquals(List.of(one), w.service.projects(p, org));
      assertEquals(one, w.service.project(p, org, one.id()));
      fails(ErrorCode.NOT_FOUND, "not found", () -> w.service.project(p, org, two.id()));
      fails(ErrorCode.PERMISSION_DENIED, "limited to project", () -> w.service.members(p, org));
      fails(ErrorCode.PERMISSION_DENIED, "limited to project",
          () -> w.service.createProject(p, org, new CreateProject("three", null, null)));
      w.service.deleteProject(p, org, one.id());
      fails(ErrorCode.UNAUTHENTICATED, "unknown", () -> w.tokenPrincipal(t));
    }
  }

  @ParameterizedTest
  @MethodSource("databases")
  void removingAMemberRevokesTheirTokensThere(TestDatabases.Named kind) {
    try (TenancyWorld w = new TenancyWorld(kind)) {
      String org = w.service.organizations(w.admin).get(0).id();
      Principal erin = w.user("erin@x.org");
      w.service.addMember(w.admin, org, new AddMember("erin@x.org", "member", null));
      TokenCreated t = w.service.createToken(erin, org, new CreateToken("mine", "write", null,
          w.clock.instant().plus(Duration.ofDays(2))));
      assertEquals(1, w.service.tokens(erin, org).size());
      assertEquals(1, w.service.tokens(w.admin, org).size(), "admins list every member's");
      w.service.removeMember(w.admin, org, erin.userId());
      fails(ErrorCode.UNAUTHENTICATED, "revoked", () -> w.tokenPrincipal(t));
    }
  }

  @ParameterizedTest
  @MethodSource("databases")
  void namesAreCheckedForLengthAndControlCharacters(TestDatabases.Named kind) {
    try (TenancyWorld w = new TenancyWorld(kind)) {
      fails(ErrorCode.INVALID_ARGUMENT, "at most 100", () -> w.service.createOrganization(w.admin,
          "n".repeat(101)));
      fails(ErrorCode.INVALID_ARGUMENT, "control characters",
          () -> w.service.createOrganization(w.admin, "bad\u0000name"));
      fails(ErrorCode.INVALID_ARGUMENT, "U+000A", () -> w.service.createOrganization(w.admin,
          "two\nlines"));
      String org = w.service.organizations(w.admin).get(0).id();
      assertEquals("line one\n\tline two", w.service.createProject(w.admin, org,
          new CreateProject("described", null, "line one\n\tline two")).description());
      fails(ErrorCode.INVALID_ARGUMENT, "name is required",
          () -> w.service.createOrganization(w.admin, "  "));
      assertEquals("trimmed", w.service.createOrganization(w.admin, " trimmed ").name());
    }
  }
}
