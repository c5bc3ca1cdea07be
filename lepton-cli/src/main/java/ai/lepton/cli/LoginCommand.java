package ai.lepton.cli;

import ai.lepton.api.Me;
import ai.lepton.client.LeptonClient;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code lepton login}: checks a server and token, and saves them for the other commands. */
@Command(name = "login", mixinStandardHelpOptions = true,
    description = "Save a server address and API token (create one in the web UI or with the API)"
        + " for the other commands; the token is checked first.")
final class LoginCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--server", defaultValue = "http://127.0.0.1:8080",
      description = "the server's address (default ${DEFAULT-VALUE})")
  String server;

  @Option(names = "--token", required = true, description = "an API token, lpt_...")
  String token;

  @Option(names = "--org", description = "the organization commands use by default (default: "
      + "the token's, or your first)")
  String organization;

  @Override
  public Integer call() {
    Me me = LeptonClient.connect(new Profile(server, token, null).serverUri(), token).me();
    String org = organization != null ? organization : me.memberships().isEmpty() ? null
        : me.memberships().get(0).organizationId();
    new Profile(server, token, org).save(Profile.file());
    spec.commandLine().getOut().println("Signed in to " + server + " as " + me.user().email()
        + (org == null ? "" : "; organization " + org) + ". Saved in " + Profile.file() + ".");
    return 0;
  }
}
