package ai.lepton.server.crypto;

import com.google.crypto.tink.StreamingAead;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.GeneralSecurityException;

/**
 * The ciphertext of a plaintext stream, to be read: Tink encrypts by writing, a blob store takes a
 * stream to read, and this turns one into the other without a thread. Each read pulls a chunk of
 * plaintext through Tink's encrypting stream into a buffer that holds at most about one
 * ciphertext segment (1 MiB), whatever the length of the plaintext.
 */
final class EncryptingInputStream extends InputStream {
  private static final int CHUNK = 64 * 1024;

  /** Where the encrypting stream writes: a byte buffer the reader drains. */
  private static final class Pending extends ByteArrayOutputStream {
    int position;

    int drain(byte[] b, int off, int len) {
      int n = Math.min(len, count - position);
      System.arraycopy(buf, position, b, off, n);
      position += n;
      if (position == count) {
        reset();
        position = 0;
      }
      return n;
    }

    int available() {
      return count - position;
    }
  }

  private final InputStream plaintext;
  private final Pending pending = new Pending();
  private final OutputStream encrypter;
  private final byte[] chunk = new byte[CHUNK];
  private boolean finished;

  EncryptingInputStream(InputStream plaintext, StreamingAead cipher, byte[] associatedData)
      throws IOException, GeneralSecurityException {
    this.plaintext = plaintext;
    this.encrypter = cipher.newEncryptingStream(pending, associatedData);
  }

  /** The most bytes held at once, for tests: about one segment, not the stream. */
  int buffered() {
    return pending.available();
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    if (len == 0) {
      return 0;
    }
    while (pending.available() == 0) {
      if (finished) {
        return -1;
      }
      int n = plaintext.read(chunk);
      if (n < 0) {
        finished = true;
        encrypter.close(); // writes the last segment, marked as last
      } else {
        encrypter.write(chunk, 0, n);
      }
    }
    return pending.drain(b, off, len);
  }

  @Override
  public void close() {
    // The caller owns the plaintext stream; an unfinished ciphertext is simply dropped.
  }
}
