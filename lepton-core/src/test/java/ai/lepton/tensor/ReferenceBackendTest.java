package ai.lepton.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * The reference backend against the shared conformance suite, and its special functions against
 * values computed with mpmath at 40 digits: the reference is what the other backends are checked
 * against, so its own error must be far below theirs.
 */
class ReferenceBackendTest extends BackendContractTest {
  private final Backend backend = new ReferenceBackend();

  @Override
  Backend backend() {
    return backend;
  }

  @Test
  void erfIsAccurateToDoublePrecision() {
    double[][] cases = {{0.5, 0.5204998778130465}, {1, 0.8427007929497149},
        {2, 0.9953222650189527}, {-0.3, -0.3286267594591274}, {3.5, 0.9999992569016276},
        {1.9999, 0.99532019790702939}, {1e-10, 1.1283791670955126e-10}, {6, 1.0}, {-40, -1.0}};
    for (double[] c : cases) {
      assertEquals(c[1], ReferenceBackend.erf(c[0]), 1e-14, "erf(" + c[0] + ")");
    }
    assertEquals(-0.0, ReferenceBackend.erf(-0.0)); // assertEquals tells -0.0 from 0.0
    assertEquals(1.0, ReferenceBackend.erf(Double.POSITIVE_INFINITY));
    assertEquals(Double.NaN, ReferenceBackend.erf(Double.NaN));
  }

  /** Where erfc is tiny, 1 - erf would have lost every digit; the continued fraction keeps them. */
  @Test
  void erfcKeepsItsRelativeAccuracyInTheTail() {
    double[][] cases = {{2, 0.0046777349810472658}, {3, 2.2090496998585441e-5},
        {5, 1.5374597944280349e-12}, {10, 2.0884875837625448e-45},
        {26, 5.6631924088561428e-296}, {0.5, 0.47950012218695346}, {-1, 1.8427007929497148}};
    for (double[] c : cases) {
      assertEquals(c[1], ReferenceBackend.erfc(c[0]), 1e-13 * c[1], "erfc(" + c[0] + ")");
    }
    assertEquals(0.0, ReferenceBackend.erfc(Double.POSITIVE_INFINITY));
    assertEquals(2.0, ReferenceBackend.erfc(Double.NEGATIVE_INFINITY));
  }

  /**
   * GELU, x Phi(x), and its derivative, Phi(x) + x phi(x), to float precision across the whole
   * range: at -10 the value is about -7.6e-23, which 1 + erf(x / sqrt 2) rounds to 0.
   */
  @Test
  void geluAndItsDerivativeKeepTheirLeftTail() {
    double[][] cases = { // x, x Phi(x), Phi(x) + x phi(x)
        {-10, -7.6198530241605261e-23, -7.6184000964648141e-22},
        {-5, -1.4332578593959696e-6, -7.1469460017922946e-6},
        {-3, -0.0040496940948902836, -0.011945647204183927},
        {-1, -0.15865525393145705, -0.083315470587686298},
        {0.5, 0.34573123063700655, 0.86749512465616284},
        {4, 3.9998733150326675, 1.0005036496612264}};
    for (double[] c : cases) {
      float x = (float) c[0];
      float y = ReferenceBackend.apply(UnaryOp.GELU, x, 0f, 0f);
      assertEquals(c[1], y, 1e-6 * Math.abs(c[1]), "gelu(" + x + ")");
      assertEquals(c[2], ReferenceBackend.derivative(UnaryOp.GELU, x, y, 0f, 0f),
          1e-6 * Math.abs(c[2]), "gelu'(" + x + ")");
    }
  }
}
