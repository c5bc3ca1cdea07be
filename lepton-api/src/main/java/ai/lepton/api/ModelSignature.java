package ai.lepton.api;

import java.util.List;

/**
 * What a model version takes and gives, read from its file when it was registered.
 *
 * @param inputs the inputs, in the model's order
 * @param outputs the outputs, in the model's order
 */
public record ModelSignature(List<TensorSignature> inputs, List<TensorSignature> outputs) {
  public ModelSignature {
    inputs = List.copyOf(inputs);
    outputs = List.copyOf(outputs);
  }
}
