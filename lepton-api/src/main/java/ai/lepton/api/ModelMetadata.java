package ai.lepton.api;

import java.util.List;

/**
 * The answer of {@code GET /v2/models/{name}[/versions/{version}]}: what a model takes and gives,
 * the Open Inference Protocol v2's model metadata object.
 *
 * @param name the model's name
 * @param versions the version that answers at this address
 * @param platform {@code lepton}
 * @param inputs the tensors an inference request must send, in order
 * @param outputs the tensors a response can hold, in order
 */
public record ModelMetadata(String name, List<String> versions, String platform,
    List<Tensor> inputs, List<Tensor> outputs) {

  /**
   * One input or output.
   *
   * @param name its name in requests and responses
   * @param datatype {@code FP32}; {@code BYTES} for the {@code label} output of a model with
   *     class names
   * @param shape the dimensions, {@code -1} for the number of samples
   */
  public record Tensor(String name, String datatype, List<Long> shape) {}
}
