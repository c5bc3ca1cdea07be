package ai.lepton.cli;

import ai.lepton.api.CreateDataset;
import ai.lepton.api.Dataset;
import ai.lepton.api.DatasetFormat;
import ai.lepton.api.DatasetList;
import ai.lepton.api.DatasetProfile;
import ai.lepton.api.DatasetVersion;
import ai.lepton.api.DatasetVersionList;
import ai.lepton.api.Lineage;
import ai.lepton.client.LeptonClient;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code lepton dataset create|list|show|versions|push|download|derive|delete}: datasets, their
 * immutable versions, profiles and lineage. A dataset is named by its name or id, a version by
 * {@code NAME@N} (the latest without {@code @N}).
 */
@Command(name = "dataset", mixinStandardHelpOptions = true,
    description = {"Datasets: named series of immutable, profiled versions.",
        "DATASET is a dataset's name or id; DATASET@N is its version N (the latest without @N)."})
final class DatasetCommand {
  /** The most bytes of a recipe given on the command line. */
  static final int MAX_RECIPE = 64 * 1024;
  private static final ObjectMapper COMPACT = new ObjectMapper();

  @Mixin ClientOptions options;

  @Command(name = "create", mixinStandardHelpOptions = true,
      description = "Create an empty dataset; 'lepton dataset push' adds its versions.")
  int create(@Parameters(paramLabel = "NAME",
          description = "1-100 letters, digits, '.', '_' or '-'; unique in the organization")
      String name,
      @Option(names = "--project", paramLabel = "PROJECT",
          description = "the project it belongs to (name or id)") String project,
      @Option(names = "--description", paramLabel = "TEXT") String description) {
    LeptonClient client = options.client();
    String org = options.org();
    Dataset d = create(client, org, name, project, description);
    return options.print(d, "Created dataset " + Table.plain(d.name()) + " (" + d.id() + ").");
  }

  @Command(name = "list", mixinStandardHelpOptions = true,
      description = "The organization's datasets, by name.")
  int list() {
    DatasetList list = options.client().datasets(options.org());
    Table table = new Table("NAME", "ID", "VERSIONS", "PROJECT", "CREATED", "DESCRIPTION");
    for (Dataset d : list.datasets()) {
      table.row(d.name(), d.id(), d.latestVersion(), d.projectId(), d.createdAt(),
          d.description());
    }
    return options.print(list, table);
  }

  @Command(name = "show", mixinStandardHelpOptions = true,
      description = "A version and its profile: rows, columns with their type, missing values "
          + "and statistics, top values, class balance, and the first rows.")
  int show(@Parameters(paramLabel = "DATASET[@N]") String ref) {
    LeptonClient client = options.client();
    String org = options.org();
    Ref r = Ref.parse(ref);
    Dataset d = find(client, org, r.dataset());
    int n = r.number(d);
    DatasetVersion v = client.version(org, d.id(), n);
    DatasetProfile profile = client.profile(org, d.id(), n);
    Map<String, Object> record = new LinkedHashMap<>();
    record.put("dataset", d);
    record.put("version", v);
    record.put("profile", profile);
    if (options.json) {
      return options.printJson(record);
    }
    ProfileView.print(options.out(), d, v, profile);
    options.out().flush();
    return 0;
  }

  @Command(name = "versions", mixinStandardHelpOptions = true,
      description = "A dataset's versions, oldest first, with their lineage: the version each "
          + "was derived from and the recipe.")
  int versions(@Parameters(paramLabel = "DATASET") String ref) {
    LeptonClient client = options.client();
    String org = options.org();
    Dataset d = find(client, org, Ref.parse(ref).dataset());
    DatasetVersionList list = client.versions(org, d.id());
    return options.print(list, versionTable(list));
  }

  @Command(name = "push", mixinStandardHelpOptions = true,
      description = "Upload a file as the dataset's next version. The server checks it is valid "
          + "for its format and profiles it; a refused file leaves nothing behind.")
  int push(@Parameters(paramLabel = "FILE") Path file,
      @Option(names = "--dataset", required = true, paramLabel = "DATASET",
          description = "the dataset (name or id)") String dataset,
      @Option(names = "--format", paramLabel = "FORMAT", description = "CSV, JSONL, TEXT, "
          + "IMAGE_ZIP or IDX (default: from the file's extension)") DatasetFormat format,
      @Option(names = "--label", paramLabel = "COLUMN",
          description = "the label or target column, for the class balance") String label,
      @Option(names = "--create", description = "create the dataset when it does not exist")
      boolean create,
      @Option(names = "--project", paramLabel = "PROJECT",
          description = "with --create: the project it belongs to") String project,
      @Option(names = "--progress", description = "show a progress bar on standard error even "
          + "when it is not a terminal (it is shown on a terminal anyway)") boolean progress) {
    if (!Files.isRegularFile(file)) {
      throw new CommandException("no file " + file + " to push; give the path of a file");
    }
    DatasetFormat f = format != null ? format : formatOf(file);
    LeptonClient client = options.client();
    String org = options.org();
    Dataset d = client.datasets(org).datasets().stream()
        .filter(x -> x.id().equals(dataset) || x.name().equals(dataset)).findFirst()
        .orElse(null);
    if (d == null && !create) {
      throw new CommandException("no dataset '" + Table.plain(dataset) + "' in this organization;"
          + " add --create to create it, or 'lepton dataset list' shows them");
    }
    if (d == null) {
      d = create(client, org, dataset, project, null);
    }
    TransferProgress bar = bar("upload " + file.getFileName(), sizeOf(file), progress);
    DatasetVersion v = client.uploadVersion(org, d.id(), file, f, label, bar);
    if (bar != null) {
      bar.finish();
    }
    return options.print(v, "Pushed " + Table.plain(v.fileName()) + " as version " + v.number()
        + " of " + Table.plain(d.name()) + ": " + v.format() + ", "
        + TransferProgress.bytes(v.sizeBytes()) + ", " + v.rows() + " rows, SHA-256 "
        + v.sha256() + ".\n'lepton dataset show " + Table.plain(d.name()) + "@" + v.number()
        + "' shows its profile.");
  }

  @Command(name = "download", mixinStandardHelpOptions = true,
      description = "Download a version. It is saved only when its SHA-256 matches the "
          + "server's; an interrupted or damaged download leaves nothing.")
  int download(@Parameters(paramLabel = "DATASET[@N]") String ref,
      @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "where to save it "
          + "(a file, or a directory; default: its file name, here)") Path output,
      @Option(names = "--force", description = "replace a file that exists") boolean force,
      @Option(names = "--progress", description = "show a progress bar on standard error even "
          + "when it is not a terminal") boolean progress) {
    LeptonClient client = options.client();
    String org = options.org();
    Ref r = Ref.parse(ref);
    Dataset d = find(client, org, r.dataset());
    DatasetVersion v = client.version(org, d.id(), r.number(d));
    Path target = target(output, v.fileName());
    if (Files.exists(target) && !force) {
      throw new CommandException(target + " exists; add --force to replace it, or -o FILE");
    }
    TransferProgress bar = bar("download " + target.getFileName(), v.sizeBytes(), progress);
    String sha256 = client.download(org, d.id(), v.number(), target, bar);
    if (bar != null) {
      bar.finish();
    }
    Map<String, Object> record = new LinkedHashMap<>();
    record.put("file", target.toString());
    record.put("sha256", sha256);
    record.put("version", v);
    return options.print(record, "Saved " + Table.plain(d.name()) + "@" + v.number() + " to "
        + target + " (" + TransferProgress.bytes(v.sizeBytes()) + ", SHA-256 " + sha256
        + " verified).");
  }

  @Command(name = "derive", mixinStandardHelpOptions = true,
      description = {"Derive new versions from a version by a recipe, recorded as their lineage.",
          "Recipes: {\"op\":\"drop_missing\",\"columns\":[\"age\"]}, {\"op\":\"fill_missing\","
              + "\"columns\":{\"age\":{\"strategy\":\"median\"}}}, {\"op\":\"drop_duplicates\"},"
              + " {\"op\":\"scale\",\"method\":\"standard\"}, {\"op\":\"split\",\"train\":0.8,"
              + "\"test\":0.2,\"seed\":42} (one version per part)."})
  int derive(@Parameters(index = "0", paramLabel = "DATASET[@N]") String ref,
      @Parameters(index = "1", paramLabel = "RECIPE", description = "the recipe as JSON")
      String recipe) {
    if (recipe.length() > MAX_RECIPE) {
      throw new CommandException("the recipe is " + recipe.length() + " characters; at most "
          + MAX_RECIPE + " are sent");
    }
    LeptonClient client = options.client();
    String org = options.org();
    Ref r = Ref.parse(ref);
    Dataset d = find(client, org, r.dataset());
    DatasetVersionList made = client.deriveVersion(org, d.id(), r.number(d), recipe);
    return options.print(made, versionTable(made));
  }

  @Command(name = "delete", mixinStandardHelpOptions = true,
      description = {"Delete a dataset with all its versions (DATASET), or one version "
          + "(DATASET@N), for good: their content and profiles are gone (admins).",
          "A deleted version stays listed as deleted: its number is never given again, and the "
              + "versions derived from it keep their lineage. Scripts confirm with --yes."})
  int delete(@Parameters(paramLabel = "DATASET[@N]") String ref,
      @Option(names = "--yes", description = "confirm: delete it, for good") boolean yes) {
    LeptonClient client = options.client();
    String org = options.org();
    Ref r = Ref.parse(ref);
    Dataset d = find(client, org, r.dataset());
    String what = r.version() == null
        ? "dataset " + Table.plain(d.name()) + " (" + d.id() + ") with all its versions"
        : "version " + r.version() + " of dataset " + Table.plain(d.name());
    if (!yes) {
      throw new CommandException("deleting " + what + " deletes its content for good; add --yes "
          + "to confirm" + (r.version() == null ? " (or name one version: "
              + Table.plain(d.name()) + "@N)" : ""));
    }
    Map<String, Object> record = new LinkedHashMap<>();
    record.put("dataset", d.id());
    if (r.version() == null) {
      client.deleteDataset(org, d.id());
    } else {
      client.deleteVersion(org, d.id(), r.version());
      record.put("version", r.version());
    }
    return options.print(record, "Deleted " + what + ".");
  }

  private static Table versionTable(DatasetVersionList list) {
    Table table = new Table("#", "FILE", "FORMAT", "SIZE", "ROWS", "SHA-256", "CREATED",
        "DELETED", "FROM", "RECIPE");
    for (DatasetVersion v : list.versions()) {
      Lineage l = v.lineage();
      table.row(v.number(), v.fileName(), v.format(), TransferProgress.bytes(v.sizeBytes()),
          v.rows(), v.sha256() == null ? null : v.sha256().substring(0, Math.min(12,
              v.sha256().length())), v.createdAt(), v.deletedAt(), from(l),
          l == null ? null : recipe(l));
    }
    return table;
  }

  /** Where a version came from: "upload", or its parent's number ("#1", "#1 (deleted)"). */
  static String from(Lineage l) {
    return l == null ? "upload" : "#" + l.parentNumber() + (l.parentDeleted() ? " (deleted)" : "");
  }

  /** The lineage's recipe as compact JSON, and the split's part it holds. */
  static String recipe(Lineage l) {
    String json;
    try {
      json = COMPACT.writeValueAsString(l.recipe());
    } catch (JsonProcessingException e) {
      json = String.valueOf(l.recipe());
    }
    return json + (l.part() == null ? "" : " part " + l.part());
  }

  private static Dataset create(LeptonClient client, String org, String name, String project,
      String description) {
    String projectId = project == null ? null : ProjectCommand.find(client, org, project).id();
    return client.createDataset(org, new CreateDataset(name, projectId, description));
  }

  private static Dataset find(LeptonClient client, String org, String ref) {
    return Refs.pick("dataset", ref, client.datasets(org).datasets(), "lepton dataset list",
        Dataset::id, Dataset::name);
  }

  /** A bar on standard error: on a terminal, or when asked; else none (output stays clean). */
  private TransferProgress bar(String label, long total, boolean asked) {
    boolean terminal = System.console() != null;
    return terminal || asked ? new TransferProgress(label, total,
        options.spec.commandLine().getErr(), terminal) : null;
  }

  private static long sizeOf(Path file) {
    try {
      return Files.size(file);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
    }
  }

  /** The format a file's name says: .csv, .jsonl, .txt, .zip, or an IDX name (-ubyte, .idx). */
  static DatasetFormat formatOf(Path file) {
    String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
    if (name.endsWith(".gz")) {
      name = name.substring(0, name.length() - 3);
    }
    if (name.endsWith(".csv")) {
      return DatasetFormat.CSV;
    }
    if (name.endsWith(".jsonl") || name.endsWith(".ndjson")) {
      return DatasetFormat.JSONL;
    }
    if (name.endsWith(".txt")) {
      return DatasetFormat.TEXT;
    }
    if (name.endsWith(".zip")) {
      return DatasetFormat.IMAGE_ZIP;
    }
    if (name.endsWith("-ubyte") || name.endsWith(".idx")) {
      return DatasetFormat.IDX;
    }
    throw new CommandException("cannot tell the format of " + file.getFileName() + " from its "
        + "name; add --format CSV, JSONL, TEXT, IMAGE_ZIP or IDX");
  }

  /**
   * Where a download goes: {@code output}, inside it when it is a directory, else the version's
   * file name here. Only the name's last part is used, so a stored name cannot point elsewhere.
   */
  static Path target(Path output, String fileName) {
    if (output != null && !Files.isDirectory(output)) {
      return output;
    }
    String path = fileName == null ? "" : fileName.replace('\\', '/');
    String name = path.substring(path.lastIndexOf('/') + 1);
    if (name.isEmpty() || name.equals(".") || name.equals("..")
        || !name.equals(Table.plain(name))) {
      throw new CommandException("the version's file name '" + Table.plain(fileName) + "' is not"
          + " a plain file name; give one with -o FILE");
    }
    return output == null ? Path.of(name) : output.resolve(name);
  }

  /** {@code NAME} or {@code NAME@N}. */
  record Ref(String dataset, Integer version) {
    static Ref parse(String ref) {
      int at = ref.lastIndexOf('@');
      if (at < 0) {
        return new Ref(ref, null);
      }
      String n = ref.substring(at + 1);
      if (at == 0 || !n.matches("[1-9][0-9]{0,8}")) {
        throw new CommandException("expected DATASET or DATASET@N with N a version number (1, "
            + "2...); received '" + Table.plain(ref) + "'");
      }
      return new Ref(ref.substring(0, at), Integer.parseInt(n));
    }

    /** The version number, or the dataset's latest. */
    int number(Dataset d) {
      if (version != null) {
        return version;
      }
      if (d.latestVersion() == 0) {
        throw new CommandException("dataset " + Table.plain(d.name()) + " has no versions (none "
            + "yet, or all deleted); add one with 'lepton dataset push FILE --dataset "
            + Table.plain(d.name()) + "'");
      }
      return d.latestVersion();
    }
  }
}
