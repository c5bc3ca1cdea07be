package ai.lepton.api;

import java.util.List;
import java.util.Map;

/**
 * A tensor of the Open Inference Protocol v2: a request's input or a response's output.
 *
 * @param name the model's input or output it is for
 * @param shape the dimensions, samples first: {@code [1, 784]} for one Fashion-MNIST image as
 *     784 pixels, {@code [2, 28, 28, 1]} for two images to a CNN
 * @param datatype {@code FP32} for numbers (Lepton's models compute in float32); {@code BYTES}
 *     for raw instances that the model's saved preprocessing turns into numbers on the server:
 *     texts for a text model, or rows for a tabular model, each a JSON array of numbers (null
 *     for a missing value) or a JSON object keyed by column name, written as a string
 * @param parameters protocol parameters, or null; Lepton reads none of them
 * @param data the elements in row-major order, flat ({@code [0.1, 0.2, ...]}) or nested by the
 *     shape ({@code [[0.1, 0.2], ...]}); their count must be the product of {@code shape}
 */
public record InferenceTensor(String name, List<Long> shape, String datatype,
    Map<String, Object> parameters, List<Object> data) {}
