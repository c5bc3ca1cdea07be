package ai.lepton.server.blobs;

/**
 * A blob could not be stored or read: the store failed, the source stream failed, or (for
 * encrypted blobs) the bytes do not decrypt. The root of the blob exceptions; its message names
 * the key and is safe to log.
 */
public class BlobException extends RuntimeException {
  public BlobException(String message, Throwable cause) {
    super(message, cause);
  }

  public BlobException(String message) {
    super(message);
  }
}
