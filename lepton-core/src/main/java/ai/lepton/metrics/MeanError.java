package ai.lepton.metrics;

import ai.lepton.internal.Args;
import ai.lepton.tensor.Tensor;
import java.util.Map;

/** Mean squared or mean absolute error over every element seen. */
final class MeanError implements Metric {
  private final boolean squared;
  private double sum;
  private long count;

  MeanError(boolean squared) {
    this.squared = squared;
  }

  @Override
  public void update(Tensor yTrue, Tensor yPred) {
    Args.nonNull(yTrue, name(), "yTrue");
    Args.nonNull(yPred, name(), "yPred");
    float[] t = Metrics.alignedTargets(name(), yTrue, yPred);
    float[] p = yPred.toFloatArray();
    for (int i = 0; i < p.length; i++) {
      double e = (double) p[i] - t[i];
      sum += squared ? e * e : Math.abs(e);
    }
    count += p.length;
  }

  @Override
  public double result() {
    return count == 0 ? 0 : sum / count;
  }

  @Override
  public void reset() {
    sum = 0;
    count = 0;
  }

  @Override
  public String name() {
    return squared ? "mean_squared_error" : "mean_absolute_error";
  }

  @Override
  public Map<String, Object> config() {
    return Map.of();
  }
}
