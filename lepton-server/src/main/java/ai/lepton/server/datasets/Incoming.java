package ai.lepton.server.datasets;

import ai.lepton.server.blobs.StoredBlob;
import ai.lepton.server.crypto.EncryptedBlobStore;
import ai.lepton.server.http.ApiException;
import ai.lepton.server.http.LimitedBody;
import java.io.InputStream;

/**
 * The file of one upload as it arrives, streamed by {@link #receive} straight into its encrypted
 * blob: counted against the upload limit and hashed (SHA-256) on the way, so that no plaintext of
 * it reaches the disk. The blob is not a version until {@link DatasetService} records it; until
 * then the service deletes it when the upload fails, and the start-up sweep deletes what a killed
 * server left.
 */
final class Incoming {
  private final EncryptedBlobStore blobs;
  private final String org;
  private final String key;
  private final long maxBytes;
  private boolean receiving;
  private StoredBlob stored;

  /** An upload into the blob {@code key} of {@code org}, refused over {@code maxBytes}. */
  Incoming(EncryptedBlobStore blobs, String org, String key, long maxBytes) {
    this.blobs = blobs;
    this.org = org;
    this.key = key;
    this.maxBytes = maxBytes;
  }

  /**
   * Encrypts {@code in}, to its end, into the blob. Stops reading as soon as the upload is over
   * the limit.
   *
   * @param declaredLength the length the request declares, or -1: over the limit, nothing is read
   * @throws ApiException PAYLOAD_TOO_LARGE over the limit; INVALID_ARGUMENT for a second file or
   *     a body that ends early (the client closed the connection, a multipart body was cut)
   * @throws ai.lepton.server.blobs.BlobException when the blob cannot be stored (a server fault)
   */
  void receive(InputStream in, long declaredLength) {
    if (receiving) {
      throw ApiException.invalid("an upload holds one file; send the others as further uploads");
    }
    receiving = true;
    checkDeclared(declaredLength);
    LimitedBody body = new LimitedBody(in, maxBytes, this::tooLarge);
    try {
      stored = blobs.put(org, key, body, maxBytes);
    } catch (RuntimeException e) {
      // the client's fault, if it was one, whatever the blob store made of it
      throw body.refusal() != null ? body.refusal() : e;
    }
  }

  /**
   * Refuses a declared length over the limit. Call it before opening the request's body: opening
   * it sends a client that waits (Expect: 100-continue) the invitation to send the body.
   *
   * @throws ApiException PAYLOAD_TOO_LARGE over the limit
   */
  void checkDeclared(long declaredLength) {
    if (declaredLength > maxBytes) {
      throw tooLarge(declaredLength + " bytes");
    }
  }

  private ApiException tooLarge(String received) {
    return DatasetErrors.tooLarge("the upload is larger than " + maxBytes + " bytes, the most "
        + "this server accepts (its --max-upload-bytes); received " + received + ": split the "
        + "file, or ask the operator to raise the limit");
  }

  /** The blob the file went to, with its size and SHA-256; null until it was received whole. */
  StoredBlob stored() {
    return stored;
  }
}
