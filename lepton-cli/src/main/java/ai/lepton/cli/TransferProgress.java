package ai.lepton.cli;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.function.LongConsumer;

/**
 * A progress bar of a transfer, told the bytes moved so far ({@link #accept}): redrawn in place on
 * a terminal at most ten times a second, and only the final line otherwise (a log stays
 * readable). The client tells it from its own thread, so its methods are synchronized.
 */
final class TransferProgress implements LongConsumer {
  private static final int WIDTH = 30;
  private final String label;
  private final long total;
  private final PrintWriter out;
  private final boolean terminal;
  private final long start = System.nanoTime();
  private long done;
  private long lastDraw;
  private boolean finished;

  /** {@code total} bytes expected, or -1 when unknown. */
  TransferProgress(String label, long total, PrintWriter out, boolean terminal) {
    this.label = label;
    this.total = total;
    this.out = out;
    this.terminal = terminal;
  }

  /** {@code bytes} moved so far. */
  @Override
  public synchronized void accept(long bytes) {
    done = bytes;
    long now = System.nanoTime();
    if (terminal && now - lastDraw > 100_000_000L) {
      lastDraw = now;
      out.print("\r" + line());
      out.flush();
    }
  }

  /** Prints the final line, once. */
  synchronized void finish() {
    if (finished) {
      return;
    }
    finished = true;
    out.println((terminal ? "\r" : "") + line());
    out.flush();
  }

  synchronized String line() {
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
