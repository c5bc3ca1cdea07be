package ai.lepton.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.lepton.LeptonException;
import java.util.Arrays;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Seeded and stratified train/test splits. */
class SplitsTest {
  @Test
  void trainTestSplitIsSeededAndCoversEveryRowOnce() {
    Splits.Split a = Splits.trainTestSplit(10, 0.25, 7);
    assertEquals(7, a.train().length);
    assertEquals(3, a.test().length);
    int[] all = IntStream.concat(Arrays.stream(a.train()), Arrays.stream(a.test())).sorted()
        .toArray();
    assertArrayEquals(IntStream.range(0, 10).toArray(), all);
    assertArrayEquals(a.test(), Splits.trainTestSplit(10, 0.25, 7).test());
    assertNotEquals(Arrays.toString(a.test()),
        Arrays.toString(Splits.trainTestSplit(10, 0.25, 8).test()));
    assertEquals("testFraction must be strictly between 0 and 1; received 1.0",
        assertThrows(LeptonException.class, () -> Splits.trainTestSplit(10, 1, 7)).getMessage());
  }


  @Test
  void aSplitTooBigForTheHeapIsRefusedNamingItsSize() {
    // the three index arrays of 2^31-1 rows hold 24 GiB: refused before allocating, not an
    // OutOfMemoryError
    LeptonException e = assertThrows(LeptonException.class,
        () -> Splits.trainTestSplit(Integer.MAX_VALUE, 0.25, 7));
    assertTrue(e.getMessage().startsWith("Splits.trainTestSplit: n=2147483647 rows needs "),
        e.getMessage());
  }

  @Test
  void stratifiedSplitKeepsClassProportions() {
    int[] labels = {0, 0, 0, 0, 0, 0, 0, 0, 1, 1};
    Splits.Split s = Splits.stratifiedSplit(labels, 0.5, 3);
    assertEquals(5, s.test().length);
    assertEquals(1, Arrays.stream(s.test()).filter(i -> labels[i] == 1).count());
    assertTrue(Arrays.stream(s.train()).anyMatch(i -> labels[i] == 1));
  }
}
