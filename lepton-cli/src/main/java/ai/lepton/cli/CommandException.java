package ai.lepton.cli;

/**
 * A command cannot go on for a reason on this side (an unknown name, a file that is missing, a
 * confirmation not given): the message says what was wrong and what to do. {@link Main} prints it
 * as one line and exits with 1, as it does for a refusal from the server.
 */
final class CommandException extends RuntimeException {
  CommandException(String message) {
    super(message);
  }
}
