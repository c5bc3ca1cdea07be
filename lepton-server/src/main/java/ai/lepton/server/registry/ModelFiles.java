package ai.lepton.server.registry;

import ai.lepton.LeptonException;
import ai.lepton.api.ErrorCode;
import ai.lepton.api.ModelSignature;
import ai.lepton.api.TensorSignature;
import ai.lepton.models.ModelArchive;
import ai.lepton.server.http.ApiException;
import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtLoggingLevel;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Validates a model file from its plaintext bytes in memory (never from a file on disk) and reads
 * its signature: a {@code .lepton} file with Lepton Core's {@link ModelArchive} under the server's
 * limits, an ONNX file by creating an ONNX Runtime session from it. A file that fails answers
 * UNPROCESSABLE (422), or PAYLOAD_TOO_LARGE (413) over a limit.
 */
final class ModelFiles {
  /** What validation read from a file. */
  record Inspection(ModelSignature signature, boolean hasPreprocessing) {}

  /** The formats, as the API names them. */
  static final List<String> FORMATS = List.of("lepton", "onnx");

  /**
   * The ONNX Runtime option naming the directory a model loaded from bytes reads external data
   * from: an empty one, so that a file naming external data (a path on the server) is refused.
   */
  private static final String EXTERNAL_DATA_FOLDER =
      "session.model_external_initializers_file_folder_path";
  /** Core's advice to a library user (raise a limit in code), not to an API client. */
  private static final Pattern ADVICE = Pattern.compile(
      "[;,]? ?(or )?raise max\\w+( in [\\w.]+)?");
  /** Core's words for a limit, as opposed to invalid content. */
  private static final Pattern LIMIT = Pattern.compile("raise max\\w+|over the budget");

  /** How Core names a file it reads from memory. */
  private static final String IN_MEMORY = "(model in memory)";

  private final ModelArchive.Limits limits;
  private final Path tmp;

  /**
   * Validation under the server's limits for files of at most {@code maxBytes}; {@code tmp} is
   * where an empty directory is made for each ONNX validation (nothing is written into it).
   */
  ModelFiles(long maxBytes, Path tmp) {
    this.limits = ModelArchive.Limits.DEFAULT.withMaxFileBytes(maxBytes)
        .withMaxEntries(16).withMaxEntryBytes(maxBytes).withMaxJsonBytes(4L << 20)
        .withMaxJsonTokens(500_000).withMaxConfigBytes(1L << 20)
        .withMaxParameters(Math.max(1, maxBytes / Float.BYTES)).withMaxTensors(10_000)
        .withMaxLayers(1024);
    this.tmp = tmp;
  }

  /**
   * Validates {@code bytes} as {@code format} ({@link #FORMATS}).
   *
   * @throws ApiException UNPROCESSABLE for a file that is not a valid model of its format;
   *     PAYLOAD_TOO_LARGE over one of the server's limits (parameters, layers, JSON sizes)
   */
  Inspection inspect(String format, byte[] bytes) {
    return switch (format) {
      case "lepton" -> lepton(bytes);
      case "onnx" -> onnx(bytes);
      default -> throw new IllegalArgumentException("unknown format " + format);
    };
  }

  private Inspection lepton(byte[] bytes) {
    ModelArchive archive;
    try {
      archive = ModelArchive.open(bytes, limits);
    } catch (LeptonException e) {
      String message = String.valueOf(e.getMessage());
      boolean limit = LIMIT.matcher(message).find();
      message = "not a valid .lepton model file: " + ADVICE.matcher(message
          .replace(IN_MEMORY + " is not a valid model file: ", "")
          .replace(IN_MEMORY + ": ", "").replace(IN_MEMORY, "the file")).replaceAll("").strip();
      throw new ApiException(limit ? ErrorCode.PAYLOAD_TOO_LARGE : ErrorCode.UNPROCESSABLE,
          limit ? message + " (a limit of this server)" : message);
    }
    return new Inspection(new ModelSignature(lepton(archive.inputs()),
        lepton(archive.outputs())), archive.preprocessing().isPresent());
  }

  private static List<TensorSignature> lepton(List<ModelArchive.TensorSpec> specs) {
    return specs.stream().map(s -> new TensorSignature(s.name(),
        s.shape().stream().map(Integer::longValue).toList(), dtype(s.dtype()))).toList();
  }

  /** Core's dtype names ({@code float32}) in the Open Inference Protocol's ({@code FP32}). */
  private static String dtype(String core) {
    return switch (core) {
      case "float32" -> "FP32";
      default -> core.toUpperCase(Locale.ROOT);
    };
  }

  private Inspection onnx(byte[] bytes) {
    Path empty;
    try {
      Files.createDirectories(tmp);
      empty = Files.createTempDirectory(tmp, "onnx-");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create an empty directory under " + tmp, e);
    }
    try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
      options.setIntraOpNumThreads(1);
      options.setInterOpNumThreads(1);
      options.setSessionLogLevel(OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL);
      options.addConfigEntry(EXTERNAL_DATA_FOLDER, empty.toString());
      try (OrtSession session = OrtEnvironment.getEnvironment().createSession(bytes, options)) {
        return new Inspection(new ModelSignature(onnx(session.getInputInfo(), "input"),
            onnx(session.getOutputInfo(), "output")), false);
      }
    } catch (OrtException e) {
      throw new ApiException(ErrorCode.UNPROCESSABLE, "not a valid ONNX model: ONNX Runtime "
          + "cannot load it (" + String.valueOf(e.getMessage()).replace(empty.toString(),
              "<none>") + "); export the model again (torch.onnx.export, tf2onnx), with its "
          + "weights inside the file");
    } finally {
      try {
        Files.deleteIfExists(empty);
      } catch (IOException e) {
        // an empty directory left in tmp: the next start's sweep deletes it
      }
    }
  }

  private static List<TensorSignature> onnx(Map<String, NodeInfo> nodes, String what) {
    List<TensorSignature> list = new ArrayList<>();
    for (NodeInfo node : nodes.values()) {
      if (!(node.getInfo() instanceof TensorInfo info)) {
        throw new ApiException(ErrorCode.UNPROCESSABLE, "the ONNX model's " + what + " '"
            + node.getName() + "' is " + node.getInfo() + ", not a tensor: only models whose "
            + "inputs and outputs are tensors can be registered and served");
      }
      list.add(new TensorSignature(node.getName(), Arrays.stream(info.getShape()).boxed()
          .map(d -> d < 0 ? -1L : d).toList(), onnxType(info.onnxType)));
    }
    return list;
  }

  /** ONNX element types in the Open Inference Protocol's words. */
  private static String onnxType(TensorInfo.OnnxTensorType type) {
    return switch (type) {
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT -> "FP32";
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_DOUBLE -> "FP64";
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT16 -> "FP16";
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_BFLOAT16 -> "BF16";
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT8 -> "INT8";
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT16 -> "INT16";
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT32 -> "INT32";
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT64 -> "INT64";
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT8 -> "UINT8";
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT16 -> "UINT16";
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT32 -> "UINT32";
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT64 -> "UINT64";
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_BOOL -> "BOOL";
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_STRING -> "BYTES";
      default -> throw new ApiException(ErrorCode.UNPROCESSABLE, "the ONNX model has a tensor "
          + "of element type " + type + ", which the Open Inference Protocol cannot carry; "
          + "export it with float, integer, bool or string tensors");
    };
  }
}
