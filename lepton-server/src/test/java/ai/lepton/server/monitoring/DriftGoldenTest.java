package ai.lepton.server.monitoring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.lepton.api.Histogram;
import ai.lepton.api.ValueCount;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Drift statistics against NumPy's and SciPy's numbers for the same inputs
 * ({@code tools/golden/make_drift_golden.py} wrote {@code golden/drift.json}).
 */
class DriftGoldenTest {
  private static final JsonNode CASES = cases();

  private static JsonNode cases() {
    try (InputStream in = DriftGoldenTest.class.getResourceAsStream("/golden/drift.json")) {
      return new ObjectMapper().readTree(in).get("cases");
    } catch (IOException e) {
      throw new IllegalStateException("cannot read golden/drift.json; run "
          + "tools/golden/make_drift_golden.py", e);
    }
  }

  static Stream<String> numeric() {
    Iterable<String> names = CASES::fieldNames;
    return StreamSupport.stream(names.spliterator(), false).filter(n -> CASES.get(n).has("edges"));
  }

  @ParameterizedTest
  @MethodSource("numeric")
  void numericDriftMatchesNumPyAndSciPy(String name) {
    JsonNode c = CASES.get(name);
    Histogram histogram = new Histogram(doubles(c.get("edges")), longs(c.get("counts")));
    double[] training = array(c.get("training"));
    double[] live = array(c.get("live"));

    assertClose(c.get("psi"), Drift.psi(histogram, live), name + ": psi");
    Drift.KsTest raw = Drift.ks(training, live);
    assertClose(c.get("ks_statistic"), raw.statistic(), name + ": D");
    assertClose(c.get("ks_pvalue"), raw.pValue(), name + ": p");
    Drift.KsTest fromHistogram = Drift.ks(histogram, live);
    assertClose(c.get("hist_ks_statistic"), fromHistogram.statistic(), name + ": histogram D");
    assertClose(c.get("hist_ks_pvalue"), fromHistogram.pValue(), name + ": histogram p");
    // the approximation's documented bound: the largest bin's share of the training values
    assertTrue(Math.abs(fromHistogram.statistic() - raw.statistic())
        <= c.get("max_bin_share").asDouble(), name);
    assertEquals(training.length, fromHistogram.trainingCount());
  }

  @Test
  void categoricalPsiMatchesNumPy() {
    JsonNode c = CASES.get("categorical");
    List<ValueCount> top = new ArrayList<>();
    c.get("top").forEach(v -> top.add(new ValueCount(v.get(0).asText(), v.get(1).asLong())));
    List<String> live = new ArrayList<>();
    c.get("live").forEach(v -> live.add(v.isNull() ? null : v.asText()));
    double psi = Drift.psi(top, c.get("count").asLong(), live);
    assertClose(c.get("psi"), psi, "categorical");
    assertEquals(Drift.Level.MAJOR, Drift.level(psi));
  }

  @Test
  void predictionDriftMatchesNumPy() {
    JsonNode c = CASES.get("predictions");
    long[] training = longs(c.get("training")).stream().mapToLong(Long::longValue).toArray();
    long[] live = longs(c.get("live")).stream().mapToLong(Long::longValue).toArray();
    assertClose(c.get("psi"), Drift.predictions(training, live), "predictions");
  }

  /** Within 1e-9 relative (p-values span many magnitudes), or 1e-12 absolute near 0. */
  private static void assertClose(JsonNode expected, double actual, String what) {
    double e = expected.asDouble();
    assertEquals(e, actual, Math.max(1e-12, 1e-9 * Math.abs(e)), what);
  }

  private static double[] array(JsonNode values) {
    double[] out = new double[values.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = values.get(i).isNull() ? Double.NaN : values.get(i).asDouble();
    }
    return out;
  }

  private static List<Double> doubles(JsonNode values) {
    List<Double> out = new ArrayList<>();
    values.forEach(v -> out.add(v.asDouble()));
    return out;
  }

  private static List<Long> longs(JsonNode values) {
    List<Long> out = new ArrayList<>();
    values.forEach(v -> out.add(v.asLong()));
    return out;
  }
}
