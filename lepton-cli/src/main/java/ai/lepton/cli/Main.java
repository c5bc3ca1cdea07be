package ai.lepton.cli;

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
    return new CommandLine(new Main()).execute(args);
  }
}
