package ai.lepton.server.datasets;

import ai.lepton.server.http.ApiException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The file of one upload as it arrives: a temporary file (owner-only, uniquely named) under the
 * server's {@code tmp} directory, filled from the request by {@link #receive}, which counts the
 * bytes against the upload limit and hashes them on the way. Closing it deletes the file, whatever
 * happened; the start-up sweep deletes what a killed server left.
 */
final class Incoming implements AutoCloseable {
  private static final int BUFFER = 64 * 1024;

  private final Path file;
  private final long maxBytes;
  private boolean received;
  private long size;
  private String sha256;

  private Incoming(Path file, long maxBytes) {
    this.file = file;
    this.maxBytes = maxBytes;
  }

  /** A new empty temporary file in {@code dir}. */
  static Incoming create(Path dir, long maxBytes) {
    try {
      return new Incoming(Files.createTempFile(dir, "upload-", ".part"), maxBytes);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create an upload file in " + dir, e);
    }
  }

  /**
   * Copies {@code in} to the end into the file, counting and hashing. Stops reading as soon as
   * the upload is over the limit.
   *
   * @param declaredLength the length the request declares, or -1: over the limit, nothing is read
   * @throws ApiException PAYLOAD_TOO_LARGE over the limit; INVALID_ARGUMENT for a second file or
   *     a body that ends early (the client closed the connection, a multipart body was cut)
   * @throws UncheckedIOException when the file cannot be written (a server fault)
   */
  void receive(InputStream in, long declaredLength) {
    if (received) {
      throw ApiException.invalid("an upload holds one file; send the others as further uploads");
    }
    received = true;
    checkDeclared(declaredLength);
    MessageDigest digest = newDigest();
    byte[] buffer = new byte[BUFFER];
    try (OutputStream out = Files.newOutputStream(file, StandardOpenOption.WRITE,
        StandardOpenOption.TRUNCATE_EXISTING)) {
      for (int n = read(in, buffer); n >= 0; n = read(in, buffer)) {
        size += n;
        if (size > maxBytes) {
          throw tooLarge("more than " + maxBytes + " bytes");
        }
        digest.update(buffer, 0, n);
        out.write(buffer, 0, n);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the upload file " + file, e);
    }
    sha256 = HexFormat.of().formatHex(digest.digest());
  }

  private int read(InputStream in, byte[] buffer) {
    try {
      return in.read(buffer);
    } catch (IOException e) {
      throw ApiException.invalid("the upload ended early, after " + size + " bytes ("
          + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage())
          + "); send the whole file again");
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

  private static MessageDigest newDigest() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }

  /** Whether a file was received. */
  boolean received() {
    return received;
  }

  Path file() {
    return file;
  }

  /** The bytes received. */
  long size() {
    return size;
  }

  /** The SHA-256 of the bytes received, 64 lower-case hex digits. */
  String sha256() {
    return sha256;
  }

  @Override
  public void close() {
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete the upload file " + file
          + "; the next start deletes it", e);
    }
  }
}
