package ai.lepton.models;

import ai.lepton.LeptonException;
import ai.lepton.internal.Args;
import ai.lepton.internal.Hooks;
import ai.lepton.internal.Json;
import ai.lepton.layers.Input;
import ai.lepton.layers.Layer;
import ai.lepton.layers.Layers;
import ai.lepton.layers.Symbol;
import ai.lepton.tensor.Tensor;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * A model that is a graph of layer calls, as Keras' functional API:
 *
 * <pre>{@code
 * Symbol in = Input.of("pixels", 784);
 * Symbol h = new Dense(64, "relu").on(in);
 * Model model = new Functional(in, new Dense(10, "softmax").on(h));
 * }</pre>
 *
 * <p>Keras spells this {@code Model(inputs, outputs)} and returns an instance of its
 * {@code Functional} class. Java has no constructor that returns a subclass, and making
 * {@link Model} itself concrete would mix the graph into what every model shares, so the graph
 * model is its own class, named as Keras names it: {@code new Functional(inputs, outputs)}.
 *
 * <p>Construction walks the graph back from the outputs, refuses graphs that do not connect the
 * given inputs to the outputs, names unnamed layers Keras-style ("dense", "dense_1", ...) and
 * builds every unbuilt layer, so the model is ready for {@code compile}, {@code summary} and {@code fit}.
 * Layers already built (taken from a trained model, for transfer learning) keep their weights. The
 * graph runs in topological order and each layer's output mask ({@link Layer#computeMask}) follows
 * its output.
 */
public final class Functional extends Model {
  /**
   * The most layer calls a functional model holds: construction walks the graph recursively, one
   * frame per call, so this bounds the stack. A config's layers and calls are bounded by
   * {@link ModelArchive.Limits#maxLayers()}, which defaults to this.
   */
  static final int MAX_NODES = 4096;

  private static final String RAISE_MAX_LAYERS = "the file is damaged or hostile, or, if it is "
      + "genuine, raise maxLayers in ModelArchive.Limits";

  /** One layer call of the graph: node {@code node} of {@code layer}. */
  private record Step(Layer layer, int node) {}

  private final String name;
  private final List<Symbol> inputs;
  private final List<Symbol> outputs;
  /** Every call, inputs first, each after the calls it depends on. */
  private final List<Step> steps;
  private final List<Layer> layers;

  /** A model from one input to one output; see {@link #Functional(List, List, String, long)}. */
  public Functional(Symbol input, Symbol output) {
    this(List.of(Args.nonNull(input, "Functional", "input")),
        List.of(Args.nonNull(output, "Functional", "output")));
  }

  /** A model named "functional" whose new layers draw their initial weights from seed 0. */
  public Functional(List<Symbol> inputs, List<Symbol> outputs) {
    this(inputs, outputs, "functional", 0);
  }

  /**
   * A model from symbolic inputs (made by {@link Input#of}) to symbolic outputs.
   *
   * @param seed seeds the initial weights of the layers not yet built
   * @throws LeptonException if an input is not an {@code Input} or is given twice, an output does
   *     not depend only on the given inputs, an input is unused, or two layers share a name
   */
  public Functional(List<Symbol> inputs, List<Symbol> outputs, String name, long seed) {
    Args.noNulls(inputs, "Functional", "inputs");
    Args.noNulls(outputs, "Functional", "outputs");
    if (name == null || name.isBlank()) {
      throw new LeptonException("Functional: expected a non-blank model name");
    }
    if (inputs.isEmpty() || outputs.isEmpty()) {
      throw new LeptonException("Functional: expected at least one input and one output, received "
          + inputs.size() + " input(s) and " + outputs.size() + " output(s)");
    }
    Set<Layer> inputLayers = Collections.newSetFromMap(new IdentityHashMap<>());
    for (Symbol in : inputs) {
      if (!(in.layer() instanceof Input)) {
        throw new LeptonException("Functional: inputs must be symbols made by Input.of, received "
            + in + "; to start from a layer's output, build a model from its Input");
      }
      if (!inputLayers.add(in.layer())) {
        throw new LeptonException("Functional: input " + in + " is given twice");
      }
    }
    this.name = name;
    this.inputs = List.copyOf(inputs);
    this.outputs = List.copyOf(outputs);
    List<Step> order = new ArrayList<>();
    Map<Layer, Set<Integer>> visited = new IdentityHashMap<>();
    for (Symbol out : outputs) {
      visit(out.layer(), out.node(), inputLayers, visited, order);
    }
    for (Symbol in : inputs) {
      if (!visited.containsKey(in.layer())) {
        throw new LeptonException("Functional: input " + in + " is not used by any output; remove "
            + "it from the inputs or connect it");
      }
    }
    this.steps = List.copyOf(order);
    List<Layer> unique = new ArrayList<>();
    for (Step s : steps) {
      if (!unique.contains(s.layer())) {
        unique.add(s.layer());
      }
    }
    this.layers = List.copyOf(unique);
    nameLayers();
    build(new SplittableRandom(seed));
  }

  /** Depth-first walk to the inputs, adding each call after those it depends on. */
  private static void visit(Layer layer, int node, Set<Layer> inputLayers,
      Map<Layer, Set<Integer>> visited, List<Step> order) {
    Set<Integer> done = visited.computeIfAbsent(layer, l -> new HashSet<>());
    if (done.contains(node)) {
      return;
    }
    if (layer instanceof Input && !inputLayers.contains(layer)) {
      throw new LeptonException("Functional: the outputs depend on " + layer.nodeOutputs(0).get(0)
          + ", which is not among the model's inputs; add it to the inputs");
    }
    if (order.size() >= MAX_NODES) {
      throw new LeptonException("Functional: the graph has more than " + MAX_NODES + " layer "
          + "calls; split the model");
    }
    done.add(node);
    for (Symbol in : layer.nodeInputs(node)) {
      visit(in.layer(), in.node(), inputLayers, visited, order);
    }
    order.add(new Step(layer, node));
  }

  /** Keeps given names (unique) and gives the others Keras' names, in graph order. */
  private void nameLayers() {
    Set<String> taken = new HashSet<>();
    for (Layer l : layers) {
      if (l.name() != null && !taken.add(l.name())) {
        throw new LeptonException("Functional: two layers are named '" + l.name() + "'; layer "
            + "names must be unique within a model");
      }
    }
    for (Layer l : layers) {
      if (l.name() == null) {
        String base = Hooks.layers().defaultName(l);
        String candidate = base;
        for (int i = 1; taken.contains(candidate); i++) {
          candidate = base + "_" + i;
        }
        l.name(candidate);
        taken.add(candidate);
      }
    }
  }

  private void build(SplittableRandom rng) {
    for (Step s : steps) {
      List<int[]> shapes = new ArrayList<>();
      if (s.layer() instanceof Input input) {
        shapes.add(input.shape());
      }
      for (Symbol in : s.layer().nodeInputs(s.node())) {
        shapes.add(in.shape());
      }
      if (!s.layer().built()) {
        s.layer().build(shapes, rng.split());
      }
    }
  }

  @Override
  public String name() {
    return name;
  }

  /** Every layer once, inputs included, in the order the graph runs them. */
  @Override
  public List<Layer> layers() {
    return layers;
  }

  /** The symbolic inputs, as Keras' {@code model.inputs}. */
  public List<Symbol> inputs() {
    return inputs;
  }

  @Override
  String inputName(int i) {
    return "input '" + inputs.get(i).layer().name() + "'";
  }

  /** The symbolic outputs, as Keras' {@code model.outputs}: new models can grow from them. */
  public List<Symbol> outputs() {
    return outputs;
  }

  /** A functional model is built when it is made. */
  @Override
  public boolean built() {
    return true;
  }

  /**
   * The only input's sample shape.
   *
   * @throws LeptonException if the model has several inputs; use {@link #inputShapes()}
   */
  @Override
  public int[] inputShape() {
    if (inputs.size() != 1) {
      throw new LeptonException("inputShape: model '" + name + "' has " + inputs.size()
          + " inputs; use inputShapes()");
    }
    return inputs.get(0).shape();
  }

  @Override
  public List<int[]> inputShapes() {
    return inputs.stream().map(Symbol::shape).toList();
  }

  /**
   * The outputs' names: the producing layers' names, with {@code _<k>} added when one layer gives
   * several of the outputs.
   */
  @Override
  public List<String> outputNames() {
    return outputNames(outputs);
  }

  /** {@link #outputNames()} of a graph with these outputs. */
  static List<String> outputNames(List<Symbol> outputs) {
    List<String> names = new ArrayList<>();
    Map<Layer, Integer> seen = new IdentityHashMap<>();
    for (Symbol out : outputs) {
      Layer l = out.layer();
      int k = seen.merge(l, 1, Integer::sum) - 1;
      boolean several = outputs.stream().filter(o -> o.layer() == l).count() > 1;
      names.add(several ? l.name() + "_" + k : l.name());
    }
    return names;
  }

  /**
   * Refuses: a functional model is built when it is made, for the shapes of its inputs.
   *
   * @throws LeptonException always
   */
  @Override
  public void build(long seed, int... inputShape) {
    Args.nonNull(inputShape, "build", "inputShape");
    throw new LeptonException("build: functional model '" + name + "' is built when it is made, "
        + "for inputs " + inputShapes().stream().map(Arrays::toString).toList());
  }

  /** The single-tensor forward pass, for a model with one input and one output. */
  @Override
  Tensor call(Tensor x, boolean training) {
    if (outputs.size() != 1) {
      throw new LeptonException("model '" + name + "' has " + outputs.size() + " outputs "
          + outputNames() + "; use the list forms, e.g. predict(List.of(x), batchSize)");
    }
    return call(List.of(x), training).get(0);
  }

  @Override
  List<Tensor> call(List<Tensor> xs, boolean training) {
    Map<Symbol, Tensor> values = new IdentityHashMap<>();
    Map<Symbol, Tensor> masks = new IdentityHashMap<>();
    for (int i = 0; i < inputs.size(); i++) {
      values.put(inputs.get(i), xs.get(i));
    }
    for (Step s : steps) {
      Layer layer = s.layer();
      if (layer instanceof Input) {
        continue;
      }
      List<Tensor> in = new ArrayList<>();
      List<Tensor> inMasks = new ArrayList<>();
      for (Symbol sym : layer.nodeInputs(s.node())) {
        in.add(values.get(sym));
        inMasks.add(masks.get(sym));
      }
      List<Symbol> outSyms = layer.nodeOutputs(s.node());
      List<Tensor> out = in.size() == 1 && outSyms.size() == 1
          ? List.of(layer.apply(in.get(0), inMasks.get(0), training))
          : layer.apply(in, inMasks, training);
      List<Tensor> outMasks = in.size() == 1 && outSyms.size() == 1
          ? Collections.singletonList(layer.computeMask(in.get(0), inMasks.get(0)))
          : layer.computeMasks(in, inMasks);
      for (int i = 0; i < outSyms.size(); i++) {
        values.put(outSyms.get(i), out.get(i));
        if (i < outMasks.size() && outMasks.get(i) != null) {
          masks.put(outSyms.get(i), outMasks.get(i));
        }
      }
    }
    return outputs.stream().map(values::get).toList();
  }

  // ---------------------------------------------------------------- summary

  /** Keras' functional summary: each layer with its output shape, parameters and inputs. */
  @Override
  public String summary() {
    String rule = "=".repeat(100) + "\n";
    StringBuilder sb = new StringBuilder();
    sb.append("Model: \"").append(name).append("\"\n");
    sb.append(String.format(Locale.ROOT, "%-33s %-22s%12s  %s%n", "Layer (type)", "Output Shape",
        "Param #", "Connected to"));
    sb.append(rule);
    Set<Layer> counted = Collections.newSetFromMap(new IdentityHashMap<>());
    for (Step s : steps) {
      Layer l = s.layer();
      List<String> shapes = new ArrayList<>();
      for (Symbol out : l.nodeOutputs(s.node())) {
        shapes.add(shapeText(out.shape()));
      }
      List<String> from = new ArrayList<>();
      for (Symbol in : l.nodeInputs(s.node())) {
        from.add(in.layer().name() + "[" + localNode(in.layer(), in.node()) + "][" + in.index()
            + "]");
      }
      // A shared layer's weights count once, at its first call.
      long params = counted.add(l) ? l.parameterCount() : 0;
      sb.append(String.format(Locale.ROOT, "%-33s %-22s%,12d  %s%n",
          l.name() + " (" + (l instanceof Input ? "InputLayer" : l.getClass().getSimpleName())
              + ")", String.join(", ", shapes), params,
          from.isEmpty() ? "-" : String.join(", ", from)));
    }
    sb.append(rule);
    sb.append(totals());
    return sb.toString();
  }

  private static String shapeText(int[] shape) {
    StringBuilder s = new StringBuilder("(None");
    for (int d : shape) {
      s.append(", ").append(d);
    }
    return s.append(')').toString();
  }

  /**
   * The position of a layer's node among its nodes in this model: a layer reused from another
   * model has calls there that this model's config does not list.
   */
  private int localNode(Layer layer, int node) {
    int k = 0;
    for (Step s : steps) {
      if (s.layer() == layer && s.node() < node) {
        k++;
      }
    }
    return k;
  }

  // ---------------------------------------------------------------- config

  /**
   * Keras' functional config: {@code layers} with their {@code inbound_nodes} (per call, a list of
   * {@code [layer, node, tensor, {}]}), {@code input_layers} and {@code output_layers}.
   */
  @Override
  JsonNode config() {
    ObjectNode root = Json.object();
    root.put("class_name", "Functional");
    ObjectNode config = root.putObject("config");
    config.put("name", name);
    ArrayNode list = config.putArray("layers");
    for (Layer l : layers) {
      ObjectNode entry = (ObjectNode) Layers.toConfig(l);
      entry.put("name", l.name());
      ArrayNode nodes = entry.putArray("inbound_nodes");
      for (Step s : steps) {
        if (s.layer() != l || l instanceof Input) {
          continue;
        }
        ArrayNode node = nodes.addArray();
        for (Symbol in : l.nodeInputs(s.node())) {
          ArrayNode ref = node.addArray();
          ref.add(in.layer().name()).add(localNode(in.layer(), in.node())).add(in.index());
          ref.addObject();
        }
      }
      list.add(entry);
    }
    config.set("input_layers", refs(inputs));
    config.set("output_layers", refs(outputs));
    return root;
  }

  private ArrayNode refs(List<Symbol> symbols) {
    ArrayNode out = Json.array();
    for (Symbol s : symbols) {
      out.addArray().add(s.layer().name()).add(localNode(s.layer(), s.node())).add(s.index());
    }
    return out;
  }

  /**
   * Rebuilds a functional model from its config (weights are set separately), refusing configs
   * that name unknown layers, refer to calls that do not exist, loop, or exceed
   * {@value #MAX_NODES} layers or calls.
   */
  static Functional fromConfig(JsonNode root) {
    Graph g = graph(root, MAX_NODES);
    return new Functional(g.inputs(), g.outputs(), g.name(), 0);
  }

  /** A functional model's graph as its config describes it: layers called, none built. */
  record Graph(String name, List<Symbol> inputs, List<Symbol> outputs) {}

  /**
   * Reads a functional model's config into its graph of layer calls without building any layer,
   * with the checks of {@link #fromConfig} but at most {@code maxLayers} layers and as many calls
   * ({@link ModelArchive.Limits#maxLayers()}); each layer's input shapes are checked to hold at
   * most {@link Tensor#MAX_SIZE} values per sample before the layer is called on them.
   */
  static Graph graph(JsonNode root, int maxLayers) {
    JsonNode config = root.path("config");
    JsonNode list = config.path("layers");
    if (!list.isArray() || list.isEmpty()) {
      throw new LeptonException("Functional config: expected a non-empty \"layers\" array");
    }
    if (list.size() > maxLayers) {
      throw new LeptonException("Functional config: " + list.size() + " layers, more than the "
          + maxLayers + " allowed (maxLayers); " + RAISE_MAX_LAYERS);
    }
    Map<String, Layer> byName = new LinkedHashMap<>();
    Map<String, List<JsonNode>> pending = new LinkedHashMap<>();
    int totalNodes = 0;
    for (JsonNode entry : list) {
      Layer layer = Layers.fromConfig(entry);
      String entryName = entry.path("name").asText(layer.name());
      if (layer.name() == null || !layer.name().equals(entryName)) {
        throw new LeptonException("Functional config: layer entry named '" + entryName + "' has "
            + "config name '" + layer.name() + "'; they must agree");
      }
      if (byName.put(layer.name(), layer) != null) {
        throw new LeptonException("Functional config: two layers are named '" + layer.name()
            + "'");
      }
      JsonNode nodes = entry.path("inbound_nodes");
      if (!nodes.isArray() && !nodes.isMissingNode()) {
        throw new LeptonException("Functional config: layer '" + layer.name() + "': expected "
            + "\"inbound_nodes\" to be an array, received " + nodes);
      }
      List<JsonNode> calls = new ArrayList<>();
      nodes.forEach(calls::add);
      if (layer instanceof Input input) {
        Blueprint.checkSample(input, input.shape());
      }
      if (layer instanceof Input && !calls.isEmpty()) {
        throw new LeptonException("Functional config: input layer '" + layer.name() + "' has "
            + "inbound nodes; inputs take none");
      }
      totalNodes += calls.size();
      if (totalNodes > maxLayers) {
        throw new LeptonException("Functional config: more than " + maxLayers + " layer calls, "
            + "over the limit (maxLayers, which counts each call of a shared layer); "
            + RAISE_MAX_LAYERS);
      }
      pending.put(layer.name(), calls);
    }
    // Replays the calls, each once its inputs exist; what is left when nothing moves is a loop.
    boolean progress = true;
    while (progress) {
      progress = false;
      for (var e : pending.entrySet()) {
        Layer layer = byName.get(e.getKey());
        List<JsonNode> calls = e.getValue();
        int next = layer.nodeCount();
        if (next >= calls.size()) {
          continue;
        }
        List<Symbol> in = resolve(calls.get(next), layer.name(), byName, pending);
        if (in != null) {
          for (Symbol s : in) {
            Blueprint.checkSample(layer, s.shape());
          }
          layer.onAll(in);
          progress = true;
        }
      }
    }
    for (var e : pending.entrySet()) {
      if (byName.get(e.getKey()).nodeCount() < e.getValue().size()
          && !(byName.get(e.getKey()) instanceof Input)) {
        throw new LeptonException("Functional config: layer '" + e.getKey() + "' call "
            + byName.get(e.getKey()).nodeCount() + " is in or after a cycle of inbound nodes; a "
            + "model graph must not loop");
      }
    }
    return new Graph(config.path("name").asText("functional"),
        symbols(config.path("input_layers"), "input_layers", byName, pending),
        symbols(config.path("output_layers"), "output_layers", byName, pending));
  }

  /** The symbols a call takes, or null while one of them is not made yet. */
  private static List<Symbol> resolve(JsonNode call, String layer, Map<String, Layer> byName,
      Map<String, List<JsonNode>> pending) {
    if (!call.isArray() || call.isEmpty()) {
      throw new LeptonException("Functional config: layer '" + layer + "': expected each inbound "
          + "node to be a non-empty array of [layer, node, tensor, {}], received " + call);
    }
    List<Symbol> out = new ArrayList<>();
    for (JsonNode ref : call) {
      Symbol s = symbol(ref, "layer '" + layer + "'", byName, pending);
      if (s == null) {
        return null;
      }
      out.add(s);
    }
    return out;
  }

  /** The symbol {@code [layer, node, tensor]} names, or null if that call is not made yet. */
  private static Symbol symbol(JsonNode ref, String where, Map<String, Layer> byName,
      Map<String, List<JsonNode>> pending) {
    if (!ref.isArray() || ref.size() < 3 || !ref.get(1).canConvertToInt()
        || !ref.get(2).canConvertToInt()) {
      throw new LeptonException("Functional config: " + where + ": expected a reference [layer, "
          + "node, tensor], received " + ref);
    }
    String target = ref.get(0).asText();
    Layer layer = byName.get(target);
    if (layer == null) {
      throw new LeptonException("Functional config: " + where + " refers to unknown layer '"
          + target + "'; the layers are " + byName.keySet());
    }
    int node = ref.get(1).asInt();
    int index = ref.get(2).asInt();
    int declared = layer instanceof Input ? 1 : pending.get(target).size();
    if (node < 0 || node >= declared) {
      throw new LeptonException("Functional config: " + where + " refers to call " + node
          + " of layer '" + target + "', which has " + declared + " call(s)");
    }
    if (node >= layer.nodeCount()) {
      return null;
    }
    List<Symbol> outs = layer.nodeOutputs(node);
    if (index < 0 || index >= outs.size()) {
      throw new LeptonException("Functional config: " + where + " refers to output " + index
          + " of layer '" + target + "', which gives " + outs.size());
    }
    return outs.get(index);
  }

  private static List<Symbol> symbols(JsonNode refs, String key, Map<String, Layer> byName,
      Map<String, List<JsonNode>> pending) {
    if (!refs.isArray() || refs.isEmpty()) {
      throw new LeptonException("Functional config: expected a non-empty \"" + key + "\" array");
    }
    List<Symbol> out = new ArrayList<>();
    for (JsonNode ref : refs) {
      out.add(symbol(ref, key, byName, pending));
    }
    return out;
  }
}
