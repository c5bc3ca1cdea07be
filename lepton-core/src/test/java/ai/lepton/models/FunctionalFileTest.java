package ai.lepton.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.lepton.LeptonException;
import ai.lepton.layers.BatchNormalization;
import ai.lepton.layers.Concatenate;
import ai.lepton.layers.Dense;
import ai.lepton.layers.Dropout;
import ai.lepton.layers.Input;
import ai.lepton.layers.Layer;
import ai.lepton.layers.Symbol;
import ai.lepton.tensor.Tensor;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Functional models through config and files: round trips, hostile configs, transfer learning. */
class FunctionalFileTest {
  @TempDir Path dir;

  private static final SplittableRandom RNG = new SplittableRandom(4);
  private static final Tensor A = Tensor.uniform(RNG, -1, 1, 48, 3);
  private static final Tensor B = Tensor.uniform(RNG, -1, 1, 48, 2);
  private static final Tensor KIND = A.slice(1, 0, 3).argmax(1);
  private static final Tensor SUM = A.sum(1, true).add(B.sum(1, true));

  /** Two inputs, a shared layer, a merge, two outputs. */
  private static Functional model() {
    Symbol a = Input.of("a", 3);
    Symbol b = Input.of("b", 2);
    Layer shared = new Dense(4, "tanh").name("shared");
    Symbol h = new Concatenate().on(shared.on(a), new Dense(4).on(b), shared.on(a));
    h = new Dropout(0.1f).on(h);
    Symbol kind = new Dense(3, "softmax").name("kind").on(h);
    Symbol sum = new Dense(1).name("sum").on(h);
    Functional m = new Functional(List.of(a, b), List.of(kind, sum), "two_in_two_out", 3);
    m.compile("adam", Map.of("kind", "sparse_categorical_crossentropy", "sum", "mse"),
        Map.of("sum", 0.5), Map.of("kind", List.of("accuracy")));
    return m;
  }

  @Test
  void configRoundTripIsEqualAndKerasShaped() {
    Functional m = model();
    JsonNode config = m.config();
    Functional again = Functional.fromConfig(config);
    assertEquals(config, again.config());
    assertEquals("Functional", config.path("class_name").asText());
    JsonNode layers = config.path("config").path("layers");
    assertEquals("InputLayer", layers.get(0).path("class_name").asText());
    JsonNode shared = entry(config.path("config"), "shared");
    assertEquals(2, shared.path("inbound_nodes").size(), shared.toString());
    assertEquals("[[\"a\",0,0,{}]]", shared.path("inbound_nodes").get(1).toString());
    assertEquals("[[\"a\",0,0],[\"b\",0,0]]", config.path("config").path("input_layers")
        .toString());
    assertEquals("[[\"kind\",0,0],[\"sum\",0,0]]", config.path("config").path("output_layers")
        .toString());
  }

  @Test
  void saveAndLoadReproducePredictionsAndCompileSettings() {
    Functional m = model();
    m.fit(List.of(A, B), List.of(KIND, SUM), Fit.epochs(2).batchSize(16).verbose(0));
    Path file = dir.resolve("graph.lepton");
    m.save(file);
    Model loaded = Model.load(file);
    assertInstanceOf(Functional.class, loaded);
    List<Tensor> expected = m.predict(List.of(A, B), 16);
    List<Tensor> actual = loaded.predict(List.of(A, B), 16);
    for (int i = 0; i < 2; i++) {
      assertArrayEquals(expected.get(i).toFloatArray(), actual.get(i).toFloatArray());
    }
    assertEquals(m.evaluate(List.of(A, B), List.of(KIND, SUM), 16),
        loaded.evaluate(List.of(A, B), List.of(KIND, SUM), 16));
    History resumed = loaded.fit(List.of(A, B), List.of(KIND, SUM),
        Fit.epochs(1).verbose(0));
    assertTrue(resumed.history().containsKey("sum_loss"), resumed.toString());
  }

  /** The model's config with one change made by {@code edit}, loaded. */
  private static LeptonException hostile(java.util.function.Consumer<ObjectNode> edit) {
    ObjectNode config = (ObjectNode) model().config().deepCopy();
    edit.accept((ObjectNode) config.path("config"));
    return assertThrows(LeptonException.class, () -> Functional.fromConfig(config));
  }

  private static JsonNode entry(JsonNode config, String name) {
    for (JsonNode l : config.path("layers")) {
      if (l.path("name").asText().equals(name)) {
        return l;
      }
    }
    throw new AssertionError("no layer " + name + " in " + config);
  }

  private static ArrayNode inbound(ObjectNode config, String layer) {
    return (ArrayNode) entry(config, layer).path("inbound_nodes");
  }

  @Test
  void hostileConfigsAreRefusedWithClearErrors() {
    LeptonException e =
        hostile(c -> ((ArrayNode) inbound(c, "shared").get(0).get(0)).set(0, "ghost"));
    assertTrue(e.getMessage().contains("unknown layer 'ghost'"), e.getMessage());
    e = hostile(c -> ((ArrayNode) inbound(c, "shared").get(0).get(0)).set(1, 7));
    assertTrue(e.getMessage().contains("call 7 of layer 'a'"), e.getMessage());
    e = hostile(c -> ((ArrayNode) c.path("output_layers").get(0)).set(2, 3));
    assertTrue(e.getMessage().contains("output 3 of layer 'kind'"), e.getMessage());
    // shared's first call takes the dropout's output, which depends on shared: a loop.
    e = hostile(c -> ((ArrayNode) inbound(c, "shared").get(0).get(0)).set(0, "dropout"));
    assertTrue(e.getMessage().contains("cycle"), e.getMessage());
    e = hostile(c -> {
      ArrayNode calls = inbound(c, "shared");
      for (int i = 0; i < Functional.MAX_NODES; i++) {
        calls.add(calls.get(0).deepCopy());
      }
    });
    assertTrue(e.getMessage().contains("more than " + Functional.MAX_NODES), e.getMessage());
    e = hostile(c -> ((ObjectNode) entry(c, "kind")).put("name", "shared"));
    assertTrue(e.getMessage().contains("must agree"), e.getMessage());
  }

  @Test
  void sequentialFilesStillLoad() {
    Sequential s = new Sequential().add(new Dense(2));
    s.build(0, 3);
    s.save(dir.resolve("s.lepton"));
    assertInstanceOf(Sequential.class, Model.load(dir.resolve("s.lepton")));
  }

  /** A trunk with batch normalization and a 3-way head, trained briefly and saved. */
  private Path savedTrunk() {
    Symbol in = Input.of("a", 3);
    Symbol h = new BatchNormalization().name("norm").on(new Dense(6, "relu").name("trunk").on(in));
    Functional m = new Functional(in, new Dense(3, "softmax").name("head").on(h));
    m.compile("adam", "sparse_categorical_crossentropy");
    m.fit(A, KIND, Fit.epochs(1).verbose(0));
    Path file = dir.resolve("trunk.lepton");
    m.save(file);
    return file;
  }

  @Test
  void frozenTrunkKeepsItsWeightsAndStatisticsBitIdenticalWhileANewHeadTrains() {
    Functional base = (Functional) Model.load(savedTrunk());
    base.layer("trunk").trainable(false);
    base.layer("norm").trainable(false);
    Functional tuned = new Functional(base.inputs(),
        List.of(new Dense(1).name("new_head").on(base.layer("norm").output())));
    tuned.compile("adam", "mse");
    Map<String, Tensor> before = tuned.copyWeights();
    tuned.fit(A, SUM, Fit.epochs(2).batchSize(8).verbose(0));
    for (String w : List.of("trunk/kernel", "trunk/bias", "norm/gamma", "norm/beta",
        "norm/moving_mean", "norm/moving_variance")) {
      assertArrayEquals(before.get(w).toFloatArray(), tuned.weights().get(w).toFloatArray(), w);
    }
    assertNotEquals(before.get("new_head/kernel").toFloatArray()[0],
        tuned.weights().get("new_head/kernel").toFloatArray()[0]);
    assertTrue(tuned.summary().contains("Non-trainable params: 48"), tuned.summary());
  }

  @Test
  void loadWeightsByNameReportsWhatMatched() {
    Path file = savedTrunk();
    Symbol in = Input.of("a", 3);
    Symbol h = new Dense(6, "relu").name("trunk").on(in);
    Functional other = new Functional(in, new Dense(5).name("head").on(
        new Dense(4).name("extra").on(h)));
    Map<String, Tensor> before = other.copyWeights();
    LeptonException refused = assertThrows(LeptonException.class,
        () -> other.loadWeightsByName(file, false));
    assertTrue(refused.getMessage().contains("head/kernel: file [6, 3], model [4, 5]"),
        refused.getMessage());
    assertArrayEquals(before.get("trunk/kernel").toFloatArray(),
        other.weights().get("trunk/kernel").toFloatArray(), "nothing changes on refusal");

    WeightLoadReport report = other.loadWeightsByName(file, true);
    assertEquals(List.of("trunk/kernel", "trunk/bias"), report.loaded());
    assertEquals(List.of("extra/kernel", "extra/bias"), report.missing());
    assertEquals(List.of("norm/gamma", "norm/beta", "norm/moving_mean", "norm/moving_variance"),
        report.unexpected());
    assertEquals(List.of("head/kernel: file [6, 3], model [4, 5]",
        "head/bias: file [3], model [5]"), report.mismatched());
    assertTrue(report.toString().contains("loaded 2"), report.toString());
    assertArrayEquals(Model.load(file).weights().get("trunk/kernel").toFloatArray(),
        other.weights().get("trunk/kernel").toFloatArray());
    assertArrayEquals(before.get("head/kernel").toFloatArray(),
        other.weights().get("head/kernel").toFloatArray());
  }
}
