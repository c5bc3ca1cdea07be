package ai.lepton.server.blobs;

/** No blob is stored under the key. */
public final class BlobNotFoundException extends BlobException {
  public BlobNotFoundException(String key) {
    super("no blob at " + key);
  }
}
