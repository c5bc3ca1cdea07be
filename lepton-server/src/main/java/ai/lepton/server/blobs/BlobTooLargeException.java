package ai.lepton.server.blobs;

/** A stream held more bytes than the limit given to {@code put}; nothing was stored. */
public final class BlobTooLargeException extends BlobException {
  private final long limit;

  public BlobTooLargeException(long limit) {
    super("the content is larger than the limit of " + limit + " bytes; send at most " + limit
        + " bytes");
    this.limit = limit;
  }

  /** The limit that was exceeded, in bytes. */
  public long limit() {
    return limit;
  }
}
