package ai.lepton.layers;

import ai.lepton.LeptonException;
import ai.lepton.internal.Args;
import ai.lepton.internal.Json;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Turns layers into JSON configs and back. Only the layer classes registered here can be created
 * from a file: a name read from input never selects arbitrary code.
 */
public final class Layers {
  private record Entry<C extends Record>(Class<C> configType, Function<C, Layer> factory) {
    Layer create(JsonNode config, String className) {
      return factory.apply(
          Json.configValue(config, configType, "invalid config for layer " + className));
    }
  }

  private static final Map<String, Entry<?>> REGISTRY = new LinkedHashMap<>();
  /** The registered layer classes: each config record is nested in its layer's class. */
  private static final Set<Class<?>> CLASSES = new HashSet<>();

  static {
    register("Dense", Dense.Config.class, Dense::new);
    register("Activation", Activation.Config.class, Activation::new);
    register("Dropout", Dropout.Config.class, Dropout::new);
    register("SpatialDropout1D", SpatialDropout1D.Config.class, SpatialDropout1D::new);
    register("LayerNormalization", LayerNormalization.Config.class, LayerNormalization::new);
    register("BatchNormalization", BatchNormalization.Config.class, BatchNormalization::new);
    register("Embedding", Embedding.Config.class, Embedding::new);
    register("Flatten", Flatten.Config.class, Flatten::new);
    register("Reshape", Reshape.Config.class, Reshape::new);
    register("Conv2D", Conv2D.Config.class, Conv2D::new);
    register("MaxPooling2D", MaxPooling2D.Config.class, MaxPooling2D::new);
    register("AveragePooling2D", AveragePooling2D.Config.class, AveragePooling2D::new);
    register("GlobalAveragePooling2D", GlobalAveragePooling2D.Config.class,
        GlobalAveragePooling2D::new);
    register("GlobalMaxPooling2D", GlobalMaxPooling2D.Config.class, GlobalMaxPooling2D::new);
    register("Conv1D", Conv1D.Config.class, Conv1D::new);
    register("MaxPooling1D", MaxPooling1D.Config.class, MaxPooling1D::new);
    register("AveragePooling1D", AveragePooling1D.Config.class, AveragePooling1D::new);
    register("GlobalAveragePooling1D", GlobalAveragePooling1D.Config.class,
        GlobalAveragePooling1D::new);
    register("GlobalMaxPooling1D", GlobalMaxPooling1D.Config.class, GlobalMaxPooling1D::new);
    register("DepthwiseConv2D", DepthwiseConv2D.Config.class, DepthwiseConv2D::new);
    register("SeparableConv2D", SeparableConv2D.Config.class, SeparableConv2D::new);
    register("MultiHeadAttention", MultiHeadAttention.Config.class, MultiHeadAttention::new);
    register("TransformerEncoder", TransformerEncoder.Config.class, TransformerEncoder::new);
    register("TokenAndPositionEmbedding", TokenAndPositionEmbedding.Config.class,
        TokenAndPositionEmbedding::new);
    register("PositionEmbedding", PositionEmbedding.Config.class, PositionEmbedding::new);
    register("InputLayer", Input.Config.class, Input::new);
    register("Add", Add.Config.class, Add::new);
    register("Multiply", Multiply.Config.class, Multiply::new);
    register("Average", Average.Config.class, Average::new);
    register("Concatenate", Concatenate.Config.class, Concatenate::new);
    register("LSTM", LSTM.Config.class, LSTM::new);
    register("GRU", GRU.Config.class, GRU::new);
    register("SimpleRNN", SimpleRNN.Config.class, SimpleRNN::new);
    register("Bidirectional", Bidirectional.Config.class, Bidirectional::new);
  }

  private Layers() {}

  private static <C extends Record> void register(String className, Class<C> type,
      Function<C, Layer> factory) {
    REGISTRY.put(className, new Entry<>(type, factory));
    CLASSES.add(type.getEnclosingClass());
  }

  /** Whether layers of {@code type} can be rebuilt from a file, i.e. their class is registered. */
  static boolean registered(Class<? extends Layer> type) {
    return CLASSES.contains(type);
  }

  /** The layer's {@code {"class_name": ..., "config": {...}}}, as Keras writes it. */
  public static JsonNode toConfig(Layer layer) {
    // Keras names the class behind Input() "InputLayer".
    Args.nonNull(layer, "Layers.toConfig", "layer");
    String className = layer instanceof Input ? "InputLayer" : layer.getClass().getSimpleName();
    if (!REGISTRY.containsKey(className)) {
      throw new LeptonException("layer class " + className + " cannot be saved: only "
          + REGISTRY.keySet() + " are known");
    }
    var node = Json.object();
    node.put("class_name", className);
    node.set("config", Json.configTree(layer.config()));
    return node;
  }

  /**
   * Rebuilds a layer from {@code {"class_name": ..., "config": {...}}}.
   *
   * @throws LeptonException for unknown layer names or invalid configs
   */
  public static Layer fromConfig(JsonNode node) {
    String className = Args.nonNull(node, "Layers.fromConfig", "node").path("class_name")
        .asText("");
    Entry<?> entry = REGISTRY.get(className);
    if (entry == null) {
      throw new LeptonException("unknown layer class \"" + className + "\"; this version of "
          + "Lepton knows " + REGISTRY.keySet());
    }
    return entry.create(node.path("config"), className);
  }
}
