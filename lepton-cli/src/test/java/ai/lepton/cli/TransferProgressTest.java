package ai.lepton.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

class TransferProgressTest {
  @Test
  void outsideATerminalOnlyTheFinalLineIsPrinted() {
    StringWriter sink = new StringWriter();
    int total = 3 * 1024 * 1024;
    TransferProgress progress = new TransferProgress("upload", total, new PrintWriter(sink),
        false);
    for (int done = 0; done <= total; done += 64 * 1024) {
      progress.accept(done);
    }
    progress.finish();
    progress.finish();
    String printed = sink.toString();
    assertEquals(1, printed.lines().count(), printed);
    assertTrue(printed.startsWith("upload [==============================] 100% 3.0 MiB/3.0 MiB"),
        printed);
  }

  @Test
  void onATerminalTheBarIsRedrawnInPlace() {
    StringWriter sink = new StringWriter();
    TransferProgress progress = new TransferProgress("download", 100, new PrintWriter(sink), true);
    progress.accept(50);
    progress.finish();
    String printed = sink.toString();
    assertTrue(printed.startsWith("\rdownload [===============               ]  50%"), printed);
    assertEquals(1, printed.chars().filter(c -> c == '\n').count(), printed);
  }

  @Test
  void sizesReadAsPeopleWriteThem() {
    assertEquals("512 B", TransferProgress.bytes(512));
    assertEquals("1.5 KiB", TransferProgress.bytes(1536));
    assertEquals("2.0 GiB", TransferProgress.bytes(2L << 30));
  }
}
