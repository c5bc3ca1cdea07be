package ai.lepton.bench;

import ai.lepton.LeptonException;
import ai.lepton.layers.Dense;
import ai.lepton.layers.Layer;
import ai.lepton.models.Sequential;
import ai.lepton.tensor.Tensor;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Writes a Sequential model of Dense layers (ReLU, softmax or linear) as an ONNX file with the
 * same weights, for ONNX Runtime to run beside Lepton: {@code Gemm} (kernel {@code [in, units]} as
 * B, no transposes) plus {@code Relu} or {@code Softmax} per layer, opset 13, one input {@code x}
 * {@code [batch, in]} and one output {@code y}.
 *
 * <p>The protobuf is encoded here by hand, a few dozen lines for the handful of ONNX messages an
 * MLP needs, rather than exported by a Python toolchain: the benchmark stays one Java program.
 * Field numbers are those of onnx/onnx.proto.
 */
final class OnnxMlp {
  private static final int FLOAT = 1; // TensorProto.DataType.FLOAT

  private OnnxMlp() {}

  /** The ONNX model bytes of {@code model}. */
  static byte[] of(Sequential model) {
    Proto graph = new Proto().string(2, "lepton_mlp"); // GraphProto.name
    String h = "x";
    int in = model.inputShape()[0];
    int units = in;
    int i = 0;
    for (Layer layer : model.layers()) {
      if (!(layer instanceof Dense dense) || !dense.config().useBias()) {
        throw new LeptonException("OnnxMlp: expected Dense layers with a bias, received "
            + layer + "; export other models another way");
      }
      String w = "w" + i;
      String b = "b" + i;
      graph.message(5, tensor(w, layer.weights().get("kernel"))); // initializer
      graph.message(5, tensor(b, layer.weights().get("bias")));
      String z = "z" + i;
      graph.message(1, node("Gemm", z, h, w, b));
      units = dense.config().units();
      String activation = dense.config().activation();
      h = switch (activation) {
        case "relu" -> add(graph, "Relu", "r" + i, z);
        case "softmax" -> add(graph, "Softmax", "s" + i, z); // opset 13: the last axis
        case "linear" -> z;
        default -> throw new LeptonException("OnnxMlp: activation " + activation
            + " is not exported; use relu, softmax or linear");
      };
      i++;
    }
    graph.message(1, node("Identity", "y", h));
    graph.message(11, valueInfo("x", in)); // input
    graph.message(12, valueInfo("y", units)); // output
    return new Proto()
        .varint(1, 8) // ir_version
        .string(2, "lepton-bench") // producer_name
        .message(7, graph)
        .message(8, new Proto().string(1, "").varint(2, 13)) // opset_import: ai.onnx 13
        .bytes();
  }

  private static String add(Proto graph, String op, String out, String in) {
    graph.message(1, node(op, out, in));
    return out;
  }

  private static Proto node(String op, String output, String... inputs) {
    Proto n = new Proto();
    for (String in : inputs) {
      n.string(1, in);
    }
    return n.string(2, output).string(3, output).string(4, op);
  }

  private static Proto tensor(String name, Tensor t) {
    Proto p = new Proto();
    for (int d : t.shape()) {
      p.varint(1, d); // dims
    }
    ByteBuffer raw = ByteBuffer.allocate(4 * t.size()).order(ByteOrder.LITTLE_ENDIAN);
    raw.asFloatBuffer().put(t.toFloatArray());
    return p.varint(2, FLOAT).string(8, name).field(9, raw.array()); // data_type, name, raw_data
  }

  /** A float tensor value {@code [batch, features]} with a symbolic batch. */
  private static Proto valueInfo(String name, int features) {
    Proto shape = new Proto()
        .message(1, new Proto().string(2, "batch")) // dim_param
        .message(1, new Proto().varint(1, features)); // dim_value
    Proto tensorType = new Proto().varint(1, FLOAT).message(2, shape);
    return new Proto().string(1, name).message(2, new Proto().message(1, tensorType));
  }

  /** One protobuf message being written: fields appended in order. */
  private static final class Proto {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    Proto varint(int field, long value) {
      tag(field, 0);
      raw(value);
      return this;
    }

    Proto string(int field, String value) {
      return field(field, value.getBytes(StandardCharsets.UTF_8));
    }

    Proto message(int field, Proto value) {
      return field(field, value.bytes());
    }

    /** A length-delimited field. */
    Proto field(int field, byte[] value) {
      tag(field, 2);
      raw(value.length);
      out.writeBytes(value);
      return this;
    }

    byte[] bytes() {
      return out.toByteArray();
    }

    private void tag(int field, int wireType) {
      raw((long) field << 3 | wireType);
    }

    private void raw(long value) {
      long v = value;
      while ((v & ~0x7FL) != 0) {
        out.write((int) (v & 0x7F) | 0x80);
        v >>>= 7;
      }
      out.write((int) v);
    }
  }
}
