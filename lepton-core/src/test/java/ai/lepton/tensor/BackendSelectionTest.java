package ai.lepton.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * Each test run computes on the backend it asks for. The default run has the Vector API module and
 * must use the vector backend; the reference-backend run ({@code -Dlepton.backend=reference}, the
 * {@code reference-backend} execution in the pom) must use the plain loops. The backend is chosen
 * once per JVM, so this test proves it for every suite that shares the run's JVM.
 */
class BackendSelectionTest {
  @Test
  void theRunComputesOnTheBackendItsPropertySelects() {
    if ("reference".equals(System.getProperty("lepton.backend"))) {
      assertEquals("reference", Tensor.backendName());
    } else {
      assertTrue(Tensor.backendName().startsWith("vector("),
          "the default test run should use the Vector API backend, but uses "
              + Tensor.backendName());
    }
  }
}
