package ai.lepton.cli;

import ai.lepton.api.AuditEvent;
import ai.lepton.api.AuditPage;
import ai.lepton.api.AuditVerification;
import ai.lepton.client.LeptonClient;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code lepton audit list|verify}: an organization's audit log and the proof it is intact. */
@Command(name = "audit", mixinStandardHelpOptions = true,
    description = "Read the organization's audit log, or verify its hash chain.")
final class AuditCommand {
  @Spec CommandSpec spec;

  @Option(names = "--org", description = "the organization (default: the one saved by login)")
  String organization;

  @Option(names = "--json", description = "print JSON, for scripts")
  boolean json;

  @Command(name = "list", description = "The newest events, newest first.")
  int list(@Option(names = "--limit", defaultValue = "20",
      description = "how many (default ${DEFAULT-VALUE})") int limit) throws Exception {
    AuditPage page = client().auditEvents(org(), limit);
    if (json) {
      print(page);
      return 0;
    }
    Table table = new Table("#", "TIME", "ACTOR", "ACTION", "RESOURCE", "OUTCOME");
    for (AuditEvent e : page.events()) {
      table.row(e.sequence(), e.time(), e.actor(), e.action(),
          e.resourceType() == null ? null : e.resourceType() + " " + e.resourceId(), e.outcome());
    }
    PrintWriter out = spec.commandLine().getOut();
    table.print(out);
    out.flush();
    return 0;
  }

  @Command(name = "verify", description = "Checks the hash chain; exit code 1 when it is broken.")
  int verify() throws Exception {
    AuditVerification v = client().verifyAudit(org());
    if (json) {
      print(v);
    } else if (v.intact() && v.eventsChecked() == 0) {
      spec.commandLine().getOut().println("Intact: the organization has no events yet.");
    } else if (v.intact()) {
      spec.commandLine().getOut().println("Intact: " + v.eventsChecked() + " events checked, the"
          + " last #" + v.lastSequence() + " with hash " + v.lastHash() + ".");
    } else {
      spec.commandLine().getOut().println("BROKEN at event #" + v.firstBadSequence() + ": "
          + v.problem());
    }
    return v.intact() ? 0 : 1;
  }

  private void print(Object value) throws Exception {
    spec.commandLine().getOut().println(new ObjectMapper().registerModule(new JavaTimeModule())
        .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
        .writerWithDefaultPrettyPrinter().writeValueAsString(value));
  }

  private Profile profile() {
    Profile p = Profile.load(Profile.file());
    if (p == null) {
      throw new ParameterException(spec.commandLine(), "not signed in: run 'lepton login --server"
          + " URL --token lpt_...' first");
    }
    return p;
  }

  private LeptonClient client() {
    Profile p = profile();
    return LeptonClient.connect(p.serverUri(), p.token());
  }

  private String org() {
    String org = organization != null ? organization : profile().organization();
    if (org == null) {
      throw new ParameterException(spec.commandLine(), "no organization: pass --org ORG_ID");
    }
    return org;
  }
}
