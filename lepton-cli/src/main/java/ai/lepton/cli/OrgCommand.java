package ai.lepton.cli;

import ai.lepton.api.Membership;
import ai.lepton.api.Organization;
import ai.lepton.api.OrganizationList;
import ai.lepton.client.LeptonClient;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code lepton org list|create|show|delete}: organizations, the tenants of the platform. */
@Command(name = "org", mixinStandardHelpOptions = true,
    description = "Organizations: list yours, create one, show one, delete one.")
final class OrgCommand {
  @Mixin ClientOptions options;

  @Command(name = "list", mixinStandardHelpOptions = true,
      description = "The organizations you belong to (an API token sees its own); * marks the "
          + "default one.")
  int list() {
    OrganizationList orgs = options.client().organizations();
    String current = options.organization != null ? options.organization
        : options.profile().organization();
    Table table = new Table("", "ID", "NAME", "CREATED");
    for (Organization o : orgs.items()) {
      table.row(o.id().equals(current) ? "*" : "", o.id(), o.name(), o.createdAt());
    }
    return options.print(orgs, table);
  }

  @Command(name = "create", mixinStandardHelpOptions = true,
      description = "Create an organization owned by you. The server allows this in a browser "
          + "session only: an API token is limited to its organization.")
  int create(@Parameters(paramLabel = "NAME", description = "1-100 characters") String name) {
    Organization o = options.client().createOrganization(name);
    return options.print(o, "Created organization " + o.id() + " '" + Table.plain(o.name())
        + "'; use it with --org " + o.id() + ".");
  }

  @Command(name = "show", mixinStandardHelpOptions = true,
      description = "An organization and your role in it.")
  int show(@Parameters(paramLabel = "ORG_ID", arity = "0..1",
      description = "the organization (default: --org, or the one saved by login)") String org) {
    LeptonClient client = options.client();
    Organization o = client.organization(org != null ? org : options.org());
    Membership mine = client.me().memberships().stream()
        .filter(m -> m.organizationId().equals(o.id())).findFirst().orElse(null);
    Map<String, Object> record = new LinkedHashMap<>();
    record.put("organization", o);
    record.put("membership", mine);
    Table table = new Table("FIELD", "VALUE");
    table.row("id", o.id()).row("name", o.name()).row("created", o.createdAt());
    if (mine != null) {
      table.row("your role", mine.role() + (mine.departmentId() == null ? ""
          : " in department " + mine.departmentId()));
    }
    return options.print(record, table);
  }

  @Command(name = "delete", mixinStandardHelpOptions = true,
      description = "Delete an organization and everything in it (owners). It cannot be undone, "
          + "so it takes the id and --yes.")
  int delete(@Parameters(paramLabel = "ORG_ID", description = "the organization") String org,
      @Option(names = "--yes", description = "confirm: delete it with all its data") boolean yes) {
    if (!yes) {
      throw new CommandException("deleting organization " + org + " deletes every department, "
          + "project, dataset and member in it, for good; add --yes to confirm");
    }
    options.client().deleteOrganization(org);
    return options.print(Map.of("deleted", org), "Deleted organization " + org + ".");
  }
}
