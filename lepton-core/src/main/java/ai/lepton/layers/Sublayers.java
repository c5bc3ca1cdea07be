package ai.lepton.layers;

import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;

/**
 * Layers inside a layer (a Transformer block's attention, norms and dense layers): the owner builds
 * them and takes their weights over under Keras's nested names, {@code sublayer/weight}, so the
 * model saves, loads and trains them as the owner's own.
 */
final class Sublayers {
  private Sublayers() {}

  /** Builds {@code sub} for {@code shapes} and registers its weights with {@code owner}. */
  static <L extends Layer> L build(Layer owner, L sub, List<int[]> shapes, RandomGenerator rng) {
    sub.build(shapes, rng);
    sub.weights().forEach((k, v) -> owner.addWeight(sub.name() + "/" + k, v,
        sub.trainableWeights().containsKey(k)));
    return sub;
  }

  /** Adds {@code sub}'s {@link Layer#weightShapes} for {@code shapes} to {@code into}, named as
   * {@link #build} names them. */
  static void shapes(Map<String, int[]> into, Layer sub, List<int[]> shapes) {
    sub.weightShapes(shapes).forEach((k, v) -> into.put(sub.name() + "/" + k, v));
  }
}
