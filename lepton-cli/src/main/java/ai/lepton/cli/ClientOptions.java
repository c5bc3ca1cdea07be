package ai.lepton.cli;

import ai.lepton.client.LeptonClient;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.PrintWriter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/**
 * What every client verb shares: {@code --org} and {@code --json} (accepted before or after the
 * verb: {@code lepton org --json list} and {@code lepton org list --json}), the saved profile,
 * and the way results are printed.
 */
final class ClientOptions {
  private static final ObjectMapper JSON = new ObjectMapper().registerModule(new JavaTimeModule())
      .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

  @Spec(Spec.Target.MIXEE) CommandSpec spec;

  @Option(names = "--org", scope = ScopeType.INHERIT, paramLabel = "ORG_ID",
      description = "the organization (default: the one saved by lepton login)")
  String organization;

  @Option(names = "--json", scope = ScopeType.INHERIT,
      description = "print the server's records as JSON, for scripts")
  boolean json;

  /** The saved profile; a usage error (exit 2) saying to log in when there is none. */
  Profile profile() {
    Profile p = Profile.load(Profile.file());
    if (p == null) {
      throw new ParameterException(spec.commandLine(), "not signed in: run 'lepton login --server"
          + " URL --token lpt_...' first");
    }
    return p;
  }

  LeptonClient client() {
    Profile p = profile();
    return LeptonClient.connect(p.serverUri(), p.token());
  }

  /** {@code --org}, else the profile's organization. */
  String org() {
    String org = organization != null ? organization : profile().organization();
    if (org == null) {
      throw new ParameterException(spec.commandLine(), "no organization: pass --org ORG_ID"
          + " (lepton org list shows yours)");
    }
    return org;
  }

  PrintWriter out() {
    return spec.commandLine().getOut();
  }

  /** Prints {@code value} as indented JSON (records by their component names); returns 0. */
  int printJson(Object value) {
    try {
      out().println(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(value));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("cannot print " + value.getClass().getSimpleName()
          + " as JSON: " + e.getOriginalMessage(), e);
    }
    out().flush();
    return 0;
  }

  /** Prints {@code value} as JSON under {@code --json}, else the readable {@code text}; 0. */
  int print(Object value, String text) {
    if (json) {
      return printJson(value);
    }
    out().println(text);
    out().flush();
    return 0;
  }

  /** Prints {@code value} as JSON under {@code --json}, else the table; returns 0. */
  int print(Object value, Table table) {
    if (json) {
      return printJson(value);
    }
    table.print(out());
    out().flush();
    return 0;
  }
}
