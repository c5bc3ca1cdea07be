package ai.lepton.models;

import ai.lepton.LeptonException;
import ai.lepton.internal.Args;
import ai.lepton.internal.Hooks;
import ai.lepton.internal.Json;
import ai.lepton.layers.Layer;
import ai.lepton.layers.Layers;
import ai.lepton.tensor.Tensor;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * A plain stack of layers, each feeding the next, as Keras' {@code Sequential}:
 * {@code new Sequential().add(new Dense(8, "tanh")).add(new Dense(1, "sigmoid"))}.
 */
public final class Sequential extends Model {
  private final List<Layer> layers = new ArrayList<>();
  private final Set<String> names = new HashSet<>();
  private String name = "sequential";
  private int[] inputShape;

  /** Appends a layer; unnamed layers get Keras-style names ("dense", "dense_1", ...). */
  public Sequential add(Layer layer) {
    Args.nonNull(layer, "add", "layer");
    if (inputShape != null) {
      throw new LeptonException("add: the model is already built; add every layer before fit "
          + "or build");
    }
    if (layers.contains(layer)) {
      throw new LeptonException("add: layer '" + layer.name() + "' is already in this model");
    }
    if (layer.name() == null) {
      String base = Hooks.layers().defaultName(layer);
      String candidate = base;
      for (int i = 1; names.contains(candidate); i++) {
        candidate = base + "_" + i;
      }
      layer.name(candidate);
    } else if (names.contains(layer.name())) {
      throw new LeptonException("add: the model already has a layer named '" + layer.name()
          + "'; layer names must be unique");
    }
    names.add(layer.name());
    layers.add(layer);
    return this;
  }

  /** Renames the model (shown by summary). */
  public Sequential name(String name) {
    if (name == null || name.isBlank()) {
      throw new LeptonException("name: expected a non-blank model name, received "
          + (name == null ? "null" : "'" + name + "'") + "; pass a name such as \"classifier\"");
    }
    this.name = name;
    return this;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public List<Layer> layers() {
    return Collections.unmodifiableList(layers);
  }

  @Override
  public boolean built() {
    return inputShape != null;
  }

  @Override
  public int[] inputShape() {
    if (inputShape == null) {
      throw new LeptonException("inputShape: the model is not built yet");
    }
    return inputShape.clone();
  }

  @Override
  public void build(long seed, int... inputShape) {
    Args.nonNull(inputShape, "build", "inputShape");
    if (this.inputShape != null) {
      throw new LeptonException("build: the model is already built for input shape "
          + java.util.Arrays.toString(this.inputShape));
    }
    if (layers.isEmpty()) {
      throw new LeptonException("build: the model has no layers; add layers first");
    }
    SplittableRandom rng = new SplittableRandom(seed);
    int[] s = inputShape.clone();
    for (Layer layer : layers) {
      if (layer.outputShapes(List.of(s)).size() != 1) {
        throw new LeptonException("build: layer '" + layer.name() + "' gives several outputs "
            + "(e.g. returnState); a Sequential model passes one tensor between layers, so use the "
            + "functional API");
      }
      if (!layer.built()) {
        layer.build(s, rng.split());
      } else if (!java.util.Arrays.equals(layer.inputShape(), s)) {
        throw new LeptonException("build: layer '" + layer.name() + "' was built for inputs "
            + java.util.Arrays.toString(layer.inputShape()) + " but receives "
            + java.util.Arrays.toString(s) + " here");
      }
      s = layer.outputShape(s);
    }
    this.inputShape = inputShape.clone();
  }

  @Override
  Tensor call(Tensor x, boolean training) {
    Tensor h = x;
    Tensor mask = null;
    for (Layer layer : layers) {
      Tensor out = layer.apply(h, mask, training);
      mask = layer.computeMask(h, mask);
      h = out;
    }
    return h;
  }

  @Override
  JsonNode config() {
    ObjectNode root = Json.object();
    root.put("class_name", "Sequential");
    ObjectNode config = root.putObject("config");
    config.put("name", name);
    ArrayNode list = config.putArray("layers");
    for (Layer layer : layers) {
      list.add(Layers.toConfig(layer));
    }
    if (inputShape != null) {
      ArrayNode shape = config.putArray("build_input_shape");
      shape.addNull();
      for (int d : inputShape) {
        shape.add(d);
      }
    }
    return root;
  }

  /**
   * Rebuilds a Sequential model's layers from its config, unbuilt: {@link Blueprint} reads
   * {@code build_input_shape} and checks what building would allocate before it builds.
   */
  static Sequential fromConfig(JsonNode root) {
    JsonNode config = root.path("config");
    Sequential model = new Sequential();
    if (config.hasNonNull("name")) {
      model.name(config.get("name").asText());
    }
    JsonNode list = config.path("layers");
    if (!list.isArray()) {
      throw new LeptonException("Sequential config: expected a \"layers\" array");
    }
    for (JsonNode layer : list) {
      model.add(Layers.fromConfig(layer));
    }
    return model;
  }
}
