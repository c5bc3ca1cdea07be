package ai.lepton.tensor;

import ai.lepton.Golden;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * conv2d (valid and same padding, strides, dilations) with a bias, and max and average pooling,
 * forward and backward against PyTorch (golden/conv.json, channels-last like Lepton).
 */
class GoldenConvTest {
  private static final JsonNode CASES = Golden.cases("conv");

  @TestFactory
  Stream<DynamicTest> convolutionAndPoolingMatchPyTorchForwardAndBackward() {
    return Golden.caseNames(CASES)
        .filter(name -> name.startsWith("conv2d") || name.contains("pool"))
        .map(name -> DynamicTest.dynamicTest(name, () -> {
          JsonNode c = CASES.get(name);
          JsonNode config = c.get("config");
          Map<String, Tensor> in = new LinkedHashMap<>();
          c.get("inputs").properties().forEach(
              e -> in.put(e.getKey(), Golden.tensor(e.getValue()).requiresGrad(true)));
          JsonNode strides = config.get("strides");
          boolean same = config.get("same").asBoolean();
          Tensor out;
          if (name.startsWith("conv2d")) {
            JsonNode dilation = config.get("dilation");
            out = in.get("x").conv2d(in.get("kernel"), strides.get(0).asInt(),
                strides.get(1).asInt(), same, dilation.get(0).asInt(), dilation.get(1).asInt())
                .add(in.get("bias"));
          } else {
            JsonNode pool = config.get("pool");
            int ph = pool.get(0).asInt();
            int pw = pool.get(1).asInt();
            int sh = strides.get(0).asInt();
            int sw = strides.get(1).asInt();
            out = name.startsWith("max") ? in.get("x").maxPool2d(ph, pw, sh, sw, same)
                : in.get("x").avgPool2d(ph, pw, sh, sw, same);
          }
          Golden.assertClose(name + " forward", c.get("output"), out, 1e-5, 1e-5);
          out.backward(Golden.tensor(c.get("grad_output")));
          in.forEach((k, v) -> Golden.assertClose(name + " d/d" + k, c.get("grads").get(k),
              v.grad(), 1e-4, 1e-5));
        }));
  }
}
