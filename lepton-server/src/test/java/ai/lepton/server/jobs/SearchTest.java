package ai.lepton.server.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.lepton.api.ErrorCode;
import ai.lepton.api.TrainingSpec;
import ai.lepton.api.TuningSpec;
import ai.lepton.api.TuningSpec.Values;
import ai.lepton.server.http.ApiException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SearchTest {
  static final TrainingSpec BASE = new TrainingSpec("iris", 2,
      new TrainingSpec.ModelChoice("mlp", null, null), "species", null, null, null, "iris", null);

  static Values list(Object... values) {
    return new Values(List.of(values), null, null, null);
  }

  static Values range(double min, double max, boolean log) {
    return new Values(null, min, max, log);
  }

  static TuningSpec tuning(String method, Map<String, Values> parameters, Integer maxTrials,
      Long seed) {
    return new TuningSpec(BASE, method, parameters, maxTrials, null, null, seed);
  }

  @Test
  void aGridTrainsEveryCombinationOnce() {
    List<Search.Trial> trials = Search.expand(tuning("grid", Map.of(
        "learningRate", list(0.01, 0.001), "units", list(32, 64, 128),
        "optimizer", list("adam", "sgd")), null, null));
    assertEquals(12, trials.size());
    assertEquals(12, new HashSet<>(trials.stream().map(Search.Trial::parameters).toList()).size());
    // names in order; the last varies fastest
    assertEquals(Map.of("learningRate", 0.01, "optimizer", "adam", "units", 32),
        trials.get(0).parameters());
    assertEquals(List.of("learningRate", "optimizer", "units"),
        List.copyOf(trials.get(0).parameters().keySet()));
    assertEquals(64, trials.get(1).spec().hyperparameters().units());
    Search.Trial last = trials.get(11);
    assertEquals(11, last.number());
    assertEquals(0.001, last.spec().hyperparameters().learningRate());
    assertEquals("sgd", last.spec().hyperparameters().optimizer());
    assertEquals(128, last.spec().hyperparameters().units());
    // everything else is the base's, the seed included, so the trials split the data alike
    assertEquals(BASE.dataset(), last.spec().dataset());
    assertEquals(BASE.version(), last.spec().version());
    assertEquals(BASE.target(), last.spec().target());
    assertEquals(BASE.hyperparameters().seed(), last.spec().hyperparameters().seed());
    assertEquals(BASE.hyperparameters().epochs(), last.spec().hyperparameters().epochs());
  }

  @Test
  void aGridOverTheBudgetIsRefusedWithHowManyItWouldMake() {
    ApiException e = assertThrows(ApiException.class, () -> Search.expand(tuning("grid",
        Map.of("units", list(16, 32, 64, 128), "dropout", list(0.0, 0.2, 0.5)), 10, null)));
    assertEquals(ErrorCode.INVALID_ARGUMENT, e.code());
    assertTrue(e.getMessage().startsWith("the grid makes 12 trials (dropout 3 x units 4), more "
        + "than maxTrials 10"), e.getMessage());
    assertEquals(12, Search.expand(tuning("grid", Map.of("units", list(16, 32, 64, 128),
        "dropout", list(0.0, 0.2, 0.5)), 12, null)).size());
  }

  @Test
  void aRandomSearchDrawsTheBudgetRepeatablyBySeedWithinItsRanges() {
    Map<String, Values> parameters = Map.of("learningRate", range(1e-4, 1e-1, true),
        "units", range(16, 256, false), "optimizer", list("adam", "rmsprop"));
    List<Search.Trial> a = Search.expand(tuning("random", parameters, 25, 7L));
    List<Search.Trial> b = Search.expand(tuning("random", parameters, 25, 7L));
    List<Search.Trial> c = Search.expand(tuning("random", parameters, 25, 8L));
    assertEquals(25, a.size());
    assertEquals(a, b);
    assertNotEquals(a.stream().map(Search.Trial::parameters).toList(),
        c.stream().map(Search.Trial::parameters).toList());
    int below = 0;
    for (Search.Trial t : a) {
      double lr = t.spec().hyperparameters().learningRate();
      int units = t.spec().hyperparameters().units();
      assertTrue(lr >= 1e-4 && lr <= 1e-1, "lr " + lr);
      assertTrue(units >= 16 && units <= 256, "units " + units);
      below += lr < 1e-2 ? 1 : 0;
    }
    // a log scale puts two thirds of the draws below 0.01; a linear one about a tenth
    assertTrue(below >= 10, below + " of 25 below 0.01");
    assertEquals(10, Search.expand(tuning("random", parameters, null, null)).size());
  }

  @Test
  void aRandomSearchOverListsStopsAtTheDistinctCombinations() {
    List<Search.Trial> trials = Search.expand(tuning("random", Map.of("units", list(32, 64),
        "epochs", list(5, 10)), 50, 1L));
    assertEquals(4, trials.size());
    assertEquals(4, new HashSet<>(trials.stream().map(Search.Trial::parameters).toList()).size());
  }

  @Test
  void valuesATrainingRefusesAreRefusedBeforeAnyTrial() {
    ApiException e = assertThrows(ApiException.class, () -> Search.expand(tuning("grid",
        Map.of("dropout", list(0.1, 1.5)), null, null)));
    assertTrue(e.getMessage().contains("'dropout' is a rate"), e.getMessage());
    e = assertThrows(ApiException.class, () -> Search.expand(tuning("random",
        Map.of("epochs", range(0, 5, false)), null, null)));
    assertTrue(e.getMessage().contains("'epochs' must be 1 to"), e.getMessage());
  }

  @Test
  void aTuningSpecChecksItsFieldsAndFillsItsDefaults() {
    TuningSpec spec = tuning("random", Map.of("units", list(8)), null, null);
    assertEquals(List.of(10, "val_loss", "min", 42L), List.of(spec.maxTrials(), spec.metric(),
        spec.direction(), spec.seed()));
    assertEquals("max", new TuningSpec(BASE, "grid", Map.of("units", list(8)), null,
        "val_accuracy", null, null).direction());
    assertEquals(TuningSpec.MAX_TRIALS, tuning("grid", Map.of("units", list(8)), null, null)
        .maxTrials());
    String m = assertThrows(IllegalArgumentException.class, () -> tuning("grid",
        Map.of("units", range(8, 64, false)), null, null)).getMessage();
    assertTrue(m.contains("a grid takes lists of values"), m);
    m = assertThrows(IllegalArgumentException.class, () -> tuning("bayes",
        Map.of("units", list(8)), null, null)).getMessage();
    assertTrue(m.contains("'method' is grid or random"), m);
    m = assertThrows(IllegalArgumentException.class, () -> tuning("grid",
        Map.of("momentum", list(0.9)), null, null)).getMessage();
    assertTrue(m.contains("unknown parameter 'momentum'"), m);
    m = assertThrows(IllegalArgumentException.class, () -> tuning("grid",
        Map.of("units", list(8.5)), null, null)).getMessage();
    assertTrue(m.contains("takes whole numbers; received 8.5"), m);
    m = assertThrows(IllegalArgumentException.class, () -> tuning("grid",
        Map.of("units", list(8)), 1001, null)).getMessage();
    assertTrue(m.contains("'maxTrials' is the budget"), m);
    m = assertThrows(IllegalArgumentException.class, () -> range(0, 1, true)).getMessage();
    assertTrue(m.contains("'log' draws from a range above 0"), m);
  }

  @Test
  void aTuningSpecReadsFromItsWireForm() throws Exception {
    TuningSpec spec = ai.lepton.server.http.Json.mapper().readValue("""
        {"base": {"dataset": "iris", "model": {"template": "mlp"}, "target": "species"},
         "method": "random", "maxTrials": 8, "metric": "val_accuracy", "direction": "max",
         "seed": 7, "parameters": {"learningRate": {"min": 0.0001, "max": 0.1, "log": true},
                                   "units": {"values": [32, 64, 128]}}}""", TuningSpec.class);
    List<Search.Trial> trials = Search.expand(spec);
    assertEquals(8, trials.size());
    assertTrue(trials.stream().allMatch(t -> List.of(32, 64, 128).contains(
        t.spec().hyperparameters().units())));
  }

  @Test
  void theBestTrialFollowsTheDirectionAndSkipsFailedOnes() {
    TuningSpec min = tuning("grid", Map.of("units", list(8)), null, null);
    TuningSpec max = new TuningSpec(BASE, "grid", Map.of("units", list(8)), null,
        "val_accuracy", null, null);
    Map<String, Double> failed = new HashMap<>();
    failed.put("val_loss", Double.NaN);
    List<Map<String, Double>> results = java.util.Arrays.asList(
        Map.of("val_loss", 0.5, "val_accuracy", 0.8), null, failed,
        Map.of("val_loss", 0.3, "val_accuracy", 0.7), Map.of("val_accuracy", 0.9));
    assertEquals(3, Search.best(min, results));
    assertEquals(4, Search.best(max, results));
    assertEquals(-1, Search.best(min, java.util.Arrays.asList(null, failed)));
  }
}
