package ai.lepton;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.lepton.tensor.Tensor;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;

/** The shared gradient check catches a wrong gradient and says where it is. */
class GradCheckTest {
  @Test
  void aWrongGradientFailsNamingTheOpTheInputAndTheElement() {
    // x * detach(x): autograd sees a constant factor and gives x, finite differences give 2x
    AssertionFailedError e = assertThrows(AssertionFailedError.class,
        () -> GradCheck.check("square through detach", in -> in[0].mul(in[0].detach()),
            Tensor.of(new float[] {0.5f, 1f, 1.5f, 2f}, 2, 2)));
    assertTrue(e.getMessage().startsWith("square through detach: the gradient of input 0 at "
        + "element 0 [0, 0] (value 0.5) is "), e.getMessage());
  }

  @Test
  void namedTargetsAreReportedByName() {
    Tensor w = Tensor.of(new float[] {3f}, 1).requiresGrad(true);
    AssertionFailedError e = assertThrows(AssertionFailedError.class,
        () -> GradCheck.check("layer", () -> w.mul(w.detach()), Map.of("kernel", w)));
    assertTrue(e.getMessage().contains("the gradient of kernel at element 0 [0]"),
        e.getMessage());
  }
}
