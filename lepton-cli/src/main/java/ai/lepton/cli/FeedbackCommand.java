package ai.lepton.cli;

import ai.lepton.api.Feedback;
import ai.lepton.api.FeedbackResult;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code lepton feedback DEPLOYMENT --prediction ID --truth LABEL}, or {@code --file FILE} of
 * many: the ground truth of logged predictions, from which the deployment's live quality is
 * measured. Exits 1 when any item is refused, listing each.
 */
@Command(name = "feedback", mixinStandardHelpOptions = true,
    description = {"Send the ground truth of predictions a deployment made (the id each "
        + "inference response gave), from which its live quality is measured.",
        "A file holds one 'predictionId,groundTruth[,sample]' per line (a first line starting "
        + "with predictionId is a header); it is sent 1000 lines at a time."})
final class FeedbackCommand implements java.util.concurrent.Callable<Integer> {
  static final int CHUNK = 1000;

  @Mixin ClientOptions options;

  @Parameters(paramLabel = "DEPLOYMENT", description = "the deployment that made the predictions")
  String deployment;

  @ArgGroup(multiplicity = "1")
  Source source;

  static final class Source {
    @ArgGroup(exclusive = false)
    One one;

    @Option(names = "--file", paramLabel = "FILE", description = "a CSV file of many")
    Path file;
  }

  static final class One {
    @Option(names = "--prediction", required = true, paramLabel = "ID",
        description = "the prediction's id")
    String prediction;

    @Option(names = "--truth", required = true, paramLabel = "LABEL",
        description = "the true class's label, or a regression's true value")
    String truth;

    @Option(names = "--sample", paramLabel = "N",
        description = "the sample's index in a batch request (default 0)")
    Integer sample;
  }

  @Override
  public Integer call() {
    List<Feedback> items = source.file != null ? read(source.file)
        : List.of(new Feedback(source.one.prediction, source.one.sample, source.one.truth));
    int accepted = 0;
    List<FeedbackResult.Refused> refused = new ArrayList<>();
    for (int from = 0; from < items.size(); from += CHUNK) {
      FeedbackResult r = options.client().feedback(options.org(), deployment,
          items.subList(from, Math.min(items.size(), from + CHUNK)));
      accepted += r.accepted();
      for (FeedbackResult.Refused x : r.refused()) {
        refused.add(new FeedbackResult.Refused(x.index() + from, x.predictionId(), x.code(),
            x.message()));
      }
    }
    FeedbackResult all = new FeedbackResult(accepted, List.copyOf(refused));
    StringBuilder text = new StringBuilder("Recorded the ground truth of " + accepted + " of "
        + items.size() + " predictions of " + Table.plain(deployment) + ".");
    if (!refused.isEmpty()) {
      Table table = new Table("ITEM", "PREDICTION", "CODE", "WHY");
      refused.forEach(x -> table.row(x.index() + 1, x.predictionId(), x.code(), x.message()));
      java.io.StringWriter w = new java.io.StringWriter();
      java.io.PrintWriter pw = new java.io.PrintWriter(w);
      table.print(pw);
      pw.flush();
      text.append(" Refused ").append(refused.size()).append(":\n").append(w.toString().strip());
    }
    options.print(all, text.toString());
    return refused.isEmpty() ? 0 : 1;
  }

  /** The file's items; a malformed line is refused here, naming it. */
  static List<Feedback> read(Path file) {
    List<String> lines;
    try {
      lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new CommandException("cannot read " + file + ": " + e.getMessage()
          + "; give a CSV file of predictionId,groundTruth[,sample] lines");
    }
    List<Feedback> items = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).strip();
      if (line.isEmpty() || (i == 0 && line.startsWith("predictionId"))) {
        continue;
      }
      String[] cells = line.split(",", -1);
      if (cells.length < 2 || cells.length > 3 || cells[0].isBlank()) {
        throw new CommandException(file + " line " + (i + 1) + ": expected "
            + "predictionId,groundTruth[,sample]; received '" + Table.plain(line) + "'");
      }
      Integer sample = null;
      if (cells.length == 3) {
        try {
          sample = Integer.parseInt(cells[2].strip());
        } catch (NumberFormatException e) {
          throw new CommandException(file + " line " + (i + 1) + ": the sample is a whole "
              + "number from 0; received '" + Table.plain(cells[2]) + "'");
        }
      }
      items.add(new Feedback(cells[0].strip(), sample, cells[1].strip()));
    }
    if (items.isEmpty()) {
      throw new CommandException(file + " holds no feedback; write one "
          + "predictionId,groundTruth line per prediction");
    }
    return items;
  }
}
