package ai.lepton.losses;

import ai.lepton.tensor.Tensor;
import java.util.Map;

public interface Loss {
  Tensor call(Tensor yTrue, Tensor yPred);

  String name();

  Map<String, Object> config();
}
