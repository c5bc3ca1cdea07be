package ai.lepton.api;

import java.util.List;

/**
 * A page of jobs, newest first.
 *
 * @param jobs the page
 * @param nextOffset the {@code offset} of the next page, or null on the last
 */
public record JobList(List<Job> jobs, Integer nextOffset) {
  public JobList {
    jobs = List.copyOf(jobs);
  }
}
