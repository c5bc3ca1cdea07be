package ai.lepton.callbacks;

import java.io.PrintStream;
import java.util.Locale;
import java.util.Map;

/**
 * A Keras-like progress bar: {@code 120/469 [======>.......] - ETA: 3s - 41.2k samples/s - loss:
 * 0.4213 - accuracy: 0.8512}. On a terminal it redraws one line (at most ten times a second);
 * otherwise, or with {@code perEpoch}, it prints one line per epoch.
 */
public final class ProgressBar implements ProgressListener {
  private static final int WIDTH = 30;
  private final PrintStream out;
  private final boolean redraw;
  private long lastDraw;

  /** Writes to {@code out}; {@code perEpoch} prints only a line per epoch (Keras verbose=2). */
  public ProgressBar(PrintStream out, boolean perEpoch) {
    this.out = out;
    this.redraw = !perEpoch && System.console() != null;
  }

  @Override
  public void onProgress(Progress p) {
    switch (p.kind()) {
      case EPOCH_BEGIN -> out.println("Epoch " + (p.epoch() + 1) + "/" + p.epochs());
      case BATCH_END -> {
        long now = System.nanoTime();
        if (redraw && (now - lastDraw > 100_000_000L || p.step() == p.steps())) {
          lastDraw = now;
          out.print("\r" + line(p, false));
          out.flush();
        }
      }
      case EPOCH_END -> out.println((redraw ? "\r" : "") + line(p, true));
      default -> { }
    }
  }

  static String line(Progress p, boolean done) {
    StringBuilder sb = new StringBuilder();
    String steps = Integer.toString(p.steps());
    sb.append(" ".repeat(Math.max(0, steps.length() - Integer.toString(p.step()).length())))
        .append(p.step()).append('/').append(steps).append(" [");
    int filled = p.steps() == 0 ? WIDTH : (int) ((long) WIDTH * p.step() / p.steps());
    for (int i = 0; i < WIDTH; i++) {
      sb.append(i < filled ? '=' : i == filled ? '>' : '.');
    }
    sb.append(']');
    if (done) {
      sb.append(" - ").append(seconds(p.elapsedSeconds()));
      if (p.steps() > 0) {
        sb.append(' ').append(stepTime(p.elapsedSeconds() / p.steps()));
      }
    } else {
      sb.append(" - ETA: ").append(seconds(p.etaSeconds()));
    }
    sb.append(" - ").append(rate(p.samplesPerSecond())).append(" samples/s");
    for (Map.Entry<String, Double> e : p.logs().entrySet()) {
      sb.append(" - ").append(e.getKey()).append(": ")
          .append(String.format(Locale.ROOT, "%.4f", e.getValue()));
    }
    return sb.toString();
  }

  private static String seconds(double s) {
    return s >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", (long) s / 3600,
        (long) s / 60 % 60, (long) s % 60) : String.format(Locale.ROOT, "%.0fs", s);
  }

  private static String stepTime(double s) {
    return s >= 1 ? String.format(Locale.ROOT, "%.0fs/step", s)
        : s >= 1e-3 ? String.format(Locale.ROOT, "%.0fms/step", s * 1e3)
        : String.format(Locale.ROOT, "%.0fus/step", s * 1e6);
  }

  private static String rate(double r) {
    return r >= 1e6 ? String.format(Locale.ROOT, "%.1fM", r / 1e6)
        : r >= 1e3 ? String.format(Locale.ROOT, "%.1fk", r / 1e3)
        : String.format(Locale.ROOT, "%.0f", r);
  }
}
