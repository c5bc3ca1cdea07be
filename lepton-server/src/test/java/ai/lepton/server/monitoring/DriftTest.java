package ai.lepton.server.monitoring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.lepton.api.Histogram;
import ai.lepton.api.ValueCount;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The readings, the edges of the bins, and the inputs drift refuses. */
class DriftTest {
  private final Histogram histogram = new Histogram(List.of(0.0, 1.0, 2.0, 3.0),
      List.of(10L, 20L, 10L));

  @Test
  void theConventionalThresholdsReadThePsi() {
    assertEquals(Drift.Level.STABLE, Drift.level(0.0999));
    assertEquals(Drift.Level.MODERATE, Drift.level(0.1));
    assertEquals(Drift.Level.MODERATE, Drift.level(0.2499));
    assertEquals(Drift.Level.MAJOR, Drift.level(0.25));
  }

  @Test
  void liveValuesDistributedAsInTrainingHaveNoDrift() {
    double[] live = {0.5, 1.5, 1.5, 2.5};
    assertEquals(0.0, Drift.psi(histogram, live), 1e-15);
    assertEquals(Drift.Level.STABLE, Drift.level(Drift.psi(histogram, live)));
  }

  @Test
  void valuesOutsideTheTrainingRangeCountInTheOuterBinsAndEdgesStartTheirBin() {
    // -5 in the first bin, 1.0 in the second, 3.0 (the last edge) and 99 in the last
    double[] live = {-5, 1.0, 1.5, 3.0, 99, Double.NaN};
    double same = Drift.psi(new long[] {10, 20, 10}, new long[] {1, 2, 2});
    assertEquals(same, Drift.psi(histogram, live), 1e-15);
  }

  @Test
  void anEmptyBinCountsAsEpsilon() {
    double expected = (0.5 - 1e-4) * Math.log(0.5 / 1e-4) + (0.5 - 1.0) * Math.log(0.5 / 1.0);
    assertEquals(expected, Drift.psi(new long[] {0, 4}, new long[] {3, 3}), 1e-12);
  }

  @Test
  void ksOfIdenticalSamplesIsZeroAndOfDisjointOnesOne() {
    Drift.KsTest t = Drift.ks(new double[] {1, 2, 3}, new double[] {3, 2, 1});
    assertEquals(0, t.statistic());
    assertEquals(1, t.pValue());
    // disjoint samples: D = 1; the asymptotic p-value is large for three values a side
    // (scipy.stats.kstwobign.sf(sqrt(1.5)) = 0.0996), tiny for thirty (sf(sqrt(15)) = 1.87e-13)
    Drift.KsTest three = Drift.ks(new double[] {1, 2, 3}, new double[] {4, 5, 6});
    assertEquals(1, three.statistic());
    assertEquals(0.09956184831478034, three.pValue(), 1e-15);
    double[] low = new double[30];
    double[] high = new double[30];
    for (int i = 0; i < 30; i++) {
      low[i] = i;
      high[i] = 100 + i;
    }
    assertEquals(1.8715245937680281e-13, Drift.ks(low, high).pValue(), 1e-22);
  }

  @Test
  void aNewCategoryGoesToOtherAndMissingValuesAreLeftOut() {
    List<ValueCount> top = List.of(new ValueCount("a", 60), new ValueCount("b", 30));
    double psi = Drift.psi(top, 100, java.util.Arrays.asList("a", "a", "b", "zzz", null, "a",
        "a", "a", "b", "b"));
    assertEquals(Drift.psi(new long[] {60, 30, 10}, new long[] {5, 3, 1}), psi, 1e-15);
  }

  @Test
  void invalidInputsAreRefusedSayingWhatIsWrong() {
    assertMessage(() -> Drift.psi(new long[] {1, 2}, new long[] {1}),
        "must cover the same bins; received 2 and 1 bins");
    assertMessage(() -> Drift.psi(new long[] {0, 0}, new long[] {1, 1}),
        "the training side holds no values");
    assertMessage(() -> Drift.psi(histogram, new double[] {Double.NaN}),
        "the live side holds no values");
    assertMessage(() -> Drift.psi(new Histogram(List.of(0.0, 1.0), List.of(1L, 2L)),
        new double[] {1}), "one more edge than counts; received 2 edges and 2 counts");
    assertMessage(() -> Drift.ks(new Histogram(List.of(1.0, 0.0), List.of(1L)),
        new double[] {1}), "edges must be finite and increasing; received [1.0, 0.0]");
    assertMessage(() -> Drift.psi(List.of(new ValueCount("a", 5), new ValueCount("a", 1)), 10,
        List.of("a")), "the training top values list 'a' twice");
    assertMessage(() -> Drift.psi(List.of(new ValueCount("a", 50)), 10, List.of("a")),
        "count 50 values, more than the column's 10");
    assertMessage(() -> Drift.predictions(new long[] {1, -1}, new long[] {1, 1}),
        "the training counts hold -1");
  }

  private static void assertMessage(Runnable call, String fragment) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call::run);
    assertTrue(e.getMessage().contains(fragment), e.getMessage());
  }
}
