package ai.lepton.server.tenancy;

import ai.lepton.api.AuditEvent;
import ai.lepton.api.CreateUser;
import ai.lepton.api.TokenCreated;
import ai.lepton.api.UserCreated;
import ai.lepton.server.audit.AuditLog;
import ai.lepton.server.audit.AuditQuery;
import ai.lepton.server.db.Database;
import ai.lepton.server.db.TestDatabases;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A tenancy service over a fresh database (H2 or PostgreSQL) with its audit log and clock, after
 * the first start: the first administrator signed in with their link, as {@link #admin}, owner
 * of {@link #org}.
 */
final class TenancyWorld implements AutoCloseable {
  final Database db;
  final TestClock clock = new TestClock();
  final AuditLog audit;
  final TenancyService service;
  final Principal admin;
  final String adminLink;
  final String org;

  TenancyWorld(TestDatabases.Named kind) {
    db = kind.open().get();
    audit = new AuditLog(db, clock);
    service = new TenancyService(db, new JdbiTenancyStore(db), audit, clock, org -> {});
    adminLink = service.bootstrap("default", "admin@lepton.local", "http://x:1").orElseThrow();
    service.signInWithLink(code(adminLink), "10.0.0.1");
    admin = principalOf("admin@lepton.local");
    org = service.organizations(admin).get(0).id();
  }

  static String code(String link) {
    return link.substring(link.lastIndexOf('/') + 1);
  }

  /** A session principal for an existing user (as the authenticator would make it). */
  Principal principalOf(String email) {
    TenancyStore.UserRow u = new JdbiTenancyStore(db).userByEmail(email).orElseThrow();
    return new Principal(u.user().id(), email, Principal.Via.SESSION, Scope.ADMIN, null, null,
        null, "csrf", "10.0.0.9");
  }

  /** A new user (made by the administrator) signed in with their link. */
  Principal user(String email) {
    UserCreated created = service.createUser(admin, new CreateUser(email, null), "http://x:1");
    service.signInWithLink(code(created.signInLink()), "10.0.0.2");
    return principalOf(email);
  }

  Principal tokenPrincipal(TokenCreated t) {
    return service.authenticateToken(t.token(), "10.0.0.9");
  }

  /** Every event of {@code log}, oldest first. */
  List<AuditEvent> events(String log) {
    List<AuditEvent> all = new ArrayList<>();
    AuditQuery query = AuditQuery.latest(AuditQuery.MAX_LIMIT);
    for (Long before = null; ; ) {
      var page = audit.list(log, before == null ? query : query.before(before));
      all.addAll(page.events());
      before = page.nextBefore();
      if (before == null) {
        break;
      }
    }
    Collections.reverse(all);
    return all;
  }

  @Override
  public void close() {
    db.close();
  }
}
