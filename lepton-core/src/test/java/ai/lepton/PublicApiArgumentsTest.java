package ai.lepton;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import ai.lepton.callbacks.CsvLogger;
import ai.lepton.callbacks.EarlyStopping;
import ai.lepton.callbacks.ModelCheckpoint;
import ai.lepton.callbacks.ReduceLROnPlateau;
import ai.lepton.callbacks.TerminateOnNaN;
import ai.lepton.data.Augment;
import ai.lepton.data.Csv;
import ai.lepton.data.Dataset;
import ai.lepton.data.ImageFiles;
import ai.lepton.data.ImageFolder;
import ai.lepton.data.JsonLines;
import ai.lepton.data.ReadLimits;
import ai.lepton.data.Table;
import ai.lepton.data.TextFolder;
import ai.lepton.layers.Dense;
import ai.lepton.layers.Input;
import ai.lepton.layers.LSTM;
import ai.lepton.layers.Layer;
import ai.lepton.layers.Symbol;
import ai.lepton.losses.Loss;
import ai.lepton.losses.Losses;
import ai.lepton.metrics.Metric;
import ai.lepton.metrics.Metrics;
import ai.lepton.models.Callback;
import ai.lepton.models.Cancellation;
import ai.lepton.models.Fit;
import ai.lepton.models.Functional;
import ai.lepton.models.History;
import ai.lepton.models.Model;
import ai.lepton.models.ModelArchive;
import ai.lepton.models.PredictOptions;
import ai.lepton.models.Sequential;
import ai.lepton.models.TrainingEvent;
import ai.lepton.optimizers.Adam;
import ai.lepton.optimizers.AdamW;
import ai.lepton.optimizers.CosineDecay;
import ai.lepton.optimizers.ExponentialDecay;
import ai.lepton.optimizers.LearningRateSchedule;
import ai.lepton.optimizers.Optimizer;
import ai.lepton.optimizers.PiecewiseConstantDecay;
import ai.lepton.optimizers.RMSprop;
import ai.lepton.optimizers.SGD;
import ai.lepton.preprocessing.FeaturePreprocessing;
import ai.lepton.preprocessing.Imputer;
import ai.lepton.preprocessing.MinMaxScaler;
import ai.lepton.preprocessing.Preprocessing;
import ai.lepton.preprocessing.Scaler;
import ai.lepton.preprocessing.StandardScaler;
import ai.lepton.preprocessing.TextPreprocessing;
import ai.lepton.preprocessing.Tokenizer;
import ai.lepton.regularizers.Regularizer;
import ai.lepton.regularizers.Regularizers;
import ai.lepton.tensor.ComputeContext;
import ai.lepton.tensor.Tensor;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.Executable;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Parameter;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import java.util.random.RandomGenerator;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A sweep of the public API: every public constructor and method of the public classes of the
 * swept packages (and of {@link Tensor} and {@link ComputeContext}) is called with {@code null}
 * for each reference parameter, with -1, 0 and {@link Integer#MAX_VALUE} for each {@code int}
 * parameter, and with shapes of 2^31-1 for each {@code int[]} parameter, the other arguments valid.
 * Paths are fresh names in a temporary folder where nothing exists yet, so every reader must check
 * its other arguments before it looks at the file.
 * A {@code null} must be answered by a {@link LeptonException} that names the parameter (never a
 * NullPointerException or another JDK exception); an int either works or is answered by a
 * LeptonException that names the parameter or prints the value received (so a size of 2^31-1 reads
 * as 2147483647, never as an overflowed number). Parameter names come from {@code -parameters}.
 */
class PublicApiArgumentsTest {
  /**
   * The swept packages. Adding one is one line here, plus samples in {@link #sample} for any
   * parameter type it introduces (the sweep says which).
   */
  private static final List<String> PACKAGES = List.of(
      "ai.lepton.callbacks",
      "ai.lepton.data",
      "ai.lepton.layers",
      "ai.lepton.losses",
      "ai.lepton.metrics",
      "ai.lepton.models",
      "ai.lepton.optimizers",
      "ai.lepton.preprocessing",
      "ai.lepton.regularizers");

  /** Classes swept on their own, outside the swept packages. */
  private static final List<Class<?>> CLASSES = List.of(Tensor.class, ComputeContext.class);

  /**
   * Parameters where {@code null} is part of the contract, as {@code Class.member(parameter)}, with
   * what it means. A null there may be accepted, or meet a LeptonException about something else (a
   * layer not built yet), but never a JDK exception. The components of a layer's {@code Config}
   * record are treated the same way: a key missing from a saved config reads as null, Keras' None.
   */
  private static final Map<String, String> NULL_MEANS = Map.ofEntries(
      Map.entry("Layer.apply(mask)", "no mask"),
      Map.entry("Layer.computeMask(mask)", "no incoming mask"),
      Map.entry("Input.of(name)", "a generated name"),
      Map.entry("Activation.Activation(activation)", "linear, as Keras' None"),
      Map.entry("Dense.Dense(activation)", "linear, as Keras' None"),
      Map.entry("Conv1D.Conv1D(activation)", "linear, as Keras' None"),
      Map.entry("Conv2D.Conv2D(activation)", "linear, as Keras' None"),
      Map.entry("DepthwiseConv2D.DepthwiseConv2D(activation)", "linear, as Keras' None"),
      Map.entry("SeparableConv2D.SeparableConv2D(activation)", "linear, as Keras' None"),
      Map.entry("Tensor.linear(bias)", "no bias"),
      Map.entry("Tensor.linearRelu(bias)", "no bias"),
      Map.entry("Tensor.conv2d(bias)", "no bias"),
      Map.entry("Dense.kernelRegularizer(regularizer)", "no regularizer"),
      Map.entry("Dense.biasRegularizer(regularizer)", "no regularizer"),
      Map.entry("Conv2D.kernelRegularizer(regularizer)", "no regularizer"),
      Map.entry("Conv2D.biasRegularizer(regularizer)", "no regularizer"),
      Map.entry("Tensor.lstmRecurrence(bias)", "no bias"),
      Map.entry("Tensor.lstmRecurrence(mask)", "no mask"),
      Map.entry("Tensor.lstmRecurrence(recurrentDropout)", "no recurrent dropout"),
      Map.entry("Tensor.gruRecurrence(bias)", "no bias"),
      Map.entry("Tensor.gruRecurrence(mask)", "no mask"),
      Map.entry("Tensor.gruRecurrence(recurrentDropout)", "no recurrent dropout"),
      Map.entry("Tensor.simpleRecurrence(bias)", "no bias"),
      Map.entry("Tensor.simpleRecurrence(mask)", "no mask"),
      Map.entry("Tensor.simpleRecurrence(recurrentDropout)", "no recurrent dropout"),
      Map.entry("Tensor.adaptiveUpdateInPlace(m)", "no first moment (RMSprop): grad is used"),
      Map.entry("Losses.fromConfig(config)", "every setting at its default"),
      Map.entry("Metrics.fromConfig(config)", "every setting at its default"),
      Map.entry("Optimizers.fromConfig(config)", "every setting at its default"),
      Map.entry("Regularizers.fromConfig(config)", "every setting at its default"),
      Map.entry("LearningRateSchedule.fromConfig(config)", "every setting at its default"),
      Map.entry("Model.preprocessing(preprocessing)", "no preprocessing"),
      Map.entry("Model.classNames(names)", "no class names: serving answers column indices"),
      Map.entry("Tokenizer.Tokenizer(oovToken)", "no out-of-vocabulary token: unknown words are "
          + "dropped, as Keras' oov_token=None"),
      Map.entry("TextFolder.read(classNames)", "every class folder, sorted"));

  /**
   * Interfaces the user implements and Lepton only calls: their methods are the user's code, not
   * entry points of the library.
   */
  private static final Set<Class<?>> USER_IMPLEMENTED =
      Set.of(Dataset.Source.class, ai.lepton.data.Rows.class);

  /** Methods every class has, not entry points of the library. */
  private static final Set<String> OBJECT_METHODS = Set.of("equals", "hashCode", "toString");

  private final List<String> failures = new ArrayList<>();
  private int calls;

  @Test
  void everyPublicEntryPointAnswersNullAndOutOfRangeIntsWithALeptonExceptionNamingTheArgument()
      throws Exception {
    for (Class<?> type : sweptClasses()) {
      for (Executable entry : entryPoints(type)) {
        Parameter[] params = entry.getParameters();
        for (int i = 0; i < params.length; i++) {
          Class<?> p = params[i].getType();
          if (!p.isPrimitive()) {
            checkNull(type, entry, i);
          } else if (p == int.class) {
            for (int value : new int[] {-1, 0, Integer.MAX_VALUE}) {
              checkInt(type, entry, i, value);
            }
          }
          if (p == int[].class) {
            for (int rank = 1; rank <= 4; rank++) {
              int[] huge = new int[rank];
              Arrays.fill(huge, Integer.MAX_VALUE);
              checkHugeShape(type, entry, i, huge);
            }
          }
        }
      }
    }
    if (!failures.isEmpty()) {
      fail(failures.size() + " of " + calls + " calls answered badly:\n"
          + String.join("\n", failures));
    }
  }

  @Test
  void theSweepSeesTheSweptPackagesAndParameterNames() throws Exception {
    List<Class<?>> swept = sweptClasses();
    for (String p : PACKAGES) {
      if (swept.stream().noneMatch(c -> c.getPackageName().equals(p))) {
        fail("no public class found in " + p);
      }
    }
    // without -parameters every name would read arg0 and no message could be checked
    assertEquals("units", Dense.class.getConstructor(int.class)
        .getParameters()[0].getName());
  }

  // ---------------------------------------------------------------- the calls

  private void checkNull(Class<?> type, Executable entry, int index) {
    String where = describe(type, entry, index);
    String name = entry.getParameters()[index].getName();
    boolean nullable = nullMeansSomething(type, entry, name)
        || (type.isRecord() && entry instanceof Constructor<?>);
    Object[] args = arguments(type, entry, index, null);
    if (args == null) {
      return;
    }
    for (Object receiver : receivers(type, entry)) {
      Throwable thrown = invoke(entry, receiver, args);
      if (thrown == null) {
        if (!nullable) {
          failures.add(where + " = null: accepted; reject it with a LeptonException naming "
              + name + ", or list it in NULL_MEANS with what null means");
        }
      } else if (!(thrown instanceof LeptonException)) {
        failures.add(where + " = null: " + thrown);
      } else if (!nullable && !names(thrown.getMessage(), name)) {
        // a null that means something may still meet a LeptonException about the receiver's state
        failures.add(where + " = null: the message does not name " + name + ": "
            + thrown.getMessage());
      }
    }
  }

  private void checkInt(Class<?> type, Executable entry, int index, int value) {
    String where = describe(type, entry, index);
    String name = entry.getParameters()[index].getName();
    Object[] args = arguments(type, entry, index, value);
    if (args == null) {
      return;
    }
    for (Object receiver : receivers(type, entry)) {
      Throwable thrown = invoke(entry, receiver, args);
      if (thrown == null) {
        continue;
      }
      if (!(thrown instanceof LeptonException)) {
        failures.add(where + " = " + value + ": " + thrown);
      } else if (!names(thrown.getMessage(), name)
          && !thrown.getMessage().contains(Integer.toString(value))) {
        failures.add(where + " = " + value + ": the message names neither " + name
            + " nor the value received: " + thrown.getMessage());
      }
    }
  }

  /**
   * A shape whose every dimension is 2^31-1: the call must either refuse it with a LeptonException
   * or answer without an overflowed (negative) size, and a message must print the sizes as they
   * are.
   */
  private void checkHugeShape(Class<?> type, Executable entry, int index, int[] huge) {
    String where = describe(type, entry, index) + " = " + Arrays.toString(huge);
    Object[] args = arguments(type, entry, index, huge);
    if (args == null) {
      return;
    }
    for (Object receiver : receivers(type, entry)) {
      calls++;
      try {
        Object result = entry instanceof Constructor<?> c ? c.newInstance(args)
            : ((Method) entry).invoke(receiver, args);
        String shown = result instanceof int[] a ? Arrays.toString(a)
            : result instanceof List<?> l && !l.isEmpty() && l.get(0) instanceof int[]
                ? l.stream().map(a -> Arrays.toString((int[]) a)).toList().toString() : "";
        if (NEGATIVE.matcher(shown).find()) {
          failures.add(where + ": answered the overflowed shape " + shown);
        }
      } catch (InvocationTargetException e) {
        Throwable thrown = e.getCause();
        if (!(thrown instanceof LeptonException)) {
          failures.add(where + ": " + thrown);
        } else if (NEGATIVE.matcher(String.valueOf(thrown.getMessage())).find()) {
          failures.add(where + ": the message prints an overflowed number: "
              + thrown.getMessage());
        }
      } catch (ReflectiveOperationException e) {
        throw new AssertionError("cannot call " + entry, e);
      }
    }
  }

  /**
   * A negative number below -1 (messages may mention -1, the inferred dimension) in text about
   * shapes that had none: an int that overflowed.
   */
  private static final Pattern NEGATIVE = Pattern.compile("(?<![\\w.])-(?:[2-9]|[1-9][0-9])");

  /** The thrown exception, unwrapped, or {@code null} if the call returned. */
  private Throwable invoke(Executable entry, Object receiver, Object[] args) {
    calls++;
    try {
      if (entry instanceof Constructor<?> c) {
        c.newInstance(args);
      } else {
        ((Method) entry).invoke(receiver, args);
      }
      return null;
    } catch (InvocationTargetException e) {
      return e.getCause();
    } catch (ReflectiveOperationException e) {
      throw new AssertionError("cannot call " + entry, e);
    }
  }

  /**
   * What to call {@code entry} on: nothing for a constructor or static method; for an instance
   * method, a fresh instance of each implementation the sweep knows (every built-in loss for
   * {@code Loss.call}).
   */
  private List<Object> receivers(Class<?> type, Executable entry) {
    if (entry instanceof Constructor<?> || Modifier.isStatic(entry.getModifiers())) {
      return Collections.singletonList(null);
    }
    int[] shape = TENSOR_SHAPES.get(entry.getName() + "(this)");
    if (type == Tensor.class && shape != null) {
      return List.of(Tensor.ones(shape));
    }
    List<Supplier<?>> known = RECEIVERS.get(type);
    if (known != null) {
      List<Object> out = new ArrayList<>(known.stream().<Object>map(Supplier::get).toList());
      if (type.isAssignableFrom(Sequential.class) && BEFORE_BUILD.contains(entry.getName())) {
        out.add(sequential(false));
      }
      return out;
    }
    Object made = constructed(type);
    return made == null ? List.of() : List.of(made);
  }

  /** Valid arguments, except {@code special} at {@code index}; null when a sample is missing. */
  private Object[] arguments(Class<?> type, Executable entry, int index, Object special) {
    Parameter[] params = entry.getParameters();
    Object[] args = new Object[params.length];
    for (int i = 0; i < params.length; i++) {
      if (i == index) {
        args[i] = special;
        continue;
      }
      Supplier<?> s = sample(type, entry, params[i]);
      if (s == null) {
        failures.add(describe(type, entry, i) + ": no sample value for "
            + params[i].getParameterizedType() + "; add one to PublicApiArgumentsTest.sample");
        return null;
      }
      args[i] = s.get();
    }
    return args;
  }

  /**
   * An instance from the shortest public constructor that accepts sample arguments, or null (a
   * failure) if there is none.
   */
  private Object constructed(Class<?> type) {
    Constructor<?>[] constructors = type.getConstructors();
    Arrays.sort(constructors, Comparator.comparingInt(Constructor::getParameterCount));
    for (Constructor<?> c : constructors) {
      if (Arrays.stream(c.getParameterTypes()).anyMatch(Class::isRecord)) {
        continue;
      }
      Object[] args = arguments(type, c, -1, null);
      try {
        return c.newInstance(args);
      } catch (ReflectiveOperationException | RuntimeException e) {
        // try the next constructor
      }
    }
    failures.add("no receiver for " + type + "; add one to RECEIVERS");
    return null;
  }

  /**
   * Receivers that no constructor gives: for an interface or abstract class, every built-in
   * implementation (they are package-private, so the sweep reaches them only through these).
   */
  private static final Map<Class<?>, List<Supplier<?>>> RECEIVERS = Map.ofEntries(
      Map.entry(Tensor.class, List.of(() -> Tensor.ones(2, 2))),
      Map.entry(Layer.class, List.of(() -> new Dense(2))),
      Map.entry(Input.class,
          List.of(() -> new Input(new Input.Config("in", Arrays.asList(null, 2))))),
      Map.entry(Loss.class, List.of(Losses::meanSquaredError, Losses::meanAbsoluteError,
          () -> Losses.binaryCrossentropy(false), () -> Losses.categoricalCrossentropy(false),
          () -> Losses.sparseCategoricalCrossentropy(false), () -> Losses.huber(1f))),
      Map.entry(Metric.class, List.of(Metrics::accuracy, () -> Metrics.precision(0.5f),
          Metrics::auc, Metrics::macroF1Score, Metrics::meanSquaredError, Metrics::r2Score)),
      Map.entry(Regularizer.class, List.of(() -> Regularizers.l1(0.01f),
          () -> Regularizers.l2(0.01f), () -> Regularizers.l1l2(0.01f, 0.01f))),
      Map.entry(LearningRateSchedule.class,
          List.of(() -> new ExponentialDecay(0.1f, 10, 0.9f, false),
              () -> new CosineDecay(0.1f, 10, 0f),
              () -> new PiecewiseConstantDecay(new long[] {1}, new float[] {0.1f, 0.01f}))),
      Map.entry(Optimizer.class, List.of(() -> new SGD(0.1f), () -> new Adam(0.1f),
          () -> new AdamW(0.1f), () -> new RMSprop(0.1f))),
      Map.entry(Model.class, List.of(() -> sequential(true), PublicApiArgumentsTest::functional)),
      Map.entry(Sequential.class, List.of(() -> sequential(true))),
      Map.entry(Functional.class, List.of(PublicApiArgumentsTest::functional)),
      Map.entry(History.class, List.of(() -> sequential(true)
          .fit(Tensor.ones(2, 2), Tensor.ones(2, 2), Fit.epochs(1).verbose(0)))),
      Map.entry(Fit.class, List.of(() -> Fit.epochs(1))),
      Map.entry(Callback.class, List.of(TerminateOnNaN::new,
          () -> new CsvLogger(freshPath(), false), () -> new EarlyStopping("loss", 0, 1, true),
          () -> new ModelCheckpoint(freshPath().toString(), "loss", false),
          () -> new ReduceLROnPlateau("loss", 0.5f, 1, 0, 0, 0))),
      Map.entry(Augment.class, List.of(Augment::create)),
      Map.entry(Csv.class, List.of(Csv::reader)),
      Map.entry(JsonLines.class, List.of(JsonLines::reader)),
      Map.entry(ImageFolder.class, List.of(ImageFolder::reader)),
      Map.entry(ImageFiles.class, List.of(PublicApiArgumentsTest::imageFiles)),
      Map.entry(Dataset.class, List.of(() -> Dataset.of(Tensor.ones(2, 2), Tensor.ones(2, 2)))),
      Map.entry(Table.class, List.of(PublicApiArgumentsTest::table)),
      Map.entry(Tokenizer.class, List.of(PublicApiArgumentsTest::tokenizer)),
      Map.entry(Imputer.class, List.of(() -> Imputer.fit(table(), "mean", "a", "b"))),
      Map.entry(MinMaxScaler.class, List.of(() -> MinMaxScaler.fit(Tensor.ones(2, 2)))),
      Map.entry(FeaturePreprocessing.class,
          List.of(PublicApiArgumentsTest::featurePreprocessing)),
      Map.entry(Scaler.class, List.of(() -> StandardScaler.fit(Tensor.ones(2, 2)),
          () -> MinMaxScaler.fit(Tensor.ones(2, 2)))),
      Map.entry(Preprocessing.class, List.of(() -> new TextPreprocessing(tokenizer(), 2),
          PublicApiArgumentsTest::featurePreprocessing)));

  /**
   * Model methods also called on a model not built yet: they build it, from shapes the arguments
   * give. The others answer an unbuilt model with "not built", whatever the arguments.
   */
  private static final Set<String> BEFORE_BUILD = Set.of("build", "fit", "compile");

  /** Files for the entry points that read or write them. */
  @TempDir static Path files;

  private static final AtomicInteger FILE_NAMES = new AtomicInteger();

  /**
   * A path where nothing exists yet, new for each call: a reader must refuse it naming the
   * argument, a writer may create it.
   */
  private static Path freshPath() {
    return files.resolve("file-" + FILE_NAMES.incrementAndGet());
  }

  /** A compiled model of one {@code Dense(2)} on samples of 2 features, built or not yet. */
  private static Sequential sequential(boolean built) {
    Sequential model = new Sequential().add(new Dense(2));
    if (built) {
      model.build(1, 2);
    }
    model.compile("sgd", "mse");
    return model;
  }

  private static Functional functional() {
    Symbol in = Input.of(2);
    Functional model = new Functional(in, new Dense(2).on(in));
    model.compile("sgd", "mse");
    return model;
  }

  /** Two numeric columns, a and b, of two rows. */
  private static Table table() {
    return new Table(List.of("a", "b"), 2,
        Map.of("a", new float[] {1, 2}, "b", new float[] {3, 4}), Map.of());
  }

  private static Tokenizer tokenizer() {
    Tokenizer t = new Tokenizer(10, "<oov>");
    t.fitOnTexts(List.of("a b", "b c"));
    return t;
  }

  private static FeaturePreprocessing featurePreprocessing() {
    return new FeaturePreprocessing(List.of("a", "b"), Imputer.fit(table(), "mean", "a", "b"),
        StandardScaler.fit(Tensor.of(new float[] {1, 3, 2, 4}, 2, 2)));
  }

  /** The listing of a folder with one class folder holding one 2 x 2 PNG. */
  private static ImageFiles imageFiles() {
    Path folder = files.resolve("images");
    try {
      if (!Files.exists(folder)) {
        Files.createDirectories(folder.resolve("a"));
        ImageIO.write(new BufferedImage(2, 2, BufferedImage.TYPE_INT_RGB), "png",
            folder.resolve("a").resolve("1.png").toFile());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return ImageFolder.reader().size(2, 2).list(folder);
  }

  /**
   * Shapes of tensors that fit the ops that need more than a matrix, as {@code method(parameter)},
   * with {@code this} for the tensor the method is called on.
   */
  private static final Map<String, int[]> TENSOR_SHAPES = Map.ofEntries(
      Map.entry("conv2d(this)", new int[] {1, 4, 4, 1}),
      Map.entry("conv2d(kernel)", new int[] {2, 2, 1, 1}),
      Map.entry("conv2d(bias)", new int[] {1}),
      Map.entry("depthwiseConv2d(this)", new int[] {1, 4, 4, 1}),
      Map.entry("depthwiseConv2d(kernel)", new int[] {2, 2, 1, 1}),
      Map.entry("maxPool2d(this)", new int[] {1, 4, 4, 1}),
      Map.entry("avgPool2d(this)", new int[] {1, 4, 4, 1}),
      // one unit, batch 1, time 2: projections (1, 2, gates), kernel (1, gates)
      Map.entry("lstmRecurrence(this)", new int[] {1, 2, 4}),
      Map.entry("lstmRecurrence(recurrentKernel)", new int[] {1, 4}),
      Map.entry("lstmRecurrence(bias)", new int[] {4}),
      Map.entry("gruRecurrence(this)", new int[] {1, 2, 3}),
      Map.entry("gruRecurrence(recurrentKernel)", new int[] {1, 3}),
      Map.entry("gruRecurrence(bias)", new int[] {2, 3}),
      Map.entry("simpleRecurrence(this)", new int[] {1, 2, 1}),
      Map.entry("simpleRecurrence(recurrentKernel)", new int[] {1, 1}),
      Map.entry("simpleRecurrence(bias)", new int[] {1}),
      Map.entry("lstmRecurrence(mask)", new int[] {1, 2}),
      Map.entry("gruRecurrence(mask)", new int[] {1, 2}),
      Map.entry("simpleRecurrence(mask)", new int[] {1, 2}),
      Map.entry("lstmRecurrence(recurrentDropout)", new int[] {1, 1}),
      Map.entry("gruRecurrence(recurrentDropout)", new int[] {1, 1}),
      Map.entry("simpleRecurrence(recurrentDropout)", new int[] {1, 1}));

  /** A valid value for a parameter, chosen by type and, where the type allows many, by name. */
  private static Supplier<?> sample(Class<?> owner, Executable entry, Parameter p) {
    Class<?> t = p.getType();
    String name = p.getName();
    if (t == int.class) {
      boolean concatenate = owner.getName().contains("Concatenate");
      return () -> switch (name) {
        case "axis" -> concatenate ? -1 : 0;
        case "start", "axis1" -> 0;
        case "end", "axis2" -> 1;
        default -> 2;
      };
    }
    if (t == long.class || t == Long.class) {
      return () -> 2L;
    }
    if (t == Integer.class) {
      return () -> 2;
    }
    if (t == float.class) {
      return () -> 0.5f;
    }
    if (t == double.class) {
      return () -> 0.5;
    }
    if (t == boolean.class) {
      return () -> name.equals("resetAfter"); // GRU implements only reset_after=true
    }
    if (t == String.class) {
      return () -> switch (name) {
        case "activation" -> "tanh"; // the one activation every layer, recurrent too, accepts
        case "recurrentActivation" -> "sigmoid";
        case "padding", "truncating" ->
            owner.getPackageName().endsWith("preprocessing") ? "post" : "valid";
        case "monitor" -> "loss";
        case "optimizer" -> "sgd";
        case "loss" -> "mse";
        case "strategy" -> "mean";
        case "mode" -> "binary";
        case "split" -> " ";
        case "json" -> "{}";
        case "path" -> freshPath().toString();
        case "mergeMode" -> "concat";
        case "name", "identifier" -> switch (owner.getSimpleName()) {
          case "Losses" -> "mse";
          case "Metrics" -> "accuracy";
          case "Optimizers" -> "adam";
          case "Regularizers" -> "l2";
          case "LearningRateSchedule" -> "ExponentialDecay";
          default -> "sample";
        };
        default -> name.endsWith("nitializer") ? "zeros" : "sample";
      };
    }
    if (t == Tensor.class) {
      int[] shape =
          TENSOR_SHAPES.getOrDefault(entry.getName() + "(" + name + ")", new int[] {2, 2});
      return () -> Tensor.ones(shape);
    }
    if (t == Tensor[].class) {
      return () -> new Tensor[] {Tensor.ones(2, 2), Tensor.ones(2, 2)};
    }
    if (t == int[].class) {
      return () -> new int[] {2, 2};
    }
    if (t == float[].class) {
      return () -> new float[] {1, 2, 3, 4};
    }
    if (t == long[].class) {
      return () -> new long[] {1};
    }
    if (t == RandomGenerator.class) {
      return () -> new SplittableRandom(1);
    }
    if (t == Regularizer.class) {
      return () -> Regularizers.l2(0.01f);
    }
    if (t == LearningRateSchedule.class) {
      return () -> new ExponentialDecay(0.1f, 10, 0.9f, false);
    }
    if (t == Layer.class) {
      return () -> new LSTM(2);
    }
    if (t == Symbol.class) {
      return () -> Input.of(2);
    }
    if (t == Symbol[].class) {
      return () -> new Symbol[] {Input.of(2)};
    }
    if (t == JsonNode.class) {
      return () -> JsonNodeFactory.instance.objectNode();
    }
    if (t.isEnum()) {
      return () -> t.getEnumConstants()[0];
    }
    if (t == char.class) {
      return () -> ';';
    }
    if (t == String[].class) {
      return () -> switch (name) {
        case "metrics" -> new String[] {"mae"};
        case "names", "columns", "fields" -> new String[] {"a"};
        case "labels" -> new String[] {"x", "y"};
        default -> new String[] {"sample"};
      };
    }
    if (t == int[][].class) {
      return () -> new int[][] {{1, 2}, {3}};
    }
    if (t == Path.class) {
      return PublicApiArgumentsTest::freshPath;
    }
    if (t == InputStream.class) {
      byte[] text = (owner == JsonLines.class ? "{\"a\": 1}\n" : "a\n1\n")
          .getBytes(StandardCharsets.UTF_8);
      return () -> new ByteArrayInputStream(text);
    }
    if (t == DataInputStream.class) {
      return () -> new DataInputStream(new ByteArrayInputStream(new byte[0]));
    }
    if (t == Model.class) {
      return () -> sequential(true);
    }
    if (t == Fit.class) {
      return () -> Fit.epochs(1).verbose(0);
    }
    if (t == PredictOptions.class) {
      return () -> PredictOptions.DEFAULTS;
    }
    if (t == Dataset.class) {
      return () -> Dataset.of(Tensor.ones(2, 2), Tensor.ones(2, 2));
    }
    if (t == Dataset.Source.class) {
      return () -> (Dataset.Source) indices ->
          new Dataset.Batch(Tensor.ones(indices.length, 2), Tensor.ones(indices.length, 2));
    }
    if (t == ai.lepton.data.Rows.class) {
      return () -> new ai.lepton.data.Rows() {
        @Override
        public void columns(List<String> names) {}

        @Override
        public void row(long line, List<String> values) {}
      };
    }
    if (t == UnaryOperator.class) {
      return () -> UnaryOperator.identity();
    }
    if (t == Augment.class) {
      return () -> Augment.create().flipHorizontal();
    }
    if (t == ImageFiles.class) {
      return PublicApiArgumentsTest::imageFiles;
    }
    if (t == Table.class) {
      return PublicApiArgumentsTest::table;
    }
    if (t == ReadLimits.class) {
      return () -> ReadLimits.DEFAULT;
    }
    if (t == ImageFolder.Limits.class) {
      return () -> ImageFolder.Limits.DEFAULT;
    }
    if (t == TextFolder.Limits.class) {
      return () -> TextFolder.Limits.DEFAULT;
    }
    if (t == ModelArchive.Limits.class) {
      return () -> ModelArchive.Limits.DEFAULT;
    }
    if (t == ai.lepton.metrics.ClassificationReport.Average.class) {
      return () -> new ai.lepton.metrics.ClassificationReport.Average(0, 0, 0);
    }
    if (t == int[][].class) {
      return () -> new int[][] {{1}};
    }
    if (t == java.util.OptionalDouble.class) {
      return java.util.OptionalDouble::empty;
    }
    if (t == byte[].class) {
      return () -> new byte[0];
    }
    if (t == Callback.class) {
      return () -> (Callback) event -> { };
    }
    if (t == Callback[].class) {
      return () -> new Callback[] {event -> { }};
    }
    if (t == Cancellation.class) {
      return Cancellation::new;
    }
    if (t == ComputeContext.class) {
      return ComputeContext::defaultContext;
    }
    if (t == TrainingEvent.class) {
      return () -> new TrainingEvent(TrainingEvent.Kind.EPOCH_END, 0, 1, 1, 1, 1, 2,
          Map.of("loss", 0.5), 2, 1, 0, false);
    }
    if (t == Optimizer.class) {
      return () -> new SGD(0.1f);
    }
    if (t == Loss.class) {
      return Losses::meanSquaredError;
    }
    if (t == Metric[].class) {
      return () -> new Metric[] {Metrics.meanSquaredError()};
    }
    if (t == Tokenizer.class) {
      return PublicApiArgumentsTest::tokenizer;
    }
    if (t == Imputer.class) {
      return () -> Imputer.fit(table(), "mean", "a", "b");
    }
    if (t == Scaler.class) {
      return () -> StandardScaler.fit(Tensor.ones(2, 2));
    }
    if (t == Preprocessing.class) {
      return PublicApiArgumentsTest::featurePreprocessing;
    }
    if (t == List.class) {
      Type element = typeArgument(p.getParameterizedType(), 0);
      if (element == int[].class) {
        return () -> List.of(new int[] {2, 2});
      }
      if (element == Integer.class) {
        return name.equals("batchShape") ? () -> Arrays.asList(null, 2) : () -> List.of(2, 2);
      }
      if (element == Tensor.class) {
        return () -> List.of(Tensor.ones(2, 2));
      }
      if (element == Symbol.class) {
        return () -> List.of(Input.of(2));
      }
      if (element == String.class) {
        return () -> switch (name) {
          case "columns" -> List.of("a", "b");
          case "classes", "classNames" -> List.of("x", "y");
          default -> List.of("a b", "b c");
        };
      }
      if (element == ai.lepton.metrics.ClassificationReport.ClassMetrics.class
          || element == ai.lepton.metrics.ClassificationReport.RocPoint.class) {
        return List::of;
      }
      if (element instanceof java.lang.reflect.WildcardType) {
        return () -> List.of("a b"); // raw instances for a Preprocessing's transform
      }
      return null;
    }
    if (t == Map.class) {
      Type value = typeArgument(p.getParameterizedType(), 1);
      if (value == Tensor.class) {
        return () -> Map.of("w", Tensor.ones(2, 2));
      }
      if (name.endsWith("Regularizer")) {
        return () -> Map.of("name", "l2", "config", Map.of("l2", 0.01));
      }
      return () -> Map.of();
    }
    return null;
  }

  private static Type typeArgument(Type type, int index) {
    return type instanceof ParameterizedType pt ? pt.getActualTypeArguments()[index] : null;
  }

  // ---------------------------------------------------------------- what is swept

  private static List<Class<?>> sweptClasses() throws IOException, URISyntaxException {
    Path root = Path.of(LeptonException.class.getProtectionDomain().getCodeSource().getLocation()
        .toURI());
    List<Class<?>> out = new ArrayList<>(CLASSES);
    for (String pkg : PACKAGES) {
      try (Stream<Path> files = Files.list(root.resolve(pkg.replace('.', '/')))) {
        for (Path f : files.sorted().toList()) {
          String file = f.getFileName().toString();
          if (!file.endsWith(".class") || file.equals("package-info.class")) {
            continue;
          }
          String name = pkg + "." + file.substring(0, file.length() - ".class".length());
          Class<?> c;
          try {
            c = Class.forName(name, false, PublicApiArgumentsTest.class.getClassLoader());
          } catch (ClassNotFoundException e) {
            throw new AssertionError(e);
          }
          if (isPublicApi(c) && !USER_IMPLEMENTED.contains(c)) {
            out.add(c);
          }
        }
      }
    }
    return out;
  }

  /** Public, and reachable: every enclosing class public too; not anonymous, local or synthetic. */
  private static boolean isPublicApi(Class<?> c) {
    if (c.isAnonymousClass() || c.isLocalClass() || c.isSynthetic() || c.isEnum()) {
      return false;
    }
    for (Class<?> k = c; k != null; k = k.getEnclosingClass()) {
      if (!Modifier.isPublic(k.getModifiers())) {
        return false;
      }
    }
    return true;
  }

  /**
   * Public constructors and methods with parameters. A concrete class also gets the methods it
   * inherits from Lepton classes (a layer's {@code build} runs that layer's own code); an abstract
   * class or interface gets its declared ones, called on the {@link #RECEIVERS}.
   */
  private static List<Executable> entryPoints(Class<?> type) {
    List<Executable> out = new ArrayList<>();
    boolean concrete = !type.isInterface() && !Modifier.isAbstract(type.getModifiers());
    if (concrete) {
      out.addAll(Arrays.asList(type.getConstructors()));
    }
    for (Method m : concrete ? type.getMethods() : type.getDeclaredMethods()) {
      if (Modifier.isPublic(m.getModifiers()) && !m.isSynthetic() && !m.isBridge()
          && m.getParameterCount() > 0 && !OBJECT_METHODS.contains(m.getName())
          && m.getDeclaringClass().getPackageName().startsWith("ai.lepton")) {
        // a public method of a package-private base class (Merge, Recurrent) is the user's to
        // call through the public subclass; reflection needs to be told so
        m.setAccessible(true);
        out.add(m);
      }
    }
    out.sort(Comparator.comparing(Executable::toGenericString));
    return out;
  }

  // ---------------------------------------------------------------- names

  /**
   * Whether {@code message} names {@code parameter} as a word, in Java's camelCase or in the
   * snake_case of a config key ({@code poolSize} or {@code pool_size}).
   */
  private static boolean names(String message, String parameter) {
    String snake = parameter.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toLowerCase(Locale.ROOT);
    return message != null && Stream.of(parameter, snake).anyMatch(n ->
        Pattern.compile("\\b" + Pattern.quote(n) + "\\b").matcher(message).find());
  }

  private static String member(Executable entry) {
    return entry instanceof Constructor<?> ? entry.getDeclaringClass().getSimpleName()
        : entry.getName();
  }

  /** Whether NULL_MEANS lists the parameter, on its class or a superclass (for an override). */
  private static boolean nullMeansSomething(Class<?> type, Executable entry, String parameter) {
    for (Class<?> k = type; k != null; k = k.getSuperclass()) {
      if (NULL_MEANS.containsKey(k.getSimpleName() + "." + member(entry) + "(" + parameter + ")")) {
        return true;
      }
    }
    return false;
  }

  private static String describe(Class<?> type, Executable entry, int index) {
    Parameter[] params = entry.getParameters();
    List<String> names = new ArrayList<>();
    for (Parameter p : params) {
      names.add(p.getType().getSimpleName() + " " + p.getName());
    }
    return type.getName().replace("ai.lepton.", "") + "." + member(entry) + "("
        + String.join(", ", names) + ") " + params[index].getName();
  }
}
