package ai.lepton.models;

import ai.lepton.LeptonException;
import ai.lepton.layers.Input;
import ai.lepton.layers.Layer;
import ai.lepton.layers.Symbol;
import ai.lepton.models.ModelArchive.Limits;
import ai.lepton.models.ModelArchive.TensorSpec;
import ai.lepton.tensor.Tensor;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Deque;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * A model's {@code config.json} read into layers that are not built yet: what building would
 * allocate (every weight's shape, the parameter count) and the input and output signature are known
 * before a single weight exists, so a loader checks them against its limits and against the
 * weights file first. {@link #build} then makes the model.
 */
final class Blueprint {
  private final Map<String, int[]> weights;
  private final long parameters;
  private final List<TensorSpec> inputs;
  private final List<TensorSpec> outputs;
  private final Supplier<Model> builder;

  private Blueprint(Map<String, int[]> weights, long parameters, List<TensorSpec> inputs,
      List<TensorSpec> outputs, Supplier<Model> builder) {
    this.weights = Collections.unmodifiableMap(weights);
    this.parameters = parameters;
    this.inputs = List.copyOf(inputs);
    this.outputs = List.copyOf(outputs);
    this.builder = builder;
  }

  /**
   * Reads {@code config} (the parsed {@code config.json}) into unbuilt layers.
   *
   * @throws LeptonException starting with {@code source} for an unknown model or layer class, an
   *     invalid layer config, more layers than {@code maxLayers}, shapes that do not fit, a sample
   *     of more than {@link Tensor#MAX_SIZE} values, or weights over {@code maxParameters}
   */
  static Blueprint of(JsonNode config, Limits limits, String source) {
    try {
      JsonNode layers = config.path("config").path("layers");
      if (layers.size() > limits.maxLayers()) {
        throw new LeptonException("the model has " + layers.size() + " layers, more than the "
            + limits.maxLayers() + " allowed (maxLayers); the file is damaged or hostile, or, if "
            + "it is genuine, raise maxLayers in ModelArchive.Limits");
      }
      String className = config.path("class_name").asText("");
      return switch (className) {
        case "Sequential" -> sequential(config, limits);
        case "Functional" -> functional(config, limits);
        default -> throw new LeptonException("unknown model class \"" + className + "\"; this "
            + "version of Lepton reads Sequential and Functional models");
      };
    } catch (LeptonException e) {
      throw new LeptonException(source + ": " + e.getMessage(), e);
    }
  }

  /** Every weight's shape by path ({@code layer/weight}), as {@link Model#weights()} keys them. */
  Map<String, int[]> weights() {
    return weights;
  }

  /** The number of weight values building creates. */
  long parameters() {
    return parameters;
  }

  List<TensorSpec> inputs() {
    return inputs;
  }

  List<TensorSpec> outputs() {
    return outputs;
  }

  /** Builds the model: allocates and initializes every weight. Call once. */
  Model build() {
    return builder.get();
  }

  private static Blueprint sequential(JsonNode config, Limits limits) {
    Sequential model = Sequential.fromConfig(config);
    int[] input = buildInputShape(config.path("config").path("build_input_shape"));
    if (model.layers().isEmpty()) {
      throw new LeptonException("Sequential config: the model has no layers");
    }
    Budget budget = new Budget(limits);
    int[] s = input;
    for (Layer layer : model.layers()) {
      checkSample(layer, s);
      budget.add(layer, layer.weightShapes(List.of(s)));
      s = layer.outputShapes(List.of(s)).get(0);
    }
    Layer last = model.layers().get(model.layers().size() - 1);
    return new Blueprint(budget.weights, budget.total, List.of(spec("input", input)),
        List.of(spec(last.name(), s)), () -> {
          model.build(0, input);
          return model;
        });
  }

  private static int[] buildInputShape(JsonNode shape) {
    if (!shape.isArray()) {
      throw new LeptonException("config.json has no build_input_shape; the file was not written by "
          + "Model.save");
    }
    if (shape.size() < 2 || shape.size() > 1 + Safetensors.MAX_RANK || !shape.get(0).isNull()) {
      throw new LeptonException("Sequential config: expected build_input_shape [null, d1, ...] "
          + "with 1 to " + Safetensors.MAX_RANK + " sample dimensions, received "
          + abbreviate(shape.toString()));
    }
    int[] s = new int[shape.size() - 1];
    for (int i = 1; i < shape.size(); i++) {
      JsonNode d = shape.get(i);
      if (!d.isIntegralNumber() || !d.canConvertToInt() || d.intValue() <= 0) {
        throw new LeptonException("Sequential config: expected positive integer dimensions up to "
            + Integer.MAX_VALUE + " in build_input_shape, received " + abbreviate(shape.toString()));
      }
      s[i - 1] = d.intValue();
    }
    return s;
  }

  private static Blueprint functional(JsonNode config, Limits limits) {
    Functional.Graph graph = Functional.graph(config, limits.maxLayers());
    // The calls the outputs reach, as the model will run them; each layer's weights once (a
    // shared layer takes the same shapes at every call).
    Budget budget = new Budget(limits);
    Set<Layer> weighed = Collections.newSetFromMap(new IdentityHashMap<>());
    Map<Layer, Set<Integer>> visited = new IdentityHashMap<>();
    Deque<Symbol> todo = new ArrayDeque<>(graph.outputs());
    while (!todo.isEmpty()) {
      Symbol out = todo.pop();
      Layer layer = out.layer();
      if (!visited.computeIfAbsent(layer, l -> new HashSet<>()).add(out.node())) {
        continue;
      }
      List<Symbol> in = layer.nodeInputs(out.node());
      if (!(layer instanceof Input) && weighed.add(layer)) {
        budget.add(layer, layer.weightShapes(in.stream().map(Symbol::shape).toList()));
      }
      todo.addAll(in);
    }
    List<TensorSpec> inputs = new ArrayList<>();
    graph.inputs().forEach(i -> inputs.add(spec(i.layer().name(), i.shape())));
    List<TensorSpec> outputs = new ArrayList<>();
    List<String> names = Functional.outputNames(graph.outputs());
    for (int i = 0; i < names.size(); i++) {
      outputs.add(spec(names.get(i), graph.outputs().get(i).shape()));
    }
    return new Blueprint(budget.weights, budget.total, inputs, outputs,
        () -> new Functional(graph.inputs(), graph.outputs(), graph.name(), 0));
  }

  /** Adds up the weights layer by layer and refuses, naming the layer, what is over the budget. */
  private static final class Budget {
    private final Limits limits;
    private final Map<String, int[]> weights = new LinkedHashMap<>();
    private long total;

    Budget(Limits limits) {
      this.limits = limits;
    }

    void add(Layer layer, Map<String, int[]> shapes) {
      long own = 0;
      for (var w : shapes.entrySet()) {
        long n = elements(w.getValue());
        if (n > Tensor.MAX_SIZE) {
          throw new LeptonException(describe(layer) + ": weight '" + w.getKey() + "' would have "
              + "shape " + Arrays.toString(w.getValue()) + ", " + n + " values, more than one "
              + "tensor holds (" + Tensor.MAX_SIZE + "); use smaller sizes in its config");
        }
        own += n;
        weights.put(layer.name() + "/" + w.getKey(), w.getValue());
      }
      total += own;
      if (total > limits.maxParameters()) {
        throw new LeptonException(describe(layer) + " would bring the model to " + total
            + " parameters (" + own + " of its own), over the budget of " + limits.maxParameters()
            + " (maxParameters); the config is damaged or hostile, or, if the model is genuine, "
            + "raise maxParameters");
      }
    }
  }

  /**
   * Refuses a per-sample shape of more than {@link Tensor#MAX_SIZE} values before {@code layer}
   * infers its output shape from it: no sample that large can exist, and layers compute shapes in
   * {@code int}.
   */
  static void checkSample(Layer layer, int[] shape) {
    long n = elements(shape);
    if (n > Tensor.MAX_SIZE) {
      throw new LeptonException((layer == null ? "the model" : describe(layer))
          + " would take samples of shape " + Arrays.toString(shape) + ", " + n + " values, more "
          + "than one tensor holds (" + Tensor.MAX_SIZE + "); use smaller shapes in the config");
    }
  }

  /** The number of values of {@code shape}, exact up to {@code Long.MAX_VALUE}, saturating past. */
  static long elements(int[] shape) {
    long n = 1;
    for (int d : shape) {
      if (d != 0 && n > Long.MAX_VALUE / d) {
        return Long.MAX_VALUE;
      }
      n *= d;
    }
    return n;
  }

  private static TensorSpec spec(String name, int[] sampleShape) {
    List<Integer> shape = new ArrayList<>();
    shape.add(-1);
    Arrays.stream(sampleShape).forEach(shape::add);
    return new TensorSpec(name, shape, "float32");
  }

  private static String describe(Layer layer) {
    return layer.getClass().getSimpleName() + " '" + layer.name() + "'";
  }

  private static String abbreviate(String s) {
    return s.length() <= 80 ? s : s.substring(0, 77) + "...";
  }
}
