package ai.lepton.server.serving;

import ai.lepton.layers.Dense;
import ai.lepton.layers.Layer;
import ai.lepton.models.Sequential;
import ai.lepton.server.registry.TestModels.Proto;
import ai.lepton.tensor.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

/**
 * ONNX files for the serving tests and bench, written field by field in the ONNX protobuf layout
 * (onnx.proto3), so no Python runs at test time: a Core {@link Sequential} of {@link Dense}
 * layers exported with its own weights (one Gemm and one activation node per layer), so ONNX
 * Runtime's answers can be checked against Core's on the same weights; and small models whose
 * signatures a deployment refuses.
 */
final class OnnxFiles {
  static final int FLOAT = 1;
  static final int INT64 = 7;
  static final int DOUBLE = 11;

  private OnnxFiles() {}

  /**
   * {@code model} (built; Dense layers with relu, tanh, sigmoid, softmax or no activation) as an
   * ONNX graph taking {@code input} FP32 {@code [N, features]} and giving {@code output}.
   *
   * @param batch the first dimension: null for a symbolic one ("N"), or a fixed size
   */
  static byte[] dense(Sequential model, String input, String output, Integer batch) {
    Proto graph = new Proto().string(2, "lepton-export");
    String x = input;
    int features = model.inputShape()[0];
    int width = features;
    List<Layer> layers = model.layers();
    for (int i = 0; i < layers.size(); i++) {
      Dense layer = (Dense) layers.get(i);
      Tensor kernel = layer.weights().get("kernel"); // (in, units)
      Tensor bias = layer.weights().get("bias"); // (units)
      String w = layer.name() + "/kernel";
      String b = layer.name() + "/bias";
      graph.message(5, tensor(w, kernel.shape(), kernel.toFloatArray()));
      graph.message(5, tensor(b, bias.shape(), bias.toFloatArray()));
      String activation = layer.config().activation() == null ? "linear"
          : layer.config().activation();
      String linear = activation.equals("linear") && i == layers.size() - 1 ? output
          : layer.name() + "/linear";
      graph.message(1, node("Gemm", linear, x, w, b));
      x = linear;
      if (!activation.equals("linear")) {
        String op = switch (activation) {
          case "relu" -> "Relu";
          case "tanh" -> "Tanh";
          case "sigmoid" -> "Sigmoid";
          case "softmax" -> "Softmax"; // opset 13: over the last axis
          default -> throw new IllegalArgumentException("no ONNX export for " + activation);
        };
        String y = i == layers.size() - 1 ? output : layer.name() + "/" + activation;
        graph.message(1, node(op, y, x));
        x = y;
      }
      width = kernel.shape()[1];
    }
    graph.message(11, valueInfo(input, FLOAT, batch, features));
    graph.message(12, valueInfo(output, FLOAT, batch, width));
    return model(graph);
  }

  /** y = float(input): an input of element {@code type} [N, 3] cast to an FP32 output. */
  static byte[] castToFloat(String input, int type) {
    Proto to = new Proto().string(1, "to").varint(3, FLOAT).varint(20, 2); // INT attribute
    Proto graph = new Proto().string(2, "cast").message(1, node("Cast", "y", input)
        .message(5, to)).message(11, valueInfo(input, type, null, 3))
        .message(12, valueInfo("y", FLOAT, null, 3));
    return model(graph);
  }

  /** y = relu(x) with x FP32 [N, S]: a sample shape that is not fixed. */
  static byte[] symbolicSampleShape() {
    Proto graph = new Proto().string(2, "relu").message(1, node("Relu", "y", "x"))
        .message(11, valueInfo("x", FLOAT, null, null))
        .message(12, valueInfo("y", FLOAT, null, null));
    return model(graph);
  }

  private static byte[] model(Proto graph) {
    Proto opset = new Proto().string(1, "").varint(2, 13);
    return new Proto().varint(1, 8).string(2, "lepton-test").message(7, graph).message(8, opset)
        .toByteArray();
  }

  private static Proto node(String op, String output, String... inputs) {
    Proto node = new Proto();
    for (String in : inputs) {
      node.string(1, in);
    }
    return node.string(2, output).string(3, output + "/" + op).string(4, op);
  }

  private static Proto tensor(String name, int[] shape, float[] values) {
    Proto t = new Proto();
    for (int d : shape) {
      t.varint(1, d);
    }
    ByteBuffer raw = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (float v : values) {
      raw.putFloat(v);
    }
    return t.varint(2, FLOAT).string(8, name).bytes(9, raw.array());
  }

  /** A tensor of {@code type} and shape [batch, width], null for a symbolic dimension. */
  private static Proto valueInfo(String name, int type, Integer batch, Integer width) {
    Proto shape = new Proto().message(1, dim(batch, "N")).message(1, dim(width, "S"));
    Proto tensorType = new Proto().varint(1, type).message(2, shape);
    return new Proto().string(1, name).message(2, new Proto().message(1, tensorType));
  }

  private static Proto dim(Integer size, String symbol) {
    return size == null ? new Proto().string(2, symbol) : new Proto().varint(1, size);
  }
}
