package ai.lepton.losses;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.lepton.Golden;
import ai.lepton.tensor.Tensor;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/** Every loss's value and gradient against PyTorch (golden/losses.json). */
class LossGoldenTest {
  private static final JsonNode CASES = Golden.cases("losses");

  @TestFactory
  Stream<DynamicTest> everyLossMatchesPyTorchValueAndGradient() {
    return Golden.caseNames(CASES)
        .map(caseName -> DynamicTest.dynamicTest(caseName, () -> {
          JsonNode c = CASES.get(caseName);
          String lossName = caseName.replaceAll("_(probs|logits)$", "");
          Loss loss = Losses.fromConfig(lossName, Golden.map(c.get("config")));
          Tensor yPred = Golden.tensor(c.get("y_pred")).requiresGrad(true);
          Tensor value = loss.call(Golden.tensor(c.get("y_true")), yPred);
          assertEquals(0, value.rank(), caseName + ": rank-0 loss");
          double expected = c.get("value").asDouble();
          assertEquals(expected, value.item(), 1e-5 * Math.max(1, Math.abs(expected)), caseName);
          value.backward();
          Golden.assertClose(caseName + " gradient", c.get("grad"), yPred.grad(), 1e-4, 1e-6);
        }));
  }
}
