package ai.lepton;

/**
 * The one exception Lepton Core throws for bad input or an impossible request. Its message says what
 * was expected, what was received, and what to do about it.
 */
public class LeptonException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public LeptonException(String message) {
    super(message);
  }

  public LeptonException(String message, Throwable cause) {
    super(message, cause);
  }
}
