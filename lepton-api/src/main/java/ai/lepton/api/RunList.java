package ai.lepton.api;

import java.util.List;

/**
 * A page of runs, newest first (without their metric histories).
 *
 * @param runs the page
 * @param nextOffset the {@code offset} of the next page, or null on the last
 */
public record RunList(List<Run> runs, Integer nextOffset) {
  public RunList {
    runs = List.copyOf(runs);
  }
}
