package ai.lepton.server.registry;

import ai.lepton.layers.Dense;
import ai.lepton.models.Sequential;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

/**
 * Model files for the registry's tests: real {@code .lepton} files saved by Lepton Core, and ONNX
 * models written here in the ONNX protobuf layout (onnx.proto3: ModelProto, GraphProto,
 * NodeProto, TensorProto, ValueInfoProto), field by field, so that the tests need no Python.
 */
public final class TestModels {
  private TestModels() {}

  /** A small Sequential model (2 inputs, 3 tanh units, 1 sigmoid output) as a .lepton file. */
  public static byte[] lepton() {
    Sequential model = new Sequential().add(new Dense(3, "tanh")).add(new Dense(1, "sigmoid"));
    model.build(1, 2);
    model.compile("adam", "binary_crossentropy");
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    model.save(bytes);
    return bytes.toByteArray();
  }

  /** The entries of a zip, by name. */
  static Map<String, byte[]> entries(byte[] zip) {
    Map<String, byte[]> entries = new LinkedHashMap<>();
    try (ZipInputStream in = new ZipInputStream(new java.io.ByteArrayInputStream(zip))) {
      for (ZipEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
        entries.put(e.getName(), in.readAllBytes());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return entries;
  }

  /** A zip of {@code entries}, the safetensors ones stored (as the format asks). */
  static byte[] zip(Map<String, byte[]> entries) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
      for (Map.Entry<String, byte[]> e : entries.entrySet()) {
        ZipEntry entry = new ZipEntry(e.getKey());
        if (e.getKey().endsWith(".safetensors")) {
          java.util.zip.CRC32 crc = new java.util.zip.CRC32();
          crc.update(e.getValue());
          entry.setMethod(ZipEntry.STORED);
          entry.setSize(e.getValue().length);
          entry.setCrc(crc.getValue());
        }
        zip.putNextEntry(entry);
        zip.write(e.getValue());
        zip.closeEntry();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  /** y = x + b: input x FP32 [N, 3], initializer b = [1, 2, 3], output y FP32 [N, 3]. */
  public static byte[] onnxAdd() {
    return onnx(tensor("b", floats(1, 2, 3)));
  }

  /**
   * The same model, but its initializer's data lives outside the file at {@code location}: a
   * model that would read a file of the server.
   */
  static byte[] onnxExternal(String location) {
    Proto entry = new Proto().string(1, "location").string(2, location);
    Proto b = new Proto().varint(1, 3).varint(2, 1).string(8, "b").message(13, entry)
        .varint(14, 1);
    return onnx(b);
  }

  /**
   * y = x W, x FP32 [N, k], W FP32 [k, m] all zeros, as three parts: the file is {@code
   * parts[0]}, then {@code 4 k m} zero bytes (W's data), then {@code parts[1]}; so a test can
   * send a large model without holding it.
   */
  static byte[][] onnxMatMulAround(int k, int m) {
    long raw = 4L * k * m;
    Proto rawHead = new Proto().varint(1, k).varint(1, m).varint(2, 1).string(8, "W");
    byte[] rawTag = new Proto().lengthOnly(9, raw).toByteArray();
    long initLength = rawHead.toByteArray().length + rawTag.length + raw;
    Proto node = new Proto().string(1, "x").string(1, "W").string(2, "y").string(3, "mm")
        .string(4, "MatMul");
    Proto graphHead = new Proto().message(1, node).string(2, "g").lengthOnly(5, initLength);
    Proto graphTail = new Proto().message(11, valueInfo("x", k)).message(12, valueInfo("y", m));
    long graphLength = graphHead.toByteArray().length + rawHead.toByteArray().length
        + rawTag.length + raw + graphTail.toByteArray().length;
    Proto modelHead = new Proto().varint(1, 8).string(2, "lepton-test").lengthOnly(7,
        graphLength);
    Proto modelTail = new Proto().message(8, new Proto().string(1, "").varint(2, 13));
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    head.writeBytes(modelHead.toByteArray());
    head.writeBytes(graphHead.toByteArray());
    head.writeBytes(rawHead.toByteArray());
    head.writeBytes(rawTag);
    ByteArrayOutputStream tail = new ByteArrayOutputStream();
    tail.writeBytes(graphTail.toByteArray());
    tail.writeBytes(modelTail.toByteArray());
    return new byte[][] {head.toByteArray(), tail.toByteArray()};
  }

  private static Proto tensor(String name, byte[] raw) {
    return new Proto().varint(1, 3).varint(2, 1).string(8, name).bytes(9, raw);
  }

  private static byte[] floats(float... values) {
    ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (float v : values) {
      b.putFloat(v);
    }
    return b.array();
  }

  private static byte[] onnx(Proto initializer) {
    Proto node = new Proto().string(1, "x").string(1, "b").string(2, "y").string(3, "add")
        .string(4, "Add");
    Proto graph = new Proto().message(1, node).string(2, "g").message(5, initializer)
        .message(11, valueInfo("x")).message(12, valueInfo("y"));
    Proto opset = new Proto().string(1, "").varint(2, 13);
    return new Proto().varint(1, 8).string(2, "lepton-test").message(7, graph)
        .message(8, opset).toByteArray();
  }

  /** A float tensor of shape [N, 3]. */
  private static Proto valueInfo(String name) {
    return valueInfo(name, 3);
  }

  /** A float tensor of shape [N, d]. */
  private static Proto valueInfo(String name, int d) {
    Proto shape = new Proto().message(1, new Proto().string(2, "N"))
        .message(1, new Proto().varint(1, d));
    Proto tensorType = new Proto().varint(1, 1).message(2, shape);
    return new Proto().string(1, name).message(2, new Proto().message(1, tensorType));
  }

  /**
   * A protobuf message written field by field (varints and length-delimited fields only); the
   * serving tests write their ONNX models with it too.
   */
  public static final class Proto {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    public Proto varint(int field, long value) {
      writeVarint((long) field << 3);
      writeVarint(value);
      return this;
    }

    public Proto bytes(int field, byte[] value) {
      writeVarint(((long) field << 3) | 2);
      writeVarint(value.length);
      out.writeBytes(value);
      return this;
    }

    /** The tag and length of a length-delimited field whose bytes the caller sends after. */
    public Proto lengthOnly(int field, long length) {
      writeVarint(((long) field << 3) | 2);
      writeVarint(length);
      return this;
    }

    public Proto string(int field, String value) {
      return bytes(field, value.getBytes(StandardCharsets.UTF_8));
    }

    public Proto message(int field, Proto value) {
      return bytes(field, value.toByteArray());
    }

    public byte[] toByteArray() {
      return out.toByteArray();
    }

    private void writeVarint(long v) {
      while ((v & ~0x7fL) != 0) {
        out.write((int) ((v & 0x7f) | 0x80));
        v >>>= 7;
      }
      out.write((int) v);
    }
  }
}
