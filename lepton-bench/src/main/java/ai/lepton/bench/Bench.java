package ai.lepton.bench;

import ai.lepton.LeptonException;
import ai.lepton.tensor.Tensor;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Lepton's benchmarks in one JVM run: {@code java --add-modules jdk.incubator.vector -cp ...
 * ai.lepton.bench.Bench [--only peak,gemm] [--sizes 256,512] [--reps 7] [--out file.json]}.
 *
 * <p>Each section is a function from {@link Options} to a {@link Section} result; results are
 * collected in order into one JSON document (under {@code "sections"}) and printed as tables. A new
 * benchmark (training throughput, inference latency...) is one more entry in {@link #SECTIONS}.
 * Every figure is a median of several timed repetitions after a warm-up.
 */
public final class Bench {

  /** What a section hands back: a JSON-serializable value that can also print itself. */
  public interface Section {
    List<String> table();
  }

  /** Command-line options shared by all sections. */
  public record Options(List<String> only, int[] sizes, int reps, Path out) {
    public Options {
      if (reps < 1) {
        throw new LeptonException("--reps must be at least 1. Received: " + reps);
      }
    }

    boolean wants(String section) {
      return only.isEmpty() || only.contains(section);
    }
  }

  private static final Map<String, Function<Options, Section>> SECTIONS = new LinkedHashMap<>();

  static {
    SECTIONS.put("peak", o -> Peak.measure(o.reps()));
    SECTIONS.put("gemm", o -> Gemm.measure(o.sizes(), o.reps()));
    SECTIONS.put("mlp", o -> TrainBench.measure(o.reps()));
    SECTIONS.put("lstm", o -> LstmBench.measure(o.reps()));
    SECTIONS.put("cnn", o -> ConvBench.measureCnn(o.reps()));
    SECTIONS.put("conv64", o -> ConvBench.measureConv64(o.reps()));
    SECTIONS.put("infer", o -> InferBench.measureLepton(o.reps()));
    SECTIONS.put("onnx", o -> InferBench.measureOnnx(o.reps()));
    SECTIONS.put("serve", o -> InferBench.measureServe(o.reps()));
    SECTIONS.put("predict", o -> PredictBench.measure(o.reps()));
  }

  private Bench() {}

  public static void main(String[] args) throws IOException {
    Options options = parse(args);
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("tool", "lepton");
    doc.put("timestamp", Instant.now().toString());
    doc.put("java", System.getProperty("java.version"));
    doc.put("vm", System.getProperty("java.vm.name"));
    doc.put("backend", Tensor.backendName());
    doc.put("threads", Runtime.getRuntime().availableProcessors());
    doc.put("os_arch", System.getProperty("os.arch"));
    System.out.printf("Lepton bench: Java %s, backend %s%n", doc.get("java"), doc.get("backend"));

    Map<String, Object> results = new LinkedHashMap<>();
    for (Map.Entry<String, Function<Options, Section>> s : SECTIONS.entrySet()) {
      if (options.wants(s.getKey())) {
        Section result = s.getValue().apply(options);
        results.put(s.getKey(), result);
        System.out.println();
        System.out.println("== " + s.getKey());
        result.table().forEach(System.out::println);
      }
    }
    doc.put("sections", results);

    if (options.out() != null) {
      Path parent = options.out().toAbsolutePath().getParent();
      Files.createDirectories(parent);
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
          .writeValue(options.out().toFile(), doc);
      System.out.println();
      System.out.println("wrote " + options.out());
    }
  }

  static Options parse(String[] args) {
    List<String> only = List.of();
    int[] sizes = {256, 512, 1024, 2048};
    int reps = 7;
    Path out = null;
    for (int i = 0; i < args.length; i++) {
      String value = i + 1 < args.length ? args[i + 1] : null;
      switch (args[i]) {
        case "--only" -> only = List.of(require(args[i], value).split(","));
        case "--sizes" -> sizes = Arrays.stream(require(args[i], value).split(","))
            .mapToInt(Integer::parseInt).toArray();
        case "--reps" -> reps = Integer.parseInt(require(args[i], value));
        case "--out" -> out = Path.of(require(args[i], value));
        default -> throw new LeptonException("unknown option " + args[i]
            + "; expected --only " + String.join(",", SECTIONS.keySet())
            + ", --sizes N,N, --reps N or --out FILE");
      }
      i++;
    }
    for (String s : only) {
      if (!SECTIONS.containsKey(s)) {
        throw new LeptonException("--only: unknown section " + s + "; known: " + SECTIONS.keySet());
      }
    }
    return new Options(only, sizes, reps, out);
  }

  private static String require(String option, String value) {
    if (value == null) {
      throw new LeptonException(option + " needs a value");
    }
    return value;
  }

  /** The median of {@code xs} (mean of the middle two for an even count). */
  static double median(double[] xs) {
    double[] s = xs.clone();
    Arrays.sort(s);
    int h = s.length / 2;
    return s.length % 2 == 1 ? s[h] : (s[h - 1] + s[h]) / 2;
  }
}
