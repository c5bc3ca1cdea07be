package ai.lepton.server.blobs;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Counts the bytes read through it, hashing them (SHA-256) when asked, and refuses to read past a
 * limit: reading byte {@code limit + 1} throws {@link BlobTooLargeException}. Stores wrap their
 * source in it, so the size they report is of the bytes they read; the encrypted store hashes the
 * plaintext (one SHA-256 pass per blob: the ciphertext's hash would be of no use).
 */
public final class MeasuredInputStream extends FilterInputStream {
  private final long limit;
  private final MessageDigest sha256;
  private long count;

  private MeasuredInputStream(InputStream in, long limit, MessageDigest sha256) {
    super(in);
    if (limit < 0) {
      throw new IllegalArgumentException("the byte limit must be >= 0, received " + limit);
    }
    this.limit = limit;
    this.sha256 = sha256;
  }

  /** Counts what is read from {@code in}, at most {@code limit} bytes (>= 0). */
  public static MeasuredInputStream counting(InputStream in, long limit) {
    return new MeasuredInputStream(in, limit, null);
  }

  /** Counts and hashes what is read from {@code in}, at most {@code limit} bytes (>= 0). */
  public static MeasuredInputStream hashing(InputStream in, long limit) {
    try {
      return new MeasuredInputStream(in, limit, MessageDigest.getInstance("SHA-256"));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("this JDK lacks SHA-256", e);
    }
  }

  @Override
  public int read() throws IOException {
    int b = in.read();
    if (b >= 0) {
      account(1);
      if (sha256 != null) {
        sha256.update((byte) b);
      }
    }
    return b;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    int n = in.read(b, off, len);
    if (n > 0) {
      account(n);
      if (sha256 != null) {
        sha256.update(b, off, n);
      }
    }
    return n;
  }

  @Override
  public long skip(long n) {
    throw new UnsupportedOperationException("a measured stream reads every byte");
  }

  @Override
  public boolean markSupported() {
    return false;
  }

  @Override
  public void close() {
    // the caller owns the source stream
  }

  private void account(int n) {
    count += n;
    if (count > limit) {
      throw new BlobTooLargeException(limit);
    }
  }

  /** The bytes read so far. */
  public long count() {
    return count;
  }

  /**
   * The SHA-256 of every byte read, as 64 lower-case hex digits; call once, at the end, on a
   * {@link #hashing} stream.
   */
  public String sha256Hex() {
    if (sha256 == null) {
      throw new IllegalStateException("this stream counts without hashing: make it with hashing()");
    }
    return HexFormat.of().formatHex(sha256.digest());
  }
}
