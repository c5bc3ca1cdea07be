package ai.lepton.server.crypto;

/**
 * A key could not be loaded, made, unwrapped or stored: a missing or malformed master key, a master
 * key that does not open the database's keys, a failed rotation. The message says what to do.
 */
public final class KeyException extends RuntimeException {
  public KeyException(String message, Throwable cause) {
    super(message, cause);
  }

  public KeyException(String message) {
    super(message);
  }
}
