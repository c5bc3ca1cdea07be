package ai.lepton.metrics;

import ai.lepton.tensor.Tensor;
import java.util.Map;

public interface Metric {
  void update(Tensor yTrue, Tensor yPred);
  double result();
  void reset();
  String name();
  Map<String, Object> config();
}
