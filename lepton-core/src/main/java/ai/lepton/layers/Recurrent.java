package ai.lepton.layers;

import ai.lepton.LeptonException;
import ai.lepton.internal.Args;
import ai.lepton.internal.Seeds;
import ai.lepton.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;

/**
 * What LSTM, GRU and SimpleRNN share, as Keras' {@code RNN} base: inputs {@code (batch, time,
 * features)}, the options {@code return_sequences}, {@code return_state}, {@code go_backwards},
 * {@code dropout} and {@code recurrent_dropout}, and masking. The cell itself is one fused tensor
 * op ({@link Tensor#lstmRecurrence} and friends) over the input projections of all steps, computed
 * as one GEMM.
 *
 * <p>Outputs: the last {@code h} {@code (batch, units)}, or every step's
 * {@code (batch, time, units)} with {@code return_sequences}; with {@code return_state} the final
 * states follow ({@code h}, and {@code c} for the LSTM) through the list form of {@code apply}. At
 * masked steps the states carry over unchanged and a sequence output repeats the previous output,
 * as Keras.
 *
 * @param <L> the concrete layer, so the fluent setters return it
 */
abstract class Recurrent<L extends Recurrent<L>> extends Layer {
  /** The options every recurrent layer has, as its config records spell them. */
  record Options(int units, boolean useBias, String kernelInitializer, String recurrentInitializer,
      String biasInitializer, float dropout, float recurrentDropout, boolean returnSequences,
      boolean returnState, boolean goBackwards, Long seed) {}

  final int units;
  final boolean useBias;
  final String kernelInitializer;
  final String recurrentInitializer;
  final String biasInitializer;
  private float dropout;
  private float recurrentDropout;
  private boolean returnSequences;
  private boolean returnState;
  private boolean goBackwards;
  private final Long seed;
  private SplittableRandom rng;

  Recurrent(String name, boolean trainable, Options o) {
    super(name, trainable);
    this.units = o.units();
    this.useBias = o.useBias();
    this.kernelInitializer = o.kernelInitializer();
    this.recurrentInitializer = o.recurrentInitializer();
    this.biasInitializer = o.biasInitializer();
    this.dropout = o.dropout();
    this.recurrentDropout = o.recurrentDropout();
    this.returnSequences = o.returnSequences();
    this.returnState = o.returnState();
    this.goBackwards = o.goBackwards();
    this.seed = o.seed();
  }

  /**
   * Validates the shared options; the config records call it from their constructors.
   *
   * @throws LeptonException saying which option is wrong and what it accepts
   */
  static void check(String kind, int units, String kernelInitializer,
      String recurrentInitializer, String biasInitializer, float dropout, float recurrentDropout) {
    if (units <= 0) {
      throw new LeptonException(kind + ": expected a positive number of units, received units="
          + units);
    }
    Initializers.validate("Recurrent", "kernelInitializer", kernelInitializer);
    Initializers.validate("Recurrent", "recurrentInitializer", recurrentInitializer);
    Initializers.validate("Recurrent", "biasInitializer", biasInitializer);
    checkRate(kind, "dropout", dropout);
    checkRate(kind, "recurrent_dropout", recurrentDropout);
  }

  /** Keras' defaults for {@code units}. */
  static Options defaults(int units) {
    return new Options(units, true, "glorot_uniform", "orthogonal", "zeros", 0f, 0f, false, false,
        false, null);
  }

  /**
   * Checks that an activation is the one the fused kernel computes.
   *
   * @throws LeptonException naming the supported activation otherwise
   */
  static void requireActivation(String kind, String option, String expected, String received) {
    if (!expected.equals(received)) {
      throw new LeptonException(kind + ": the fused recurrent kernel computes " + option + "=\""
          + expected + "\", received \"" + received + "\"; use \"" + expected + "\"");
    }
  }

  private static float checkRate(String kind, String option, float rate) {
    if (!(rate >= 0f && rate < 1f)) {
      throw new LeptonException(kind + ": expected " + option + " in [0, 1), received " + option
          + "=" + rate);
    }
    return rate;
  }

  Options options() {
    return new Options(units, useBias, kernelInitializer, recurrentInitializer, biasInitializer,
        dropout, recurrentDropout, returnSequences, returnState, goBackwards, seed);
  }

  private String kind() {
    return getClass().getSimpleName();
  }

  /** Options shape the outputs and the built weights' use, so they are fixed once built. */
  private void configure(String option) {
    if (built()) {
      throw new LeptonException(kind() + " '" + name() + "': set " + option + " before the layer "
          + "is built (before adding it to a model that is built)");
    }
  }

  @SuppressWarnings("unchecked")
  private L self() {
    return (L) this;
  }

  /** Outputs every step's {@code h} {@code (batch, time, units)} rather than the last one. */
  public L returnSequences(boolean value) {
    configure("return_sequences");
    this.returnSequences = value;
    return self();
  }

  /** Also outputs the final states (h, and c for the LSTM), through the list form of apply. */
  public L returnState(boolean value) {
    configure("return_state");
    this.returnState = value;
    return self();
  }

  /** Processes the sequence from its last step to its first (and outputs in that order). */
  public L goBackwards(boolean value) {
    configure("go_backwards");
    this.goBackwards = value;
    return self();
  }

  /** Drops input features while training, with one mask per sequence (Keras' dropout). */
  public L dropout(float rate) {
    configure("dropout");
    this.dropout = checkRate(kind(), "dropout", rate);
    return self();
  }

  /** Drops state features where they enter the recurrent product, one mask per sequence. */
  public L recurrentDropout(float rate) {
    configure("recurrent_dropout");
    this.recurrentDropout = checkRate(kind(), "recurrent_dropout", rate);
    return self();
  }

  public final boolean returnSequences() {
    return returnSequences;
  }

  /** The number of states the cell carries: 1 (h), or 2 (h and c) for the LSTM. */
  abstract int stateCount();

  /** Creates the weights for {@code features} inputs per step. */
  abstract void createWeights(int features, RandomGenerator rng);

  /** The shapes {@link #createWeights} makes for {@code features} inputs per step. */
  abstract Map<String, int[]> weightShapes(int features);

  /**
   * The cell's weights: {@code kernel (features, gates)}, {@code recurrent_kernel (units, gates)}
   * and, with a bias, {@code bias} of {@code biasShape}; {@code gates} is a multiple of the units.
   */
  final Map<String, int[]> gateWeights(int features, long gates, long[] biasShape) {
    Map<String, int[]> shapes = new LinkedHashMap<>();
    shapes.put("kernel", weightShape("kernel", features, gates));
    shapes.put("recurrent_kernel", weightShape("recurrent_kernel", units, gates));
    if (useBias) {
      shapes.put("bias", weightShape("bias", biasShape));
    }
    return shapes;
  }

  @Override
  protected final Map<String, int[]> plannedWeights(List<int[]> inputShapes) {
    return weightShapes(inputShapes.get(0)[1]);
  }

  /**
   * Runs the cell over {@code x} {@code (batch, time, features)}; returns every step's states
   * {@code (batch, time, stateCount * units)}.
   */
  abstract Tensor scan(Tensor x, Tensor mask, Tensor recurrentDropoutMask);

  @Override
  public final int[] outputShape(int[] inputShape) {
    Args.nonNull(inputShape, getClass().getSimpleName() + ".outputShape", "inputShape");
    if (inputShape.length != 2) {
      throw new LeptonException(kind() + ": expected inputs (batch, time, features), received "
          + "per-sample shape " + Arrays.toString(inputShape) + "; reshape to one feature vector "
          + "per time step");
    }
    return returnSequences ? new int[] {inputShape[0], units} : new int[] {units};
  }

  @Override
  public final List<int[]> outputShapes(List<int[]> inputShapes) {
    Args.nonNull(inputShapes, getClass().getSimpleName() + ".outputShapes", "inputShapes");
    List<int[]> out = new ArrayList<>(super.outputShapes(inputShapes));
    for (int i = 0; returnState && i < stateCount(); i++) {
      out.add(new int[] {units});
    }
    return out;
  }

  @Override
  protected final void create(int[] inputShape, RandomGenerator modelRng) {
    rng = new SplittableRandom(seed != null ? seed : modelRng.nextLong());
    createWeights(inputShape[1], modelRng);
  }

  @Override
  protected final void seedEpoch(long modelSeed, int epoch) {
    rng = new SplittableRandom(Seeds.derive(seed != null ? seed : modelSeed, epoch));
  }

  @Override
  protected final Tensor call(Tensor x, boolean training) {
    return call(x, null, training);
  }

  @Override
  protected final Tensor call(Tensor x, Tensor mask, boolean training) {
    return call(List.of(x), Collections.singletonList(mask), training).get(0);
  }

  @Override
  protected final List<Tensor> call(List<Tensor> inputs, List<Tensor> masks, boolean training) {
    Tensor x = inputs.get(0); // (batch, time, features)
    Tensor mask = masks.get(0); // (batch, time) or null
    int batch = x.dim(0);
    int time = x.dim(1);
    if (goBackwards) {
      x = reverseTime(x);
      mask = mask == null ? null : reverseTime(mask);
    }
    Tensor recurrentMask = null;
    if (training && dropout > 0f) {
      x = x.mul(Tensor.dropoutMask(rng, dropout, batch, 1, x.dim(2))); // one mask per sequence
    }
    if (training && recurrentDropout > 0f) {
      recurrentMask = Tensor.dropoutMask(rng, recurrentDropout, batch, units);
    }
    Tensor states = scan(x, mask, recurrentMask); // (batch, time, stateCount * units)
    boolean packed = stateCount() > 1;
    Tensor last = states.slice(1, time - 1, time).reshape(batch, stateCount() * units);
    Tensor h = packed ? last.slice(1, 0, units) : last; // (batch, units)
    Tensor output = !returnSequences ? h : packed ? states.slice(2, 0, units) : states;
    if (!returnState) {
      return List.of(output);
    }
    List<Tensor> out = new ArrayList<>(List.of(output, h));
    for (int s = 1; s < stateCount(); s++) {
      out.add(last.slice(1, s * units, (s + 1) * units));
    }
    return out;
  }

  /** The sequence in reverse time order; for inputs {@code (batch, time, ...)} and masks. */
  static Tensor reverseTime(Tensor x) {
    int time = x.dim(1);
    int[] reversed = new int[time];
    for (int t = 0; t < time; t++) {
      reversed[t] = time - 1 - t;
    }
    return x.gather(1, reversed);
  }

  /** With {@code return_sequences} the output keeps the time axis and the input's mask. */
  @Override
  public final Tensor computeMask(Tensor x, Tensor mask) {
    Args.nonNull(x, getClass().getSimpleName() + ".computeMask", "x");
    return returnSequences ? mask : null;
  }
}
