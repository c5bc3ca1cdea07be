package ai.lepton.cli;

import java.nio.file.Path;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code lepton} command: {@code lepton server} starts the platform; the client verbs. */
@Command(name = "lepton", mixinStandardHelpOptions = true, version = "lepton 0.1.0",
    description = "The Lepton platform: start the server, or talk to one.",
    subcommands = {ServerCommand.class})
public final class Main {
  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs the command line and returns its exit code (0 on success). */
  static int run(String... args) {
    CommandLine cli = new CommandLine(new Main());
    try {
      cli.getSubcommands().get("server").setDefaultValueProvider(
          new ServerDefaults(configFile(args), System.getenv()));
    } catch (RuntimeException e) {
      cli.getErr().println("lepton: " + e.getMessage());
      return 2;
    }
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
