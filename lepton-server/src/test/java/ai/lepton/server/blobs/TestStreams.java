package ai.lepton.server.blobs;

import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** Streams for blob tests, made on the fly so that no test holds a large blob in memory. */
public final class TestStreams {
  private TestStreams() {}

  /** {@code size} pseudo-random bytes from {@code seed}; the same arguments give the same bytes. */
  public static Generated generated(long size, long seed) {
    return new Generated(size, seed, -1);
  }

  /** Like {@link #generated} but throws an IOException once {@code failAt} bytes were read. */
  public static Generated failingAt(long size, long seed, long failAt) {
    return new Generated(size, seed, failAt);
  }

  /** The SHA-256 of {@link #generated}'s bytes, as hex. */
  public static String sha256(long size, long seed) throws IOException {
    return sha256(generated(size, seed));
  }

  /** Reads {@code in} to its end and returns the SHA-256 of its bytes, as hex. */
  public static String sha256(InputStream in) throws IOException {
    MessageDigest digest;
    try {
      digest = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    byte[] buffer = new byte[64 * 1024];
    for (int n; (n = in.read(buffer)) > 0; ) {
      digest.update(buffer, 0, n);
    }
    return HexFormat.of().formatHex(digest.digest());
  }

  /** A generated stream that tells how far it has been read. */
  public static final class Generated extends InputStream {
    private final long size;
    private final long failAt;
    private long position;
    private long state;

    private Generated(long size, long seed, long failAt) {
      this.size = size;
      this.failAt = failAt;
      this.state = seed * 0x9E3779B97F4A7C15L + 1;
    }

    /** The bytes read so far. */
    public long position() {
      return position;
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (failAt >= 0 && position >= failAt) {
        throw new IOException("connection reset (test stream fails at byte " + failAt + ")");
      }
      if (position >= size) {
        return -1;
      }
      int n = (int) Math.min(len, size - position);
      if (failAt >= 0) {
        n = (int) Math.min(n, failAt - position);
      }
      for (int i = 0; i < n; i++) {
        // xorshift: fast and not compressible, so it stands in for real data
        state ^= state << 13;
        state ^= state >>> 7;
        state ^= state << 17;
        b[off + i] = (byte) state;
      }
      position += n;
      return n;
    }
  }
}
