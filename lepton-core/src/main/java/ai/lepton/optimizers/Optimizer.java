package ai.lepton.optimizers;

import ai.lepton.tensor.Tensor;
import java.util.HashMap;
import java.util.Map;

public abstract class Optimizer {
  float lr;
  long it;

  Optimizer(float lr) { this.lr = lr; }

  public void step(Map<String, Tensor> parameters) {
    it++;
    try (var s = Tensor.noGrad()) {
      for (Tensor p : parameters.values()) {
        if (p.grad() != null) p.addInPlace(p.grad(), -lr);
      }
    }
  }

  public float learningRate() { return lr; }
  public void setLearningRate(float lr) { this.lr = lr; }
  public long iterations() { return it; }
  public String name() { return "sgd"; }
  public Map<String, Object> config() { return Map.of("learning_rate", lr); }
  public Map<String, Tensor> state() { return new HashMap<>(); }
  public void loadState(Map<String, Tensor> state, long iterations) { it = iterations; }
}
