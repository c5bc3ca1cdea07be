package ai.lepton.tensor;

import ai.lepton.Golden;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/** Forward values and gradients of core ops against PyTorch (golden/ops.json). */
class GoldenOpsTest {
  private static final JsonNode CASES = Golden.cases("ops");

  private static final Map<String, Function<Map<String, Tensor>, Tensor>> OPS = Map.of(
      "matmul", in -> in.get("a").matmul(in.get("b")),
      "softmax", in -> in.get("x").softmax(-1),
      "log_softmax", in -> in.get("x").logSoftmax(-1),
      "gelu", in -> in.get("x").gelu(),
      "sigmoid", in -> in.get("x").sigmoid(),
      "tanh", in -> in.get("x").tanh(),
      "elu", in -> in.get("x").elu(1f),
      "leaky_relu", in -> in.get("x").leakyRelu(0.2f),
      "sum_axis1", in -> in.get("x").sum(1, false),
      "mean_axis0_keepdims", in -> in.get("x").mean(0, true));

  @TestFactory
  Stream<DynamicTest> everyOpMatchesPyTorchForwardAndBackward() {
    return Golden.caseNames(CASES)
        .map(name -> DynamicTest.dynamicTest(name, () -> {
          JsonNode c = CASES.get(name);
          Map<String, Tensor> inputs = new LinkedHashMap<>();
          c.get("inputs").properties().forEach(
              e -> inputs.put(e.getKey(), Golden.tensor(e.getValue()).requiresGrad(true)));
          Function<Map<String, Tensor>, Tensor> op = OPS.get(name);
          if (op == null) {
            throw new AssertionError("golden case " + name + " has no op mapped in this test");
          }
          Tensor out = op.apply(inputs);
          Golden.assertClose(name + " forward", c.get("output"), out, 1e-5, 1e-6);
          out.backward(Golden.tensor(c.get("grad_output")));
          inputs.forEach((k, v) -> Golden.assertClose(name + " d/d" + k, c.get("grads").get(k),
              v.grad(), 1e-4, 1e-5));
        }));
  }
}
