package ai.lepton.server.http;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.function.Function;

/**
 * A request's body as an upload reads it: refusing (and remembering why) a byte over the limit or
 * a read that fails, so that the caller can tell the client's faults from the store's whatever the
 * store made of the exception. Closing it leaves the body open: the request owns it.
 */
public final class LimitedBody extends FilterInputStream {
  private final long maxBytes;
  private final Function<String, ApiException> tooLarge;
  private long size;
  private ApiException refusal;

  /**
   * @param maxBytes the most bytes the body may hold
   * @param tooLarge the refusal over the limit, given what was received ("more than N bytes")
   */
  public LimitedBody(InputStream in, long maxBytes, Function<String, ApiException> tooLarge) {
    super(in);
    this.maxBytes = maxBytes;
    this.tooLarge = tooLarge;
  }

  /** Why reading was refused, or null when it was not. */
  public ApiException refusal() {
    return refusal;
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public int read(byte[] b, int off, int len) {
    int n;
    try {
      n = in.read(b, off, len);
    } catch (IOException e) {
      throw refuse(ApiException.invalid("the upload ended early, after " + size + " bytes ("
          + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage())
          + "); send the whole file again"));
    }
    if (n > 0) {
      size += n;
      if (size > maxBytes) {
        throw refuse(tooLarge.apply("more than " + maxBytes + " bytes"));
      }
    }
    return n;
  }

  private ApiException refuse(ApiException why) {
    refusal = why;
    return why;
  }

  @Override
  public long skip(long n) {
    throw new UnsupportedOperationException("an upload's body is read whole");
  }

  @Override
  public boolean markSupported() {
    return false;
  }

  @Override
  public void close() {
    // the request owns its body
  }
}
