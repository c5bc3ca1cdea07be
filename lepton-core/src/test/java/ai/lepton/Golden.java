package ai.lepton;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.fail;

import ai.lepton.tensor.Tensor;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * Reads the golden values that {@code tools/golden/make_golden.py} computed with PyTorch (test
 * resources under {@code golden/}) and compares tensors with them.
 */
public final class Golden {
  private static final ObjectMapper JSON = new ObjectMapper();

  private Golden() {}

  /** The {@code cases} object of {@code golden/<file>.json}. */
  public static JsonNode cases(String file) {
    try (InputStream in = Golden.class.getResourceAsStream("/golden/" + file + ".json")) {
      if (in == null) {
        throw new IllegalStateException("missing test resource golden/" + file + ".json; run "
            + "tools/golden/make_golden.py");
      }
      return JSON.readTree(in).get("cases");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The names of the cases, in file order. */
  public static Stream<String> caseNames(JsonNode cases) {
    Iterable<String> names = cases::fieldNames;
    return StreamSupport.stream(names.spliterator(), false);
  }

  /** A tensor stored as {@code {"shape": [...], "data": [...]}}. */
  public static Tensor tensor(JsonNode node) {
    JsonNode shapeNode = node.get("shape");
    int[] shape = new int[shapeNode.size()];
    for (int i = 0; i < shape.length; i++) {
      shape[i] = shapeNode.get(i).asInt();
    }
    JsonNode dataNode = node.get("data");
    float[] data = new float[dataNode.size()];
    for (int i = 0; i < data.length; i++) {
      data[i] = (float) dataNode.get(i).asDouble();
    }
    return Tensor.of(data, shape);
  }

  public static Map<String, Object> map(JsonNode node) {
    return JSON.convertValue(node, new TypeReference<Map<String, Object>>() {});
  }

  /** Element-wise {@code |actual - expected| <= atol + rtol * |expected|}, and equal shapes. */
  public static void assertClose(String what, JsonNode expected, Tensor actual, double rtol,
      double atol) {
    Tensor e = tensor(expected);
    assertArrayEquals(e.shape(), actual.shape(), what + ": shape");
    float[] ev = e.toFloatArray();
    float[] av = actual.toFloatArray();
    for (int i = 0; i < ev.length; i++) {
      if (!(Math.abs(av[i] - ev[i]) <= atol + rtol * Math.abs(ev[i]))) {
        fail(what + ": element " + i + " is " + av[i] + ", PyTorch gives " + ev[i]);
      }
    }
  }
}
