package ai.lepton.server.jobs;

import ai.lepton.api.TrainingSpec;
import ai.lepton.api.Tuning;
import ai.lepton.api.TuningSpec;
import ai.lepton.server.http.Json;
import ai.lepton.server.jobs.JobStore.JobRow;
import ai.lepton.server.jobs.JobStore.RunRow;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A search job (kind {@code tune}) read back: its spec, its trials (the child train jobs, in the
 * order {@link Search#expand} made them) with their final metric, and the best. The trials'
 * parameters are expanded again from the stored spec, which gives the same trials every time.
 */
final class Searches {
  private static final ObjectMapper JSON = Json.mapper();
  private static final TypeReference<Map<String, Double>> NUMBERS = new TypeReference<>() {};

  private Searches() {}

  static TuningSpec spec(JobRow search) {
    try {
      return JSON.readValue(search.specJson(), TuningSpec.class);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("search " + search.id() + " holds a spec that cannot be"
          + " read: " + e.getOriginalMessage(), e);
    }
  }

  /** A trial's spec: the search's child with registerAs removed (only the best registers). */
  static TrainingSpec trialSpec(Search.Trial trial) {
    TrainingSpec s = trial.spec();
    return new TrainingSpec(s.dataset(), s.version(), s.model(), s.target(), s.preprocessing(),
        s.hyperparameters(), s.checkpointEvery(), null, s.classNames());
  }

  /** The search's trials and its best so far, with the runs of its trials. */
  static Tuning view(JobStore store, JobRow search) {
    TuningSpec spec = spec(search);
    List<Search.Trial> expanded = Search.expand(spec);
    List<JobRow> children = store.trials(search.orgId(), search.id());
    List<Tuning.Trial> trials = new ArrayList<>();
    List<Map<String, Double>> results = new ArrayList<>();
    List<RunRow> runs = new ArrayList<>();
    for (int i = 0; i < children.size(); i++) {
      JobRow child = children.get(i);
      RunRow run = child.runId() == null ? null
          : store.run(search.orgId(), child.runId()).orElse(null);
      Map<String, Double> metrics = child.state() == JobStore.State.SUCCEEDED && run != null
          && run.metricsJson() != null ? metrics(run) : null;
      Double value = metrics == null ? null : metrics.get(spec.metric());
      runs.add(run);
      results.add(metrics);
      trials.add(new Tuning.Trial(i, child.id(), i < expanded.size()
          ? expanded.get(i).parameters() : Map.of(), child.state().sql(), child.runId(), value,
          child.error()));
    }
    int best = Search.best(spec, results);
    RunRow bestRun = best < 0 ? null : runs.get(best);
    return new Tuning(search.id(), search.state().sql(), spec.metric(), spec.direction(),
        spec.base().registerAs(), trials, best < 0 ? null : best,
        bestRun == null ? null : bestRun.id(),
        best < 0 ? null : results.get(best).get(spec.metric()),
        bestRun == null ? null : bestRun.modelVersionId());
  }

  static Map<String, Double> metrics(RunRow run) {
    try {
      return JSON.readValue(run.metricsJson(), NUMBERS);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("run " + run.id() + " holds metrics that cannot be read",
          e);
    }
  }

  static Map<String, String> parameters(RunRow run) {
    try {
      return JSON.readValue(run.parametersJson(), new TypeReference<Map<String, String>>() {});
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("run " + run.id() + " holds parameters that cannot be"
          + " read", e);
    }
  }
}
