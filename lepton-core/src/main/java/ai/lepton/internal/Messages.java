package ai.lepton.internal;

/** Pieces of error messages shared by the readers and the preprocessing code. */
public final class Messages {
  private Messages() {}

  /**
   * {@code s} cut to 80 characters, with "..." when cut: a value quoted in an error message must
   * not copy a huge hostile input into the log.
   */
  public static String shorten(String s) {
    return s.length() <= 80 ? s : s.substring(0, 80) + "...";
  }
}
