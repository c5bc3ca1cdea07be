package ai.lepton.server.serving;

import ai.lepton.models.ModelArchive.TensorSpec;
import ai.lepton.preprocessing.Preprocessing;
import java.util.ArrayList;
import java.util.List;

/**
 * What a servable takes and gives: its inputs and outputs as the model file declares them
 * (shapes with {@code -1} first for the samples), and the preprocessing that turns raw instances
 * into its one input, or null.
 */
record Signature(List<TensorSpec> inputs, List<TensorSpec> outputs, Preprocessing preprocessing) {
  Signature {
    inputs = List.copyOf(inputs);
    outputs = List.copyOf(outputs);
  }

  /** The shape of one sample of input {@code i}, without the samples dimension. */
  int[] sampleShape(int i) {
    return sample(inputs.get(i));
  }

  /** The number of elements of one sample of input {@code i}. */
  int sampleSize(int i) {
    return size(sampleShape(i));
  }

  /** The number of elements of one sample of output {@code o}. */
  int outputSampleSize(int o) {
    return size(sample(outputs.get(o)));
  }

  List<String> inputNames() {
    return names(inputs);
  }

  List<String> outputNames() {
    return names(outputs);
  }

  /**
   * The Open Inference Protocol datatype of {@code spec}: {@code INT64} for an {@code int64}
   * input (token ids of an ONNX model), else {@code FP32}.
   */
  static String datatype(TensorSpec spec) {
    return spec.dtype().equals("int64") ? "INT64" : "FP32";
  }

  static int[] sample(TensorSpec spec) {
    List<Integer> shape = spec.shape();
    int[] s = new int[shape.size() - 1];
    for (int d = 1; d < shape.size(); d++) {
      s[d - 1] = shape.get(d);
    }
    return s;
  }

  static int size(int[] shape) {
    int n = 1;
    for (int d : shape) {
      n *= d;
    }
    return n;
  }

  private static List<String> names(List<TensorSpec> specs) {
    List<String> names = new ArrayList<>();
    for (TensorSpec s : specs) {
      names.add(s.name());
    }
    return names;
  }
}
