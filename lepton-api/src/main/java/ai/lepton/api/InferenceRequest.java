package ai.lepton.api;

import java.util.List;
import java.util.Map;

/**
 * A request to {@code POST /v2/models/{name}[/versions/{version}]/infer}, the Open Inference
 * Protocol v2's inference request object, field for field, so KServe and Triton clients send it
 * unchanged:
 *
 * <pre>{@code
 * {"id": "42",
 *  "inputs": [{"name": "input", "shape": [1, 784], "datatype": "FP32", "data": [0.0, 0.5, ...]}],
 *  "outputs": [{"name": "dense_1"}]}
 * }</pre>
 *
 * @param id an identifier the response repeats, or null
 * @param parameters protocol parameters, or null; Lepton reads none of them
 * @param inputs one tensor for each of the model's inputs (see its metadata), each holding the
 *     same number of samples along its first dimension
 * @param outputs the outputs to return, or null for all of them
 */
public record InferenceRequest(String id, Map<String, Object> parameters,
    List<InferenceTensor> inputs, List<RequestedOutput> outputs) {

  /**
   * One output the client asks for.
   *
   * @param name the output's name, as the model's metadata lists it
   * @param parameters protocol parameters, or null; Lepton reads none of them
   */
  public record RequestedOutput(String name, Map<String, Object> parameters) {}
}
