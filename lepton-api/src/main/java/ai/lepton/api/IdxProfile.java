package ai.lepton.api;

import java.util.List;

/**
 * An IDX file: its shape, samples first ({@code [60000, 28, 28]} for MNIST images, {@code [60000]}
 * for labels), and the range of its values (unsigned bytes). A labels file's distribution is the
 * profile's class balance.
 */
public record IdxProfile(List<Integer> shape, int minValue, int maxValue, double meanValue) {
  public IdxProfile {
    shape = List.copyOf(shape);
  }
}
