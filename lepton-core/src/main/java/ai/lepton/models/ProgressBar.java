package ai.lepton.models;

import ai.lepton.LeptonException;
import java.io.Console;
import java.io.PrintStream;
import java.lang.reflect.InvocationTargetException;
import java.util.Locale;
import java.util.Map;

/**
 * The progress output of {@code fit}'s {@code verbose} levels, a callback like the others. On a
 * terminal it prints {@code Epoch 3/10} and then redraws one bar line in place (at most ten times a
 * second): {@code 120/469 [=======>......................] - ETA: 3s - 41.2k samples/s - loss:
 * 0.4213}. Otherwise it prints one line per epoch and no carriage returns, for log files:
 * {@code Epoch 3/10 - 469/469 - 2s 4ms/step - 41.2k samples/s - loss: 0.4213 - val_loss: 0.45}.
 */
final class ProgressBar implements Callback {
  private static final int WIDTH = 30;
  private final PrintStream out;
  private final boolean redraw;
  private double epochStart;
  private long lastDraw;
  private boolean barShown;
  /** The length of the bar line drawn last, to blank what a shorter redraw leaves. */
  private int drawn;

  /** Writes to {@code out}; {@code redraw} draws the terminal bar, otherwise a line per epoch. */
  ProgressBar(PrintStream out, boolean redraw) {
    this.out = out;
    this.redraw = redraw;
  }

  /** The output of {@code verbose} 1 or 2 on standard output. */
  static ProgressBar forVerbose(int verbose) {
    return new ProgressBar(System.out, verbose == 1 && standardOutputIsTerminal());
  }

  /**
   * Whether standard output is an interactive terminal. Up to JDK 21 {@code System.console()} is
   * null unless it is; JDK 22 added {@code Console.isTerminal()} because its console may exist with
   * output redirected. Looked up reflectively since the build targets JDK 17.
   */
  static boolean standardOutputIsTerminal() {
    Console console = System.console();
    if (console == null) {
      return false;
    }
    try {
      return (Boolean) Console.class.getMethod("isTerminal").invoke(console);
    } catch (NoSuchMethodException e) {
      return true; // before JDK 22 a console exists only on a terminal
    } catch (IllegalAccessException | InvocationTargetException e) {
      throw new LeptonException("fit: cannot tell whether standard output is a terminal ("
          + e + "); use Fit.verbose(2) for one line per epoch", e);
    }
  }

  @Override
  public void onEvent(TrainingEvent e) {
    switch (e.kind()) {
      case EPOCH_BEGIN -> {
        epochStart = e.elapsedSeconds();
        if (redraw) {
          out.println(epochTitle(e));
        }
      }
      case BATCH_END -> {
        long now = System.nanoTime();
        if (redraw && (now - lastDraw > 100_000_000L || e.step() == e.steps())) {
          lastDraw = now;
          out.print(redrawn(barLine(e, epochStart)));
          out.flush();
          barShown = true;
        }
      }
      case EPOCH_END -> {
        out.println(redraw ? redrawn(doneLine(e, epochStart, true))
            : epochTitle(e) + " - " + doneLine(e, epochStart, false));
        barShown = false;
        drawn = 0;
      }
      case TRAIN_END -> {
        if (e.cancelled()) {
          out.println((barShown ? "\n" : "") + "Cancelled in epoch " + (e.epoch() + 1) + "/"
              + e.epochs() + " after step " + e.step() + "/" + e.steps());
        }
      }
      default -> { }
    }
  }

  /** {@code line} drawn over the current one, padded to cover a longer previous line. */
  private String redrawn(String line) {
    String padded = line + " ".repeat(Math.max(0, drawn - line.length()));
    drawn = line.length();
    return "\r" + padded;
  }

  private static String epochTitle(TrainingEvent e) {
    return "Epoch " + (e.epoch() + 1) + "/" + e.epochs();
  }

  /** The bar during an epoch, with the epoch's ETA. */
  static String barLine(TrainingEvent e, double epochStart) {
    double seconds = e.elapsedSeconds() - epochStart;
    double eta = e.step() == 0 ? 0 : seconds / e.step() * (e.steps() - e.step());
    return steps(e) + " " + bar(e) + " - ETA: " + duration(eta) + rateAndLogs(e);
  }

  /**
   * A finished epoch: its time, time per step, throughput and logs; {@code withBar} draws the full
   * bar over the one being redrawn (log lines go without it).
   */
  static String doneLine(TrainingEvent e, double epochStart, boolean withBar) {
    double seconds = e.elapsedSeconds() - epochStart;
    StringBuilder sb = new StringBuilder(steps(e));
    if (withBar) {
      sb.append(' ').append(bar(e));
    }
    sb.append(" - ").append(duration(seconds));
    if (e.steps() > 0) {
      sb.append(' ').append(stepTime(seconds / e.steps()));
    }
    return sb.append(rateAndLogs(e)).toString();
  }

  private static String steps(TrainingEvent e) {
    String total = Integer.toString(e.steps());
    String done = Integer.toString(e.step());
    return " ".repeat(Math.max(0, total.length() - done.length())) + done + "/" + total;
  }

  private static String bar(TrainingEvent e) {
    int filled = e.steps() == 0 ? WIDTH : (int) ((long) WIDTH * e.step() / e.steps());
    StringBuilder sb = new StringBuilder("[");
    for (int i = 0; i < WIDTH; i++) {
      sb.append(i < filled ? '=' : i == filled ? '>' : '.');
    }
    return sb.append(']').toString();
  }

  private static String rateAndLogs(TrainingEvent e) {
    StringBuilder sb = new StringBuilder(" - ").append(rate(e.samplesPerSecond()))
        .append(" samples/s");
    for (Map.Entry<String, Double> log : e.logs().entrySet()) {
      sb.append(" - ").append(log.getKey()).append(": ")
          .append(String.format(Locale.ROOT, "%.4f", log.getValue()));
    }
    return sb.toString();
  }

  private static String duration(double s) {
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
