package ai.lepton.server.blobs;

import java.io.InputStream;
import java.nio.file.Path;
import java.util.List;

/**
 * Where datasets, models and checkpoints keep their bytes: a flat space of keys, each naming an
 * immutable blob. A directory under the data directory by default, an S3-compatible bucket when
 * scaled out; both pass one contract test suite.
 *
 * <p>Keys are made by the platform, never taken from user input, and checked by {@link
 * BlobKeys#validate}: lower-case letters, digits, {@code / _ -}. Writes are all-or-nothing: a blob
 * is visible under its key only once every byte is stored, so a refused or interrupted write
 * leaves nothing behind. Nothing here holds a whole blob in memory.
 *
 * <p>Stores do not know about organizations or encryption; features go through {@code
 * ai.lepton.server.crypto.EncryptedBlobStore}, which scopes keys to an organization and encrypts.
 */
public interface BlobStore extends AutoCloseable {
  /**
   * Stores the bytes of {@code in} under {@code key}, replacing any blob there, and closes nothing
   * (the caller owns {@code in}).
   *
   * @param maxBytes the most bytes accepted; a longer stream is refused
   * @return the number of bytes stored
   * @throws BlobTooLargeException if {@code in} holds more than {@code maxBytes} bytes (nothing is
   *     stored)
   * @throws BlobException if reading {@code in} or writing the store fails (nothing is stored)
   * @throws IllegalArgumentException if the key is not a valid blob key
   */
  long put(String key, InputStream in, long maxBytes);

  /**
   * The bytes of the blob at {@code key}, streamed; the caller closes the stream.
   *
   * @throws BlobNotFoundException if there is none
   */
  InputStream open(String key);

  /** Whether a blob is stored at {@code key}. */
  boolean exists(String key);

  /** Deletes the blob at {@code key} if there is one (deleting a missing blob is not an error). */
  void delete(String key);

  /**
   * Every key starting with {@code prefix} ("" for all), sorted. Meant for operators' consistency
   * checks and clean-ups: the whole list is held in memory.
   *
   * @throws IllegalArgumentException if the prefix holds characters a key cannot
   */
  List<String> list(String prefix);

  /** Whether the store answers now and can be written (readiness). */
  boolean ping();

  /** Releases connections; stored blobs stay. */
  @Override
  default void close() {}

  /**
   * The store a server configuration names.
   *
   * @param url {@code s3://bucket[/prefix]?endpoint=...&region=...}, or null for a directory
   * @param directory the directory used when {@code url} is null
   * @throws IllegalArgumentException if the URL is not a valid {@code s3://} URL (the message says
   *     what to fix)
   */
  static BlobStore fromUrl(String url, Path directory) {
    return url == null ? directory(directory) : s3(url);
  }

  /** Blobs as files under {@code root} (created if missing). */
  static BlobStore directory(Path root) {
    return new DirectoryBlobStore(root);
  }

  /**
   * Blobs in an S3-compatible bucket: {@code s3://bucket[/prefix]?endpoint=http://host:port
   * &region=us-east-1&accessKey=...&secretKey=...}. Without {@code endpoint} it talks to AWS;
   * without the keys it takes credentials from the standard AWS environment variables and
   * profiles.
   *
   * @throws IllegalArgumentException if the URL is not valid (the message says what to fix)
   */
  static BlobStore s3(String url) {
    return new S3BlobStore(S3Location.parse(url, System.getenv()), S3BlobStore.PART_SIZE);
  }
}
