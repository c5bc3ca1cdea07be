package ai.lepton.regularizers;

import ai.lepton.tensor.Tensor;
import java.util.Map;

public interface Regularizer {
  Tensor penalty(Tensor weight);
  String name();
  Map<String, Object> config();
}
