package ai.lepton.optimizers;

import ai.lepton.LeptonException;
import ai.lepton.internal.Args;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * A step decay (Keras {@code PiecewiseConstantDecay}): {@code values[0]} up to and including step
 * {@code boundaries[0]}, {@code values[1]} up to {@code boundaries[1]}, ..., and the last value after
 * the last boundary. For example boundaries {@code [1000, 2000]} with values
 * {@code [0.1, 0.01, 0.001]}.
 */
public final class PiecewiseConstantDecay implements LearningRateSchedule {
  private final long[] boundaries;
  private final float[] values;

  /**
   * @throws LeptonException unless the boundaries increase strictly and there is one more value
   *     than boundaries, all positive
   */
  public PiecewiseConstantDecay(long[] boundaries, float[] values) {
    Args.nonNull(boundaries, "PiecewiseConstantDecay", "boundaries");
    Args.nonNull(values, "PiecewiseConstantDecay", "values");
    if (values.length != boundaries.length + 1) {
      throw new LeptonException("PiecewiseConstantDecay: expected one more value than boundaries, "
          + "received " + boundaries.length + " boundaries and " + values.length + " values");
    }
    for (int i = 1; i < boundaries.length; i++) {
      if (boundaries[i] <= boundaries[i - 1]) {
        throw new LeptonException("PiecewiseConstantDecay: expected strictly increasing "
            + "boundaries, received " + Arrays.toString(boundaries));
      }
    }
    for (float v : values) {
      Checks.requirePositive("PiecewiseConstantDecay", "values", v);
    }
    this.boundaries = boundaries.clone();
    this.values = values.clone();
  }

  @Override
  public float at(long step) {
    int i = 0;
    while (i < boundaries.length && step > boundaries[i]) {
      i++;
    }
    return values[i];
  }

  @Override
  public String name() {
    return "PiecewiseConstantDecay";
  }

  @Override
  public Map<String, Object> config() {
    Float[] v = new Float[values.length];
    for (int i = 0; i < v.length; i++) {
      v[i] = values[i];
    }
    return Map.of("boundaries", Arrays.stream(boundaries).boxed().toList(),
        "values", List.of(v));
  }
}
