package ai.lepton.cli;

import ai.lepton.api.CreateDepartment;
import ai.lepton.api.Department;
import ai.lepton.api.DepartmentList;
import ai.lepton.api.UpdateDepartment;
import ai.lepton.client.LeptonClient;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code lepton dept list|create|rename|move|delete}: an organization's nested departments. A
 * department is named by its id, its path ({@code Research/Vision}) or its name when no other
 * department has it.
 */
@Command(name = "dept", mixinStandardHelpOptions = true,
    description = {"Departments: nested units of an organization.",
        "DEPT is a department's id, its path (Research/Vision), or its name when unique."})
final class DeptCommand {
  @Mixin ClientOptions options;

  @Command(name = "list", mixinStandardHelpOptions = true,
      description = "The organization's departments, by path.")
  int list() {
    DepartmentList list = options.client().departments(options.org());
    Map<String, String> paths = paths(list.items());
    Table table = new Table("ID", "PATH", "CREATED");
    list.items().stream().sorted(java.util.Comparator.comparing(d -> paths.get(d.id())))
        .forEach(d -> table.row(d.id(), paths.get(d.id()), d.createdAt()));
    return options.print(list, table);
  }

  @Command(name = "create", mixinStandardHelpOptions = true,
      description = "Create a department (admins), at the top or inside --parent.")
  int create(@Parameters(paramLabel = "NAME", description = "1-100 characters") String name,
      @Option(names = "--parent", paramLabel = "DEPT", description = "the department to create it "
          + "in (admins of that one may)") String parent) {
    LeptonClient client = options.client();
    String org = options.org();
    String parentId = parent == null ? null : find(client, org, parent).id();
    Department d = client.createDepartment(org, new CreateDepartment(name, parentId));
    return options.print(d, "Created department " + d.id() + " '" + Table.plain(d.name()) + "'"
        + (parentId == null ? "." : " in " + parent + "."));
  }

  @Command(name = "rename", mixinStandardHelpOptions = true,
      description = "Rename a department (admins).")
  int rename(@Parameters(index = "0", paramLabel = "DEPT") String dept,
      @Parameters(index = "1", paramLabel = "NEW_NAME", description = "1-100 characters")
      String name) {
    LeptonClient client = options.client();
    String org = options.org();
    Department d = client.updateDepartment(org, find(client, org, dept).id(),
        new UpdateDepartment(name, null));
    return options.print(d, "Renamed department " + d.id() + " to '" + Table.plain(d.name())
        + "'.");
  }

  /** Exactly one of {@code --to DEPT} and {@code --top}. */
  static final class Destination {
    @Option(names = "--to", paramLabel = "DEPT", required = true,
        description = "the department to move it into")
    String to;

    @Option(names = "--top", required = true, description = "make it a top-level department")
    boolean top;
  }

  @Command(name = "move", mixinStandardHelpOptions = true,
      description = "Move a department, with what is inside it, into another or to the top "
          + "(admins of both places); a move into itself is refused.")
  int move(@Parameters(paramLabel = "DEPT") String dept,
      @ArgGroup(multiplicity = "1") Destination where) {
    LeptonClient client = options.client();
    String org = options.org();
    List<Department> all = client.departments(org).items();
    Department d = find(all, dept);
    String parentId = where.top ? "" : find(all, where.to).id();
    Department moved = client.updateDepartment(org, d.id(), new UpdateDepartment(null, parentId));
    return options.print(moved, "Moved department " + moved.id() + " "
        + (where.top ? "to the top." : "into " + where.to + "."));
  }

  @Command(name = "delete", mixinStandardHelpOptions = true,
      description = "Delete an empty department (admins): move or delete what is in it first.")
  int delete(@Parameters(paramLabel = "DEPT") String dept) {
    LeptonClient client = options.client();
    String org = options.org();
    Department d = find(client, org, dept);
    client.deleteDepartment(org, d.id());
    return options.print(Map.of("deleted", d.id()), "Deleted department " + d.id() + ".");
  }

  /** The department {@code ref} names in the organization: by id, path or unique name. */
  static Department find(LeptonClient client, String org, String ref) {
    return find(client.departments(org).items(), ref);
  }

  private static Department find(List<Department> all, String ref) {
    Map<String, String> paths = paths(all);
    return Refs.pick("department", ref, all, "lepton dept list", Department::id,
        d -> paths.get(d.id()), Department::name);
  }

  /** Each department's path from the top, {@code Research/Vision}. */
  private static Map<String, String> paths(List<Department> all) {
    Map<String, Department> byId = new HashMap<>();
    all.forEach(d -> byId.put(d.id(), d));
    Map<String, String> paths = new HashMap<>();
    for (Department d : all) {
      StringBuilder path = new StringBuilder(d.name());
      Department up = byId.get(d.parentId());
      // the server keeps departments acyclic and a few levels deep; the bound guards a bad answer
      for (int level = 0; up != null && level < all.size(); level++) {
        path.insert(0, up.name() + "/");
        up = byId.get(up.parentId());
      }
      paths.put(d.id(), path.toString());
    }
    return paths;
  }
}
