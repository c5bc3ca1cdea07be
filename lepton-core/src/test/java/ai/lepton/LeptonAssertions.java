package ai.lepton;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.fail;

import org.junit.jupiter.api.function.Executable;

/** Assertions on Lepton's errors: the type alone does not prove that the right check fired. */
public final class LeptonAssertions {
  private LeptonAssertions() {}

  /**
   * Runs {@code call}, requires a {@link LeptonException} whose message contains {@code fragment},
   * and returns it for further checks.
   */
  public static LeptonException assertFailsWith(String fragment, Executable call) {
    LeptonException e = assertThrows(LeptonException.class, call);
    if (e.getMessage() == null || !e.getMessage().contains(fragment)) {
      fail("expected a LeptonException whose message contains \"" + fragment + "\", but it says: "
          + e.getMessage());
    }
    return e;
  }
}
