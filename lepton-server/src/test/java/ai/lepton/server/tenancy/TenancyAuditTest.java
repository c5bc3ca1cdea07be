package ai.lepton.server.tenancy;

import static ai.lepton.server.tenancy.TenancyServiceTest.fails;
import static ai.lepton.server.tenancy.TenancyWorld.code;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.lepton.api.AddMember;
import ai.lepton.api.AuditEvent;
import ai.lepton.api.AuditEvent.Outcome;
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
import ai.lepton.server.audit.AuditLog;
import ai.lepton.server.db.TestDatabases;
import ai.lepton.server.http.ApiException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What tenancy records in the audit log, on H2 and on PostgreSQL: every change with its actor,
 * address and details (never a secret), sign-ins in each of the user's organizations, DENIED
 * events for refused members and none for outsiders, actions that do not happen when their event
 * cannot be recorded, and owners that cannot all be demoted at the same moment.
 */
class TenancyAuditTest {
  static List<TestDatabases.Named> databases() {
    return TestDatabases.both();
  }

  private static List<String> actions(List<AuditEvent> events) {
    return events.stream().map(AuditEvent::action).toList();
  }

  private static AuditEvent last(List<AuditEvent> events) {
    return events.get(events.size() - 1);
  }

  @ParameterizedTest
  @MethodSource("databases")
  void everyChangeIsRecordedWithItsActorAddressAndDetails(TestDatabases.Named kind) {
    try (TenancyWorld w = new TenancyWorld(kind)) {
      String org = w.org;
      Department lab = w.service.createDepartment(w.admin, org, new CreateDepartment("Lab", null));
      w.service.updateDepartment(w.admin, org, lab.id(), new UpdateDepartment("Lab 2", null));
      Principal bob = w.user("bob@x.org");
      w.service.addMember(w.admin, org, new AddMember("bob@x.org", "member", lab.id()));
      w.service.updateMember(w.admin, org, bob.userId(), new UpdateMember("admin", ""));
      Project p = w.service.createProject(bob, org, new CreateProject("p", null, null));
      TokenCreated t = w.service.createToken(bob, org, new CreateToken("ci", "write", p.id(),
          w.clock.instant().plus(Duration.ofDays(1))));
      w.service.revokeToken(w.admin, org, t.info().id());
      w.service.revokeToken(w.admin, org, t.info().id()); // again: nothing changes, no event
      TokenCreated cli = w.service.createToken(bob, org, new CreateToken("cli", "read", null,
          w.clock.instant().plus(Duration.ofDays(1))));
      w.service.deleteProject(w.admin, org, p.id());
      w.service.removeMember(w.admin, org, bob.userId());
      w.service.deleteDepartment(w.admin, org, lab.id());

      List<AuditEvent> events = w.events(org);
      assertEquals(List.of("installation.bootstrap", "session.create", "department.create",
          "department.update", "member.add", "member.update", "project.create", "token.create",
          "token.revoke", "token.create", "project.delete", "member.remove",
          "department.delete"),
          actions(events));
      AuditEvent boot = events.get(0);
      assertEquals(AuditLog.SYSTEM, boot.actor());
      assertEquals(Map.of("name", "default", "adminId", w.admin.userId(), "adminEmail",
          "admin@lepton.local"), boot.details());
      AuditEvent renamed = events.get(3);
      assertEquals(w.admin.userId(), renamed.actor());
      assertEquals("10.0.0.9", renamed.clientAddress());
      assertEquals("department", renamed.resourceType());
      assertEquals(lab.id(), renamed.resourceId());
      assertEquals(Map.of("name", "Lab 2", "previousName", "Lab"), renamed.details());
      AuditEvent promoted = events.get(5);
      assertEquals(bob.userId(), promoted.resourceId());
      assertEquals(Map.of("email", "bob@x.org", "role", "admin", "previousRole", "member",
          "previousDepartmentId", lab.id()), promoted.details());
      AuditEvent token = events.get(7);
      assertEquals(bob.userId(), token.actor());
      assertEquals(t.info().id(), token.resourceId());
      assertEquals("write", token.details().get("scope"));
      assertEquals(p.id(), token.details().get("projectId"));
      AuditEvent removed = events.get(11);
      assertEquals(Map.of("email", "bob@x.org", "role", "admin", "tokensRevoked", "1"),
          removed.details(), "the cli token, not the revoked ci token");
      for (AuditEvent e : events) {
        assertEquals(Outcome.SUCCESS, e.outcome(), e.toString());
        assertFalse(e.toString().contains(t.token()) || e.toString().contains(cli.token()),
            "no token secret in " + e);
      }
      assertTrue(w.audit.verify(org).intact());
    }
  }

  @ParameterizedTest
  @MethodSource("databases")
  void organizationsAndUsersAreAlsoRecordedInTheInstallationsLog(TestDatabases.Named kind) {
    try (TenancyWorld w = new TenancyWorld(kind)) {
      Principal bob = w.user("bob@x.org");
      Organization b = w.service.createOrganization(bob, "B");
      w.service.deleteOrganization(bob, b.id());
      fails(ErrorCode.PERMISSION_DENIED, "administrator of this installation",
          () -> w.service.createUser(bob, new CreateUser("eve@x.org", null), "http://x"));

      List<AuditEvent> installation = w.events(AuditLog.INSTALLATION);
      assertEquals(List.of("installation.bootstrap", "user.create", "organization.create",
          "organization.delete", "user.create"), actions(installation));
      assertEquals(Map.of("email", "bob@x.org", "displayName", "bob@x.org"),
          installation.get(1).details());
      assertEquals(bob.userId(), installation.get(1).resourceId());
      assertEquals(Map.of("name", "B"), installation.get(3).details());
      AuditEvent refused = installation.get(4);
      assertEquals(Outcome.DENIED, refused.outcome());
      assertEquals(bob.userId(), refused.actor());
      assertTrue(refused.details().get("reason").contains("administrator of this installation"));
      // the deleted organization's own log ends with its deletion, and still verifies
      assertEquals(List.of("organization.create", "organization.delete"),
          actions(w.events(b.id())));
      assertTrue(w.audit.verify(b.id()).intact());
      assertTrue(w.audit.verify(AuditLog.INSTALLATION).intact());
    }
  }

  @ParameterizedTest
  @MethodSource("databases")
  void signInsAreRecordedInEachOfTheUsersOrganizations(TestDatabases.Named kind) {
    try (TenancyWorld w = new TenancyWorld(kind)) {
      UserCreated made = w.service.createUser(w.admin, new CreateUser("carol@x.org", null),
          "http://x");
      w.service.addMember(w.admin, w.org, new AddMember("carol@x.org", "viewer", null));
      Organization other = w.service.createOrganization(w.admin, "Other");
      w.service.addMember(w.admin, other.id(), new AddMember("carol@x.org", "viewer", null));
      List<String> both = List.of(w.org, other.id());
      int[] before = {w.events(w.org).size(), w.events(other.id()).size()};

      TenancyService.NewSession byLink = w.service.signInWithLink(code(made.signInLink()),
          "10.1.0.1");
      fails(ErrorCode.UNAUTHENTICATED, "used or expired",
          () -> w.service.signInWithLink(code(made.signInLink()), "10.1.0.2"));
      Principal carol = w.service.authenticateSession(byLink.cookie(), "10.1.0.1");
      w.service.changePassword(carol, new ChangePassword(null, "carol's password"),
          byLink.cookie());
      fails(ErrorCode.UNAUTHENTICATED, "wrong",
          () -> w.service.signIn("carol@x.org", "not her password", "10.1.0.3"));
      fails(ErrorCode.UNAUTHENTICATED, "wrong",
          () -> w.service.signIn("nobody@x.org", "not a password", "10.1.0.4"));
      TenancyService.NewSession byPassword = w.service.signIn("Carol@x.org",
          "carol's password", "10.1.0.5");
      w.service.signOut(w.service.authenticateSession(byPassword.cookie(), "10.1.0.5"),
          byPassword.cookie());

      for (int i = 0; i < both.size(); i++) {
        List<AuditEvent> events = w.events(both.get(i));
        List<AuditEvent> carols = events.subList(before[i], events.size());
        assertEquals(List.of("session.create", "session.create", "password.change",
            "session.create", "session.create", "session.delete"), actions(carols),
            "nothing for the unknown email");
        for (AuditEvent e : carols) {
          assertEquals(carol.userId(), e.actor());
          assertEquals("user", e.resourceType());
          assertEquals(carol.userId(), e.resourceId());
          assertFalse(e.toString().contains("carol's password"), e.toString());
          assertFalse(e.toString().contains(code(made.signInLink())), e.toString());
        }
        assertEquals(List.of("10.1.0.1", "10.1.0.2", "10.1.0.1", "10.1.0.3", "10.1.0.5",
            "10.1.0.5"), carols.stream().map(AuditEvent::clientAddress).toList());
        assertEquals(List.of(Outcome.SUCCESS, Outcome.FAILED, Outcome.SUCCESS, Outcome.FAILED,
            Outcome.SUCCESS, Outcome.SUCCESS), carols.stream().map(AuditEvent::outcome).toList());
        assertEquals(Map.of("method", "link"), carols.get(0).details());
        assertEquals(Map.of("method", "link", "reason", "the link was used or has expired"),
            carols.get(1).details());
        assertEquals(Map.of("method", "password", "reason", "wrong password"),
            carols.get(3).details());
        assertEquals(Map.of("method", "password"), carols.get(4).details());
      }
    }
  }

  @ParameterizedTest
  @MethodSource("databases")
  void failedSignInsStopBeingRecordedWhenTheLimiterRefuses(TestDatabases.Named kind) {
    try (TenancyWorld w = new TenancyWorld(kind)) {
      w.service.changePassword(w.admin, new ChangePassword(null, "the admin password"), null);
      int before = w.events(w.org).size();
      for (int i = 0; i < TenancyService.SIGN_IN_FAILURES + 3; i++) {
        String address = "10.2.0." + i;
        assertThrows(ApiException.class,
            () -> w.service.signIn("admin@lepton.local", "wrong password!", address));
      }
      List<AuditEvent> events = w.events(w.org);
      assertEquals(TenancyService.SIGN_IN_FAILURES, events.size() - before,
          "the rate limiter caps the FAILED events an attacker can cause");
      assertTrue(events.subList(before, events.size()).stream()
          .allMatch(e -> e.outcome() == Outcome.FAILED));
    }
  }

  @ParameterizedTest
  @MethodSource("databases")
  void refusedMembersLeaveADeniedEventAndOutsidersNone(TestDatabases.Named kind) {
    try (TenancyWorld w = new TenancyWorld(kind)) {
      Principal viewer = w.user("viewer@x.org");
      w.service.addMember(w.admin, w.org, new AddMember("viewer@x.org", "viewer", null));
      Principal outsider = w.user("outsider@x.org");
      Project p = w.service.createProject(w.admin, w.org, new CreateProject("p", null, null));
      TokenCreated limited = w.service.createToken(w.admin, w.org, new CreateToken("one", "admin",
          p.id(), w.clock.instant().plus(Duration.ofDays(1))));
      int before = w.events(w.org).size();

      fails(ErrorCode.PERMISSION_DENIED, "needs admin", () -> w.service.createDepartment(viewer,
          w.org, new CreateDepartment("D", null)));
      fails(ErrorCode.PERMISSION_DENIED, "needs admin", () -> w.service.deleteProject(viewer,
          w.org, p.id()));
      // a hostile id in a refused request is not recorded
      String hostile = "../" + "x".repeat(500);
      fails(ErrorCode.PERMISSION_DENIED, "limited to project", () -> w.service.deleteDepartment(
          w.tokenPrincipal(limited), w.org, hostile));
      // not a member: 404, and nothing in this organization's log
      fails(ErrorCode.NOT_FOUND, "not found", () -> w.service.createDepartment(outsider, w.org,
          new CreateDepartment("D", null)));
      fails(ErrorCode.NOT_FOUND, "not found", () -> w.service.deleteProject(outsider, w.org,
          p.id()));

      List<AuditEvent> events = w.events(w.org);
      List<AuditEvent> refused = events.subList(before, events.size());
      assertEquals(List.of("department.create", "project.delete", "department.delete"),
          actions(refused));
      for (AuditEvent e : refused) {
        assertEquals(Outcome.DENIED, e.outcome());
      }
      assertEquals(viewer.userId(), refused.get(0).actor());
      assertEquals("10.0.0.9", refused.get(0).clientAddress());
      assertTrue(refused.get(0).details().get("reason").contains("viewer"), refused.toString());
      assertEquals(p.id(), refused.get(1).resourceId());
      assertNull(refused.get(2).resourceId());
      assertEquals(limited.info().id(), refused.get(2).details().get("token"));
      assertTrue(w.audit.verify(w.org).intact());
    }
  }

  @ParameterizedTest
  @MethodSource("databases")
  void anActionWhoseEventCannotBeBuiltDoesNotHappen(TestDatabases.Named kind) {
    try (TenancyWorld w = new TenancyWorld(kind)) {
      // a client address past the audit log's limit (100 characters): the event cannot be made
      Principal far = new Principal(w.admin.userId(), w.admin.email(), Principal.Via.SESSION,
          Scope.ADMIN, null, null, null, "csrf", "x".repeat(101));
      int before = w.events(w.org).size();
      assertThrows(IllegalArgumentException.class, () -> w.service.createProject(far, w.org,
          new CreateProject("never", null, null)));
      assertTrue(w.service.projects(w.admin, w.org).isEmpty(), "the project was not created");
      assertEquals(before, w.events(w.org).size());
    }
  }

  @ParameterizedTest
  @MethodSource("databases")
  void anActionWhoseEventTheDatabaseRefusesDoesNotHappen(TestDatabases.Named kind) {
    try (TenancyWorld w = new TenancyWorld(kind)) {
      w.user("dan@x.org");
      UserCreated erin = w.service.createUser(w.admin, new CreateUser("erin@x.org", null),
          "http://x");
      w.service.addMember(w.admin, w.org, new AddMember("erin@x.org", "viewer", null));
      int before = w.events(w.org).size();
      // a real constraint refuses every further event of this organization
      w.db.jdbi().useHandle(h -> h.execute("ALTER TABLE audit_event ADD CONSTRAINT frozen CHECK"
          + " (organization_id <> '" + w.org + "' OR sequence_number <= " + before + ")"));
      assertThrows(RuntimeException.class, () -> w.service.addMember(w.admin, w.org,
          new AddMember("dan@x.org", "admin", null)));
      assertEquals(2, w.service.members(w.admin, w.org).size(), "dan was not added");
      assertThrows(RuntimeException.class,
          () -> w.service.signInWithLink(code(erin.signInLink()), "10.3.0.1"));

      w.db.jdbi().useHandle(h -> h.execute("ALTER TABLE audit_event DROP CONSTRAINT frozen"));
      assertEquals(before, w.events(w.org).size(), "no event, and no gap in the numbering");
      w.service.signInWithLink(code(erin.signInLink()), "10.3.0.1"); // the link was not used up
      w.service.addMember(w.admin, w.org, new AddMember("dan@x.org", "admin", null));
      assertEquals(List.of("session.create", "member.add"),
          actions(w.events(w.org).subList(before, before + 2)));
      assertTrue(w.audit.verify(w.org).intact());
    }
  }

  private static Object leave(TenancyWorld w, Principal member, String org) {
    w.service.removeMember(member, org, member.userId());
    return member;
  }

  /**
   * Two owners, at the same moment, demote each other (or both leave), round after round: the
   * check that an owner stays and the change are one step under the organization's lock, so
   * exactly one of them wins each time and the organization always keeps an owner.
   */
  @ParameterizedTest
  @MethodSource("databases")
  void twoOwnersDemotingEachOtherAtOnceLeaveOneOwner(TestDatabases.Named kind) throws Exception {
    try (TenancyWorld w = new TenancyWorld(kind)) {
      Principal x = w.user("x@x.org");
      Principal y = w.user("y@x.org");
      ExecutorService pool = Executors.newFixedThreadPool(2);
      try {
        for (int round = 0; round < 20; round++) {
          String org = w.service.createOrganization(x, "race " + round).id();
          w.service.addMember(x, org, new AddMember("y@x.org", "owner", null));
          List<Callable<Object>> moves = round % 2 == 0
              ? List.of(
                  () -> w.service.updateMember(x, org, y.userId(), new UpdateMember("admin", null)),
                  () -> w.service.updateMember(y, org, x.userId(), new UpdateMember("admin", null)))
              : List.of(() -> leave(w, x, org), () -> leave(w, y, org));
          CountDownLatch ready = new CountDownLatch(moves.size());
          CountDownLatch go = new CountDownLatch(1);
          List<Future<Object>> racers = new ArrayList<>();
          for (Callable<Object> move : moves) {
            racers.add(pool.submit(() -> {
              ready.countDown();
              go.await();
              return move.call();
            }));
          }
          ready.await();
          go.countDown();
          int won = 0;
          for (Future<Object> racer : racers) {
            try {
              racer.get();
              won++;
            } catch (ExecutionException e) {
              // the loser sees the winner's change: the last owner, or no longer an owner
              ApiException refused = (ApiException) e.getCause();
              assertTrue(refused.code() == ErrorCode.CONFLICT
                  || refused.code() == ErrorCode.PERMISSION_DENIED, refused.getMessage());
            }
          }
          assertEquals(1, won, "round " + round + ": exactly one move wins");
          int owners = w.db.jdbi().withHandle(h -> h.createQuery("SELECT COUNT(*) FROM"
                  + " membership WHERE org_id = :org AND member_role = 'owner'")
              .bind("org", org).mapTo(Integer.class).one());
          assertEquals(1, owners, "round " + round + ": the organization keeps one owner");
        }
      } finally {
        pool.shutdownNow();
      }
    }
  }
}
