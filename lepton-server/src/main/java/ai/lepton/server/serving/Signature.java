package ai.lepton.server.serving;

import ai.lepton.models.ModelArchive.TensorSpec;
import ai.lepton.preprocessing.FeaturePreprocessing;
import ai.lepton.preprocessing.Preprocessing;
import java.util.ArrayList;
import java.util.List;

/**
 * What a servable takes and gives: its inputs and outputs as the model file declares them
 * (shapes with {@code -1} first for the samples), the preprocessing that turns raw instances
 * into its one input, or null, the class names of its only output's columns (empty when it has
 * none), and the names of the features its one input holds, as the prediction log records them
 * (empty for images, texts and models without feature preprocessing).
 */
record Signature(List<TensorSpec> inputs, List<TensorSpec> outputs, Preprocessing preprocessing,
    List<String> classNames, List<String> features) {
  /**
   * The output a model with class names adds to its answers: each sample's arg-max class name,
   * {@code BYTES} of shape {@code [samples]}, like Triton's classification extension.
   */
  static final String LABEL = "label";
  /** The columns that the platform's image trainings name pixels by: {@code pixel_0}, ... */
  private static final String PIXEL = "pixel_";

  Signature {
    inputs = List.copyOf(inputs);
    outputs = List.copyOf(outputs);
    classNames = List.copyOf(classNames);
    features = List.copyOf(features);
  }

  /** The signature of a model with these parts; {@code classNames} empty for none. */
  static Signature of(List<TensorSpec> inputs, List<TensorSpec> outputs,
      Preprocessing preprocessing, List<String> classNames) {
    List<String> features = preprocessing instanceof FeaturePreprocessing f && inputs.size() == 1
        && !pixels(f.columns()) ? f.columns() : List.of();
    return new Signature(inputs, outputs, preprocessing, classNames, features);
  }

  /** Whether the columns are an image's pixels, which name no feature worth a drift statistic. */
  private static boolean pixels(List<String> columns) {
    for (int j = 0; j < columns.size(); j++) {
      if (!columns.get(j).equals(PIXEL + j)) {
        return false;
      }
    }
    return true;
  }

  /** The shape of one sample of input {@code i}, without the samples dimension. */
  int[] sampleShape(int i) {
    return sample(inputs.get(i));
  }

  /** The number of elements of one sample of input {@code i}. */
  int sampleSize(int i) {
    return size(sampleShape(i));
  }

  List<String> inputNames() {
    return names(inputs);
  }

  /** The model's outputs, then {@link #LABEL} when it answers class names. */
  List<String> outputNames() {
    List<String> names = names(outputs);
    if (labelled()) {
      names.add(LABEL);
    }
    return names;
  }

  /**
   * Whether answers carry the {@link #LABEL} output: the model has class names (so one output,
   * here of one row of scores per sample) and no output of its own by that name.
   */
  boolean labelled() {
    return !classNames.isEmpty() && classifies() && !outputs.get(0).name().equals(LABEL);
  }

  /**
   * Whether the first output is a classifier's: one row of scores per sample, named by class
   * names or at least two columns wide (one column is a regression's value).
   */
  boolean classifies() {
    return outputs.get(0).shape().size() == 2 && (!classNames.isEmpty() || outputWidth(0) > 1);
  }

  /** The columns of one sample of output {@code o}. */
  int outputWidth(int o) {
    return size(sample(outputs.get(o)));
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
