package ai.lepton.api;

import java.util.List;
import java.util.Map;

/**
 * Runs side by side: for each parameter and each final metric, the value of every run (null where
 * a run has none), in the order of {@code runIds}.
 *
 * @param runIds the runs compared
 * @param parameters parameter name to the runs' values
 * @param metrics metric name to the runs' final values
 */
public record RunComparison(List<String> runIds, Map<String, List<String>> parameters,
    Map<String, List<Double>> metrics) {}
