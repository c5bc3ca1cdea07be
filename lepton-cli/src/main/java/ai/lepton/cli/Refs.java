package ai.lepton.cli;

import java.util.List;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Finds the one resource a user named on the command line: by its id, or by a name the user knows
 * it by (a dataset's name, a member's email, a department's path), in the list the server gave.
 */
final class Refs {
  private Refs() {}

  /**
   * The item whose id is {@code ref}, else the one item one of {@code names} (tried in order)
   * gives as {@code ref}.
   *
   * @param kind what is looked up, for messages ("dataset")
   * @param listCommand the command that lists the candidates, for messages
   * @throws CommandException when none matches, or several match the same name
   */
  @SafeVarargs
  static <T> T pick(String kind, String ref, List<T> items, String listCommand,
      Function<T, String> id, Function<T, String>... names) {
    for (T item : items) {
      if (ref.equals(id.apply(item))) {
        return item;
      }
    }
    for (Function<T, String> name : names) {
      List<T> found = items.stream().filter(i -> ref.equals(name.apply(i))).toList();
      if (found.size() == 1) {
        return found.get(0);
      }
      if (found.size() > 1) {
        throw new CommandException("several " + kind + "s are named '" + ref + "' ("
            + found.stream().map(id).collect(Collectors.joining(", ")) + "); name one by its id");
      }
    }
    throw new CommandException("no " + kind + " '" + ref + "' in this organization; '"
        + listCommand + "' lists them");
  }
}
