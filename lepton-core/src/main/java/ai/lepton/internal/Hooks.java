package ai.lepton.internal;

import ai.lepton.layers.Layer;
import ai.lepton.optimizers.Optimizer;
import ai.lepton.tensor.Tensor;
import java.lang.invoke.MethodHandles;
import java.util.Map;

/**
 * Members of {@link Layer} and {@link Optimizer} that the training loop and the model files in
 * {@code ai.lepton.models} call, but that users have no reason to: they stay out of the public
 * API, and their owning class lends them here from its static initializer (as the JDK shares its
 * internals between packages). A caller holds a layer or an optimizer, so the owner's class is
 * initialized and its hooks registered by the time they are asked for.
 */
public final class Hooks {
  /** What {@link Layer} lends. */
  public interface LayerHooks {
    /** Calls the layer's {@code seedEpoch}: restarts its random streams for one epoch. */
    void seedEpoch(Layer layer, long seed, int epoch);

    /** The layer's Keras-style base name ({@code max_pooling2d}), for naming it in a model. */
    String defaultName(Layer layer);
  }

  /** What {@link Optimizer} lends, to save its state in a model file and load it back. */
  public interface OptimizerHooks {
    /** Copies of the per-parameter state, keyed {@code "<parameter name>/<slot>"}. */
    Map<String, Tensor> state(Optimizer optimizer);

    /** Replaces the state and the iteration count with those saved. */
    void loadState(Optimizer optimizer, Map<String, Tensor> state, long iterations);
  }

  private static LayerHooks layers;
  private static OptimizerHooks optimizers;

  private Hooks() {}

  /** Called once, by {@link Layer}'s static initializer. */
  public static void register(LayerHooks hooks) {
    if (layers != null) {
      throw new IllegalStateException("the layer hooks are registered already");
    }
    layers = hooks;
  }

  /** Called once, by {@link Optimizer}'s static initializer. */
  public static void register(OptimizerHooks hooks) {
    if (optimizers != null) {
      throw new IllegalStateException("the optimizer hooks are registered already");
    }
    optimizers = hooks;
  }

  public static LayerHooks layers() {
    if (layers == null) {
      initialize(Layer.class); // also makes the registration visible to this thread
    }
    return layers;
  }

  public static OptimizerHooks optimizers() {
    if (optimizers == null) {
      initialize(Optimizer.class);
    }
    return optimizers;
  }

  private static void initialize(Class<?> owner) {
    try {
      MethodHandles.lookup().ensureInitialized(owner);
    } catch (IllegalAccessException e) {
      throw new AssertionError(owner + " is public", e);
    }
  }
}
