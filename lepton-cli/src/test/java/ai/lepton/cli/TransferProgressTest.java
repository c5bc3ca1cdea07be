package ai.lepton.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class TransferProgressTest {
  @Test
  void outsideATerminalOnlyTheFinalLineIsPrinted() throws IOException {
    ByteArrayOutputStream sink = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(sink, true, StandardCharsets.UTF_8);
    byte[] data = new byte[3 * 1024 * 1024];
    try (TransferProgress in = new TransferProgress(new ByteArrayInputStream(data), "upload",
        data.length, out, false)) {
      assertEquals(data.length, in.readAllBytes().length);
    }
    String printed = sink.toString(StandardCharsets.UTF_8);
    assertEquals(1, printed.lines().count(), printed);
    assertTrue(printed.startsWith("upload [==============================] 100% 3.0 MiB/3.0 MiB"),
        printed);
  }

  @Test
  void sizesReadAsPeopleWriteThem() {
    assertEquals("512 B", TransferProgress.bytes(512));
    assertEquals("1.5 KiB", TransferProgress.bytes(1536));
    assertEquals("2.0 GiB", TransferProgress.bytes(2L << 30));
  }
}
