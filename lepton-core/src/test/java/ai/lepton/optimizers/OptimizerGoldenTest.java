package ai.lepton.optimizers;

import ai.lepton.Golden;
import ai.lepton.tensor.Tensor;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/** Three update steps of each optimizer against PyTorch (golden/optimizers.json). */
class OptimizerGoldenTest {
  private static final JsonNode CASES = Golden.cases("optimizers");

  @TestFactory
  Stream<DynamicTest> everyOptimizerMatchesPyTorchStepByStep() {
    return Golden.caseNames(CASES)
        .map(caseName -> DynamicTest.dynamicTest(caseName, () -> {
          JsonNode c = CASES.get(caseName);
          Optimizer optimizer = Optimizers.fromConfig(c.get("optimizer").asText(),
              Golden.map(c.get("config")));
          Map<String, Tensor> params = new LinkedHashMap<>();
          c.get("params").properties().forEach(
              e -> params.put(e.getKey(), Golden.tensor(e.getValue()).requiresGrad(true)));
          for (int step = 0; step < c.get("grads").size(); step++) {
            JsonNode grads = c.get("grads").get(step);
            params.forEach((name, p) -> {
              p.zeroGrad();
              // The gradient of sum(p * g) with respect to p is g.
              p.mul(Golden.tensor(grads.get(name))).sum().backward();
            });
            optimizer.step(params);
            JsonNode after = c.get("after").get(step);
            int s = step + 1;
            params.forEach((name, p) -> Golden.assertClose(caseName + " step " + s + " " + name,
                after.get(name), p, 2e-5, 2e-6));
          }
        }));
  }
}
