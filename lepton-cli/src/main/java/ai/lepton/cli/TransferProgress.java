package ai.lepton.cli;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.util.Locale;

/**
 * A stream that draws a progress bar of the bytes read through it on {@code out}: redrawn in place
 * on a terminal at most ten times a second, and only the final line otherwise (a log stays
 * readable).
 */
final class TransferProgress extends FilterInputStream {
  private static final int WIDTH = 30;
  private final String label;
  private final long total;
  private final PrintStream out;
  private final boolean terminal;
  private final long start = System.nanoTime();
  private long done;
  private long lastDraw;
  private boolean finished;

  /** {@code total} bytes expected, or -1 when unknown. */
  TransferProgress(InputStream in, String label, long total, PrintStream out, boolean terminal) {
    super(in);
    this.label = label;
    this.total = total;
    this.out = out;
    this.terminal = terminal;
  }

  @Override
  public int read() throws IOException {
    int b = super.read();
    advance(b < 0 ? -1 : 1);
    return b;
  }

  @Override
  public int read(byte[] buf, int off, int len) throws IOException {
    int n = super.read(buf, off, len);
    advance(n);
    return n;
  }

  private void advance(int n) {
    if (n < 0) {
      finish();
      return;
    }
    done += n;
    long now = System.nanoTime();
    if (terminal && now - lastDraw > 100_000_000L) {
      lastDraw = now;
      out.print("\r" + line());
      out.flush();
    }
  }

  /** Prints the final line once (also called at end of stream). */
  void finish() {
    if (finished) {
      return;
    }
    finished = true;
    out.println((terminal ? "\r" : "") + line());
  }

  String line() {
    double seconds = Math.max(1e-9, (System.nanoTime() - start) / 1e9);
    String rate = bytes((long) (done / seconds)) + "/s";
    if (total <= 0) {
      return String.format(Locale.ROOT, "%s %s %s", label, bytes(done), rate);
    }
    int filled = (int) Math.min(WIDTH, WIDTH * done / total);
    return String.format(Locale.ROOT, "%s [%s%s] %3d%% %s/%s %s", label, "=".repeat(filled),
        " ".repeat(WIDTH - filled), (int) Math.min(100, 100 * done / total), bytes(done),
        bytes(total), rate);
  }

  static String bytes(long n) {
    if (n < 1024) {
      return n + " B";
    }
    String[] units = {"KiB", "MiB", "GiB", "TiB"};
    double v = n;
    int u = -1;
    while (v >= 1024 && u < units.length - 1) {
      v /= 1024;
      u++;
    }
    return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
  }
}
