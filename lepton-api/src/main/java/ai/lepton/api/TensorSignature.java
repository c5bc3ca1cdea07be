package ai.lepton.api;

import java.util.List;

/**
 * One input or output of a model.
 *
 * @param name the tensor's name, as an inference request names it
 * @param shape its dimensions; -1 for a dimension of any size (the batch, a sequence length)
 * @param dtype its element type in the Open Inference Protocol's words ({@code FP32},
 *     {@code INT64}, ...)
 */
public record TensorSignature(String name, List<Long> shape, String dtype) {
  public TensorSignature {
    shape = List.copyOf(shape);
  }
}
