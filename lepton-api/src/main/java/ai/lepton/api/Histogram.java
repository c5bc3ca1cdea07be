package ai.lepton.api;

import java.util.List;

/**
 * Counts of a numeric column's values in equal-width bins: bin {@code i} holds values from
 * {@code edges[i]} (included) to {@code edges[i + 1]} (excluded, except in the last bin, which
 * includes the maximum). {@code edges} has one more element than {@code counts}. An integer column
 * spanning fewer than 20 values has one bin per integer {@code k}, from {@code k} to {@code k + 1},
 * so its last edge is the maximum plus one.
 */
public record Histogram(List<Double> edges, List<Long> counts) {
  public Histogram {
    edges = List.copyOf(edges);
    counts = List.copyOf(counts);
  }
}
