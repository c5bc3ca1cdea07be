package ai.lepton.server.tenancy;

import ai.lepton.api.Department;
import ai.lepton.api.Membership;
import ai.lepton.api.Organization;
import ai.lepton.api.Project;
import ai.lepton.api.TokenInfo;
import ai.lepton.api.User;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;

/**
 * Storage of tenancy and identity. Every method on an organization's resources takes the
 * organization id and matches it in SQL, so a resource of another organization is simply not
 * found. The exceptions are about a user themselves (their account, memberships, sessions and
 * sign-in links) and the lookup of a presented credential by its hash.
 *
 * <p>Changes take the caller's transaction ({@link Handle}), so that a change and its audit event
 * commit together or not at all; so do the reads a transaction needs to see its own state. Other
 * reads use a connection of their own.
 */
interface TenancyStore {
  /** A user with what only the server sees. */
  record UserRow(User user, String passwordHash, boolean installationAdmin) {}

  /** A token and its user: {@code user} is null when the user no longer exists. */
  record TokenOwner(TokenInfo token, User user) {}

  /** A browser session; {@code idHash} is the SHA-256 of the cookie's value. */
  record SessionRow(String idHash, String userId, String csrfToken, Instant createdAt,
      Instant lastSeenAt, Instant expiresAt) {}

  /** A one-time sign-in link; {@code codeHash} is the SHA-256 of its code. */
  record LinkRow(String codeHash, String userId, Instant createdAt, Instant expiresAt) {}

  /** What still refers to a department (it is deleted only when nothing does). */
  record DepartmentUsage(int children, int projects, int members) {}

  // organizations
  /** Creates the organization and its first owner. */
  void createOrganization(Handle tx, Organization org, Membership owner);

  Optional<Organization> organization(String orgId);

  /** The organizations {@code userId} is a member of, by name. */
  List<Organization> organizationsOf(String userId);

  /**
   * Locks the organization's row until {@code tx} ends: changes that must see a stable set of
   * owners (demoting or removing an owner) queue up on it.
   *
   * @return false when the organization does not exist
   */
  boolean lockOrganization(Handle tx, String orgId);

  /**
   * Deletes the organization and everything in it (its audit log stays).
   *
   * @return false when it was not there (deleted at the same moment)
   */
  boolean deleteOrganization(Handle tx, String orgId);

  // departments
  void insertDepartment(Handle tx, Department department);

  Optional<Department> department(String orgId, String departmentId);

  List<Department> departments(String orgId);

  /** @return false when the department was not there (deleted at the same moment) */
  boolean updateDepartment(Handle tx, String orgId, String departmentId, String name,
      String parentId);

  DepartmentUsage departmentUsage(String orgId, String departmentId);

  /** @return false when the department was not there */
  boolean deleteDepartment(Handle tx, String orgId, String departmentId);

  // users
  long userCount();

  Optional<UserRow> user(String userId);

  Optional<UserRow> userByEmail(String email);

  /** Creates a user and their first sign-in link; false when the email is taken. */
  boolean createUser(Handle tx, UserRow user, LinkRow link);

  /**
   * Creates the first administrator, their organization, owner membership and sign-in link, only
   * when there is no user yet.
   *
   * @return false when users exist already (another node may have done it)
   */
  boolean createFirstAdmin(Handle tx, UserRow admin, Organization org, Membership owner,
      LinkRow link);

  void setPassword(Handle tx, String userId, String passwordHash);

  // memberships
  void insertMembership(Handle tx, Membership membership);

  Optional<Membership> membership(String orgId, String userId);

  List<Membership> memberships(String orgId);

  /** {@code userId}'s memberships, in every organization. */
  List<Membership> membershipsOf(String userId);

  /** The ids of the organizations {@code userId} belongs to, in id order. */
  List<String> organizationIdsOf(Handle tx, String userId);

  /** @return false when the membership was not there (removed at the same moment) */
  boolean updateMembership(Handle tx, String orgId, String userId, String role,
      String departmentId);

  /** @return false when the membership was not there */
  boolean deleteMembership(Handle tx, String orgId, String userId);

  /**
   * Revokes the user's live tokens in the organization (they left it).
   *
   * @return how many
   */
  int revokeTokensOf(Handle tx, String orgId, String userId, Instant now);

  /** How many owners of the whole organization there are besides {@code userId}. */
  int ownersOtherThan(Handle tx, String orgId, String userId);

  // projects
  /** @return false when the organization has a project of that name already */
  boolean insertProject(Handle tx, Project project);

  Optional<Project> project(String orgId, String projectId);

  List<Project> projects(String orgId);

  /** @return false when the project was not there */
  boolean deleteProject(Handle tx, String orgId, String projectId);

  // API tokens
  void insertToken(Handle tx, TokenInfo token, String tokenHash);

  Optional<TokenInfo> token(String orgId, String tokenId);

  /** The organization's tokens: all of them when {@code userId} is null, else that user's. */
  List<TokenInfo> tokens(String orgId, String userId);

  /** @return false when it was revoked already */
  boolean revokeToken(Handle tx, String orgId, String tokenId, Instant at);

  /**
   * The token whose secret hashes to {@code tokenHash} (authentication), in any organization, with
   * its user, in one query (every authenticated request makes it).
   */
  Optional<TokenOwner> tokenByHash(String tokenHash);

  /** Records that the token whose secret hashes to {@code tokenHash} was used at {@code at}. */
  void touchToken(String tokenHash, Instant at);

  // sessions and sign-in links (about a user themselves)
  void insertSession(Handle tx, SessionRow session);

  Optional<SessionRow> session(String idHash);

  void touchSession(String idHash, Instant at);

  void deleteSession(Handle tx, String idHash);

  /** Ends every session of {@code userId} but {@code keepIdHash} (after a password change). */
  void deleteOtherSessions(Handle tx, String userId, String keepIdHash);

  /**
   * Marks the link used, once: the user it signs in, or empty when it is unknown, used or
   * expired at {@code now}.
   */
  Optional<UserRow> useLink(Handle tx, String codeHash, Instant now);

  /** The user a link was made for, whether or not it is used or expired. */
  Optional<String> linkUser(String codeHash);
}
