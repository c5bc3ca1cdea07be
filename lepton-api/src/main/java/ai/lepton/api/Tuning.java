package ai.lepton.api;

import java.util.List;
import java.util.Map;

/**
 * A hyperparameter search's trials and its best, as {@code GET .../jobs/{job}/trials} answers
 * for a job of kind {@code tune}. See {@code docs/jobs.md}.
 *
 * @param jobId the search (the parent job)
 * @param state the search's state: {@code queued} until a trial starts, {@code running} while
 *     any trial runs, then {@code succeeded} (at least one trial succeeded), {@code failed} (none
 *     did) or {@code cancelled}
 * @param metric the metric trials are judged by
 * @param direction {@code min} or {@code max}
 * @param registerAs the registered model the best trial's model goes to, or null
 * @param trials the trials, in their order of expansion
 * @param best the number of the best trial so far (by {@code metric}), or null while none has it
 * @param bestRunId the best trial's run, or null
 * @param bestValue the best trial's {@code metric}, or null
 * @param modelVersionId the model version the best trial's model was registered as, or null
 */
public record Tuning(String jobId, String state, String metric, String direction,
    String registerAs, List<Trial> trials, Integer best, String bestRunId, Double bestValue,
    String modelVersionId) {
  public Tuning {
    trials = List.copyOf(trials);
  }

  /**
   * One trial: a child training job.
   *
   * @param number the trial's number, from 0
   * @param jobId the child job
   * @param parameters the values it varies, by name
   * @param state the child job's state
   * @param runId its run, or null until a worker starts it
   * @param value its final {@code metric} (on the held-out split), or null until it succeeded
   * @param error why it failed, or null
   */
  public record Trial(int number, String jobId, Map<String, Object> parameters, String state,
      String runId, Double value, String error) {}
}
