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

  private static final Map<String, Function<Map<String, Tensor>, Tensor>> OPS = Map.ofEntries(
      Map.entry("matmul", in -> in.get("a").matmul(in.get("b"))),
      Map.entry("softmax", in -> in.get("x").softmax(-1)),
      Map.entry("log_softmax", in -> in.get("x").logSoftmax(-1)),
      Map.entry("gelu", in -> in.get("x").gelu()),
      Map.entry("sigmoid", in -> in.get("x").sigmoid()),
      Map.entry("tanh", in -> in.get("x").tanh()),
      Map.entry("elu", in -> in.get("x").elu(1f)),
      Map.entry("leaky_relu", in -> in.get("x").leakyRelu(0.2f)),
      Map.entry("sum_axis1", in -> in.get("x").sum(1, false)),
      Map.entry("mean_axis0_keepdims", in -> in.get("x").mean(0, true)),
      Map.entry("pow_square", in -> in.get("x").pow(2f)),
      Map.entry("pow_cube", in -> in.get("x").pow(3f)),
      Map.entry("pow_sqrt", in -> in.get("x").pow(0.5f)),
      Map.entry("pow_2_5", in -> in.get("x").pow(2.5f)),
      Map.entry("pow_neg_1_5", in -> in.get("x").pow(-1.5f)));

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
