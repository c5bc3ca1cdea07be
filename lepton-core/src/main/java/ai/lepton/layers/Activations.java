package ai.lepton.layers;

import ai.lepton.LeptonException;
import ai.lepton.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.UnaryOperator;

/** Activation functions by their Keras names. */
final class Activations {
  private static final Map<String, UnaryOperator<Tensor>> BY_NAME = new LinkedHashMap<>();

  static {
    BY_NAME.put("linear", x -> x);
    BY_NAME.put("relu", Tensor::relu);
    BY_NAME.put("leaky_relu", x -> x.leakyRelu(0.2f)); // Keras' default negative slope
    BY_NAME.put("elu", x -> x.elu(1f));
    BY_NAME.put("gelu", Tensor::gelu);
    BY_NAME.put("sigmoid", Tensor::sigmoid);
    BY_NAME.put("tanh", Tensor::tanh);
    BY_NAME.put("softplus", Tensor::softplus);
    BY_NAME.put("softmax", x -> x.softmax(-1));
    BY_NAME.put("log_softmax", x -> x.logSoftmax(-1));
    BY_NAME.put("silu", x -> x.mul(x.sigmoid()));
    BY_NAME.put("exponential", Tensor::exp);
  }

  private Activations() {}

  /**
   * The activation of that name; {@code null} means linear.
   *
   * @throws LeptonException naming the known activations if there is none of that name
   */
  static UnaryOperator<Tensor> get(String name) {
    String key = name == null ? "linear" : name.equals("swish") ? "silu" : name;
    UnaryOperator<Tensor> f = BY_NAME.get(key);
    if (f == null) {
      throw new LeptonException("unknown activation \"" + name + "\"; use one of "
          + BY_NAME.keySet());
    }
    return f;
  }
}
