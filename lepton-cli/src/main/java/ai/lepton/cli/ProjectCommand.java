package ai.lepton.cli;

import ai.lepton.api.CreateProject;
import ai.lepton.api.Project;
import ai.lepton.api.ProjectList;
import ai.lepton.client.LeptonClient;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code lepton project list|create|delete}: projects, where datasets, jobs and models live. */
@Command(name = "project", mixinStandardHelpOptions = true,
    description = {"Projects of an organization: datasets, jobs and models live in one.",
        "PROJECT is a project's name or id."})
final class ProjectCommand {
  @Mixin ClientOptions options;

  @Command(name = "list", mixinStandardHelpOptions = true,
      description = "The projects you can see, by name.")
  int list() {
    ProjectList projects = options.client().projects(options.org());
    Table table = new Table("ID", "NAME", "DEPARTMENT", "CREATED", "DESCRIPTION");
    for (Project p : projects.items()) {
      table.row(p.id(), p.name(), p.departmentId(), p.createdAt(), p.description());
    }
    return options.print(projects, table);
  }

  @Command(name = "create", mixinStandardHelpOptions = true,
      description = "Create a project (members, with write access), optionally in a department.")
  int create(@Parameters(paramLabel = "NAME", description = "1-100 characters, unique in the "
          + "organization") String name,
      @Option(names = "--dept", paramLabel = "DEPT", description = "the department it belongs to")
      String dept,
      @Option(names = "--description", paramLabel = "TEXT", description = "at most 1000 "
          + "characters") String description) {
    LeptonClient client = options.client();
    String org = options.org();
    String deptId = dept == null ? null : DeptCommand.find(client, org, dept).id();
    Project p = client.createProject(org, new CreateProject(name, deptId, description));
    return options.print(p, "Created project " + p.id() + " '" + Table.plain(p.name()) + "'.");
  }

  @Command(name = "delete", mixinStandardHelpOptions = true,
      description = "Delete a project (admins).")
  int delete(@Parameters(paramLabel = "PROJECT") String project) {
    LeptonClient client = options.client();
    String org = options.org();
    Project p = find(client, org, project);
    client.deleteProject(org, p.id());
    return options.print(Map.of("deleted", p.id()), "Deleted project " + p.id() + " '"
        + Table.plain(p.name()) + "'.");
  }

  /** The project {@code ref} names: by id or name. */
  static Project find(LeptonClient client, String org, String ref) {
    return Refs.pick("project", ref, client.projects(org).items(), "lepton project list",
        Project::id, Project::name);
  }
}
