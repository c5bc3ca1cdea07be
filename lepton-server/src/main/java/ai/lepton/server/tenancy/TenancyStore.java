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

/**
 * Storage of tenancy and identity. Every method on an organization's resources takes the
 * organization id and matches it in SQL, so a resource of another organization is simply not
 * found. The exceptions are about a user themselves (their account, memberships, sessions and
 * sign-in links) and the lookup of a presented credential by its hash.
 */
interface TenancyStore {
  /** A user with what only the server sees. */
  record UserRow(User user, String passwordHash, boolean installationAdmin) {}

  /** A browser session; {@code idHash} is the SHA-256 of the cookie's value. */
  record SessionRow(String idHash, String userId, String csrfToken, Instant createdAt,
      Instant lastSeenAt, Instant expiresAt) {}

  /** A one-time sign-in link; {@code codeHash} is the SHA-256 of its code. */
  record LinkRow(String codeHash, String userId, Instant createdAt, Instant expiresAt) {}

  /** What still refers to a department (it is deleted only when nothing does). */
  record DepartmentUsage(int children, int projects, int members) {}

  // organizations
  /** Creates the organization and its first owner, together. */
  void createOrganization(Organization org, Membership owner);

  Optional<Organization> organization(String orgId);

  /** The organizations {@code userId} is a member of, by name. */
  List<Organization> organizationsOf(String userId);

  /** Deletes the organization and everything in it, together. */
  void deleteOrganization(String orgId);

  // departments
  void insertDepartment(Department department);

  Optional<Department> department(String orgId, String departmentId);

  List<Department> departments(String orgId);

  void updateDepartment(String orgId, String departmentId, String name, String parentId);

  DepartmentUsage departmentUsage(String orgId, String departmentId);

  void deleteDepartment(String orgId, String departmentId);

  // users
  long userCount();

  Optional<UserRow> user(String userId);

  Optional<UserRow> userByEmail(String email);

  /** Creates a user and their first sign-in link, together; false when the email is taken. */
  boolean createUser(UserRow user, LinkRow link);

  /**
   * Creates the first administrator, their organization, owner membership and sign-in link, all
   * together, only when there is no user yet.
   *
   * @return false when users exist already (another node may have done it)
   */
  boolean createFirstAdmin(UserRow admin, Organization org, Membership owner, LinkRow link);

  void setPassword(String userId, String passwordHash);

  // memberships
  void insertMembership(Membership membership);

  Optional<Membership> membership(String orgId, String userId);

  List<Membership> memberships(String orgId);

  /** {@code userId}'s memberships, in every organization. */
  List<Membership> membershipsOf(String userId);

  void updateMembership(String orgId, String userId, String role, String departmentId);

  /** Removes the membership and revokes the user's tokens in the organization, together. */
  void deleteMembership(String orgId, String userId, Instant now);

  int ownerCount(String orgId);

  // projects
  /** @return false when the organization has a project of that name already */
  boolean insertProject(Project project);

  Optional<Project> project(String orgId, String projectId);

  List<Project> projects(String orgId);

  void deleteProject(String orgId, String projectId);

  // API tokens
  void insertToken(TokenInfo token, String tokenHash);

  Optional<TokenInfo> token(String orgId, String tokenId);

  /** The organization's tokens: all of them when {@code userId} is null, else that user's. */
  List<TokenInfo> tokens(String orgId, String userId);

  void revokeToken(String orgId, String tokenId, Instant at);

  /** The token whose secret hashes to {@code tokenHash} (authentication), in any organization. */
  Optional<TokenInfo> tokenByHash(String tokenHash);

  void touchToken(String orgId, String tokenId, Instant at);

  // sessions and sign-in links (about a user themselves)
  void insertSession(SessionRow session);

  Optional<SessionRow> session(String idHash);

  void touchSession(String idHash, Instant at);

  void deleteSession(String idHash);

  /** Ends every session of {@code userId} but {@code keepIdHash} (after a password change). */
  void deleteOtherSessions(String userId, String keepIdHash);

  void insertLink(LinkRow link);

  /**
   * Marks the link used, once: the user it signs in, or empty when it is unknown, used or
   * expired at {@code now}.
   */
  Optional<String> useLink(String codeHash, Instant now);
}
