package ai.lepton.regularizers;

import static ai.lepton.LeptonAssertions.assertFailsWith;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.lepton.LeptonException;
import ai.lepton.tensor.Tensor;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RegularizersTest {
  private final Tensor w = Tensor.of(new float[] {1f, -2f, 3f}, 3);

  @Test
  void penaltiesFollowKeras() {
    assertEquals(0.6f, Regularizers.l1(0.1f).penalty(w).item(), 1e-6); // 0.1 * 6
    assertEquals(1.4f, Regularizers.l2(0.1f).penalty(w).item(), 1e-6); // 0.1 * 14, no 1/2
    assertEquals(2.0f, Regularizers.l1l2(0.1f, 0.1f).penalty(w).item(), 1e-6);
    assertEquals(0, Regularizers.l2(0.1f).penalty(w).rank());
  }

  @Test
  void penaltyIsDifferentiable() {
    Tensor weight = Tensor.of(new float[] {1f, -2f}, 2).requiresGrad(true);
    Regularizers.l1l2(0.5f, 0.25f).penalty(weight).backward();
    // d/dw (0.5 |w| + 0.25 w^2) = 0.5 sign(w) + 0.5 w
    assertArrayEquals(new float[] {1f, -1.5f}, weight.grad().toFloatArray(), 1e-6f);
  }

  @Test
  void namesDefaultsAndErrors() {
    assertEquals(Map.of("l2", 0.01f), Regularizers.get("l2").config());
    assertEquals(Map.of("l1", 0.01f), Regularizers.get("L1").config());
    assertEquals("l1_l2", Regularizers.get("L1L2").name());
    LeptonException e = assertThrows(LeptonException.class, () -> Regularizers.get("l3"));
    assertTrue(e.getMessage().contains("l1, l2, l1_l2"), e.getMessage());
    assertFailsWith("received l1=0.0, l2=-0.1", () -> Regularizers.l2(-0.1f));
  }

  @Test
  void everyRegularizerRoundTripsThroughItsConfig() {
    for (Regularizer r : List.of(Regularizers.l1(0.2f), Regularizers.l2(0.3f),
        Regularizers.l1l2(0.1f, 0.4f))) {
      Regularizer copy = Regularizers.fromConfig(r.name(), r.config());
      assertEquals(r, copy);
      assertEquals(r.penalty(w).item(), copy.penalty(w).item());
    }
    assertFailsWith("l1: unknown config keys [l2]",
        () -> Regularizers.fromConfig("l1", Map.of("l2", 0.1)));
  }
}
