package ai.lepton.server.serving;

import ai.lepton.LeptonException;
import ai.lepton.models.ModelArchive.TensorSpec;
import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtLoggingLevel;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import java.nio.Buffer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An ONNX model served through an ONNX Runtime session: its signature read from the session
 * (FP32 tensors, or INT64 inputs for token ids; the first dimension the samples), and a forward
 * pass per call. Sessions run one
 * intra-op thread: each request thread (or a batcher's thread) computes on its own, so threads do
 * not fight over the cores; many threads may call {@link #predict} at once (a session is safe for
 * concurrent runs). Close it once nothing predicts any more: the session is native memory.
 */
final class OnnxModel implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(OnnxModel.class);
  /** Direct input buffers up to this many elements are kept for reuse; larger ones are not. */
  private static final int POOLED_ELEMENTS = 1 << 16;

  private final OrtEnvironment env;
  private final OrtSession session;
  private final Signature signature;
  private final String[] inputs;
  private final String[] outputs;
  /** The first dimension is fixed at 1: the model takes one sample per run. */
  private final boolean oneSample;
  /** Which inputs are INT64 (token ids); the others are FP32. */
  private final boolean[] ids;
  /**
   * Direct buffers, one per input (a FloatBuffer, or a LongBuffer for INT64), that ONNX Runtime
   * reads in place (no copy of its own).
   */
  private final Queue<Buffer[]> buffers = new ConcurrentLinkedQueue<>();
  private volatile boolean closed;

  private OnnxModel(OrtEnvironment env, OrtSession session, Signature signature,
      boolean oneSample) {
    this.env = env;
    this.session = session;
    this.signature = signature;
    this.inputs = signature.inputNames().toArray(String[]::new);
    this.outputs = signature.outputNames().toArray(String[]::new);
    this.oneSample = oneSample;
    this.ids = new boolean[inputs.length];
    for (int i = 0; i < inputs.length; i++) {
      ids[i] = signature.inputs().get(i).dtype().equals("int64");
    }
  }

  /**
   * A session over {@code file} (an ONNX model, its weights inside), with its signature.
   *
   * @throws LeptonException when ONNX Runtime cannot load it, or its signature cannot be served
   *     (an input that is not an FP32 or INT64 tensor, an output that is not FP32, a sample
   *     shape that is not fixed, a fixed number of samples other than 1), saying how to export
   *     it instead
   */
  static OnnxModel load(byte[] file) {
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    OrtSession session;
    try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
      options.setIntraOpNumThreads(1);
      options.setInterOpNumThreads(1);
      options.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
      options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
      options.setSessionLogLevel(OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR);
      session = env.createSession(file, options);
    } catch (OrtException e) {
      throw new LeptonException("ONNX Runtime cannot load the model: " + e.getMessage(), e);
    }
    try {
      return describe(env, session);
    } catch (OrtException e) {
      close(session);
      throw new LeptonException("ONNX Runtime cannot describe the model: " + e.getMessage(), e);
    } catch (RuntimeException e) {
      close(session);
      throw e;
    }
  }

  private static OnnxModel describe(OrtEnvironment env, OrtSession session)
      throws OrtException {
    List<TensorSpec> in = specs(session.getInputInfo(), "input");
    List<TensorSpec> out = specs(session.getOutputInfo(), "output");
    if (in.isEmpty() || out.isEmpty()) {
      throw new LeptonException("the ONNX model has " + in.size() + " inputs and " + out.size()
          + " outputs; a served model takes at least one input and gives at least one output");
    }
    boolean oneSample = in.get(0).shape().get(0) == 1;
    for (TensorSpec s : in) {
      if (s.shape().get(0) == 1 != oneSample) {
        throw new LeptonException("the ONNX model's inputs disagree on the samples dimension ("
            + in + "); export every input with the same batch axis");
      }
    }
    for (TensorSpec s : out) {
      if (!oneSample && s.shape().get(0) == 1) {
        throw new LeptonException("the ONNX model's output '" + s.name() + "' holds one sample"
            + " (shape " + s.shape() + ") whatever its inputs hold; export it with the same "
            + "batch axis as the inputs");
      }
    }
    return new OnnxModel(env, session, Signature.of(batched(in), batched(out), null, List.of()),
        oneSample);
  }

  /** The specs with {@code -1} first: the samples, whatever the model fixes. */
  private static List<TensorSpec> batched(List<TensorSpec> specs) {
    List<TensorSpec> batched = new ArrayList<>();
    for (TensorSpec s : specs) {
      List<Integer> shape = new ArrayList<>(s.shape());
      shape.set(0, -1);
      batched.add(new TensorSpec(s.name(), shape, s.dtype()));
    }
    return batched;
  }

  /** Inputs and outputs as served: FP32, the samples first (-1, or 1), the rest fixed. */
  private static List<TensorSpec> specs(Map<String, NodeInfo> nodes, String what) {
    List<TensorSpec> specs = new ArrayList<>();
    for (NodeInfo node : nodes.values()) {
      if (!(node.getInfo() instanceof TensorInfo info)) {
        throw new LeptonException("the ONNX model's " + what + " '" + node.getName() + "' is "
            + node.getInfo() + ", not a tensor; serve a model whose inputs and outputs are "
            + "tensors");
      }
      boolean ids = info.type == OnnxJavaType.INT64 && what.equals("input");
      if (info.type != OnnxJavaType.FLOAT && !ids) {
        throw new LeptonException("the ONNX model's " + what + " '" + node.getName() + "' is a "
            + info.onnxType + " tensor; Lepton serves ONNX models whose inputs are FP32 (float)"
            + " or INT64 (token ids) tensors and whose outputs are FP32: export it so (cast "
            + "inside the model)");
      }
      long[] dims = info.getShape();
      boolean fixed = dims.length > 0 && (dims[0] < 0 || dims[0] == 1);
      for (int d = 1; d < dims.length; d++) {
        fixed &= dims[d] > 0;
      }
      if (!fixed) {
        throw new LeptonException("the ONNX model's " + what + " '" + node.getName() + "' has "
            + "shape " + Arrays.toString(dims) + " (-1: not fixed); Lepton serves tensors "
            + "whose first dimension is the samples (dynamic, or 1) and whose other dimensions "
            + "are fixed: export it so, e.g. torch.onnx.export(..., dynamic_axes={'"
            + node.getName() + "': {0: 'batch'}}) with a fixed sample shape");
      }
      List<Integer> shape = new ArrayList<>();
      for (long d : dims) {
        shape.add(d < 0 ? -1 : Math.toIntExact(d));
      }
      specs.add(new TensorSpec(node.getName(), shape, ids ? "int64" : "float32"));
    }
    return specs;
  }

  Signature signature() {
    return signature;
  }

  /**
   * One run over {@code rows} samples of each input (row-major, checked against the signature):
   * one array per output. A model that takes one sample per run runs once per sample.
   *
   * @throws LeptonException when ONNX Runtime refuses the values
   * @throws IllegalStateException once closed
   */
  List<float[]> predict(List<float[]> x, int rows) {
    if (!oneSample || rows == 1) {
      return run(x, rows);
    }
    List<float[]> out = new ArrayList<>();
    for (int o = 0; o < outputs.length; o++) {
      out.add(new float[rows * signature.outputWidth(o)]);
    }
    for (int r = 0; r < rows; r++) {
      List<float[]> one = new ArrayList<>(x.size());
      for (int i = 0; i < x.size(); i++) {
        int n = signature.sampleSize(i);
        one.add(Arrays.copyOfRange(x.get(i), r * n, (r + 1) * n));
      }
      List<float[]> y = run(one, 1);
      for (int o = 0; o < outputs.length; o++) {
        System.arraycopy(y.get(o), 0, out.get(o), r * y.get(o).length, y.get(o).length);
      }
    }
    return out;
  }

  private List<float[]> run(List<float[]> x, int rows) {
    if (closed) {
      throw new IllegalStateException("this ONNX model version was retired; retry the request");
    }
    Buffer[] pooled = buffers.poll();
    if (pooled == null) {
      pooled = new Buffer[inputs.length];
    }
    Map<String, OnnxTensor> feed = new HashMap<>(2 * inputs.length);
    try {
      for (int i = 0; i < inputs.length; i++) {
        float[] values = x.get(i);
        feed.put(inputs[i], ids[i]
            ? OnnxTensor.createTensor(env, longs(pooled, i, values), shape(rows, i))
            : OnnxTensor.createTensor(env, floats(pooled, i, values), shape(rows, i)));
      }
      try (OrtSession.Result result = session.run(feed)) {
        List<float[]> out = new ArrayList<>(outputs.length);
        for (int o = 0; o < outputs.length; o++) {
          OnnxValue value = result.get(outputs[o]).orElseThrow();
          float[] y = ((OnnxTensor) value).getFloatBuffer().array(); // its one copy to the heap
          int expected = rows * signature.outputWidth(o);
          if (y.length != expected) {
            throw new LeptonException("the ONNX model's output '" + outputs[o] + "' holds "
                + y.length + " values for " + rows + " samples; its signature says " + expected
                + " (" + signature.outputs().get(o).shape() + "): export it with the samples "
                + "first and a fixed sample shape");
          }
          out.add(y);
        }
        return out;
      }
    } catch (OrtException e) {
      throw new LeptonException("ONNX Runtime refused these inputs: " + e.getMessage(), e);
    } finally {
      for (OnnxTensor t : feed.values()) {
        t.close();
      }
      buffers.add(pooled);
    }
  }

  /** {@code values} in input {@code i}'s pooled direct buffer (grown if needed). */
  private static FloatBuffer floats(Buffer[] pooled, int i, float[] values) {
    if (values.length > POOLED_ELEMENTS) {
      return FloatBuffer.wrap(values); // ONNX Runtime copies it to native memory
    }
    if (!(pooled[i] instanceof FloatBuffer) || pooled[i].capacity() < values.length) {
      pooled[i] = direct(values.length, Float.BYTES).asFloatBuffer();
    }
    return ((FloatBuffer) pooled[i]).clear().put(values).flip();
  }

  /** Token ids (whole numbers, checked by the decoder) as INT64. */
  private static LongBuffer longs(Buffer[] pooled, int i, float[] values) {
    LongBuffer buffer;
    if (values.length > POOLED_ELEMENTS) {
      buffer = LongBuffer.allocate(values.length); // ONNX Runtime copies it to native memory
    } else {
      if (!(pooled[i] instanceof LongBuffer) || pooled[i].capacity() < values.length) {
        pooled[i] = direct(values.length, Long.BYTES).asLongBuffer();
      }
      buffer = ((LongBuffer) pooled[i]).clear();
    }
    for (float v : values) {
      buffer.put((long) v);
    }
    return buffer.flip();
  }

  private static ByteBuffer direct(int elements, int bytes) {
    return ByteBuffer.allocateDirect(Math.max(elements, 1024) * bytes)
        .order(ByteOrder.nativeOrder());
  }

  private long[] shape(int rows, int input) {
    int[] sample = signature.sampleShape(input);
    long[] shape = new long[sample.length + 1];
    shape[0] = rows;
    for (int d = 0; d < sample.length; d++) {
      shape[d + 1] = sample[d];
    }
    return shape;
  }

  /** Frees the session; call it once no thread predicts any more. */
  @Override
  public void close() {
    closed = true;
    buffers.clear();
    close(session);
  }

  private static void close(OrtSession session) {
    try {
      session.close();
    } catch (OrtException e) {
      LOG.warn("ONNX Runtime could not close a session", e);
    }
  }
}
