package ai.lepton.optimizers;

import static ai.lepton.LeptonAssertions.assertFailsWith;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.lepton.LeptonException;
import ai.lepton.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OptimizersTest {

  /** Sets {@code p.grad()} to {@code g} through a backward pass (the public way). */
  private static void setGrad(Tensor p, float... g) {
    p.zeroGrad();
    p.mul(Tensor.of(g, p.shape())).sum().backward();
  }

  /** Minimizes {@code 0.5 * sum(a_i * x_i^2)}, whose minimum is at 0; returns |x| at the end. */
  private static float minimizeQuadratic(Optimizer optimizer, int steps) {
    Tensor x = Tensor.of(new float[] {3f, -2f}, 2).requiresGrad(true);
    Tensor curvature = Tensor.of(new float[] {1f, 10f}, 2);
    for (int i = 0; i < steps; i++) {
      x.zeroGrad();
      x.square().mul(curvature).sum().mul(0.5f).backward();
      optimizer.step(Map.of("x", x));
    }
    return (float) Math.sqrt(x.square().sum().item());
  }

  @Test
  void everyOptimizerConvergesOnAQuadratic() {
    assertTrue(minimizeQuadratic(new SGD(0.05f), 300) < 1e-3f);
    assertTrue(minimizeQuadratic(new SGD(0.05f, 0.9f, false), 300) < 1e-3f);
    assertTrue(minimizeQuadratic(new SGD(0.05f, 0.9f, true), 300) < 1e-3f);
    assertTrue(minimizeQuadratic(new Adam(0.05f), 1000) < 1e-2f);
    assertTrue(minimizeQuadratic(new AdamW(0.05f, 0.01f), 1000) < 1e-2f);
    assertTrue(minimizeQuadratic(new RMSprop(0.01f), 1000) < 2e-2f);
    assertTrue(minimizeQuadratic(new RMSprop(0.01f, 0.9f, 0.5f, 1e-7f, true), 1000) < 2e-2f);
  }

  @Test
  void momentumConvergesFasterThanPlainSgdOnAnIllConditionedQuadratic() {
    float plain = minimizeQuadratic(new SGD(0.01f), 100);
    float momentum = minimizeQuadratic(new SGD(0.01f, 0.9f, false), 100);
    assertTrue(momentum < plain / 10, "momentum " + momentum + " vs plain " + plain);
  }

  @Test
  void parametersWithoutGradientAreSkipped() {
    Tensor a = Tensor.of(new float[] {1f}, 1).requiresGrad(true);
    Tensor b = Tensor.of(new float[] {1f}, 1).requiresGrad(true);
    setGrad(a, 1f);
    new SGD(0.5f).step(Map.of("a", a, "b", b));
    assertEquals(0.5f, a.get(0));
    assertEquals(1f, b.get(0));
  }

  @Test
  void clipNormBoundsEachGradientsNorm() {
    Tensor p = Tensor.zeros(2).requiresGrad(true);
    setGrad(p, 30f, 40f); // norm 50
    new SGD(1f).withClipNorm(5f).step(Map.of("p", p));
    assertArrayEquals(new float[] {-3f, -4f}, p.toFloatArray(), 1e-5f);

    Tensor small = Tensor.zeros(2).requiresGrad(true);
    setGrad(small, 0.3f, 0.4f); // below the bound: unchanged
    new SGD(1f).withClipNorm(5f).step(Map.of("p", small));
    assertArrayEquals(new float[] {-0.3f, -0.4f}, small.toFloatArray(), 1e-6f);
  }

  @Test
  void globalClipNormScalesAllGradientsTogether() {
    Tensor a = Tensor.zeros(1).requiresGrad(true);
    Tensor b = Tensor.zeros(1).requiresGrad(true);
    setGrad(a, 6f);
    setGrad(b, 8f); // joint norm 10
    new SGD(1f).withGlobalClipNorm(1f).step(Map.of("a", a, "b", b));
    assertEquals(-0.6f, a.get(0), 1e-6);
    assertEquals(-0.8f, b.get(0), 1e-6);
  }

  @Test
  void clipValueClampsEachElement() {
    Tensor p = Tensor.zeros(3).requiresGrad(true);
    setGrad(p, -5f, 0.1f, 5f);
    new SGD(1f).withClipValue(0.5f).step(Map.of("p", p));
    assertArrayEquals(new float[] {0.5f, -0.1f, -0.5f}, p.toFloatArray(), 1e-6f);
  }

  @Test
  void onlyOneClippingModeAtATime() {
    LeptonException e = assertThrows(LeptonException.class,
        () -> new Adam().withClipNorm(1f).withClipValue(1f));
    assertTrue(e.getMessage().contains("only one"), e.getMessage());
    assertFailsWith("received clipnorm=0.0", () -> new Adam().withClipNorm(0f));
  }

  @Test
  void badHyperParametersAreRejectedWithTheKerasKey() {
    LeptonException e = assertThrows(LeptonException.class, () -> new Adam(0.1f, 1f, 0.9f, 1e-7f));
    assertTrue(e.getMessage().contains("beta_1"), e.getMessage());
    assertFailsWith("received learning_rate=-1.0", () -> new SGD(-1f));
    assertFailsWith("Nesterov momentum needs a positive momentum", () -> new SGD(0.1f, 0f, true));
    assertFailsWith("received rho=1.0", () -> new RMSprop(0.1f, 1f, 0f, 1e-7f, false));
    assertFailsWith("received weight_decay=-1.0", () -> new AdamW(0.1f, -1f));
  }

  @Test
  void scheduleDrivesTheLearningRateAndSetLearningRateReplacesIt() {
    Adam adam = new Adam(new ExponentialDecay(0.1f, 1, 0.5f, true), 0.9f, 0.999f, 1e-7f);
    Tensor p = Tensor.zeros(1).requiresGrad(true);
    assertEquals(0.1f, adam.learningRate(), 1e-7);
    setGrad(p, 1f);
    adam.step(Map.of("p", p));
    assertEquals(1, adam.iterations());
    assertEquals(0.05f, adam.learningRate(), 1e-7);
    adam.setLearningRate(0.3f);
    adam.step(Map.of("p", p));
    assertEquals(0.3f, adam.learningRate(), 1e-7);
    assertEquals(0.3f, adam.config().get("learning_rate"));
  }

  @Test
  void stateRoundTripResumesExactlyWhereTrainingStopped() {
    Tensor p1 = Tensor.of(new float[] {1f, 2f}, 2).requiresGrad(true);
    Tensor p2 = Tensor.of(new float[] {1f, 2f}, 2).requiresGrad(true);
    Adam first = new Adam(0.1f);
    for (int i = 0; i < 3; i++) {
      setGrad(p1, 0.5f, -1f);
      first.step(Map.of("dense/kernel", p1));
    }
    Map<String, Tensor> state = first.state();
    assertEquals(List.of("dense/kernel/m", "dense/kernel/v"), List.copyOf(state.keySet()));

    p2.assign(p1);
    Adam resumed = new Adam(0.1f);
    resumed.loadState(state, first.iterations());
    setGrad(p1, 0.2f, 0.3f);
    first.step(Map.of("dense/kernel", p1));
    setGrad(p2, 0.2f, 0.3f);
    resumed.step(Map.of("dense/kernel", p2));
    assertArrayEquals(p1.toFloatArray(), p2.toFloatArray());
    assertEquals(4, resumed.iterations());
  }

  @Test
  void loadStateRejectsForeignSlotsAndShapes() {
    Map<String, Tensor> sgdState = Map.of("w/momentum", Tensor.zeros(2));
    LeptonException e = assertThrows(LeptonException.class,
        () -> new Adam().loadState(sgdState, 1));
    assertTrue(e.getMessage().contains("w/momentum"), e.getMessage());

    Adam adam = new Adam();
    adam.loadState(Map.of("w/m", Tensor.zeros(3), "w/v", Tensor.zeros(3)), 5);
    Tensor w = Tensor.zeros(2).requiresGrad(true);
    setGrad(w, 1f, 1f);
    LeptonException shape = assertThrows(LeptonException.class,
        () -> adam.step(Map.of("w", w)));
    assertTrue(shape.getMessage().contains("[3]") && shape.getMessage().contains("[2]"),
        shape.getMessage());
  }

  @Test
  void kerasNamesGiveKerasDefaults() {
    assertEquals(0.01f, Optimizers.get("sgd").learningRate());
    assertEquals(0.001f, Optimizers.get("Adam").learningRate());
    assertEquals(0.004f, Optimizers.get("adamw").config().get("weight_decay"));
    assertEquals(0.9f, Optimizers.get("rmsprop").config().get("rho"));
    LeptonException e = assertThrows(LeptonException.class, () -> Optimizers.get("adagrad"));
    assertTrue(e.getMessage().contains("sgd, adam, adamw, rmsprop"), e.getMessage());
  }

  @Test
  void everyOptimizerRoundTripsThroughItsConfig() {
    List<Optimizer> all = List.of(new SGD(0.1f, 0.8f, true), new Adam(0.01f, 0.8f, 0.99f, 1e-6f),
        new AdamW(0.02f, 0.1f).withGlobalClipNorm(2f),
        new RMSprop(0.03f, 0.8f, 0.5f, 1e-6f, true).withClipValue(0.5f),
        new SGD(new CosineDecay(0.1f, 100, 0.1f), 0f, false).withClipNorm(1f));
    for (Optimizer o : all) {
      Optimizer copy = Optimizers.fromConfig(o.name(), o.config());
      assertEquals(o.getClass(), copy.getClass());
      assertEquals(o.config(), copy.config(), o.name());
    }
  }

  @Test
  void configSurvivesJsonNumbersAndRejectsUnknownKeys() {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("learning_rate", Map.of("class_name", "ExponentialDecay", "config",
        Map.of("initial_learning_rate", 0.1, "decay_steps", 10, "decay_rate", 0.5,
            "staircase", false)));
    json.put("beta_1", 0.8);
    json.put("clipnorm", null); // Keras writes unset options as null
    Optimizer adam = Optimizers.fromConfig("adam", json);
    assertEquals(0.1f, adam.learningRate(), 1e-7);
    assertEquals(0.8f, adam.config().get("beta_1"));
    assertFailsWith("unknown config keys [beta1]",
        () -> Optimizers.fromConfig("adam", Map.of("beta1", 0.8)));
  }

  @Test
  void adamWDecaysWeightsEvenWithZeroGradient() {
    Tensor p = Tensor.of(new float[] {1f}, 1).requiresGrad(true);
    setGrad(p, 0f);
    new AdamW(0.1f, 0.5f).step(Map.of("p", p));
    assertEquals(0.95f, p.get(0), 1e-6); // 1 - lr * wd, and the Adam step of a zero gradient is 0
  }
}
