package ai.lepton.cli;

import ai.lepton.client.LeptonClientException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code lepton} command: {@code lepton server} starts the platform; the client verbs. */
@Command(name = "lepton", mixinStandardHelpOptions = true, version = "lepton 0.1.0",
    description = "The Lepton platform: start the server, or talk to one.",
    subcommands = {ServerCommand.class, LoginCommand.class, AuditCommand.class})
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
    try {
      cli.getSubcommands().get("server").setDefaultValueProvider(
          new ServerDefaults(configFile(args), System.getenv()));
    } catch (RuntimeException e) {
      cli.getErr().println("lepton: " + e.getMessage());
      return 2;
    }
    // a refusal from the server, or a config it cannot read, is a message, not a stack trace
    cli.setExecutionExceptionHandler((e, line, parsed) -> {
      if (e instanceof LeptonClientException || e instanceof UncheckedIOException) {
        line.getErr().println("lepton: " + e.getMessage());
        return 1;
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
