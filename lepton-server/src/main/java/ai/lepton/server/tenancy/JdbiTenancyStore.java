package ai.lepton.server.tenancy;

import ai.lepton.api.Department;
import ai.lepton.api.Membership;
import ai.lepton.api.Organization;
import ai.lepton.api.Project;
import ai.lepton.api.TokenInfo;
import ai.lepton.api.User;
import ai.lepton.server.db.Database;
import ai.lepton.server.db.ReadCache;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.mapper.RowMapper;

/**
 * {@link TenancyStore} in SQL that runs unchanged on H2 (PostgreSQL mode) and PostgreSQL.
 *
 * <p>What every authenticated request reads, the token by its hash and the caller's membership,
 * is kept in {@link ReadCache}s; every method that changes a token, a membership, a department or
 * an organization empties them when its transaction commits, so a revoked token or a removed or
 * demoted member is refused on the next request (one server per database: docs/tenancy.md).
 */
final class JdbiTenancyStore implements TenancyStore {
  /** The most tokens and memberships kept in memory (each cache; past it, it starts over). */
  static final int CACHED = 10_000;

  private static final String MEMBERSHIP_SELECT = "SELECT m.org_id, m.user_id, u.email,"
      + " m.member_role, m.department_id, m.created_at FROM membership m"
      + " JOIN app_user u ON u.id = m.user_id";
  private static final String TOKEN_SELECT = "SELECT id, org_id, user_id, token_name, token_scope,"
      + " project_id, created_at, expires_at, last_used_at, revoked_at FROM api_token";

  private static final RowMapper<Organization> ORG = (rs, c) -> new Organization(
      rs.getString("id"), rs.getString("name"), time(rs, "created_at"));
  private static final RowMapper<Department> DEPT = (rs, c) -> new Department(rs.getString("id"),
      rs.getString("org_id"), rs.getString("parent_id"), rs.getString("name"),
      time(rs, "created_at"));
  private static final RowMapper<UserRow> USER = (rs, c) -> new UserRow(new User(
      rs.getString("id"), rs.getString("email"), rs.getString("display_name"),
      time(rs, "created_at")), rs.getString("password_hash"), rs.getBoolean("installation_admin"));
  private static final RowMapper<Membership> MEMBER = (rs, c) -> new Membership(
      rs.getString("org_id"), rs.getString("user_id"), rs.getString("email"),
      rs.getString("member_role"), rs.getString("department_id"), time(rs, "created_at"));
  private static final RowMapper<Project> PROJECT = (rs, c) -> new Project(rs.getString("id"),
      rs.getString("org_id"), rs.getString("department_id"), rs.getString("name"),
      rs.getString("description"), time(rs, "created_at"));
  private static final RowMapper<TokenInfo> TOKEN = (rs, c) -> new TokenInfo(rs.getString("id"),
      rs.getString("org_id"), rs.getString("user_id"), rs.getString("token_name"),
      rs.getString("token_scope"), rs.getString("project_id"), time(rs, "created_at"),
      time(rs, "expires_at"), time(rs, "last_used_at"), time(rs, "revoked_at"));
  private static final RowMapper<SessionRow> SESSION = (rs, c) -> new SessionRow(
      rs.getString("id_hash"), rs.getString("user_id"), rs.getString("csrf_token"),
      time(rs, "created_at"), time(rs, "last_seen_at"), time(rs, "expires_at"));

  private final Database database;
  private final Jdbi jdbi;
  private final ReadCache<String, TokenOwner> tokens;
  private final ReadCache<List<String>, Membership> memberships;

  JdbiTenancyStore(Database database) {
    this.database = database;
    this.jdbi = database.jdbi();
    this.tokens = database.cache(CACHED);
    this.memberships = database.cache(CACHED);
  }

  // organizations

  @Override
  public void createOrganization(Handle tx, Organization org, Membership owner) {
    insertOrganization(tx, org);
    insertMembership(tx, owner);
  }

  private static void insertOrganization(Handle h, Organization org) {
    h.createUpdate("INSERT INTO organization (id, name, created_at) VALUES (:id, :name, :at)")
        .bind("id", org.id()).bind("name", org.name()).bind("at", ts(org.createdAt()))
        .execute();
  }

  @Override
  public Optional<Organization> organization(String orgId) {
    return jdbi.withHandle(h -> h.createQuery("SELECT * FROM organization WHERE id = :id")
        .bind("id", orgId).map(ORG).findOne());
  }

  @Override
  public List<Organization> organizationsOf(String userId) {
    return jdbi.withHandle(h -> h.createQuery("SELECT o.* FROM organization o"
            + " JOIN membership m ON m.org_id = o.id WHERE m.user_id = :user ORDER BY o.name, o.id")
        .bind("user", userId).map(ORG).list());
  }

  @Override
  public boolean lockOrganization(Handle tx, String orgId) {
    return tx.createQuery("SELECT id FROM organization WHERE id = :org FOR UPDATE")
        .bind("org", orgId).mapTo(String.class).findOne().isPresent();
  }

  @Override
  public boolean deleteOrganization(Handle tx, String orgId) {
    // Explicit order instead of cascades: departments refer to each other, and memberships and
    // projects refer to departments. The organization's data goes with it: its dataset rows, and
    // its keyset, which shreds every blob it encrypted (no key left can decrypt them, not even
    // from a copy of the blob store).
    for (String sql : new String[] {
        "UPDATE dataset_version SET parent_id = NULL WHERE org_id = :org",
        "DELETE FROM dataset_version WHERE org_id = :org",
        "DELETE FROM dataset WHERE org_id = :org",
        "DELETE FROM model_tag WHERE org_id = :org",
        "DELETE FROM model_alias WHERE org_id = :org",
        "UPDATE model_version SET parent_version_id = NULL WHERE org_id = :org",
        "DELETE FROM model_version WHERE org_id = :org",
        "DELETE FROM registered_model WHERE org_id = :org",
        "DELETE FROM prediction_feedback WHERE org_id = :org",
        "DELETE FROM prediction_batch WHERE org_id = :org",
        "DELETE FROM monitoring_alert WHERE org_id = :org",
        "DELETE FROM deployment_monitor WHERE org_id = :org",
        "DELETE FROM organization_keyset WHERE organization_id = :org",
        "DELETE FROM api_token WHERE org_id = :org",
        "DELETE FROM membership WHERE org_id = :org",
        "DELETE FROM project WHERE org_id = :org",
        "UPDATE department SET parent_id = NULL WHERE org_id = :org",
        "DELETE FROM department WHERE org_id = :org"}) {
      tx.createUpdate(sql).bind("org", orgId).execute();
    }
    boolean changed = tx.createUpdate("DELETE FROM organization WHERE id = :org")
        .bind("org", orgId).execute() == 1;
    database.invalidateCaches(tx); // its tokens, memberships, datasets and keyset
    return changed;
  }

  // departments

  @Override
  public void insertDepartment(Handle tx, Department d) {
    tx.createUpdate("INSERT INTO department (id, org_id, parent_id, name, created_at)"
            + " VALUES (:id, :org, :parent, :name, :at)")
        .bind("id", d.id()).bind("org", d.organizationId()).bind("parent", d.parentId())
        .bind("name", d.name()).bind("at", ts(d.createdAt())).execute();
  }

  @Override
  public Optional<Department> department(String orgId, String departmentId) {
    return jdbi.withHandle(h -> h.createQuery(
            "SELECT * FROM department WHERE org_id = :org AND id = :id")
        .bind("org", orgId).bind("id", departmentId).map(DEPT).findOne());
  }

  @Override
  public List<Department> departments(String orgId) {
    return jdbi.withHandle(h -> h.createQuery(
            "SELECT * FROM department WHERE org_id = :org ORDER BY name, id")
        .bind("org", orgId).map(DEPT).list());
  }

  @Override
  public boolean updateDepartment(Handle tx, String orgId, String departmentId, String name,
      String parentId) {
    boolean changed = tx.createUpdate("UPDATE department SET name = :name, parent_id = :parent"
            + " WHERE org_id = :org AND id = :id")
        .bind("name", name).bind("parent", parentId).bind("org", orgId).bind("id", departmentId)
        .execute() == 1;
    database.invalidateCaches(tx); // memberships limited to a department read through it
    return changed;
  }

  @Override
  public DepartmentUsage departmentUsage(String orgId, String departmentId) {
    return jdbi.withHandle(h -> new DepartmentUsage(
        count(h, "SELECT COUNT(*) FROM department WHERE org_id = :org AND parent_id = :id",
            orgId, departmentId),
        count(h, "SELECT COUNT(*) FROM project WHERE org_id = :org AND department_id = :id",
            orgId, departmentId),
        count(h, "SELECT COUNT(*) FROM membership WHERE org_id = :org AND department_id = :id",
            orgId, departmentId)));
  }

  private static int count(Handle h, String sql, String orgId, String id) {
    return h.createQuery(sql).bind("org", orgId).bind("id", id).mapTo(Integer.class).one();
  }

  @Override
  public boolean deleteDepartment(Handle tx, String orgId, String departmentId) {
    boolean changed = tx.createUpdate("DELETE FROM department WHERE org_id = :org AND id = :id")
        .bind("org", orgId).bind("id", departmentId).execute() == 1;
    database.invalidateCaches(tx);
    return changed;
  }

  // users

  @Override
  public long userCount() {
    return jdbi.withHandle(h -> h.createQuery("SELECT COUNT(*) FROM app_user")
        .mapTo(Long.class).one());
  }

  @Override
  public Optional<UserRow> user(String userId) {
    return jdbi.withHandle(h -> h.createQuery("SELECT * FROM app_user WHERE id = :id")
        .bind("id", userId).map(USER).findOne());
  }

  @Override
  public Optional<UserRow> userByEmail(String email) {
    return jdbi.withHandle(h -> h.createQuery("SELECT * FROM app_user WHERE email = :email")
        .bind("email", email).map(USER).findOne());
  }

  // A taken email inserts nothing (ON CONFLICT DO NOTHING) instead of failing: a failed statement
  // would abort the caller's transaction on PostgreSQL.
  @Override
  public boolean createUser(Handle tx, UserRow user, LinkRow link) {
    if (!insertUser(tx, user)) {
      return false;
    }
    insertLink(tx, link);
    return true;
  }

  @Override
  public boolean createFirstAdmin(Handle tx, UserRow admin, Organization org, Membership owner,
      LinkRow link) {
    if (tx.createQuery("SELECT COUNT(*) FROM app_user").mapTo(Long.class).one() > 0) {
      return false;
    }
    if (!insertUser(tx, admin)) {
      return false; // another node created the same first administrator at the same time
    }
    insertOrganization(tx, org);
    insertMembership(tx, owner);
    insertLink(tx, link);
    return true;
  }

  private static boolean insertUser(Handle h, UserRow u) {
    return h.createUpdate("INSERT INTO app_user (id, email, display_name, password_hash,"
            + " installation_admin, created_at) VALUES (:id, :email, :name, :hash, :admin, :at)"
            + " ON CONFLICT DO NOTHING")
        .bind("id", u.user().id()).bind("email", u.user().email())
        .bind("name", u.user().displayName()).bind("hash", u.passwordHash())
        .bind("admin", u.installationAdmin()).bind("at", ts(u.user().createdAt()))
        .execute() == 1;
  }

  @Override
  public void setPassword(Handle tx, String userId, String passwordHash) {
    tx.createUpdate("UPDATE app_user SET password_hash = :hash WHERE id = :id")
        .bind("hash", passwordHash).bind("id", userId).execute();
  }

  // memberships

  @Override
  public void insertMembership(Handle h, Membership m) {
    h.createUpdate("INSERT INTO membership (org_id, user_id, member_role, department_id,"
            + " created_at) VALUES (:org, :user, :role, :dept, :at)")
        .bind("org", m.organizationId()).bind("user", m.userId()).bind("role", m.role())
        .bind("dept", m.departmentId()).bind("at", ts(m.createdAt())).execute();
  }

  @Override
  public Optional<Membership> membership(String orgId, String userId) {
    return memberships.get(List.of(orgId, userId), () -> jdbi.withHandle(h -> h.createQuery(
            MEMBERSHIP_SELECT + " WHERE m.org_id = :org AND m.user_id = :user")
        .bind("org", orgId).bind("user", userId).map(MEMBER).findOne()));
  }

  @Override
  public List<Membership> memberships(String orgId) {
    return jdbi.withHandle(h -> h.createQuery(MEMBERSHIP_SELECT
            + " WHERE m.org_id = :org ORDER BY u.email")
        .bind("org", orgId).map(MEMBER).list());
  }

  @Override
  public List<Membership> membershipsOf(String userId) {
    return jdbi.withHandle(h -> h.createQuery(MEMBERSHIP_SELECT
            + " WHERE m.user_id = :user ORDER BY m.org_id")
        .bind("user", userId).map(MEMBER).list());
  }

  @Override
  public List<String> organizationIdsOf(Handle tx, String userId) {
    return tx.createQuery("SELECT org_id FROM membership WHERE user_id = :user ORDER BY org_id")
        .bind("user", userId).mapTo(String.class).list();
  }

  @Override
  public boolean updateMembership(Handle tx, String orgId, String userId, String role,
      String departmentId) {
    boolean changed = tx.createUpdate("UPDATE membership SET member_role = :role,"
            + " department_id = :dept WHERE org_id = :org AND user_id = :user")
        .bind("role", role).bind("dept", departmentId).bind("org", orgId).bind("user", userId)
        .execute() == 1;
    database.invalidateCaches(tx);
    return changed;
  }

  @Override
  public boolean deleteMembership(Handle tx, String orgId, String userId) {
    boolean changed = tx.createUpdate(
            "DELETE FROM membership WHERE org_id = :org AND user_id = :user")
        .bind("org", orgId).bind("user", userId).execute() == 1;
    database.invalidateCaches(tx);
    return changed;
  }

  @Override
  public int revokeTokensOf(Handle tx, String orgId, String userId, Instant now) {
    int changed = tx.createUpdate("UPDATE api_token SET revoked_at = :now WHERE org_id = :org"
            + " AND user_id = :user AND revoked_at IS NULL")
        .bind("now", ts(now)).bind("org", orgId).bind("user", userId).execute();
    database.invalidateCaches(tx);
    return changed;
  }

  @Override
  public int ownersOtherThan(Handle tx, String orgId, String userId) {
    return tx.createQuery("SELECT COUNT(*) FROM membership WHERE org_id = :org"
            + " AND member_role = 'owner' AND department_id IS NULL AND user_id <> :user")
        .bind("org", orgId).bind("user", userId).mapTo(Integer.class).one();
  }

  // projects

  @Override
  public boolean insertProject(Handle tx, Project p) {
    return tx.createUpdate("INSERT INTO project (id, org_id, department_id, name, description,"
            + " created_at) VALUES (:id, :org, :dept, :name, :description, :at)"
            + " ON CONFLICT DO NOTHING")
        .bind("id", p.id()).bind("org", p.organizationId()).bind("dept", p.departmentId())
        .bind("name", p.name()).bind("description", p.description())
        .bind("at", ts(p.createdAt())).execute() == 1;
  }

  @Override
  public Optional<Project> project(String orgId, String projectId) {
    return jdbi.withHandle(h -> h.createQuery(
            "SELECT * FROM project WHERE org_id = :org AND id = :id")
        .bind("org", orgId).bind("id", projectId).map(PROJECT).findOne());
  }

  @Override
  public List<Project> projects(String orgId) {
    return jdbi.withHandle(h -> h.createQuery(
            "SELECT * FROM project WHERE org_id = :org ORDER BY name, id")
        .bind("org", orgId).map(PROJECT).list());
  }

  @Override
  public boolean deleteProject(Handle tx, String orgId, String projectId) {
    boolean changed = tx.createUpdate("DELETE FROM project WHERE org_id = :org AND id = :id")
        .bind("org", orgId).bind("id", projectId).execute() == 1;
    database.invalidateCaches(tx); // cached datasets name their project
    return changed;
  }

  // API tokens

  @Override
  public void insertToken(Handle tx, TokenInfo t, String tokenHash) {
    tx.createUpdate("INSERT INTO api_token (id, org_id, user_id, token_name, token_hash,"
            + " token_scope, project_id, created_at, expires_at) VALUES (:id, :org, :user, :name,"
            + " :hash, :scope, :project, :created, :expires)")
        .bind("id", t.id()).bind("org", t.organizationId()).bind("user", t.userId())
        .bind("name", t.name()).bind("hash", tokenHash).bind("scope", t.scope())
        .bind("project", t.projectId()).bind("created", ts(t.createdAt()))
        .bind("expires", ts(t.expiresAt())).execute();
  }

  @Override
  public Optional<TokenInfo> token(String orgId, String tokenId) {
    return jdbi.withHandle(h -> h.createQuery(TOKEN_SELECT + " WHERE org_id = :org AND id = :id")
        .bind("org", orgId).bind("id", tokenId).map(TOKEN).findOne());
  }

  @Override
  public List<TokenInfo> tokens(String orgId, String userId) {
    return jdbi.withHandle(h -> {
      var q = h.createQuery(TOKEN_SELECT + " WHERE org_id = :org"
          + (userId == null ? "" : " AND user_id = :user") + " ORDER BY created_at, id");
      q.bind("org", orgId);
      if (userId != null) {
        q.bind("user", userId);
      }
      return q.map(TOKEN).list();
    });
  }

  @Override
  public boolean revokeToken(Handle tx, String orgId, String tokenId, Instant at) {
    boolean changed = tx.createUpdate("UPDATE api_token SET revoked_at = :at"
            + " WHERE org_id = :org AND id = :id AND revoked_at IS NULL")
        .bind("at", ts(at)).bind("org", orgId).bind("id", tokenId).execute() == 1;
    database.invalidateCaches(tx);
    return changed;
  }

  @Override
  public Optional<TokenOwner> tokenByHash(String tokenHash) {
    return tokens.get(tokenHash, () -> jdbi.withHandle(h -> h.createQuery("SELECT t.id,"
            + " t.org_id, t.user_id, t.token_name, t.token_scope, t.project_id, t.created_at,"
            + " t.expires_at, t.last_used_at, t.revoked_at, u.email AS user_email,"
            + " u.display_name AS user_display_name, u.created_at AS user_created_at"
            + " FROM api_token t LEFT JOIN app_user u ON u.id = t.user_id"
            + " WHERE t.token_hash = :hash")
        .bind("hash", tokenHash)
        .map((rs, c) -> new TokenOwner(TOKEN.map(rs, c), rs.getString("user_email") == null
            ? null : new User(rs.getString("user_id"), rs.getString("user_email"),
                rs.getString("user_display_name"), time(rs, "user_created_at"))))
        .findOne()));
  }

  @Override
  public void touchToken(String tokenHash, Instant at) {
    jdbi.useHandle(h -> h.createUpdate("UPDATE api_token SET last_used_at = :at"
            + " WHERE token_hash = :hash")
        .bind("at", ts(at)).bind("hash", tokenHash).execute());
    tokens.forget(tokenHash); // so the next use reads the new time, and does not touch again
  }

  // sessions and sign-in links

  @Override
  public void insertSession(Handle tx, SessionRow s) {
    tx.createUpdate("INSERT INTO user_session (id_hash, user_id, csrf_token, created_at,"
            + " last_seen_at, expires_at) VALUES (:id, :user, :csrf, :created, :seen, :expires)")
        .bind("id", s.idHash()).bind("user", s.userId()).bind("csrf", s.csrfToken())
        .bind("created", ts(s.createdAt())).bind("seen", ts(s.lastSeenAt()))
        .bind("expires", ts(s.expiresAt())).execute();
  }

  @Override
  public Optional<SessionRow> session(String idHash) {
    return jdbi.withHandle(h -> h.createQuery("SELECT * FROM user_session WHERE id_hash = :id")
        .bind("id", idHash).map(SESSION).findOne());
  }

  @Override
  public void touchSession(String idHash, Instant at) {
    jdbi.useHandle(h -> h.createUpdate("UPDATE user_session SET last_seen_at = :at"
            + " WHERE id_hash = :id")
        .bind("at", ts(at)).bind("id", idHash).execute());
  }

  @Override
  public void deleteSession(Handle tx, String idHash) {
    tx.createUpdate("DELETE FROM user_session WHERE id_hash = :id").bind("id", idHash).execute();
  }

  @Override
  public void deleteOtherSessions(Handle tx, String userId, String keepIdHash) {
    tx.createUpdate("DELETE FROM user_session WHERE user_id = :user AND id_hash <> :keep")
        .bind("user", userId).bind("keep", keepIdHash).execute();
  }

  private static void insertLink(Handle h, LinkRow l) {
    h.createUpdate("INSERT INTO signin_link (code_hash, user_id, created_at, expires_at)"
            + " VALUES (:code, :user, :created, :expires)")
        .bind("code", l.codeHash()).bind("user", l.userId()).bind("created", ts(l.createdAt()))
        .bind("expires", ts(l.expiresAt())).execute();
  }

  @Override
  public Optional<UserRow> useLink(Handle tx, String codeHash, Instant now) {
    // One conditional UPDATE: of two concurrent uses, exactly one changes the row.
    int changed = tx.createUpdate("UPDATE signin_link SET used_at = :now WHERE code_hash = :code"
            + " AND used_at IS NULL AND expires_at > :now")
        .bind("now", ts(now)).bind("code", codeHash).execute();
    if (changed != 1) {
      return Optional.empty();
    }
    return tx.createQuery("SELECT u.* FROM app_user u JOIN signin_link l ON l.user_id = u.id"
            + " WHERE l.code_hash = :code")
        .bind("code", codeHash).map(USER).findOne();
  }

  @Override
  public Optional<String> linkUser(String codeHash) {
    return jdbi.withHandle(h -> h.createQuery("SELECT user_id FROM signin_link"
            + " WHERE code_hash = :code")
        .bind("code", codeHash).mapTo(String.class).findOne());
  }

  private static OffsetDateTime ts(Instant instant) {
    return instant == null ? null : OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
  }

  private static Instant time(ResultSet rs, String column) throws SQLException {
    OffsetDateTime t = rs.getObject(column, OffsetDateTime.class);
    return t == null ? null : t.toInstant();
  }
}
