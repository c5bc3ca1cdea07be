package ai.lepton.layers;

import ai.lepton.Golden;
import ai.lepton.tensor.Tensor;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * LSTM and GRU outputs and gradients against torch.nn.LSTM/GRU fed the same Keras-layout weights
 * (golden/recurrent.json); the right-padded cases check masking against PyTorch's packed sequences.
 */
class RecurrentGoldenTest {
  private static final JsonNode CASES = Golden.cases("recurrent");

  @TestFactory
  Stream<DynamicTest> lstmAndGruMatchPyTorch() {
    return Golden.caseNames(CASES).map(name -> DynamicTest.dynamicTest(name, () -> {
      JsonNode c = CASES.get(name);
      Tensor x = Golden.tensor(c.get("x")).requiresGrad(true); // (batch, time, features)
      JsonNode outputs = c.get("outputs");
      boolean sequence = outputs.has("sequence");
      int units = c.get("units").asInt();
      Recurrent<?> layer = name.startsWith("lstm") ? new LSTM(units) : new GRU(units);
      layer.returnSequences(sequence).returnState(true).name("rnn");
      layer.build(new int[] {x.dim(1), x.dim(2)}, new SplittableRandom(1));
      c.get("weights").properties().forEach(
          w -> layer.weights().get(w.getKey()).assign(Golden.tensor(w.getValue())));

      List<Tensor> out = layer.apply(List.of(x), Collections.singletonList(mask(c, x)), false);
      List<String> names = out.size() == 3 ? List.of("sequence", "h", "c")
          : List.of("sequence", "h");
      Tensor loss = Tensor.scalar(0f);
      for (int i = sequence ? 0 : 1; i < names.size(); i++) {
        String what = names.get(i);
        Golden.assertClose(name + " " + what, outputs.get(what), out.get(i), 1e-5, 1e-6);
        loss = loss.add(out.get(i).mul(Golden.tensor(c.get("grad_outputs").get(what))).sum());
      }
      loss.backward();
      JsonNode grads = c.get("grads");
      Golden.assertClose(name + " d/dx", grads.get("x"), x.grad(), 1e-4, 1e-5);
      layer.weights().forEach((k, w) -> Golden.assertClose(name + " d/d" + k, grads.get(k),
          w.grad(), 1e-4, 1e-5));
    }));
  }

  /** 1 for the first {@code lengths[b]} steps of each sequence, or no mask. */
  private static Tensor mask(JsonNode c, Tensor x) {
    JsonNode lengths = c.get("lengths");
    if (lengths.isNull()) {
      return null;
    }
    int time = x.dim(1);
    float[] m = new float[x.dim(0) * time];
    for (int b = 0; b < x.dim(0); b++) {
      for (int t = 0; t < lengths.get(b).asInt(); t++) {
        m[b * time + t] = 1f;
      }
    }
    return Tensor.of(m, x.dim(0), time);
  }
}
