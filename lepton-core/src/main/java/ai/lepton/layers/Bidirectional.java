package ai.lepton.layers;

import ai.lepton.LeptonException;
import ai.lepton.internal.Args;
import ai.lepton.internal.Seeds;
import ai.lepton.tensor.Tensor;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;

/**
 * Runs a recurrent layer over the sequence in both directions and merges the two outputs, as
 * Keras' {@code Bidirectional}: the backward copy is the same layer with {@code go_backwards}
 * flipped, and its sequence output is reversed back so that step t of both lines up. Merge modes:
 * "concat" (default; {@code 2 * units} features), "sum", "mul", "ave". With {@code returnState} the
 * outputs are the merged output, then the forward layer's states, then the backward layer's. Both
 * directions get the mask; with {@code returnSequences} the masked steps' outputs are zero (Keras
 * forces {@code zero_output_for_mask} here).
 *
 * <pre>{@code new Bidirectional(new LSTM(32).returnSequences(true))}</pre>
 */
public final class Bidirectional extends Layer {
  static final List<String> MERGE_MODES = List.of("concat", "sum", "mul", "ave");

  /** The wrapped layer's {@code {"class_name": ..., "config": {...}}} and the merge mode. */
  public record Config(String name, boolean trainable, JsonNode layer, String mergeMode) {
    public Config {
      Args.nonNull(layer, "Bidirectional", "layer");
      if (!MERGE_MODES.contains(Args.nonNull(mergeMode, "Bidirectional", "mergeMode"))) {
        throw new LeptonException("Bidirectional: expected merge_mode one of " + MERGE_MODES
            + ", received \"" + mergeMode + "\"");
      }
      recurrent(Layers.fromConfig(layer));
    }
  }

  private final Recurrent<?> forward;
  private final Recurrent<?> backward;
  private final String mergeMode;

  /**
   * Both directions of {@code layer} (an unbuilt LSTM, GRU or SimpleRNN), outputs concatenated.
   * Both copies are made from the layer's configuration, so change the layer before wrapping it.
   */
  public Bidirectional(Layer layer) {
    this(layer, "concat");
  }

  /**
   * @throws LeptonException if {@code layer} is not a recurrent layer or the merge mode is unknown
   */
  public Bidirectional(Layer layer, String mergeMode) {
    this(new Config(null, true, Layers.toConfig(Args.nonNull(layer, "Bidirectional", "layer")),
        mergeMode));
  }

  public Bidirectional(Config config) {
    super(Args.nonNull(config, "Bidirectional", "config").name(), config.trainable());
    this.forward = recurrent(Layers.fromConfig(config.layer()));
    ObjectNode flipped = config.layer().deepCopy();
    ObjectNode inner = (ObjectNode) flipped.get("config");
    inner.put("go_backwards", !inner.path("go_backwards").asBoolean());
    this.backward = recurrent(Layers.fromConfig(flipped));
    this.mergeMode = config.mergeMode();
  }

  private static Recurrent<?> recurrent(Layer layer) {
    if (!(layer instanceof Recurrent<?> r)) {
      throw new LeptonException("Bidirectional: expected a recurrent layer (LSTM, GRU, SimpleRNN), "
          + "received " + layer.getClass().getSimpleName());
    }
    return r;
  }

  @Override
  public int[] outputShape(int[] inputShape) {
    Args.nonNull(inputShape, "Bidirectional.outputShape", "inputShape");
    int[] out = forward.outputShape(inputShape);
    if (mergeMode.equals("concat")) {
      out[out.length - 1] *= 2;
    }
    return out;
  }

  @Override
  public List<int[]> outputShapes(List<int[]> inputShapes) {
    Args.nonNull(inputShapes, "Bidirectional.outputShapes", "inputShapes");
    List<int[]> inner = forward.outputShapes(inputShapes);
    List<int[]> out = new ArrayList<>();
    out.add(outputShape(inputShapes.get(0)));
    for (int copy = 0; copy < 2; copy++) {
      out.addAll(inner.subList(1, inner.size()));
    }
    return out;
  }

  @Override
  protected void seedEpoch(long seed, int epoch) {
    forward.seedEpoch(Seeds.derive(seed, 0), epoch);
    backward.seedEpoch(Seeds.derive(seed, 1), epoch);
  }

  @Override
  protected Map<String, int[]> plannedWeights(List<int[]> inputShapes) {
    Map<String, int[]> shapes = new LinkedHashMap<>();
    forward.weightShapes(inputShapes).forEach((k, v) -> shapes.put("forward/" + k, v));
    backward.weightShapes(inputShapes).forEach((k, v) -> shapes.put("backward/" + k, v));
    return shapes;
  }

  @Override
  protected void create(int[] inputShape, RandomGenerator rng) {
    forward.build(inputShape, rng);
    backward.build(inputShape, rng);
    for (Map.Entry<String, Tensor> w : forward.weights().entrySet()) {
      addWeight("forward/" + w.getKey(), w.getValue(), true);
    }
    for (Map.Entry<String, Tensor> w : backward.weights().entrySet()) {
      addWeight("backward/" + w.getKey(), w.getValue(), true);
    }
  }

  @Override
  protected Tensor call(Tensor x, boolean training) {
    return call(x, null, training);
  }

  @Override
  protected Tensor call(Tensor x, Tensor mask, boolean training) {
    return call(List.of(x), java.util.Collections.singletonList(mask), training).get(0);
  }

  @Override
  protected List<Tensor> call(List<Tensor> inputs, List<Tensor> masks, boolean training) {
    List<Tensor> f = forward.apply(inputs, masks, training);
    List<Tensor> b = backward.apply(inputs, masks, training);
    Tensor yf = f.get(0);
    Tensor yb = b.get(0);
    Tensor mask = masks.get(0);
    if (forward.returnSequences()) {
      yb = Recurrent.reverseTime(yb); // back to input order
      if (mask != null) {
        Tensor steps = mask.reshape(mask.dim(0), mask.dim(1), 1); // (batch, time, 1)
        yf = yf.mul(steps);
        yb = yb.mul(steps);
      }
    }
    Tensor merged = switch (mergeMode) {
      case "concat" -> Tensor.concat(-1, yf, yb);
      case "sum" -> yf.add(yb);
      case "mul" -> yf.mul(yb);
      case "ave" -> yf.add(yb).mul(0.5f);
      default -> throw new IllegalStateException(mergeMode);
    };
    List<Tensor> out = new ArrayList<>();
    out.add(merged);
    out.addAll(f.subList(1, f.size()));
    out.addAll(b.subList(1, b.size()));
    return out;
  }

  /** With {@code return_sequences} the output keeps the time axis and the input's mask. */
  @Override
  public Tensor computeMask(Tensor x, Tensor mask) {
    Args.nonNull(x, "Bidirectional.computeMask", "x");
    return forward.returnSequences() ? mask : null;
  }

  @Override
  public Config config() {
    return new Config(name(), trainable(), Layers.toConfig(forward), mergeMode);
  }
}
