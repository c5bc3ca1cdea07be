package ai.lepton.cli;

import ai.lepton.client.LeptonClientException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.HelpCommand;

/** The {@code lepton} command: {@code lepton server} starts the platform; the client verbs. */
@Command(name = "lepton", mixinStandardHelpOptions = true, version = "lepton 0.1.0",
    description = {"The Lepton platform: start the server, or talk to one.",
        "The client commands print tables for people and JSON with --json; they use the server,"
            + " token and organization saved by 'lepton login' (--org picks another)."},
    footer = {"", "'lepton COMMAND --help' (or 'lepton help COMMAND') describes a command and its"
        + " verbs."},
    subcommands = {HelpCommand.class, ServerCommand.class, LoginCommand.class, OrgCommand.class,
        DeptCommand.class, UserCommand.class, ProjectCommand.class, TokenCommand.class,
        DatasetCommand.class, AuditCommand.class, ModelCommand.class, TrainCommand.class,
        TuneCommand.class, JobsCommand.class, RunsCommand.class, FeedbackCommand.class,
        MonitorCommand.class, DeployCommand.class, PredictCommand.class})
public final class Main {
  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs the command line and returns its exit code (0 on success). */
  static int run(String... args) {
    return run(new CommandLine(new Main()), args);
  }

  /** {@link #run(String...)} printing to {@code out} and {@code err} (tests). */
  static int run(java.io.PrintWriter out, java.io.PrintWriter err, String... args) {
    CommandLine cli = new CommandLine(new Main());
    cli.setOut(out);
    cli.setErr(err);
    return run(cli, args);
  }

  private static int run(CommandLine cli, String... args) {
    cli.setCaseInsensitiveEnumValuesAllowed(true); // --format csv
    try {
      cli.getSubcommands().get("server").setDefaultValueProvider(
          new ServerDefaults(configFile(args), System.getenv()));
    } catch (RuntimeException e) {
      cli.getErr().println("lepton: " + e.getMessage());
      return 2;
    }
    // a refusal from the server, a file it cannot read, a name that matches nothing: one line
    // with the message (and the server's request id), not a stack trace
    cli.setExecutionExceptionHandler((e, line, parsed) -> {
      if (e instanceof LeptonClientException || e instanceof UncheckedIOException
          || e instanceof CommandException) {
        line.getErr().println("lepton: " + e.getMessage());
        return 1;
      }
      if (e instanceof IllegalArgumentException) { // the client's checks of ids and arguments
        line.getErr().println("lepton: " + e.getMessage());
        return 2;
      }
      throw e;
    });
    return cli.execute(args);
  }

  /**
   * The file of {@code --config FILE} (or {@code --config=FILE}), read before the command line is
   * parsed: its values are the defaults the command line then overrides.
   */
  private static Path configFile(String[] args) {
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--config") && i + 1 < args.length) {
        return Path.of(args[i + 1]);
      }
      if (args[i].startsWith("--config=")) {
        return Path.of(args[i].substring("--config=".length()));
      }
    }
    return null;
  }
}
