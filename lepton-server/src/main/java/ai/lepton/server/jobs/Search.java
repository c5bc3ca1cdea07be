package ai.lepton.server.jobs;

import ai.lepton.api.TrainingSpec;
import ai.lepton.api.TrainingSpec.Hyperparameters;
import ai.lepton.api.TrainingSpec.TrainingPreprocessing;
import ai.lepton.api.TuningSpec;
import ai.lepton.server.http.ApiException;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * A hyperparameter search as pure logic: the child trainings of a {@link TuningSpec} and the best
 * of their results. No I/O; the jobs package runs the children.
 */
public final class Search {
  /** Draws a random search makes per trial before it concludes the space is exhausted. */
  static final int DRAWS_PER_TRIAL = 20;

  private Search() {}

  /**
   * One child run of a search.
   *
   * @param number the trial's number, from 0
   * @param parameters the values it sets, by parameter name, in name order
   * @param spec the base spec with those values
   */
  public record Trial(int number, Map<String, Object> parameters, TrainingSpec spec) {
    public Trial {
      parameters = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(parameters));
    }
  }

  /**
   * The trials of a search: for a grid every combination, the last parameter (in name order)
   * varying fastest; for a random search up to {@code maxTrials} distinct combinations drawn
   * with the spec's seed (fewer when the lists hold fewer), the same ones on every call. A value
   * out of a parameter's range (a dropout of 1, a range reaching below 1 epoch) is refused before
   * any trial runs.
   *
   * @throws ApiException INVALID_ARGUMENT for a grid of more than {@code maxTrials} combinations,
   *     saying how many it would make, or a value the training spec refuses
   */
  public static List<Trial> expand(TuningSpec tuning) {
    List<String> names = new ArrayList<>(tuning.parameters().keySet()); // sorted by the record
    List<Map<String, Object>> combinations = new ArrayList<>();
    if (tuning.method().equals("grid")) {
      BigInteger count = BigInteger.ONE; // up to 1000^9: exact
      for (String name : names) {
        count = count.multiply(BigInteger.valueOf(tuning.parameters().get(name).values().size()));
      }
      if (count.compareTo(BigInteger.valueOf(tuning.maxTrials())) > 0) {
        throw ApiException.invalid("the grid makes " + count + " trials ("
            + String.join(" x ", names.stream().map(n -> n + " "
            + tuning.parameters().get(n).values().size()).toList()) + "), more than maxTrials "
            + tuning.maxTrials() + "; raise maxTrials, list fewer values, or use method random");
      }
      grid(tuning, names, 0, new LinkedHashMap<>(), combinations);
    } else {
      checkRanges(tuning);
      Random random = new Random(tuning.seed());
      Set<Map<String, Object>> seen = new HashSet<>();
      for (int draw = 0; combinations.size() < tuning.maxTrials()
          && draw < tuning.maxTrials() * DRAWS_PER_TRIAL; draw++) {
        Map<String, Object> combination = new LinkedHashMap<>();
        for (String name : names) {
          combination.put(name, draw(name, tuning.parameters().get(name), random));
        }
        if (seen.add(combination)) {
          combinations.add(combination);
        }
      }
    }
    List<Trial> trials = new ArrayList<>(combinations.size());
    for (Map<String, Object> combination : combinations) {
      trials.add(new Trial(trials.size(), combination, child(tuning.base(), combination)));
    }
    return trials;
  }

  /**
   * The best trial by the search's metric and direction, from each trial's final metrics (null
   * or without the metric for a trial that failed or was cancelled; NaN counts as missing).
   *
   * @return the best trial's index in {@code results}, or -1 when none has the metric
   */
  public static int best(TuningSpec tuning, List<Map<String, Double>> results) {
    int best = -1;
    for (int i = 0; i < results.size(); i++) {
      Double value = results.get(i) == null ? null : results.get(i).get(tuning.metric());
      if (value == null || value.isNaN()) {
        continue;
      }
      double current = best < 0 ? Double.NaN : results.get(best).get(tuning.metric());
      if (best < 0 || (tuning.direction().equals("max") ? value > current : value < current)) {
        best = i;
      }
    }
    return best;
  }

  private static void grid(TuningSpec tuning, List<String> names, int at,
      Map<String, Object> partial, List<Map<String, Object>> out) {
    if (at == names.size()) {
      out.add(new LinkedHashMap<>(partial));
      return;
    }
    for (Object value : tuning.parameters().get(names.get(at)).values()) {
      partial.put(names.get(at), normalize(names.get(at), value));
      grid(tuning, names, at + 1, partial, out);
    }
    partial.remove(names.get(at));
  }

  /** Both ends of every range must make a valid spec, so no draw can fail later. */
  private static void checkRanges(TuningSpec tuning) {
    tuning.parameters().forEach((name, values) -> {
      if (values.values() == null) {
        child(tuning.base(), Map.of(name, normalize(name, values.min())));
        child(tuning.base(), Map.of(name, normalize(name, values.max())));
      }
    });
  }

  private static Object draw(String name, TuningSpec.Values values, Random random) {
    if (values.values() != null) {
      return normalize(name, values.values().get(random.nextInt(values.values().size())));
    }
    double u = random.nextDouble();
    double v = values.log()
        ? Math.exp(Math.log(values.min()) + u * (Math.log(values.max()) - Math.log(values.min())))
        : values.min() + u * (values.max() - values.min());
    return normalize(name, v);
  }

  /** Whole-number parameters as Integer (a range's draw rounded), the others as Double or names. */
  private static Object normalize(String name, Object value) {
    if (value instanceof Number n) {
      if (TuningSpec.INTEGERS.contains(name) && Math.abs(n.doubleValue()) > Integer.MAX_VALUE) {
        throw ApiException.invalid("parameter '" + name + "' takes " + value + ", beyond any "
            + "whole number a training takes; send a smaller value");
      }
      return TuningSpec.INTEGERS.contains(name) ? (Object) (int) Math.round(n.doubleValue())
          : (Object) n.doubleValue();
    }
    return value;
  }

  /** The base spec with {@code values} set. */
  private static TrainingSpec child(TrainingSpec base, Map<String, Object> values) {
    Hyperparameters h = base.hyperparameters();
    TrainingPreprocessing p = base.preprocessing();
    try {
      Hyperparameters hp = new Hyperparameters(
          (Integer) values.getOrDefault("epochs", h.epochs()),
          (Integer) values.getOrDefault("batchSize", h.batchSize()),
          (Double) values.getOrDefault("learningRate", h.learningRate()),
          (String) values.getOrDefault("optimizer", h.optimizer()),
          (Integer) values.getOrDefault("units", h.units()),
          (Double) values.getOrDefault("dropout", h.dropout()),
          h.validationSplit(), h.testSplit(), h.seed());
      TrainingPreprocessing pre = new TrainingPreprocessing(
          (String) values.getOrDefault("scaling", p.scaling()),
          (Integer) values.getOrDefault("maxTokens", p.maxTokens()),
          (Integer) values.getOrDefault("sequenceLength", p.sequenceLength()));
      return new TrainingSpec(base.dataset(), base.version(), base.model(), base.target(), pre,
          hp, base.checkpointEvery(), base.registerAs(), base.classNames());
    } catch (IllegalArgumentException e) {
      throw ApiException.invalid("the search would train with " + values + ", which a training "
          + "refuses: " + e.getMessage());
    }
  }
}
