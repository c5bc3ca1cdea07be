package ai.lepton.cli;

import ai.lepton.api.AddMember;
import ai.lepton.api.CreateUser;
import ai.lepton.api.Membership;
import ai.lepton.api.MembershipList;
import ai.lepton.api.UpdateMember;
import ai.lepton.api.UserCreated;
import ai.lepton.client.LeptonClient;
import java.util.Map;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code lepton user create|list|add|role|remove}: users of the installation ({@code create}) and
 * the members of an organization (the others). A member is named by email or user id.
 */
@Command(name = "user", mixinStandardHelpOptions = true,
    description = {"Users and organization membership.",
        "create makes a user of this installation (administrators); list, add, role and remove "
            + "manage who belongs to the organization and with which role (owner, admin, member,"
            + " viewer). USER is an email or a user id."})
final class UserCommand {
  @Mixin ClientOptions options;

  @Command(name = "create", mixinStandardHelpOptions = true,
      description = "Create a user (installation administrators) and print their one-time "
          + "sign-in link; then add them to an organization with 'lepton user add'.")
  int create(@Parameters(paramLabel = "EMAIL") String email,
      @Option(names = "--name", paramLabel = "DISPLAY_NAME",
          description = "how they are shown (default: the email)") String name) {
    UserCreated u = options.client().createUser(new CreateUser(email, name));
    return options.print(u, "Created user " + u.user().id() + " " + Table.plain(u.user().email())
        + ". Hand them this one-time sign-in link (valid until " + Table.plain(u.linkExpiresAt())
        + "); it is shown only now:\n\n    " + u.signInLink() + "\n\nThen: lepton user add "
        + Table.plain(u.user().email()) + " --role member");
  }

  @Command(name = "list", mixinStandardHelpOptions = true,
      description = "The organization's members and their roles.")
  int list() {
    MembershipList members = options.client().members(options.org());
    Table table = new Table("USER", "EMAIL", "ROLE", "DEPARTMENT", "SINCE");
    for (Membership m : members.items()) {
      table.row(m.userId(), m.email(), m.role(), m.departmentId(), m.createdAt());
    }
    return options.print(members, table);
  }

  @Command(name = "add", mixinStandardHelpOptions = true,
      description = "Add an existing user to the organization (admins; owners add owners).")
  int add(@Parameters(paramLabel = "EMAIL") String email,
      @Option(names = "--role", defaultValue = "member",
          description = "owner, admin, member or viewer (default ${DEFAULT-VALUE})") String role,
      @Option(names = "--dept", paramLabel = "DEPT",
          description = "limit the role to this department (elsewhere they can only read)")
      String dept) {
    LeptonClient client = options.client();
    String org = options.org();
    String deptId = dept == null ? null : DeptCommand.find(client, org, dept).id();
    Membership m = client.addMember(org, new AddMember(email, role, deptId));
    return options.print(m, "Added " + Table.plain(m.email()) + " to " + org + " as " + m.role()
        + (deptId == null ? "." : " of department " + dept + "."));
  }

  /** Where the role applies: a department, or the whole organization. */
  static final class Scope {
    @Option(names = "--dept", paramLabel = "DEPT", required = true,
        description = "limit the role to this department")
    String dept;

    @Option(names = "--whole-org", required = true,
        description = "lift a department limit: the role applies to the whole organization")
    boolean wholeOrg;
  }

  @Command(name = "role", mixinStandardHelpOptions = true,
      description = "Change a member's role, or the department it is limited to (admins; owners "
          + "when an owner is involved). The last owner keeps their role.")
  int role(@Parameters(index = "0", paramLabel = "USER") String user,
      @Parameters(index = "1", paramLabel = "ROLE", arity = "0..1",
          description = "owner, admin, member or viewer (default: unchanged)") String role,
      @ArgGroup(multiplicity = "0..1") Scope scope) {
    if (role == null && scope == null) {
      throw new CommandException("nothing to change: give a ROLE (owner, admin, member, viewer), "
          + "--dept DEPT or --whole-org");
    }
    LeptonClient client = options.client();
    String org = options.org();
    Membership target = find(client, org, user);
    String deptId = scope == null ? null : scope.wholeOrg ? ""
        : DeptCommand.find(client, org, scope.dept).id();
    Membership m = client.updateMember(org, target.userId(), new UpdateMember(role, deptId));
    return options.print(m, Table.plain(m.email()) + " is now " + m.role()
        + (m.departmentId() == null ? " of the whole organization." : " of department "
        + m.departmentId() + "."));
  }

  @Command(name = "remove", mixinStandardHelpOptions = true,
      description = "Remove a member from the organization and revoke their tokens in it "
          + "(admins; anyone may remove themselves).")
  int remove(@Parameters(paramLabel = "USER") String user) {
    LeptonClient client = options.client();
    String org = options.org();
    Membership target = find(client, org, user);
    client.removeMember(org, target.userId());
    return options.print(Map.of("removed", target.userId()), "Removed "
        + Table.plain(target.email()) + " from " + org + ".");
  }

  private static Membership find(LeptonClient client, String org, String ref) {
    return Refs.pick("member", ref, client.members(org).items(), "lepton user list",
        Membership::userId, Membership::email);
  }
}
