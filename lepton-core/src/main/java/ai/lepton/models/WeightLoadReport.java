package ai.lepton.models;

import ai.lepton.internal.Args;
import java.util.List;

/**
 * What {@link Model#loadWeightsByName} did, weight by weight ({@code layer/weight} paths).
 *
 * @param loaded weights copied from the file
 * @param missing weights of the model the file does not have: they keep their values
 * @param unexpected weights in the file the model does not have: ignored
 * @param mismatched weights both have with different shapes, each as {@code "path: file [..],
 *     model [..]"}; skipped (or refused, see {@link Model#loadWeightsByName})
 */
public record WeightLoadReport(List<String> loaded, List<String> missing, List<String> unexpected,
    List<String> mismatched) {
  public WeightLoadReport {
    loaded = List.copyOf(Args.nonNull(loaded, "WeightLoadReport", "loaded"));
    missing = List.copyOf(Args.nonNull(missing, "WeightLoadReport", "missing"));
    unexpected = List.copyOf(Args.nonNull(unexpected, "WeightLoadReport", "unexpected"));
    mismatched = List.copyOf(Args.nonNull(mismatched, "WeightLoadReport", "mismatched"));
  }

  /** One line per group, e.g. for printing after transfer learning. */
  @Override
  public String toString() {
    return "loaded " + loaded.size() + ": " + loaded + "\n"
        + "missing (kept) " + missing.size() + ": " + missing + "\n"
        + "unexpected (ignored) " + unexpected.size() + ": " + unexpected + "\n"
        + "shape mismatches (skipped) " + mismatched.size() + ": " + mismatched;
  }
}
