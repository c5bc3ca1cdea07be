package ai.lepton.api;

import java.util.List;
import java.util.Map;

/**
 * The answer of an inference request, the Open Inference Protocol v2's inference response object.
 * Its components carry the protocol's snake_case names so that the JSON matches it exactly.
 *
 * @param model_name the model (for Lepton, the deployment) that answered
 * @param model_version the version that answered: with a canary split, either of the two
 * @param id the request's id, or null when it had none
 * @param parameters protocol parameters, or null
 * @param outputs one {@code FP32} tensor per output asked for, flat row-major data, samples first
 */
public record InferenceResponse(String model_name, String model_version, String id,
    Map<String, Object> parameters, List<InferenceTensor> outputs) {}
