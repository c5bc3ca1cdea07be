package ai.lepton.cli;

import ai.lepton.api.ModelLineage;
import ai.lepton.api.ModelVersion;
import ai.lepton.api.ModelVersionList;
import ai.lepton.api.RegisteredModel;
import ai.lepton.api.RegisteredModelList;
import ai.lepton.api.TensorSignature;
import ai.lepton.client.LeptonClient;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code lepton model push|list|show|versions|alias|tag|download|delete}: the model registry.
 * A model is named by its name; a version by {@code NAME@N} or {@code NAME@ALIAS} (the latest
 * without {@code @}).
 */
@Command(name = "model", mixinStandardHelpOptions = true,
    description = {"Registered models: named series of immutable, validated versions, with "
        + "aliases (production, staging) and tags.",
        "NAME@N is version N, NAME@ALIAS the version an alias points at, NAME the latest."})
final class ModelCommand {
  @Mixin ClientOptions options;

  @Command(name = "push", mixinStandardHelpOptions = true,
      description = "Push a .lepton or .onnx file as the model's next version (registering the "
          + "model when it is new). The server validates it and reads its inputs and outputs; a "
          + "refused file leaves nothing behind.")
  int push(@Parameters(paramLabel = "FILE") Path file,
      @Option(names = "--name", required = true, paramLabel = "NAME",
          description = "the model: 1-100 letters, digits, '.', '_' or '-'") String name,
      @Option(names = "--metrics", paramLabel = "K=V,...", split = ",",
          description = "numbers to record with it, such as accuracy=0.91,loss=0.23")
      Map<String, String> metrics) {
    if (!Files.isRegularFile(file)) {
      throw new CommandException("no file " + file + " to push; give the path of a .lepton or "
          + ".onnx file");
    }
    Map<String, Double> numbers = new TreeMap<>();
    if (metrics != null) {
      metrics.forEach((k, v) -> {
        try {
          numbers.put(k, Double.parseDouble(v));
        } catch (NumberFormatException e) {
          throw new CommandException("metric " + Table.plain(k) + " must be a number, as in "
              + "--metrics accuracy=0.91; received '" + Table.plain(v) + "'");
        }
      });
    }
    String fileName = file.getFileName().toString();
    String lower = fileName.toLowerCase(java.util.Locale.ROOT);
    if (!lower.endsWith(".lepton") && !lower.endsWith(".onnx")) {
      throw new CommandException("cannot tell the format of " + Table.plain(fileName) + " from "
          + "its name; push a .lepton file (Model.save) or an .onnx file");
    }
    ModelVersion v = options.client().pushModel(options.org(), name, file, numbers);
    return options.print(v, "Pushed " + Table.plain(fileName) + " as " + Table.plain(name) + "@"
        + v.number() + ": " + v.format() + ", " + TransferProgress.bytes(v.sizeBytes())
        + ", SHA-256 " + v.sha256() + ".\n" + signature(v) + "\n'lepton model alias "
        + Table.plain(name) + "@" + v.number() + " production' points production at it.");
  }

  @Command(name = "list", mixinStandardHelpOptions = true,
      description = "The organization's models, by name, with their latest version and aliases.")
  int list() {
    RegisteredModelList list = options.client().models(options.org());
    Table table = new Table("NAME", "LATEST", "ALIASES", "CREATED", "DESCRIPTION");
    for (RegisteredModel m : list.models()) {
      table.row(m.name(), m.latestVersion() == 0 ? null : m.latestVersion(),
          aliases(m.aliases()), m.createdAt(), m.description());
    }
    return options.print(list, table);
  }

  @Command(name = "versions", mixinStandardHelpOptions = true,
      description = "A model's versions, oldest first: format, size, metrics, aliases and where "
          + "each came from.")
  int versions(@Parameters(paramLabel = "NAME") String name) {
    ModelVersionList list = options.client().modelVersions(options.org(), Ref.parse(name).name());
    Table table = new Table("#", "FORMAT", "SIZE", "METRICS", "ALIASES", "SOURCE", "CREATED",
        "DELETED");
    for (ModelVersion v : list.versions()) {
      table.row(v.number(), v.format(), TransferProgress.bytes(v.sizeBytes()),
          metrics(v.metrics()), String.join(",", v.aliases()), source(v.lineage()),
          v.createdAt(), v.deletedAt());
    }
    return options.print(list, table);
  }

  @Command(name = "show", mixinStandardHelpOptions = true,
      description = "A version: its inputs and outputs, metrics, lineage, aliases, tags and "
          + "evaluation report.")
  int show(@Parameters(paramLabel = "NAME[@N|@ALIAS]") String ref) {
    ModelVersion v = version(ref);
    if (options.json) {
      return options.printJson(v);
    }
    PrintWriter out = options.out();
    out.println(Table.plain(v.modelName()) + "@" + v.number() + "  (" + v.id() + ")");
    out.println("format      " + v.format() + ", " + TransferProgress.bytes(v.sizeBytes())
        + ", SHA-256 " + v.sha256());
    if (v.deletedAt() != null) {
      out.println("deleted     " + v.deletedAt() + " (its file is gone)");
    } else {
      out.println(signature(v));
    }
    out.println("preprocess  " + (v.hasPreprocessing() ? "yes: it takes raw rows or texts"
        : "no: it takes tensors"));
    out.println("metrics     " + (v.metrics().isEmpty() ? "none" : metrics(v.metrics())));
    out.println("aliases     " + (v.aliases().isEmpty() ? "none" : String.join(", ",
        v.aliases())));
    out.println("tags        " + (v.tags().isEmpty() ? "none" : new TreeMap<>(v.tags())
        .entrySet().stream().map(e -> Table.plain(e.getKey()) + "=" + Table.plain(e.getValue()))
        .collect(Collectors.joining(", "))));
    out.println("source      " + source(v.lineage()) + lineage(v.lineage()));
    out.println("created     " + v.createdAt() + " by " + v.createdBy());
    out.println("evaluation  " + (v.evaluationReport() == null ? "none" : v.evaluationReport()
        .task() + " on " + v.evaluationReport().samples() + " held-out samples: "
        + metrics(v.evaluationReport().metrics()) + " (--json shows the whole report)"));
    out.flush();
    return 0;
  }

  @Command(name = "alias", mixinStandardHelpOptions = true,
      description = "Point an alias (production, staging, ...) at a version, or move it there; "
          + "with --delete, remove the alias.")
  int alias(@Parameters(index = "0", paramLabel = "NAME@N") String ref,
      @Parameters(index = "1", paramLabel = "ALIAS") String alias,
      @Option(names = "--delete", description = "remove the alias instead (NAME@N may then "
          + "be NAME)") boolean delete) {
    Ref r = Ref.parse(ref);
    LeptonClient client = options.client();
    if (delete) {
      client.deleteAlias(options.org(), r.name(), alias);
      return options.print(Map.of("model", r.name(), "alias", alias), "Removed alias "
          + Table.plain(alias) + " of " + Table.plain(r.name()) + ".");
    }
    if (r.version() == null || !r.version().matches("[0-9]+")) {
      throw new CommandException("name the version the alias points at by its number: "
          + Table.plain(r.name()) + "@N " + Table.plain(alias));
    }
    ModelVersion v = client.setAlias(options.org(), r.name(), alias,
        Integer.parseInt(r.version()));
    return options.print(v, Table.plain(r.name()) + "@" + Table.plain(alias) + " is now version "
        + v.number() + ".");
  }

  @Command(name = "tag", mixinStandardHelpOptions = true,
      description = "Set tags of a version (KEY=VALUE), or remove them (--delete KEY).")
  int tag(@Parameters(index = "0", paramLabel = "NAME[@N|@ALIAS]") String ref,
      @Parameters(index = "1..*", paramLabel = "KEY=VALUE") List<String> tags,
      @Option(names = "--delete", paramLabel = "KEY", description = "remove this tag")
      List<String> remove) {
    Ref r = Ref.parse(ref);
    LeptonClient client = options.client();
    String version = r.version() != null ? r.version()
        : Integer.toString(client.model(options.org(), r.name()).latestVersion());
    if ((tags == null || tags.isEmpty()) && (remove == null || remove.isEmpty())) {
      throw new CommandException("give tags as KEY=VALUE, or --delete KEY");
    }
    for (String t : tags == null ? List.<String>of() : tags) {
      int eq = t.indexOf('=');
      if (eq < 1) {
        throw new CommandException("a tag is KEY=VALUE, as in team=risk; received '"
            + Table.plain(t) + "'");
      }
      client.tagModelVersion(options.org(), r.name(), version, t.substring(0, eq),
          t.substring(eq + 1));
    }
    for (String key : remove == null ? List.<String>of() : remove) {
      client.untagModelVersion(options.org(), r.name(), version, key);
    }
    ModelVersion v = client.modelVersion(options.org(), r.name(), version);
    return options.print(v, Table.plain(r.name()) + "@" + v.number() + " tags: " + (v.tags()
        .isEmpty() ? "none" : new TreeMap<>(v.tags()).entrySet().stream().map(e ->
            Table.plain(e.getKey()) + "=" + Table.plain(e.getValue()))
        .collect(Collectors.joining(", "))) + ".");
  }

  @Command(name = "download", mixinStandardHelpOptions = true,
      description = "Download a version's file. It is saved only when its SHA-256 matches the "
          + "server's.")
  int download(@Parameters(paramLabel = "NAME[@N|@ALIAS]") String ref,
      @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "where to save it "
          + "(a file, or a directory; default: NAME-N.lepton or .onnx, here)") Path output,
      @Option(names = "--force", description = "replace a file that exists") boolean force) {
    ModelVersion v = version(ref);
    String fileName = v.modelName() + "-" + v.number() + "." + v.format();
    Path target = output == null ? Path.of(fileName)
        : Files.isDirectory(output) ? output.resolve(fileName) : output;
    if (Files.exists(target) && !force) {
      throw new CommandException(target + " exists; add --force to replace it, or -o FILE");
    }
    String sha256 = options.client().downloadModel(options.org(), v.modelName(),
        Integer.toString(v.number()), target);
    Map<String, Object> record = new LinkedHashMap<>();
    record.put("file", target.toString());
    record.put("sha256", sha256);
    record.put("version", v);
    return options.print(record, "Saved " + Table.plain(v.modelName()) + "@" + v.number()
        + " to " + target + " (" + TransferProgress.bytes(v.sizeBytes()) + ", SHA-256 " + sha256
        + " verified).");
  }

  @Command(name = "delete", mixinStandardHelpOptions = true,
      description = {"Delete a model with all its versions (NAME), or one version (NAME@N), "
          + "for good (admins). Refused while a deployment serves it.",
          "A deleted version stays listed as deleted; its number is never given again. Scripts "
              + "confirm with --yes."})
  int delete(@Parameters(paramLabel = "NAME[@N]") String ref,
      @Option(names = "--yes", description = "confirm: delete it, for good") boolean yes) {
    Ref r = Ref.parse(ref);
    if (r.version() != null && !r.version().matches("[0-9]+")) {
      throw new CommandException("delete a version by its number (" + Table.plain(r.name())
          + "@N), not by an alias");
    }
    String what = r.version() == null ? "model " + Table.plain(r.name()) + " with all its "
        + "versions" : "version " + r.version() + " of model " + Table.plain(r.name());
    if (!yes) {
      throw new CommandException("deleting " + what + " deletes its files for good; add --yes "
          + "to confirm");
    }
    LeptonClient client = options.client();
    Map<String, Object> record = new LinkedHashMap<>();
    record.put("model", r.name());
    if (r.version() == null) {
      client.deleteModel(options.org(), r.name());
    } else {
      client.deleteModelVersion(options.org(), r.name(), Integer.parseInt(r.version()));
      record.put("version", Integer.parseInt(r.version()));
    }
    return options.print(record, "Deleted " + what + ".");
  }

  /** The version {@code NAME[@N|@ALIAS]} names (the latest without {@code @}). */
  private ModelVersion version(String ref) {
    Ref r = Ref.parse(ref);
    LeptonClient client = options.client();
    String version = r.version();
    if (version == null) {
      int latest = client.model(options.org(), r.name()).latestVersion();
      if (latest == 0) {
        throw new CommandException("model " + Table.plain(r.name()) + " has no version; 'lepton "
            + "model push FILE --name " + Table.plain(r.name()) + "' adds one");
      }
      version = Integer.toString(latest);
    }
    return client.modelVersion(options.org(), r.name(), version);
  }

  /** Inputs and outputs, one line each: {@code input: x FP32 [-1, 3]}. */
  static String signature(ModelVersion v) {
    if (v.signature() == null) {
      return "inputs      none (deleted)";
    }
    return "inputs      " + tensors(v.signature().inputs()) + "\noutputs     "
        + tensors(v.signature().outputs());
  }

  private static String tensors(List<TensorSignature> tensors) {
    return tensors.stream().map(t -> Table.plain(t.name()) + " " + t.dtype() + " "
        + t.shape().toString().replace("-1", "?")).collect(Collectors.joining(", "));
  }

  private static String aliases(Map<String, Integer> aliases) {
    return new TreeMap<>(aliases).entrySet().stream().map(e -> Table.plain(e.getKey()) + "=#"
        + e.getValue()).collect(Collectors.joining(","));
  }

  /** Metrics as people read them, to 4 significant digits ({@code --json} keeps them whole). */
  private static String metrics(Map<String, Double> metrics) {
    return new TreeMap<>(metrics).entrySet().stream().map(e -> Table.plain(e.getKey()) + "="
        + ProfileView.num(e.getValue())).collect(Collectors.joining(","));
  }

  private static String source(ModelLineage l) {
    return l == null ? "upload" : l.source();
  }

  private static String lineage(ModelLineage l) {
    if (l == null || !"run".equals(l.source())) {
      return "";
    }
    StringBuilder b = new StringBuilder();
    if (l.runId() != null) {
      b.append(", run ").append(Table.plain(l.runId()));
    }
    if (l.jobId() != null) {
      b.append(", job ").append(Table.plain(l.jobId()));
    }
    if (l.datasetVersionId() != null) {
      b.append(", dataset version ").append(Table.plain(l.datasetVersionId()));
    }
    if (l.parentVersionId() != null) {
      b.append(", fine-tuned from ").append(Table.plain(l.parentVersionId()));
    }
    if (l.parameters() != null && !l.parameters().isEmpty()) {
      b.append(", parameters ").append(Table.plain(new TreeMap<>(l.parameters()).toString()));
    }
    return b.toString();
  }

  /** {@code NAME}, {@code NAME@N} or {@code NAME@ALIAS}. */
  record Ref(String name, String version) {
    static Ref parse(String ref) {
      int at = ref.indexOf('@');
      if (at == 0 || at == ref.length() - 1) {
        throw new CommandException("expected NAME, NAME@N or NAME@ALIAS, received '"
            + Table.plain(ref) + "'");
      }
      return at < 0 ? new Ref(ref, null) : new Ref(ref.substring(0, at), ref.substring(at + 1));
    }
  }
}
