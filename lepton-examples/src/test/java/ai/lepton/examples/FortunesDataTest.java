package ai.lepton.examples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.lepton.LeptonException;
import ai.lepton.data.Splits;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FortunesDataTest {
  @TempDir Path dir;

  @Test
  void readsEntriesBetweenPercentLinesWithoutOverstriking() throws IOException {
    Files.writeString(dir.resolve("computers"), "Real programmers\n  use C.\n%\n%\n"
        + "A 1\b10\b0 %\b% sign\n%\r\nlast one\n%\n");
    Files.writeString(dir.resolve("science"), "E = mc^2\n%\n");
    FortunesData data = FortunesData.read(dir, List.of("computers", "science"));
    assertEquals(List.of("Real programmers\n  use C.", "A 10 % sign", "last one",
        "E = mc^2"), data.texts());
    assertArrayEquals(new int[] {0, 0, 0, 1}, data.labels());
    assertArrayEquals(new int[] {3, 1}, data.counts());
    assertEquals(List.of("E = mc^2", "last one"), data.texts(new int[] {3, 2}));
  }

  @Test
  void theSplitIsSeededAndStratified() throws IOException {
    Files.writeString(dir.resolve("a"), "a1\n%\na2\n%\na3\n%\na4\n%\na5\n%\na6\n");
    Files.writeString(dir.resolve("b"), "b1\n%\nb2\n%\nb3\n");
    FortunesData data = FortunesData.read(dir, List.of("a", "b"));
    Splits.Split split = data.split(1 / 3.0, 5);
    assertArrayEquals(new int[] {0, 0, 1}, Arrays.stream(data.labels(split.test())).sorted()
        .toArray());
    assertArrayEquals(split.test(), data.split(1 / 3.0, 5).test());
  }

  @Test
  void aMissingFileNamesThePackagesToInstall() {
    LeptonException e = assertThrows(LeptonException.class,
        () -> FortunesData.read(dir, List.of("nope")));
    assertTrue(e.getMessage().contains("install Debian's fortunes and fortunes-min"),
        e.getMessage());
  }
}
