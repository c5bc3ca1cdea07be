package ai.lepton.server.tenancy;

import ai.lepton.api.AddMember;
import ai.lepton.api.AuditEvent.Outcome;
import ai.lepton.api.ChangePassword;
import ai.lepton.api.CreateDepartment;
import ai.lepton.api.CreateProject;
import ai.lepton.api.CreateToken;
import ai.lepton.api.CreateUser;
import ai.lepton.api.Department;
import ai.lepton.api.ErrorCode;
import ai.lepton.api.Me;
import ai.lepton.api.Membership;
import ai.lepton.api.Organization;
import ai.lepton.api.Project;
import ai.lepton.api.SessionInfo;
import ai.lepton.api.TokenCreated;
import ai.lepton.api.TokenInfo;
import ai.lepton.api.UpdateDepartment;
import ai.lepton.api.UpdateMember;
import ai.lepton.api.User;
import ai.lepton.api.UserCreated;
import ai.lepton.server.audit.AuditEntry;
import ai.lepton.server.audit.AuditLog;
import ai.lepton.server.db.Database;
import ai.lepton.server.http.ApiException;
import ai.lepton.server.tenancy.TenancyStore.LinkRow;
import ai.lepton.server.tenancy.TenancyStore.SessionRow;
import ai.lepton.server.tenancy.TenancyStore.TokenOwner;
import ai.lepton.server.tenancy.TenancyStore.UserRow;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Organizations, departments, members, projects, API tokens, users and sign-in: the rules and the
 * checks. Every action on an organization first resolves the caller's membership there: an
 * organization the caller does not belong to (or that their token is not limited to) answers
 * NOT_FOUND exactly like one that does not exist, and so does any id inside it, so ids cannot be
 * probed. Then the caller's role (owner > admin > member > viewer, limited to a department when
 * the membership is) and the token's scope (read < write < admin) must allow the action, else
 * PERMISSION_DENIED.
 *
 * <p>Other features check access with {@link #authorize} and {@link #authorizeProject}; the rest is
 * reached through {@link TenancyRoutes}.
 *
 * <p>Every change appends an audit event in the change's transaction, so an action whose event
 * cannot be recorded does not happen. A member refused with PERMISSION_DENIED leaves a DENIED
 * event (in a transaction of its own); a non-member, answered NOT_FOUND, leaves none. Sign-ins,
 * sign-outs and password changes concern a user, not one organization: they are recorded in each
 * organization the user belongs to. Users and the existence of organizations are recorded in the
 * installation's log ({@link AuditLog#INSTALLATION}). The table of events is in
 * docs/audit-log.md.
 *
 * <p>Every public method throws {@link ApiException}: INVALID_ARGUMENT for bad input (the message
 * names the field), NOT_FOUND, PERMISSION_DENIED, CONFLICT, UNAUTHENTICATED or RATE_LIMITED as
 * documented on each.
 */
public final class TenancyService {
  /** Longest life of an API token. */
  static final Duration TOKEN_MAX_LIFETIME = Duration.ofDays(365);
  /** Life of a one-time sign-in link. */
  static final Duration LINK_LIFETIME = Duration.ofHours(24);
  /** A session ends after this long without a request... */
  static final Duration SESSION_IDLE = Duration.ofHours(12);
  /** ...and this long after sign-in in any case. */
  static final Duration SESSION_ABSOLUTE = Duration.ofDays(7);
  /** Failed sign-ins allowed per account, and per client address, within the window. */
  static final int SIGN_IN_FAILURES = 5;
  static final Duration SIGN_IN_WINDOW = Duration.ofMinutes(15);
  /** Deepest nesting of departments. */
  static final int MAX_DEPARTMENT_DEPTH = 16;
  /** Last-used times are written at most this often per credential. */
  private static final Duration TOUCH_EVERY = Duration.ofMinutes(1);
  private static final int MAX_SECRET = 100;
  private static final Logger LOG = LoggerFactory.getLogger(TenancyService.class);

  private final Jdbi jdbi;
  private final TenancyStore store;
  private final AuditLog audit;
  private final Clock clock;
  private final SignInLimiter accounts;
  private final SignInLimiter addresses;
  private final Consumer<String> deleted;

  TenancyService(Database database, TenancyStore store, AuditLog audit, Clock clock,
      Consumer<String> deleted) {
    this.deleted = Objects.requireNonNull(deleted, "deleted");
    this.jdbi = database.jdbi();
    this.store = Objects.requireNonNull(store, "store");
    this.audit = Objects.requireNonNull(audit, "audit");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.accounts = new SignInLimiter(clock, SIGN_IN_FAILURES, SIGN_IN_WINDOW);
    this.addresses = new SignInLimiter(clock, SIGN_IN_FAILURES, SIGN_IN_WINDOW);
  }

  /**
   * The service over {@code database}, recording in {@code audit} (in the same database), telling
   * time by {@code clock} (tests inject one).
   *
   * @param deleted told the id of each organization once its deletion is committed (the
   *     composition root deletes its blobs there); what it throws is logged, not answered, as
   *     the deletion stands (the next start's sweep of blobs finishes the work)
   */
  public static TenancyService create(Database database, AuditLog audit, Clock clock,
      Consumer<String> deleted) {
    return new TenancyService(database, new JdbiTenancyStore(database), audit, clock, deleted);
  }

  private Instant now() {
    return clock.instant().truncatedTo(ChronoUnit.MICROS);
  }

  // ---------------------------------------------------------------- audit

  /** An event of the caller's action, from their address; a token's id is one of the details. */
  private static AuditEntry event(Principal caller, String logId, String action,
      String resourceType, String resourceId, Outcome outcome, Map<String, String> details) {
    Map<String, String> all = new LinkedHashMap<>(details);
    if (caller.tokenId() != null) {
      all.put("token", caller.tokenId());
    }
    return new AuditEntry(logId, caller.userId(), action, resourceType, resourceId,
        caller.clientAddress(), outcome, all);
  }

  private static AuditEntry success(Principal caller, String orgId, String action,
      String resourceType, String resourceId, Map<String, String> details) {
    return event(caller, orgId, action, resourceType, resourceId, Outcome.SUCCESS, details);
  }

  /** Details from name, value pairs; a null value is left out. */
  private static Map<String, String> details(String... namesAndValues) {
    Map<String, String> details = new LinkedHashMap<>();
    for (int i = 0; i < namesAndValues.length; i += 2) {
      if (namesAndValues[i + 1] != null) {
        details.put(namesAndValues[i], namesAndValues[i + 1]);
      }
    }
    return details;
  }

  /**
   * Runs an action of {@code caller} and, when it is refused with PERMISSION_DENIED, records a
   * DENIED event in {@code logId}'s log, in a transaction of its own, then rethrows. Every action
   * resolves the caller's membership (NOT_FOUND) before any check that can deny, so a
   * non-member leaves no event in another tenant's log. {@code resourceId} comes from the request:
   * it is recorded only when it could be one of our ids.
   */
  private <T> T refusalsRecorded(Principal caller, String logId, String action,
      String resourceType, String resourceId, Supplier<T> work) {
    try {
      return work.get();
    } catch (ApiException e) {
      if (e.code() == ErrorCode.PERMISSION_DENIED) {
        throw recorded(caller, logId, action, resourceType, resourceId, e);
      }
      throw e;
    }
  }

  /** Records the refusal {@code denied} as a DENIED event, and answers it to be thrown. */
  private ApiException recorded(Principal caller, String logId, String action,
      String resourceType, String resourceId, ApiException denied) {
    String reason = denied.getMessage().length() > AuditEntry.MAX_DETAIL_VALUE
        ? denied.getMessage().substring(0, AuditEntry.MAX_DETAIL_VALUE) : denied.getMessage();
    jdbi.useTransaction(h -> audit.append(h, event(caller, logId, action, resourceType,
        Inputs.plausibleId(resourceId) ? resourceId : null, Outcome.DENIED,
        details("reason", reason))));
    return denied;
  }

  /** {@link #refusalsRecorded} for an action that answers nothing. */
  private void refusalsRecorded(Principal caller, String logId, String action,
      String resourceType, String resourceId, Runnable work) {
    refusalsRecorded(caller, logId, action, resourceType, resourceId, () -> {
      work.run();
      return null;
    });
  }

  /**
   * Appends an event about a user themselves (sign-in, sign-out, password) to each of
   * {@code orgIds}, in id order (so that transactions appending to several chains lock them in
   * the same order and cannot deadlock).
   */
  private void appendEach(Handle h, List<String> orgIds, String userId, String action,
      String address, Outcome outcome, Map<String, String> details) {
    for (String org : orgIds) {
      audit.append(h, new AuditEntry(org, userId, action, "user", userId, address, outcome,
          details));
    }
  }

  /** The organizations an event about the caller goes to: the token's, or all of theirs. */
  private List<String> organizationsOf(Handle h, Principal caller) {
    return caller.organizationId() != null ? List.of(caller.organizationId())
        : store.organizationIdsOf(h, caller.userId());
  }

  // ---------------------------------------------------------------- access checks

  /**
   * Checks that the caller may act on organization-level resources of {@code orgId} with
   * {@code role} and {@code scope}.
   *
   * @throws ApiException NOT_FOUND when the caller is not a member (or their token is limited to
   *     another organization); PERMISSION_DENIED when the role, a department limit, the token's
   *     scope or its project limit does not allow it
   */
  public void authorize(Principal caller, String orgId, Role role, Scope scope) {
    Membership m = memberOf(caller, orgId);
    noProjectLimit(caller, "this action");
    require(caller, m, role, scope, null, null, "this action");
  }

  /**
   * Checks that the caller may act on project {@code projectId} of {@code orgId} (and on what is
   * inside it) with {@code role} and {@code scope}, and answers the project.
   *
   * @throws ApiException NOT_FOUND when the project does not exist in that organization, the
   *     caller is not a member, or their token is limited to another organization or project;
   *     PERMISSION_DENIED when the role (in the project's department) or the scope does not allow
   *     it
   */
  public Project authorizeProject(Principal caller, String orgId, String projectId, Role role,
      Scope scope) {
    Membership m = memberOf(caller, orgId);
    Project p = visibleProject(caller, orgId, projectId);
    require(caller, m, role, scope, p.departmentId(), null, "this action");
    return p;
  }

  /** The caller's membership, or NOT_FOUND for the organization. */
  private Membership memberOf(Principal caller, String orgId) {
    if (!Inputs.plausibleId(orgId)
        || caller.organizationId() != null && !caller.organizationId().equals(orgId)) {
      throw notFound("organization", orgId);
    }
    return store.membership(orgId, caller.userId())
        .orElseThrow(() -> notFound("organization", orgId));
  }

  /**
   * Checks role and scope. {@code departmentId} is the department the resource sits in (null for
   * the organization level): a membership limited to a department has its role there and inside
   * it, and reads elsewhere.
   */
  private void require(Principal caller, Membership m, Role role, Scope scope,
      String departmentId, Map<String, String> parents, String action) {
    Role effective = Role.parse(m.role());
    if (m.departmentId() != null && effective != Role.VIEWER
        && !within(m.organizationId(), departmentId, m.departmentId(), parents)) {
      if (!Role.VIEWER.atLeast(role)) {
        throw denied("your role in organization " + m.organizationId() + " is limited to"
            + " department " + m.departmentId() + " and the departments inside it; " + action
            + " is outside it");
      }
      effective = Role.VIEWER;
    }
    if (!effective.atLeast(role)) {
      throw denied("your role in organization " + m.organizationId() + " is " + effective.wire()
          + "; " + action + " needs " + role.wire() + (role == Role.OWNER ? "" : " or above"));
    }
    if (!caller.scope().covers(scope)) {
      throw denied("this token's scope is " + caller.scope().wire() + "; " + action
          + " needs a token with scope " + scope.wire()
          + (scope == Scope.ADMIN ? "" : " or above"));
    }
  }

  /** Whether {@code departmentId} is {@code ancestor} or inside it. */
  private boolean within(String orgId, String departmentId, String ancestor,
      Map<String, String> parents) {
    Map<String, String> up = parents != null ? parents : parents(orgId);
    String d = departmentId;
    for (int i = 0; d != null && i <= MAX_DEPARTMENT_DEPTH; i++) {
      if (d.equals(ancestor)) {
        return true;
      }
      d = up.get(d);
    }
    return false;
  }

  /** Each department's parent, for walking up the tree in memory. */
  private Map<String, String> parents(String orgId) {
    Map<String, String> up = new HashMap<>();
    for (Department d : store.departments(orgId)) {
      up.put(d.id(), d.parentId());
    }
    return up;
  }

  private static void noProjectLimit(Principal caller, String action) {
    if (caller.projectId() != null) {
      throw denied("this token is limited to project " + caller.projectId() + "; " + action
          + " needs a token without a project limit");
    }
  }

  private Project visibleProject(Principal caller, String orgId, String projectId) {
    if (!Inputs.plausibleId(projectId)
        || caller.projectId() != null && !caller.projectId().equals(projectId)) {
      throw notFound("project", projectId);
    }
    return store.project(orgId, projectId).orElseThrow(() -> notFound("project", projectId));
  }

  static ApiException notFound(String kind, String id) {
    return ApiException.notFound(kind + " " + Inputs.quote(id));
  }

  static ApiException denied(String message) {
    return new ApiException(ErrorCode.PERMISSION_DENIED, message);
  }

  // ---------------------------------------------------------------- organizations

  /** The organizations the caller belongs to (only the token's one, for a token). */
  List<Organization> organizations(Principal caller) {
    List<Organization> all = store.organizationsOf(caller.userId());
    if (caller.organizationId() == null) {
      return all;
    }
    return all.stream().filter(o -> o.id().equals(caller.organizationId())).toList();
  }

  /**
   * Creates an organization with the caller as its owner.
   *
   * @throws ApiException INVALID_ARGUMENT for a bad name; PERMISSION_DENIED with a token (a token
   *     is limited to its organization: sign in with a session)
   */
  Organization createOrganization(Principal caller, String name) {
    String n = Inputs.name("name", name);
    if (caller.via() == Principal.Via.TOKEN) {
      throw denied("an API token is limited to its organization; create organizations signed in"
          + " with a browser session");
    }
    Instant now = now();
    Organization org = new Organization(Secrets.id("org_"), n, now);
    jdbi.useTransaction(h -> {
      store.createOrganization(h, org, new Membership(org.id(), caller.userId(), caller.email(),
          Role.OWNER.wire(), null, now));
      // in its own log, and in the installation's, which outlives it
      Map<String, String> details = details("name", n);
      audit.append(h, success(caller, org.id(), "organization.create", "organization", org.id(),
          details));
      audit.append(h, success(caller, AuditLog.INSTALLATION, "organization.create",
          "organization", org.id(), details));
    });
    return org;
  }

  /** @throws ApiException NOT_FOUND unless the caller is a member */
  Organization organization(Principal caller, String orgId) {
    Membership m = memberOf(caller, orgId);
    require(caller, m, Role.VIEWER, Scope.READ, null, null, "reading the organization");
    return store.organization(orgId).orElseThrow(() -> notFound("organization", orgId));
  }

  /**
   * Deletes the organization and everything in it but its audit log, whose last event records
   * the deletion (the installation's log records it too, for it stays readable there).
   *
   * @throws ApiException NOT_FOUND unless a member; PERMISSION_DENIED unless an owner (with a
   *     session or an admin-scoped token)
   */
  void deleteOrganization(Principal caller, String orgId) {
    Membership m = memberOf(caller, orgId);
    refusalsRecorded(caller, orgId, "organization.delete", "organization", orgId, () -> {
      noProjectLimit(caller, "deleting the organization");
      require(caller, m, Role.OWNER, Scope.ADMIN, null, null, "deleting the organization");
      Organization org = store.organization(orgId)
          .orElseThrow(() -> notFound("organization", orgId));
      jdbi.useTransaction(h -> {
        if (!store.deleteOrganization(h, orgId)) {
          throw notFound("organization", orgId);
        }
        Map<String, String> details = details("name", org.name());
        audit.append(h, success(caller, orgId, "organization.delete", "organization", orgId,
            details));
        audit.append(h, success(caller, AuditLog.INSTALLATION, "organization.delete",
            "organization", orgId, details));
      });
    });
    try {
      deleted.accept(orgId);
    } catch (RuntimeException e) {
      LOG.error("organization {} is deleted, but what it left (its blobs) could not all be "
          + "deleted now; the next start deletes the rest", orgId, e);
    }
  }

  // ---------------------------------------------------------------- departments

  List<Department> departments(Principal caller, String orgId) {
    Membership m = memberOf(caller, orgId);
    noProjectLimit(caller, "listing departments");
    require(caller, m, Role.VIEWER, Scope.READ, null, null, "listing departments");
    return store.departments(orgId);
  }

  Department department(Principal caller, String orgId, String departmentId) {
    Membership m = memberOf(caller, orgId);
    noProjectLimit(caller, "reading a department");
    require(caller, m, Role.VIEWER, Scope.READ, null, null, "reading a department");
    return findDepartment(orgId, departmentId);
  }

  private Department findDepartment(String orgId, String departmentId) {
    if (!Inputs.plausibleId(departmentId)) {
      throw notFound("department", departmentId);
    }
    return store.department(orgId, departmentId)
        .orElseThrow(() -> notFound("department", departmentId));
  }

  /**
   * Creates a department, at the top level or inside {@code parentId}.
   *
   * @throws ApiException PERMISSION_DENIED unless an admin (of the parent department, or of the
   *     organization for a top-level one) with an admin-scoped token or a session;
   *     INVALID_ARGUMENT past {@value #MAX_DEPARTMENT_DEPTH} levels
   */
  Department createDepartment(Principal caller, String orgId, CreateDepartment req) {
    Membership m = memberOf(caller, orgId);
    return refusalsRecorded(caller, orgId, "department.create", "department", null, () -> {
      noProjectLimit(caller, "creating a department");
      String name = Inputs.name("name", req.name());
      Map<String, String> up = parents(orgId);
      String parent = req.parentId();
      if (parent != null) {
        findDepartment(orgId, parent);
      }
      require(caller, m, Role.ADMIN, Scope.ADMIN, parent, up, "creating a department");
      if (parent != null && depth(parent, up) + 1 > MAX_DEPARTMENT_DEPTH) {
        throw ApiException.invalid("departments nest at most " + MAX_DEPARTMENT_DEPTH
            + " levels deep; " + parent + " is at the limit");
      }
      Department d = new Department(Secrets.id("dept_"), orgId, parent, name, now());
      jdbi.useTransaction(h -> {
        store.insertDepartment(h, d);
        audit.append(h, success(caller, orgId, "department.create", "department", d.id(),
            details("name", name, "parentId", parent)));
      });
      return d;
    });
  }

  /**
   * Renames or moves a department.
   *
   * @throws ApiException INVALID_ARGUMENT when the move would put it inside itself (a cycle) or
   *     nest too deep; PERMISSION_DENIED unless an admin where it is and where it goes
   */
  Department updateDepartment(Principal caller, String orgId, String departmentId,
      UpdateDepartment req) {
    Membership m = memberOf(caller, orgId);
    return refusalsRecorded(caller, orgId, "department.update", "department", departmentId,
        () -> {
          noProjectLimit(caller, "changing a department");
          Department d = findDepartment(orgId, departmentId);
          Map<String, String> up = parents(orgId);
          require(caller, m, Role.ADMIN, Scope.ADMIN, d.id(), up, "changing a department");
          String name = req.name() == null ? d.name() : Inputs.name("name", req.name());
          String parent = d.parentId();
          if (req.parentId() != null) {
            parent = req.parentId().isEmpty() ? null : req.parentId();
            if (parent != null) {
              findDepartment(orgId, parent);
              if (within(orgId, parent, d.id(), up)) {
                throw ApiException.invalid("department " + d.id() + " cannot move into "
                    + parent + ": that is the department itself or one inside it, which would"
                    + " make a cycle");
              }
              int height = height(d.id(), up);
              if (depth(parent, up) + height > MAX_DEPARTMENT_DEPTH) {
                throw ApiException.invalid("departments nest at most " + MAX_DEPARTMENT_DEPTH
                    + " levels deep; moving " + d.id() + " under " + parent + " would exceed it");
              }
            }
            require(caller, m, Role.ADMIN, Scope.ADMIN, parent, up, "moving a department there");
          }
          Department updated = new Department(d.id(), orgId, parent, name, d.createdAt());
          jdbi.useTransaction(h -> {
            if (!store.updateDepartment(h, orgId, d.id(), updated.name(), updated.parentId())) {
              throw notFound("department", d.id());
            }
            audit.append(h, success(caller, orgId, "department.update", "department", d.id(),
                details("name", updated.name(), "parentId", updated.parentId(),
                    "previousName", d.name(), "previousParentId", d.parentId())));
          });
          return updated;
        });
  }

  /** Levels from the top down to {@code departmentId} (a top-level department is 1). */
  private static int depth(String departmentId, Map<String, String> up) {
    int depth = 0;
    for (String d = departmentId; d != null && depth <= MAX_DEPARTMENT_DEPTH; d = up.get(d)) {
      depth++;
    }
    return depth;
  }

  /** Levels of the subtree rooted at {@code departmentId} (1 when it has no departments). */
  private static int height(String departmentId, Map<String, String> up) {
    int height = 1;
    for (String d : up.keySet()) {
      int levels = 1;
      for (String x = d; x != null && levels <= MAX_DEPARTMENT_DEPTH + 1; x = up.get(x)) {
        if (x.equals(departmentId)) {
          height = Math.max(height, levels);
          break;
        }
        levels++;
      }
    }
    return height;
  }

  /**
   * Deletes an empty department.
   *
   * @throws ApiException CONFLICT while departments, projects or members are in it
   */
  void deleteDepartment(Principal caller, String orgId, String departmentId) {
    Membership m = memberOf(caller, orgId);
    refusalsRecorded(caller, orgId, "department.delete", "department", departmentId, () -> {
      noProjectLimit(caller, "deleting a department");
      Department d = findDepartment(orgId, departmentId);
      require(caller, m, Role.ADMIN, Scope.ADMIN, d.id(), null, "deleting a department");
      TenancyStore.DepartmentUsage usage = store.departmentUsage(orgId, d.id());
      if (usage.children() + usage.projects() + usage.members() > 0) {
        throw new ApiException(ErrorCode.CONFLICT, "department " + d.id() + " is not empty: it"
            + " has " + usage.children() + " departments, " + usage.projects() + " projects and "
            + usage.members() + " members limited to it; move or delete them first");
      }
      jdbi.useTransaction(h -> {
        if (!store.deleteDepartment(h, orgId, d.id())) {
          throw notFound("department", d.id());
        }
        audit.append(h, success(caller, orgId, "department.delete", "department", d.id(),
            details("name", d.name(), "parentId", d.parentId())));
      });
    });
  }

  // ---------------------------------------------------------------- members

  List<Membership> members(Principal caller, String orgId) {
    Membership m = memberOf(caller, orgId);
    noProjectLimit(caller, "listing members");
    require(caller, m, Role.VIEWER, Scope.READ, null, null, "listing members");
    return store.memberships(orgId);
  }

  /**
   * Adds an existing user to the organization.
   *
   * @throws ApiException NOT_FOUND for an unknown email (an installation administrator creates
   *     users); CONFLICT when already a member; PERMISSION_DENIED unless an admin of the
   *     organization (an owner to add an owner)
   */
  Membership addMember(Principal caller, String orgId, AddMember req) {
    Membership m = memberOf(caller, orgId);
    return refusalsRecorded(caller, orgId, "member.add", "member", null, () -> {
      noProjectLimit(caller, "adding a member");
      require(caller, m, Role.ADMIN, Scope.ADMIN, null, null, "adding a member");
      String email = Inputs.email(req.email());
      Role role = Role.parse(req.role());
      if (role == Role.OWNER) {
        require(caller, m, Role.OWNER, Scope.ADMIN, null, null, "adding an owner");
      }
      if (req.departmentId() != null) {
        findDepartment(orgId, req.departmentId());
      }
      UserRow user = store.userByEmail(email).orElseThrow(() -> ApiException.notFound(
          "user " + Inputs.quote(email) + " (an installation administrator creates users with"
              + " POST /api/v1/users)"));
      if (store.membership(orgId, user.user().id()).isPresent()) {
        throw new ApiException(ErrorCode.CONFLICT, email + " is a member already; change their"
            + " role with PATCH /api/v1/orgs/" + orgId + "/members/" + user.user().id());
      }
      Membership added = new Membership(orgId, user.user().id(), email, role.wire(),
          req.departmentId(), now());
      jdbi.useTransaction(h -> {
        store.insertMembership(h, added);
        audit.append(h, success(caller, orgId, "member.add", "member", added.userId(),
            details("email", email, "role", added.role(), "departmentId",
                added.departmentId())));
      });
      return added;
    });
  }

  /**
   * Changes a member's role or department limit.
   *
   * @throws ApiException CONFLICT when it would leave the organization without an owner;
   *     PERMISSION_DENIED unless an admin (an owner when an owner is involved)
   */
  Membership updateMember(Principal caller, String orgId, String userId,
      UpdateMember req) {
    Membership m = memberOf(caller, orgId);
    return refusalsRecorded(caller, orgId, "member.update", "member", userId, () -> {
      noProjectLimit(caller, "changing a member");
      require(caller, m, Role.ADMIN, Scope.ADMIN, null, null, "changing a member");
      Membership target = findMember(orgId, userId);
      Role role = req.role() == null ? Role.parse(target.role()) : Role.parse(req.role());
      String dept = target.departmentId();
      if (req.departmentId() != null) {
        dept = req.departmentId().isEmpty() ? null : req.departmentId();
        if (dept != null) {
          findDepartment(orgId, dept);
        }
      }
      if (target.role().equals(Role.OWNER.wire()) || role == Role.OWNER) {
        require(caller, m, Role.OWNER, Scope.ADMIN, null, null, "changing an owner");
      }
      Membership updated = new Membership(orgId, target.userId(), target.email(), role.wire(),
          dept, target.createdAt());
      jdbi.useTransaction(h -> {
        keepsAnOwner(h, orgId, target.userId(), isOrgOwner(updated));
        if (!store.updateMembership(h, orgId, target.userId(), updated.role(),
            updated.departmentId())) {
          throw notFound("member", target.userId());
        }
        audit.append(h, success(caller, orgId, "member.update", "member", target.userId(),
            details("email", target.email(), "role", updated.role(), "departmentId",
                updated.departmentId(), "previousRole", target.role(),
                "previousDepartmentId", target.departmentId())));
      });
      return updated;
    });
  }

  /**
   * Removes a member (and revokes their tokens there). Anyone may leave; removing others needs
   * an admin (an owner to remove an owner).
   *
   * @throws ApiException CONFLICT for the last owner
   */
  void removeMember(Principal caller, String orgId, String userId) {
    Membership m = memberOf(caller, orgId);
    refusalsRecorded(caller, orgId, "member.remove", "member", userId, () -> {
      noProjectLimit(caller, "removing a member");
      Membership target = findMember(orgId, userId);
      if (target.userId().equals(caller.userId())) {
        require(caller, m, Role.VIEWER, Scope.WRITE, null, null, "leaving the organization");
      } else {
        require(caller, m, Role.ADMIN, Scope.ADMIN, null, null, "removing a member");
        if (target.role().equals(Role.OWNER.wire())) {
          require(caller, m, Role.OWNER, Scope.ADMIN, null, null, "removing an owner");
        }
      }
      jdbi.useTransaction(h -> {
        keepsAnOwner(h, orgId, target.userId(), false);
        if (!store.deleteMembership(h, orgId, target.userId())) {
          throw notFound("member", target.userId());
        }
        int revoked = store.revokeTokensOf(h, orgId, target.userId(), now());
        audit.append(h, success(caller, orgId, "member.remove", "member", target.userId(),
            details("email", target.email(), "role", target.role(), "tokensRevoked",
                Integer.toString(revoked))));
      });
    });
  }

  /**
   * Checks, inside the transaction of a change to {@code userId}'s membership, that the
   * organization still has an owner of the whole organization after it. The organization's row
   * stays locked until the transaction ends, so changes of members made at the same moment queue
   * up and each sees the ones before: two owners demoting each other cannot both succeed.
   *
   * @param staysOwner whether {@code userId} is an owner of the whole organization after it
   */
  private void keepsAnOwner(Handle h, String orgId, String userId, boolean staysOwner) {
    if (!store.lockOrganization(h, orgId)) {
      throw notFound("organization", orgId);
    }
    if (!staysOwner && store.ownersOtherThan(h, orgId, userId) == 0) {
      throw lastOwner();
    }
  }

  private Membership findMember(String orgId, String userId) {
    if (!Inputs.plausibleId(userId)) {
      throw notFound("member", userId);
    }
    return store.membership(orgId, userId).orElseThrow(() -> notFound("member", userId));
  }

  private static boolean isOrgOwner(Membership m) {
    return m.role().equals(Role.OWNER.wire()) && m.departmentId() == null;
  }

  private static ApiException lastOwner() {
    return new ApiException(ErrorCode.CONFLICT, "an organization keeps at least one owner of the"
        + " whole organization; make another member owner first");
  }

  // ---------------------------------------------------------------- projects

  /** The projects the caller can see (only its project, for a project-limited token). */
  List<Project> projects(Principal caller, String orgId) {
    Membership m = memberOf(caller, orgId);
    require(caller, m, Role.VIEWER, Scope.READ, null, null, "listing projects");
    return store.projects(orgId).stream()
        .filter(p -> caller.projectId() == null || caller.projectId().equals(p.id()))
        .toList();
  }

  Project project(Principal caller, String orgId, String projectId) {
    return authorizeProject(caller, orgId, projectId, Role.VIEWER, Scope.READ);
  }

  /**
   * Creates a project in the organization or one of its departments.
   *
   * @throws ApiException CONFLICT for a name the organization uses already; PERMISSION_DENIED
   *     unless a member (of that department) with a write-scoped token or a session
   */
  Project createProject(Principal caller, String orgId, CreateProject req) {
    Membership m = memberOf(caller, orgId);
    return refusalsRecorded(caller, orgId, "project.create", "project", null, () -> {
      noProjectLimit(caller, "creating a project");
      String name = Inputs.name("name", req.name());
      String description = Inputs.text("description", req.description(),
          Inputs.MAX_DESCRIPTION);
      if (req.departmentId() != null) {
        findDepartment(orgId, req.departmentId());
      }
      require(caller, m, Role.MEMBER, Scope.WRITE, req.departmentId(), null,
          "creating a project");
      Project p = new Project(Secrets.id("prj_"), orgId, req.departmentId(), name, description,
          now());
      jdbi.useTransaction(h -> {
        if (!store.insertProject(h, p)) {
          throw new ApiException(ErrorCode.CONFLICT, "organization " + orgId
              + " has a project named " + Inputs.quote(name) + " already; choose another name");
        }
        audit.append(h, success(caller, orgId, "project.create", "project", p.id(),
            details("name", name, "departmentId", p.departmentId())));
      });
      return p;
    });
  }

  /** Deletes a project: an admin (of its department) with a write-scoped token or a session. */
  void deleteProject(Principal caller, String orgId, String projectId) {
    // authorizeProject answers NOT_FOUND to non-members before any check that can deny
    refusalsRecorded(caller, orgId, "project.delete", "project", projectId, () -> {
      Project p = authorizeProject(caller, orgId, projectId, Role.ADMIN, Scope.WRITE);
      jdbi.useTransaction(h -> {
        if (!store.deleteProject(h, orgId, p.id())) {
          throw notFound("project", p.id());
        }
        audit.append(h, success(caller, orgId, "project.delete", "project", p.id(),
            details("name", p.name(), "departmentId", p.departmentId())));
      });
    });
  }

  // ---------------------------------------------------------------- API tokens

  /** The caller's tokens in the organization; every member's for an organization admin. */
  List<TokenInfo> tokens(Principal caller, String orgId) {
    Membership m = memberOf(caller, orgId);
    noProjectLimit(caller, "listing tokens");
    require(caller, m, Role.VIEWER, Scope.READ, null, null, "listing tokens");
    return store.tokens(orgId, seesAllTokens(caller, m) ? null : caller.userId());
  }

  private static boolean seesAllTokens(Principal caller, Membership m) {
    return m.departmentId() == null && Role.parse(m.role()).atLeast(Role.ADMIN)
        && caller.scope().covers(Scope.ADMIN);
  }

  /**
   * Creates an API token for the caller in this organization. Its secret is in the answer only.
   *
   * @throws ApiException INVALID_ARGUMENT for a missing or past expiry, or one more than a year
   *     away, or an unknown scope; PERMISSION_DENIED when a token (not admin-scoped, or
   *     project-limited) tries to create one, or asks for a wider scope than its own
   */
  TokenCreated createToken(Principal caller, String orgId, CreateToken req) {
    Membership m = memberOf(caller, orgId);
    return refusalsRecorded(caller, orgId, "token.create", "token", null, () -> {
      noProjectLimit(caller, "creating a token");
      require(caller, m, Role.VIEWER,
          caller.via() == Principal.Via.TOKEN ? Scope.ADMIN : Scope.READ, null, null,
          "creating a token");
      String name = Inputs.name("name", req.name());
      Scope scope = Scope.parse(req.scope());
      if (!caller.scope().covers(scope)) {
        throw denied("a token cannot create a token with a wider scope than its own ("
            + caller.scope().wire() + ")");
      }
      Instant now = now();
      if (req.expiresAt() == null) {
        throw ApiException.invalid("expiresAt is required: a time in the next "
            + TOKEN_MAX_LIFETIME.toDays() + " days, e.g. " + now.plus(Duration.ofDays(90)));
      }
      Instant expires = req.expiresAt().truncatedTo(ChronoUnit.MICROS);
      if (!expires.isAfter(now)) {
        throw ApiException.invalid("expiresAt must be in the future; received " + expires);
      }
      if (expires.isAfter(now.plus(TOKEN_MAX_LIFETIME))) {
        throw ApiException.invalid("expiresAt is at most " + TOKEN_MAX_LIFETIME.toDays()
            + " days away (by " + now.plus(TOKEN_MAX_LIFETIME) + "); received " + expires);
      }
      if (req.projectId() != null) {
        visibleProject(caller, orgId, req.projectId());
      }
      String secret = Secrets.token();
      TokenInfo info = new TokenInfo(Secrets.id("tok_"), orgId, caller.userId(), name,
          scope.wire(), req.projectId(), now, expires, null, null);
      jdbi.useTransaction(h -> {
        store.insertToken(h, info, Secrets.hash(secret));
        audit.append(h, success(caller, orgId, "token.create", "token", info.id(),
            details("name", name, "scope", info.scope(), "projectId", info.projectId(),
                "expiresAt", expires.toString())));
      });
      return new TokenCreated(secret, info);
    });
  }

  /**
   * Revokes a token (again is fine). One's own with a session or a write-scoped token; another
   * member's as an organization admin.
   *
   * @throws ApiException NOT_FOUND for an unknown token, or another member's to a non-admin
   */
  void revokeToken(Principal caller, String orgId, String tokenId) {
    Membership m = memberOf(caller, orgId);
    refusalsRecorded(caller, orgId, "token.revoke", "token", tokenId, () -> {
      noProjectLimit(caller, "revoking a token");
      if (!Inputs.plausibleId(tokenId)) {
        throw notFound("token", tokenId);
      }
      TokenInfo t = store.token(orgId, tokenId).orElseThrow(() -> notFound("token", tokenId));
      boolean own = t.userId().equals(caller.userId());
      if (!own && !seesAllTokens(caller, m)) {
        throw notFound("token", tokenId);
      }
      require(caller, m, own ? Role.VIEWER : Role.ADMIN, own ? Scope.WRITE : Scope.ADMIN, null,
          null, "revoking a token");
      jdbi.useTransaction(h -> {
        if (store.revokeToken(h, orgId, t.id(), now())) { // revoked before: nothing changes
          audit.append(h, success(caller, orgId, "token.revoke", "token", t.id(),
              details("name", t.name(), "userId", t.userId())));
        }
      });
    });
  }

  // ---------------------------------------------------------------- users

  /**
   * Checks that the caller administers this installation, with a credential of at least
   * {@code scope}: for what is not inside one organization (users, the installation's audit
   * log).
   *
   * @throws ApiException PERMISSION_DENIED unless an installation administrator whose session
   *     or token allows {@code scope}; UNAUTHENTICATED when the account no longer exists
   */
  public void authorizeInstallation(Principal caller, Scope scope) {
    if (!self(caller).installationAdmin()) {
      throw denied("only an administrator of this installation may do this");
    }
    if (!caller.scope().covers(scope)) {
      throw denied("this token's scope is " + caller.scope().wire() + "; this needs a session"
          + " or a token with scope " + scope.wire() + (scope == Scope.ADMIN ? "" : " or above"));
    }
  }

  /**
   * Creates a user without a password and a one-time sign-in link for them. The installation's
   * audit log records it: a new user belongs to no organization yet.
   *
   * @param baseUrl the server's public address, for the link
   * @throws ApiException PERMISSION_DENIED unless an installation administrator (with a session or
   *     an admin-scoped token); CONFLICT for an email in use
   */
  UserCreated createUser(Principal caller, CreateUser req, String baseUrl) {
    return refusalsRecorded(caller, AuditLog.INSTALLATION, "user.create", "user", null, () -> {
      authorizeInstallation(caller, Scope.ADMIN);
      String email = Inputs.email(req.email());
      String display = req.displayName() == null ? email : Inputs.name("displayName",
          req.displayName());
      Instant now = now();
      User user = new User(Secrets.id("usr_"), email, display.length() > Inputs.MAX_NAME
          ? display.substring(0, Inputs.MAX_NAME) : display, now);
      String code = Secrets.secret();
      LinkRow link = new LinkRow(Secrets.hash(code), user.id(), now, now.plus(LINK_LIFETIME));
      jdbi.useTransaction(h -> {
        if (!store.createUser(h, new UserRow(user, null, false), link)) {
          throw new ApiException(ErrorCode.CONFLICT, "a user with email " + Inputs.quote(email)
              + " exists already");
        }
        audit.append(h, success(caller, AuditLog.INSTALLATION, "user.create", "user",
            user.id(), details("email", email, "displayName", user.displayName())));
      });
      return new UserCreated(user, link(baseUrl, code), link.expiresAt());
    });
  }

  private static String link(String baseUrl, String code) {
    String base = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
    return base + "/signin/" + code;
  }

  /** Who the caller is and where they belong (only the token's organization, for a token). */
  Me me(Principal caller) {
    UserRow me = self(caller);
    List<Membership> memberships = store.membershipsOf(caller.userId()).stream()
        .filter(m -> caller.organizationId() == null
            || m.organizationId().equals(caller.organizationId()))
        .toList();
    return new Me(me.user(), me.installationAdmin(), me.passwordHash() != null, memberships);
  }

  private UserRow self(Principal caller) {
    return store.user(caller.userId()).orElseThrow(() -> new ApiException(
        ErrorCode.UNAUTHENTICATED, "this account no longer exists"));
  }

  /**
   * Sets the caller's password: the current one is required once one is set. The caller's other
   * sessions end; the one of {@code cookie} goes on.
   *
   * @throws ApiException PERMISSION_DENIED with a token (passwords change in a browser session) or
   *     for a wrong current password; INVALID_ARGUMENT for a new password outside the rules;
   *     RATE_LIMITED after too many wrong current passwords
   */
  void changePassword(Principal caller, ChangePassword req, String cookie) {
    if (caller.via() != Principal.Via.SESSION) {
      throw recorded(caller, caller.organizationId(), "password.change", "user",
          caller.userId(), denied("a password changes only in a browser session, not with an"
              + " API token"));
    }
    UserRow me = self(caller);
    String account = "account:" + me.user().email();
    if (me.passwordHash() != null) {
      rateLimited(accounts.retryAfter(account));
      if (!Passwords.verify(req.currentPassword(), me.passwordHash())) {
        accounts.failed(account); // caps these FAILED events, as it caps failed sign-ins
        jdbi.useTransaction(h -> appendEach(h, organizationsOf(h, caller), me.user().id(),
            "password.change", caller.clientAddress(), Outcome.FAILED,
            details("reason", "the current password was wrong")));
        throw denied("currentPassword is wrong");
      }
    }
    Passwords.checkRules(req.newPassword());
    String hash = Passwords.hash(req.newPassword());
    jdbi.useTransaction(h -> {
      store.setPassword(h, me.user().id(), hash);
      store.deleteOtherSessions(h, me.user().id(), Secrets.hash(cookie == null ? "" : cookie));
      appendEach(h, organizationsOf(h, caller), me.user().id(), "password.change",
          caller.clientAddress(), Outcome.SUCCESS, details());
    });
  }

  // ---------------------------------------------------------------- sign-in and credentials

  /** A new browser session: the cookie's value (shown once) and what the client may see. */
  record NewSession(String cookie, SessionInfo info) {}

  /**
   * Signs in with email and password.
   *
   * @param address the client's address, for the per-address limit
   * @throws ApiException UNAUTHENTICATED for a wrong email or password (one message for both, and
   *     the same time); RATE_LIMITED after {@value #SIGN_IN_FAILURES} failures in 15 minutes for
   *     the account or the address
   */
  NewSession signIn(String email, String password, String address) {
    String normalized = email == null ? "" : email.strip().toLowerCase(java.util.Locale.ROOT);
    String account = "account:" + normalized;
    String ip = "ip:" + address;
    rateLimited(signInRetryAfter(normalized, address));
    Optional<UserRow> user = normalized.length() > Inputs.MAX_EMAIL ? Optional.empty()
        : store.userByEmail(normalized);
    boolean ok = Passwords.verify(password, user.map(UserRow::passwordHash).orElse(null));
    if (!ok) {
      accounts.failed(account);
      addresses.failed(ip);
      // Only a known account has organizations to record it in; the limiter above caps these
      // events at SIGN_IN_FAILURES per account per window.
      user.ifPresent(u -> signInFailed(u.user().id(), "password", address,
          u.passwordHash() == null ? "the account has no password yet" : "wrong password"));
      throw new ApiException(ErrorCode.UNAUTHENTICATED, "the email or password is wrong (an"
          + " account made with a sign-in link has no password until its user sets one)");
    }
    accounts.succeeded(account);
    return jdbi.inTransaction(h -> newSession(h, user.get(), "password", address));
  }

  /** Records a failed sign-in to a known account in each of its organizations. */
  private void signInFailed(String userId, String method, String address, String reason) {
    jdbi.useTransaction(h -> appendEach(h, store.organizationIdsOf(h, userId), userId,
        "session.create", address, Outcome.FAILED, details("method", method, "reason", reason)));
  }

  /** How long until this account and address may try to sign in again, or empty for now. */
  Optional<Duration> signInRetryAfter(String email, String address) {
    String normalized = email == null ? "" : email.strip().toLowerCase(java.util.Locale.ROOT);
    Optional<Duration> a = accounts.retryAfter("account:" + normalized);
    Optional<Duration> b = addresses.retryAfter("ip:" + address);
    if (a.isEmpty()) {
      return b;
    }
    return b.isPresent() && b.get().compareTo(a.get()) > 0 ? b : a;
  }

  private static void rateLimited(Optional<Duration> wait) {
    if (wait.isPresent()) {
      throw new ApiException(ErrorCode.RATE_LIMITED, "too many failed sign-in attempts; try again"
          + " in " + retrySeconds(wait.get()) + " seconds");
    }
  }

  static long retrySeconds(Duration wait) {
    return Math.max(1, (wait.toMillis() + 999) / 1000);
  }

  /**
   * Signs in with the code of a one-time link, which is used up.
   *
   * @throws ApiException UNAUTHENTICATED for an unknown, used or expired code; RATE_LIMITED after
   *     too many bad codes from the address
   */
  NewSession signInWithLink(String code, String address) {
    String ip = "ip:" + address;
    rateLimited(addresses.retryAfter(ip));
    String codeHash = code == null || code.isEmpty() || code.length() > MAX_SECRET ? null
        : Secrets.hash(code);
    Instant now = now();
    // The link is used up in the transaction that starts the session and records it.
    Optional<NewSession> session = codeHash == null ? Optional.empty()
        : jdbi.inTransaction(h -> store.useLink(h, codeHash, now)
            .map(user -> newSession(h, user, "link", address)));
    if (session.isEmpty()) {
      addresses.failed(ip); // caps these events too: a link's code must be known to try it
      if (codeHash != null) {
        store.linkUser(codeHash).ifPresent(userId -> signInFailed(userId, "link", address,
            "the link was used or has expired"));
      }
      throw new ApiException(ErrorCode.UNAUTHENTICATED, "this sign-in link is unknown, used or"
          + " expired; ask an administrator for a new one");
    }
    return session.get();
  }

  /** Starts a session for {@code user} and records the sign-in, inside {@code h}. */
  private NewSession newSession(Handle h, UserRow user, String method, String address) {
    Instant now = now();
    String cookie = Secrets.secret();
    SessionRow s = new SessionRow(Secrets.hash(cookie), user.user().id(), Secrets.secret(), now,
        now, now.plus(SESSION_ABSOLUTE));
    store.insertSession(h, s);
    appendEach(h, store.organizationIdsOf(h, user.user().id()), user.user().id(),
        "session.create", address, Outcome.SUCCESS, details("method", method));
    return new NewSession(cookie, new SessionInfo(user.user(), s.csrfToken(), s.expiresAt(),
        user.passwordHash() != null));
  }

  /** The session of a cookie value, as the client may see it. */
  SessionInfo session(String cookie) {
    SessionRow s = liveSession(cookie);
    UserRow user = store.user(s.userId()).orElseThrow(() -> sessionEnded());
    return new SessionInfo(user.user(), s.csrfToken(), s.expiresAt(),
        user.passwordHash() != null);
  }

  /** Ends the caller's session, of {@code cookie} (nothing when there is none). */
  void signOut(Principal caller, String cookie) {
    if (cookie != null && cookie.length() <= MAX_SECRET) {
      jdbi.useTransaction(h -> {
        store.deleteSession(h, Secrets.hash(cookie));
        appendEach(h, organizationsOf(h, caller), caller.userId(), "session.delete",
            caller.clientAddress(), Outcome.SUCCESS, details());
      });
    }
  }

  /**
   * The principal of a session cookie, calling from {@code address}.
   *
   * @throws ApiException UNAUTHENTICATED for an unknown or ended session
   */
  Principal authenticateSession(String cookie, String address) {
    SessionRow s = liveSession(cookie);
    UserRow user = store.user(s.userId()).orElseThrow(() -> sessionEnded());
    return new Principal(user.user().id(), user.user().email(), Principal.Via.SESSION,
        Scope.ADMIN, null, null, null, s.csrfToken(), address);
  }

  private SessionRow liveSession(String cookie) {
    if (cookie == null || cookie.isEmpty() || cookie.length() > MAX_SECRET) {
      throw sessionEnded();
    }
    SessionRow s = store.session(Secrets.hash(cookie)).orElseThrow(() -> sessionEnded());
    Instant now = now();
    if (!now.isBefore(s.expiresAt()) || !now.isBefore(s.lastSeenAt().plus(SESSION_IDLE))) {
      jdbi.useHandle(h -> store.deleteSession(h, s.idHash())); // bookkeeping, not audited
      throw sessionEnded();
    }
    if (!now.isBefore(s.lastSeenAt().plus(TOUCH_EVERY))) {
      store.touchSession(s.idHash(), now);
    }
    return s;
  }

  private static ApiException sessionEnded() {
    return new ApiException(ErrorCode.UNAUTHENTICATED, "the session ended (signed out, idle for "
        + SESSION_IDLE.toHours() + " hours, or older than " + SESSION_ABSOLUTE.toDays()
        + " days); sign in again");
  }

  /**
   * The principal of an API token ({@code lpt_...}), calling from {@code address}.
   *
   * @throws ApiException UNAUTHENTICATED for a malformed, unknown, expired or revoked token
   */
  Principal authenticateToken(String token, String address) {
    if (token == null || !token.startsWith(Secrets.TOKEN_PREFIX) || token.length() > MAX_SECRET) {
      throw new ApiException(ErrorCode.UNAUTHENTICATED, "the bearer token is not a Lepton API"
          + " token (lpt_...); create one with POST /api/v1/orgs/{org}/tokens");
    }
    String hash = Secrets.hash(token);
    TokenOwner found = store.tokenByHash(hash).orElseThrow(() ->
        new ApiException(ErrorCode.UNAUTHENTICATED, "the API token is unknown; create a new one"));
    TokenInfo t = found.token();
    Instant now = now();
    if (t.revokedAt() != null) {
      throw new ApiException(ErrorCode.UNAUTHENTICATED, "the API token " + t.id()
          + " was revoked at " + t.revokedAt() + "; create a new one");
    }
    if (!now.isBefore(t.expiresAt())) {
      throw new ApiException(ErrorCode.UNAUTHENTICATED, "the API token " + t.id() + " expired at "
          + t.expiresAt() + "; create a new one");
    }
    if (found.user() == null) {
      throw new ApiException(ErrorCode.UNAUTHENTICATED, "the API token's user no longer exists");
    }
    if (t.lastUsedAt() == null || !now.isBefore(t.lastUsedAt().plus(TOUCH_EVERY))) {
      store.touchToken(hash, now);
    }
    return new Principal(found.user().id(), found.user().email(), Principal.Via.TOKEN,
        Scope.parse(t.scope()), t.organizationId(), t.projectId(), t.id(), null, address);
  }

  // ---------------------------------------------------------------- first start

  /**
   * On the first start of an installation (no user yet): creates the organization
   * {@code orgName}, its owner {@code adminEmail} as an installation administrator without a
   * password, and a one-time sign-in link valid for 24 hours. The event
   * {@code installation.bootstrap} goes to the new organization's log and the installation's.
   *
   * @return the link, or empty when the installation has users already
   * @throws ApiException INVALID_ARGUMENT for an organization name or email that is not valid
   */
  public Optional<String> bootstrap(String orgName, String adminEmail, String baseUrl) {
    if (store.userCount() > 0) {
      return Optional.empty();
    }
    Instant now = now();
    User admin = new User(Secrets.id("usr_"), Inputs.email(adminEmail), "Administrator", now);
    Organization org = new Organization(Secrets.id("org_"), Inputs.name("the first"
        + " organization's name", orgName), now);
    Membership owner = new Membership(org.id(), admin.id(), admin.email(), Role.OWNER.wire(),
        null, now);
    String code = Secrets.secret();
    LinkRow link = new LinkRow(Secrets.hash(code), admin.id(), now, now.plus(LINK_LIFETIME));
    boolean created = jdbi.inTransaction(h -> {
      if (!store.createFirstAdmin(h, new UserRow(admin, null, true), org, owner, link)) {
        return false;
      }
      Map<String, String> details = details("name", org.name(), "adminId", admin.id(),
          "adminEmail", admin.email());
      for (String log : List.of(org.id(), AuditLog.INSTALLATION)) {
        audit.append(h, new AuditEntry(log, AuditLog.SYSTEM, "installation.bootstrap",
            "organization", org.id(), null, Outcome.SUCCESS, details));
      }
      return true;
    });
    return created ? Optional.of(link(baseUrl, code)) : Optional.empty();
  }

  // ---------------------------------------------------------------- first-run demo

  /**
   * What the first-run demo acts with: the organization it fills and an API token of the
   * administrator in it.
   *
   * @param organizationId the demo organization's id
   * @param token an admin-scoped API token of the administrator in it (secret; never printed)
   * @param tokenId that token's id, to revoke it when the demo is done
   * @param created whether this call created the organization
   */
  public record DemoAccess(String organizationId, String token, String tokenId,
      boolean created) {}

  /**
   * For the first-run demo ({@code lepton server --demo}): the organization named
   * {@code orgName} that the administrator {@code adminEmail} belongs to, created with them as
   * its owner when they have none of that name, and a new admin-scoped API token of theirs in it
   * valid for {@code lifetime}. Both are the administrator's own actions, audited as when they
   * call the API (from the address {@code "demo"}).
   *
   * @throws ApiException NOT_FOUND when no user has that email (the demo acts as the first
   *     administrator: start with the {@code --admin-email} of the installation's first start)
   */
  public DemoAccess demoAccess(String orgName, String adminEmail, Duration lifetime) {
    UserRow admin = store.userByEmail(Inputs.email(adminEmail)).orElseThrow(() ->
        ApiException.notFound("no user " + Inputs.quote(adminEmail) + ": the demo acts as the"
            + " installation's first administrator; pass the --admin-email of its first start"));
    Principal caller = new Principal(admin.user().id(), admin.user().email(),
        Principal.Via.SESSION, Scope.ADMIN, null, null, null, null, "demo");
    Optional<Organization> existing = store.organizationsOf(admin.user().id()).stream()
        .filter(o -> o.name().equals(orgName)).findFirst();
    Organization org = existing.orElseGet(() -> createOrganization(caller, orgName));
    TokenCreated token = createToken(caller, org.id(), new CreateToken("demo", Scope.ADMIN.wire(),
        null, now().plus(lifetime)));
    return new DemoAccess(org.id(), token.token(), token.info().id(), existing.isEmpty());
  }
}
