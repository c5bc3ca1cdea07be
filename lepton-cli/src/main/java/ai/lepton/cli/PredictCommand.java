package ai.lepton.cli;

import ai.lepton.api.InferenceRequest;
import ai.lepton.api.InferenceResponse;
import ai.lepton.api.InferenceTensor;
import ai.lepton.api.ModelMetadata;
import ai.lepton.client.LeptonClient;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code lepton predict DEPLOYMENT --request JSON | --rows FILE.csv | --text TEXT}: one inference
 * over the Open Inference Protocol; prints each output, or for a model with class names each
 * sample's class and score, and the prediction id.
 */
@Command(name = "predict", mixinStandardHelpOptions = true,
    description = {"Predict with a deployment (POST /v2/models/DEPLOYMENT/infer) and print "
        + "its outputs and the prediction id.",
        "--rows and --text send raw instances, for a model saved with its preprocessing."})
final class PredictCommand implements Callable<Integer> {
  private static final ObjectMapper JSON = new ObjectMapper();
  /** The output a model with class names answers them in (docs/serving.md). */
  private static final String LABEL = "label";

  @Mixin ClientOptions options;

  @Parameters(paramLabel = "DEPLOYMENT") String deployment;

  @ArgGroup(exclusive = true, multiplicity = "1") Input input;

  static final class Input {
    @Option(names = "--request", paramLabel = "JSON", description = "an OIP inference "
        + "request body ({\"inputs\": [...]}); --json prints the response as JSON")
    String request;
    @Option(names = "--rows", paramLabel = "FILE.csv",
        description = "a CSV file with a header row: one instance per row, by column name")
    Path rows;
    @Option(names = "--text", paramLabel = "TEXT", description = "one text") String text;
  }

  @Override
  public Integer call() {
    LeptonClient client = options.client();
    InferenceRequest request = input.request != null ? parse(input.request)
        : raw(client.modelMetadata(deployment), input.rows != null ? rows(input.rows)
            : List.of(input.text));
    InferenceResponse r = client.infer(deployment, request);
    if (options.json) {
      return options.printJson(r);
    }
    StringBuilder text = new StringBuilder();
    Optional<InferenceTensor> label = r.output(LABEL);
    if (label.isPresent()) {
      text.append(classes(label.get(), r.outputs().get(0)));
    } else {
      for (InferenceTensor t : r.outputs()) {
        text.append(Table.plain(t.name())).append(' ').append(t.shape()).append(": ")
            .append(t.data()).append('\n');
      }
    }
    String id = r.predictionId() != null ? r.predictionId() : r.id();
    text.append("model ").append(Table.plain(r.model_name())).append('@')
        .append(r.model_version()).append(", prediction id ").append(Table.plain(id));
    return options.print(r, text.toString());
  }

  /**
   * One line per sample: its index, the class the model predicts and that class's score (its
   * highest), when the first output holds one score per class; --json prints every score.
   */
  private static String classes(InferenceTensor label, InferenceTensor scores) {
    int samples = label.data().size();
    boolean scored = !scores.name().equals(LABEL) && samples > 0
        && scores.data().size() % samples == 0;
    int width = scored ? scores.data().size() / samples : 0;
    Table table = scored ? new Table("SAMPLE", "CLASS", "SCORE") : new Table("SAMPLE", "CLASS");
    for (int i = 0; i < samples; i++) {
      if (scored) {
        double best = Double.NEGATIVE_INFINITY;
        for (int j = i * width; j < (i + 1) * width; j++) {
          best = Math.max(best, ((Number) scores.data().get(j)).doubleValue());
        }
        table.row(i, label.data().get(i), String.format(Locale.ROOT, "%.4f", best));
      } else {
        table.row(i, label.data().get(i));
      }
    }
    StringWriter out = new StringWriter();
    table.print(new PrintWriter(out));
    return out.toString();
  }

  private static InferenceRequest parse(String body) {
    try {
      return JSON.readValue(body, InferenceRequest.class);
    } catch (JsonProcessingException e) {
      throw new CommandException("--request is not an OIP inference request: "
          + e.getOriginalMessage() + " (expected {\"inputs\": [{\"name\", \"shape\", "
          + "\"datatype\", \"data\"}]})");
    }
  }

  /** One BYTES input, one string per instance, named as the model's input. */
  private static InferenceRequest raw(ModelMetadata m, List<String> instances) {
    InferenceTensor t = new InferenceTensor(m.inputs().get(0).name(),
        List.of((long) instances.size()), "BYTES", null, new ArrayList<>(instances));
    return new InferenceRequest(null, null, List.of(t), null);
  }

  /** Each CSV row after the header as a JSON object keyed by column name (numbers as numbers). */
  static List<String> rows(Path file) {
    List<String> lines;
    try {
      lines = Files.readAllLines(file, StandardCharsets.UTF_8).stream()
          .filter(l -> !l.isBlank()).toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
    }
    if (lines.size() < 2) {
      throw new CommandException(file + " needs a header row and at least one row of values");
    }
    String[] header = lines.get(0).split(",", -1);
    List<String> out = new ArrayList<>();
    for (int i = 1; i < lines.size(); i++) {
      String[] cells = lines.get(i).split(",", -1);
      if (cells.length != header.length) {
        throw new CommandException(file + " line " + (i + 1) + " has " + cells.length
            + " values for " + header.length + " columns (quoted commas are not supported)");
      }
      Map<String, Object> row = new LinkedHashMap<>();
      for (int c = 0; c < cells.length; c++) {
        String v = cells[c].strip();
        row.put(header[c].strip(), v.isEmpty() ? null : number(v));
      }
      try {
        out.add(JSON.writeValueAsString(row));
      } catch (JsonProcessingException e) {
        throw new IllegalStateException(e);
      }
    }
    return out;
  }

  private static Object number(String v) {
    try {
      return Double.parseDouble(v);
    } catch (NumberFormatException e) {
      return v;
    }
  }
}
