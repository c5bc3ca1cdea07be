package ai.lepton.callbacks;

import ai.lepton.LeptonException;
import ai.lepton.internal.Args;
import ai.lepton.models.Callback;
import ai.lepton.models.TrainingEvent;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Writes one CSV row per epoch ({@code epoch,loss,accuracy,val_loss,...}), as Keras' CSVLogger.
 * Each row is flushed, so the file can be followed while training runs; with {@code append} a
 * resumed run ({@code Fit.initialEpoch}) continues the file of the run it resumes.
 */
public final class CsvLogger implements Callback {
  private final Path file;
  private final boolean append;
  private BufferedWriter writer;
  private List<String> keys;

  /** Logs to {@code file}; {@code append} continues an existing file instead of replacing it. */
  public CsvLogger(Path file, boolean append) {
    this.file = Args.nonNull(file, "CsvLogger", "file");
    this.append = append;
  }

  @Override
  public void onEvent(TrainingEvent event) {
    Args.nonNull(event, "CsvLogger.onEvent", "event");
    switch (event.kind()) {
      case TRAIN_BEGIN -> open();
      case EPOCH_END -> write(event.epoch(), event.logs());
      case TRAIN_END -> close();
      default -> { }
    }
  }

  private void open() {
    try {
      boolean continuing = append && Files.exists(file) && Files.size(file) > 0;
      writer = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
          continuing ? StandardOpenOption.APPEND : StandardOpenOption.TRUNCATE_EXISTING,
          StandardOpenOption.WRITE);
      keys = continuing ? headerOf(file) : null;
    } catch (IOException e) {
      throw new LeptonException("CsvLogger: cannot open " + file + ": " + e.getMessage(), e);
    }
  }

  private static List<String> headerOf(Path file) throws IOException {
    try (var lines = Files.lines(file, StandardCharsets.UTF_8)) {
      String header = lines.findFirst().orElse("epoch");
      List<String> k = new ArrayList<>(List.of(header.split(",")));
      k.remove(0);
      return k;
    }
  }

  private void write(int epoch, Map<String, Double> logs) {
    try {
      if (keys == null) {
        keys = new ArrayList<>(logs.keySet());
        writer.write("epoch," + String.join(",", keys));
        writer.newLine();
      }
      StringBuilder row = new StringBuilder().append(epoch);
      for (String k : keys) {
        Double v = logs.get(k);
        row.append(',').append(v == null ? "" : v.toString());
      }
      writer.write(row.toString());
      writer.newLine();
      writer.flush();
    } catch (IOException e) {
      throw new LeptonException("CsvLogger: cannot write " + file + ": " + e.getMessage(), e);
    }
  }

  private void close() {
    try {
      writer.close();
    } catch (IOException e) {
      throw new LeptonException("CsvLogger: cannot close " + file + ": " + e.getMessage(), e);
    }
  }
}
