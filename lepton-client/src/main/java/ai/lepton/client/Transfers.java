package ai.lepton.client;

import ai.lepton.api.ErrorCode;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.function.LongConsumer;

/** Streaming uploads and downloads of files: hashes, progress, and all-or-nothing saves. */
final class Transfers {
  private static final int BUFFER = 64 * 1024;

  private Transfers() {}

  /** The file's SHA-256 as 64 lower-case hex digits, read in one pass. */
  static String sha256(Path file) throws IOException {
    MessageDigest sha = digest();
    try (InputStream in = new DigestInputStream(Files.newInputStream(file), sha)) {
      in.transferTo(OutputStream.nullOutputStream());
    }
    return HexFormat.of().formatHex(sha.digest());
  }

  /** A query parameter's value, percent-encoded. */
  static String query(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
  }

  /** The file's bytes, telling {@code progress} (when not null) the bytes read so far. */
  static InputStream counting(Path file, LongConsumer progress) {
    InputStream in;
    try {
      in = Files.newInputStream(file);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
    }
    if (progress == null) {
      return in;
    }
    return new FilterInputStream(in) {
      private long done;

      @Override
      public int read() throws IOException {
        int b = super.read();
        if (b >= 0) {
          progress.accept(++done);
        }
        return b;
      }

      @Override
      public int read(byte[] buf, int off, int len) throws IOException {
        int n = super.read(buf, off, len);
        if (n > 0) {
          done += n;
          progress.accept(done);
        }
        return n;
      }
    };
  }

  /**
   * Saves a download's {@code body} as {@code target}: written to a temporary file beside it,
   * synced, and moved into place only when its SHA-256 and length match the response's
   * {@code X-Content-SHA256} and {@code Content-Length}. On any failure the temporary file is
   * deleted and {@code target} is left as it was.
   *
   * @return the verified SHA-256
   */
  static String receive(InputStream body, HttpResponse<?> response, Path target,
      LongConsumer progress) throws IOException {
    String requestId = response.headers().firstValue("X-Request-Id").orElse(null);
    String expected = response.headers().firstValue("X-Content-SHA256").orElseThrow(() ->
        new LeptonClientException(ErrorCode.INTERNAL, response.statusCode(), "the server sent "
            + "the content without its X-Content-SHA256 header, so it cannot be verified; "
            + "nothing was saved", requestId, null));
    long length = response.headers().firstValueAsLong("Content-Length").orElse(-1);
    Path absolute = target.toAbsolutePath();
    Path tmp = Files.createTempFile(absolute.getParent(), "." + absolute.getFileName(), ".part");
    try {
      MessageDigest sha = digest();
      long received = 0;
      try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
        OutputStream out = Channels.newOutputStream(channel);
        byte[] buf = new byte[BUFFER];
        while (true) {
          int n;
          try {
            n = body.read(buf);
          } catch (IOException e) {
            throw new LeptonClientException(ErrorCode.UNAVAILABLE, 0, "the download broke off "
                + "after " + received + " bytes (" + e.getMessage() + "); nothing was saved, "
                + "download again", requestId, e);
          }
          if (n < 0) {
            break;
          }
          out.write(buf, 0, n);
          sha.update(buf, 0, n);
          received += n;
          if (progress != null) {
            progress.accept(received);
          }
        }
        channel.force(true);
      }
      String actual = HexFormat.of().formatHex(sha.digest());
      if (!actual.equalsIgnoreCase(expected) || (length >= 0 && received != length)) {
        throw new LeptonClientException(ErrorCode.INTERNAL, response.statusCode(), "the download "
            + "does not match what the server announced: expected " + length + " bytes with "
            + "SHA-256 " + expected + ", received " + received + " bytes with SHA-256 " + actual
            + "; nothing was saved. Download again; if it repeats, report the request id",
            requestId, null);
      }
      Files.move(tmp, absolute, StandardCopyOption.REPLACE_EXISTING,
          StandardCopyOption.ATOMIC_MOVE);
      return actual;
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  private static MessageDigest digest() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("this JVM has no SHA-256, which every Java platform must "
          + "provide", e);
    }
  }
}
