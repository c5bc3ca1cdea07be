package ai.lepton.cli;

import ai.lepton.api.AuditEvent;
import ai.lepton.api.AuditPage;
import ai.lepton.api.AuditVerification;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code lepton audit list|verify}: an organization's audit log and the proof it is intact. */
@Command(name = "audit", mixinStandardHelpOptions = true,
    description = "Read the organization's audit log, or verify its hash chain.")
final class AuditCommand {
  @Mixin ClientOptions options;

  @Command(name = "list", mixinStandardHelpOptions = true,
      description = "The newest events, newest first.")
  int list(@Option(names = "--limit", defaultValue = "20",
      description = "how many (default ${DEFAULT-VALUE})") int limit) {
    AuditPage page = options.client().auditEvents(options.org(), limit);
    Table table = new Table("#", "TIME", "ACTOR", "ACTION", "RESOURCE", "OUTCOME");
    for (AuditEvent e : page.events()) {
      table.row(e.sequence(), e.time(), e.actor(), e.action(),
          e.resourceType() == null ? null : e.resourceType() + " " + e.resourceId(), e.outcome());
    }
    return options.print(page, table);
  }

  @Command(name = "verify", mixinStandardHelpOptions = true,
      description = "Checks the hash chain; exit code 1 when it is broken.")
  int verify() {
    AuditVerification v = options.client().verifyAudit(options.org());
    if (v.intact() && v.eventsChecked() == 0) {
      options.print(v, "Intact: the organization has no events yet.");
    } else if (v.intact()) {
      options.print(v, "Intact: " + v.eventsChecked() + " events checked, the last #"
          + v.lastSequence() + " with hash " + v.lastHash() + ".");
    } else {
      options.print(v, "BROKEN at event #" + v.firstBadSequence() + ": " + v.problem());
    }
    return v.intact() ? 0 : 1;
  }
}
