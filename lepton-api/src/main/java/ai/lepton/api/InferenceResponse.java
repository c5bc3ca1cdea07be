package ai.lepton.api;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The answer of an inference request, the Open Inference Protocol v2's inference response object.
 * Its components carry the protocol's snake_case names so that the JSON matches it exactly.
 *
 * @param model_name the model (for Lepton, the deployment) that answered
 * @param model_version the version that answered: with a canary split, either of the two
 * @param id the request's id, or the prediction id when the request sent none
 * @param parameters protocol parameters: Lepton's {@code prediction_id}, the id the prediction log
 *     keeps this answer under, which feedback names
 * @param outputs one {@code FP32} tensor per output asked for, flat row-major data, samples first;
 *     for a model with class names, then the {@code BYTES} tensor {@code label} of shape
 *     {@code [samples]}: each sample's predicted class name
 */
public record InferenceResponse(String model_name, String model_version, String id,
    Map<String, Object> parameters, List<InferenceTensor> outputs) {

  /** The id feedback names ({@code parameters.prediction_id}), or null when there is none. */
  public String predictionId() {
    Object id = parameters == null ? null : parameters.get("prediction_id");
    return id == null ? null : id.toString();
  }

  /** The output named {@code name}, if the answer holds it. */
  public Optional<InferenceTensor> output(String name) {
    return outputs == null ? Optional.empty()
        : outputs.stream().filter(o -> name.equals(o.name())).findFirst();
  }
}
