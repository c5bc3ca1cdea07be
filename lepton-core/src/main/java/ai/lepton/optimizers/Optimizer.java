package ai.lepton.optimizers;

import ai.lepton.LeptonException;
import ai.lepton.internal.Args;
import ai.lepton.internal.Hooks;
import ai.lepton.tensor.Tensor;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Updates parameters in place from their gradients, Keras style: a learning rate (a number or a
 * {@link LearningRateSchedule}), an iteration count, per-parameter state ("slots" such as Adam's
 * moments) and optional gradient clipping.
 *
 * <p>One {@link #step} applies one update to every parameter that has a gradient. The optimizer
 * does not clear gradients; the training loop calls {@link Tensor#zeroGrad()} before the next
 * backward pass. Parameters are identified by name, so the same names must be passed at every step
 * (state is kept per name).
 */
public abstract class Optimizer {
  private final String name;
  private LearningRateSchedule learningRate;
  // At most one clipping mode is on (as in Keras); 0 means off.
  private float clipNorm;
  private float clipValue;
  private float globalClipNorm;
  private long iterations;
  private final Map<String, Tensor> slots = new TreeMap<>();

  static {
    // A model file saves the state and loads it back (ai.lepton.models); users resume training
    // from the file, not from the state.
    Hooks.register(new Hooks.OptimizerHooks() {
      @Override
      public Map<String, Tensor> state(Optimizer optimizer) {
        return optimizer.state();
      }

      @Override
      public void loadState(Optimizer optimizer, Map<String, Tensor> state, long iterations) {
        optimizer.loadState(state, iterations);
      }
    });
  }

  /**
   * @param name the Keras-style name, e.g. {@code "adam"}
   * @param learningRate the schedule; see {@link #constant(float)} for a fixed rate
   */
  protected Optimizer(String name, LearningRateSchedule learningRate) {
    if (learningRate == null) {
      throw new LeptonException(name + ": expected a learningRate (a number or a schedule), "
          + "received null");
    }
    this.name = name;
    this.learningRate = learningRate;
  }

  /**
   * A fixed learning rate as a schedule.
   *
   * @throws LeptonException if the rate is negative or not finite
   */
  protected static LearningRateSchedule constant(float learningRate) {
    return new ConstantLearningRate(learningRate);
  }

  /**
   * Applies one update to every parameter whose {@link Tensor#grad()} is not null (others are
   * skipped), then counts one iteration. Runs without recording a graph.
   *
   * @throws LeptonException if a parameter's shape differs from the state kept (or loaded) for it
   */
  @SuppressWarnings("try") // the scope is only opened and closed
  public final void step(Map<String, Tensor> parameters) {
    Args.nonNull(parameters, name + ".step", "parameters");
    try (var scope = Tensor.noGrad()) {
      Map<String, Tensor> grads = new LinkedHashMap<>();
      for (Map.Entry<String, Tensor> e : parameters.entrySet()) {
        Tensor g = e.getValue().grad();
        if (g != null) {
          grads.put(e.getKey(), g);
        }
      }
      clip(grads);
      float lr = learningRate();
      long t = iterations + 1;
      for (Map.Entry<String, Tensor> e : grads.entrySet()) {
        update(e.getKey(), parameters.get(e.getKey()), e.getValue(), lr, t);
      }
      iterations = t;
    }
  }

  /**
   * Updates one parameter in place (runs inside {@link Tensor#noGrad()}).
   *
   * @param name the parameter's name, for {@link #slot}
   * @param parameter the tensor to change with {@link Tensor#assign} or {@link Tensor#addInPlace}
   * @param gradient its (clipped) gradient; do not modify it
   * @param learningRate the rate for this step
   * @param step the 1-based number of this update, for bias corrections
   */
  protected abstract void update(String name, Tensor parameter, Tensor gradient,
      float learningRate, long step);

  /**
   * The slot names this optimizer keeps per parameter, as its saved state names them ({@code
   * "<parameter name>/<slot>"}).
   */
  protected abstract Set<String> slotNames();

  /** The optimizer's own settings for {@link #config()}, with Keras' keys. */
  protected abstract Map<String, Object> hyperParameters();

  /**
   * The state tensor {@code slotName} of parameter {@code name}, created as zeros of the
   * parameter's shape on first use.
   *
   * @throws LeptonException if existing (e.g. loaded) state has another shape
   */
  protected final Tensor slot(String name, String slotName, Tensor parameter) {
    String key = name + "/" + slotName;
    Tensor s = slots.get(key);
    if (s == null) {
      s = Tensor.zeros(parameter.shape());
      slots.put(key, s);
    } else if (!Arrays.equals(s.shape(), parameter.shape())) {
      throw new LeptonException(this.name + ": optimizer state '" + key + "' has shape "
          + Arrays.toString(s.shape()) + " but parameter '" + name + "' has shape "
          + Arrays.toString(parameter.shape()) + "; the state was saved for a different model, "
          + "so start with a fresh optimizer");
    }
    return s;
  }

  private void clip(Map<String, Tensor> grads) {
    if (clipValue > 0f) {
      grads.replaceAll((n, g) -> g.clamp(-clipValue, clipValue));
    } else if (clipNorm > 0f) {
      grads.replaceAll((n, g) -> scaleToNorm(g, norm(g), clipNorm));
    } else if (globalClipNorm > 0f) {
      double sumSquares = 0;
      for (Tensor g : grads.values()) {
        double n = norm(g);
        sumSquares += n * n;
      }
      double global = Math.sqrt(sumSquares);
      grads.replaceAll((n, g) -> scaleToNorm(g, global, globalClipNorm));
    }
  }

  private static double norm(Tensor g) {
    return Math.sqrt(g.square().sum().item());
  }

  private static Tensor scaleToNorm(Tensor g, double norm, float maxNorm) {
    return norm > maxNorm ? g.mul((float) (maxNorm / norm)) : g;
  }

  /** The learning rate the next step will use (the schedule at {@link #iterations()}). */
  public float learningRate() {
    return learningRate.at(iterations);
  }

  /**
   * Fixes the learning rate from now on, replacing any schedule (used by callbacks such as
   * ReduceLROnPlateau).
   *
   * @throws LeptonException if the rate is negative or not finite
   */
  public void setLearningRate(float learningRate) {
    this.learningRate = constant(learningRate);
  }

  /** The number of steps taken, counting those of a saved model it was loaded with. */
  public long iterations() {
    return iterations;
  }

  /** The Keras-style name, e.g. {@code "adam"}; {@link Optimizers#get} accepts it. */
  public String name() {
    return name;
  }

  /**
   * Clips each gradient to at most this L2 norm before the update (Keras {@code clipnorm}).
   *
   * @return this optimizer
   * @throws LeptonException if the norm is not positive or another clipping mode is set
   */
  public Optimizer withClipNorm(float maxNorm) {
    requireNoOtherClipping("clipnorm", maxNorm);
    clipNorm = maxNorm;
    return this;
  }

  /**
   * Clips each gradient element to {@code [-maxValue, maxValue]} (Keras {@code clipvalue}).
   *
   * @return this optimizer
   * @throws LeptonException if the value is not positive or another clipping mode is set
   */
  public Optimizer withClipValue(float maxValue) {
    requireNoOtherClipping("clipvalue", maxValue);
    clipValue = maxValue;
    return this;
  }

  /**
   * Scales all gradients together so that their joint L2 norm is at most {@code maxNorm} (Keras
   * {@code global_clipnorm}, PyTorch {@code clip_grad_norm_}).
   *
   * @return this optimizer
   * @throws LeptonException if the norm is not positive or another clipping mode is set
   */
  public Optimizer withGlobalClipNorm(float maxNorm) {
    requireNoOtherClipping("global_clipnorm", maxNorm);
    globalClipNorm = maxNorm;
    return this;
  }

  private void requireNoOtherClipping(String key, float value) {
    Checks.requirePositive(name, key, value);
    if (clipNorm > 0f || clipValue > 0f || globalClipNorm > 0f) {
      throw new LeptonException(name + ": only one of clipnorm, clipvalue and global_clipnorm can "
          + "be set (as in Keras), received " + key + " after another; choose one");
    }
  }

  /**
   * Settings with Keras' keys: {@code learning_rate} (a number, or {@code class_name} and
   * {@code config} of a schedule), the optimizer's hyper-parameters, and the clipping option if
   * one is set. {@link Optimizers#fromConfig} rebuilds the optimizer from it.
   */
  public final Map<String, Object> config() {
    Map<String, Object> c = new LinkedHashMap<>();
    if (learningRate instanceof ConstantLearningRate constant) {
      c.put("learning_rate", constant.value());
    } else {
      c.put("learning_rate",
          Map.of("class_name", learningRate.name(), "config", learningRate.config()));
    }
    c.putAll(hyperParameters());
    if (clipNorm > 0f) {
      c.put("clipnorm", clipNorm);
    }
    if (clipValue > 0f) {
      c.put("clipvalue", clipValue);
    }
    if (globalClipNorm > 0f) {
      c.put("global_clipnorm", globalClipNorm);
    }
    return c;
  }

  /**
   * Copies of the per-parameter state, keyed {@code "<parameter name>/<slot>"} (e.g.
   * {@code "dense/kernel/m"}), for saving alongside {@link #iterations()}.
   */
  final Map<String, Tensor> state() {
    Map<String, Tensor> copy = new TreeMap<>();
    slots.forEach((k, v) -> copy.put(k, Tensor.of(v.toFloatArray(), v.shape())));
    return copy;
  }

  /**
   * Replaces the state with copies of {@code state} (as {@link #state()} returned it) and sets the
   * iteration count, to resume training where it stopped. Shapes are checked against the
   * parameters at the next {@link #step}.
   *
   * @throws LeptonException for a key that is not {@code "<name>/<slot>"} with a slot this
   *     optimizer keeps, or a negative iteration count
   */
  final void loadState(Map<String, Tensor> state, long iterations) {
    Args.nonNull(state, name + ".loadState", "state");
    if (iterations < 0) {
      throw new LeptonException(name + ": expected a non-negative iteration count, received "
          + iterations);
    }
    Map<String, Tensor> loaded = new TreeMap<>();
    for (Map.Entry<String, Tensor> e : state.entrySet()) {
      String key = e.getKey();
      int cut = key.lastIndexOf('/');
      if (cut <= 0 || !slotNames().contains(key.substring(cut + 1))) {
        throw new LeptonException(name + ": cannot load optimizer state '" + key + "'; expected "
            + "keys '<parameter name>/<slot>' with a slot in " + slotNames() + ". Was the state "
            + "saved by another kind of optimizer or with other settings?");
      }
      Tensor v = e.getValue();
      loaded.put(key, Tensor.of(v.toFloatArray(), v.shape()));
    }
    slots.clear();
    slots.putAll(loaded);
    this.iterations = iterations;
  }
}
