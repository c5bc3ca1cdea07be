package ai.lepton.cli;

import ai.lepton.api.CreateDataset;
import ai.lepton.api.CreateDeployment;
import ai.lepton.api.Dataset;
import ai.lepton.api.DatasetFormat;
import ai.lepton.api.ErrorCode;
import ai.lepton.api.Job;
import ai.lepton.api.JobEvent;
import ai.lepton.api.ModelVersion;
import ai.lepton.api.RegisteredModel;
import ai.lepton.api.Run;
import ai.lepton.api.TrainingSpec;
import ai.lepton.api.TrainingSpec.Hyperparameters;
import ai.lepton.api.TrainingSpec.ModelChoice;
import ai.lepton.client.LeptonClient;
import ai.lepton.client.LeptonClientException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedWriter;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
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
import java.util.TreeMap;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * The first-run demo ({@code lepton server --demo}): fills the organization {@code demo} through
 * the server's HTTP API, as a user would, with Fashion-MNIST (a training slice and the test
 * images, from Debian's {@code dataset-fashion-mnist}) and the fortunes texts (JSON lines
 * {@code {"text", "category"}}, from {@code fortunes-min}) as datasets; trains the {@code mlp}
 * and {@code cnn} templates on Fashion-MNIST and {@code text-lstm} on the fortunes, registering
 * {@value #MLP}, {@value #CNN} and {@value #LSTM} with the alias {@value #ALIAS}.
 *
 * <p>Idempotent step by step: a dataset that has a version is not uploaded again, a model that
 * has the alias is not trained again, and a job still queued or running (a restart while it
 * trained) is followed instead of submitted again. So a second start does nothing new, and a
 * start after an interrupted one finishes what is missing.
 */
final class Demo {
  static final String MLP = "fashion-mlp";
  static final String CNN = "fashion-cnn";
  static final String LSTM = "fortunes-lstm";
  static final String ALIAS = "production";
  /** Where Debian's dataset-fashion-mnist puts the four gzipped IDX files. */
  static final String FASHION_MNIST = "/usr/share/datasets/fashion-mnist";
  /** Fashion-MNIST's labels 0 to 9, as its authors name them. */
  static final List<String> FASHION_MNIST_CLASSES = List.of("T-shirt/top", "Trouser",
      "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");
  /** Where Debian's fortunes-min puts the fortune files. */
  static final String FORTUNES_DIR = "/usr/share/games/fortunes";
  static final String TRAIN_IMAGES = "fashion-mnist-train-images";
  static final String TRAIN_LABELS = "fashion-mnist-train-labels";
  static final String TEST_IMAGES = "fashion-mnist-test-images";
  static final String TEST_LABELS = "fashion-mnist-test-labels";
  static final String FORTUNES = "fortunes";
  /** The fortune files of {@code fortunes-min}, each a category. */
  static final List<String> CATEGORIES = List.of("fortunes", "literature", "riddles");

  /**
   * How much the demo takes and trains: the default trains in about a minute per model on two
   * cores; tests take less.
   *
   * @param trainImages Fashion-MNIST training images (and labels) uploaded, from the first
   * @param testImages Fashion-MNIST test images (and labels) uploaded, for predictions
   * @param fortunesPerCategory at most this many fortunes of each category
   * @param epochs epochs of each training
   */
  record Size(int trainImages, int testImages, int fortunesPerCategory, int epochs) {
    static final Size DEFAULT = new Size(10_000, 10_000, 400, 5);
    /** For tests: trains in seconds. */
    static final Size SMALL = new Size(600, 50, 40, 1);

    Size {
      if (trainImages < 10 || testImages < 1 || fortunesPerCategory < 10 || epochs < 1) {
        throw new IllegalArgumentException("a demo size needs at least 10 training images, 1 "
            + "test image, 10 fortunes per category and 1 epoch; received " + this);
      }
    }
  }

  private final LeptonClient client;
  private final String org;
  private final Path fashionDir;
  private final Path fortunesDir;
  private final Size size;
  private final Path work;
  private final PrintStream out;

  /**
   * @param work a directory for the slices written before their upload (deleted after each)
   * @param out where it says what it is doing
   */
  Demo(LeptonClient client, String org, Path fashionDir, Path fortunesDir, Size size, Path work,
      PrintStream out) {
    this.client = client;
    this.org = org;
    this.fashionDir = fashionDir;
    this.fortunesDir = fortunesDir;
    this.size = size;
    this.work = work;
    this.out = out;
  }

  /**
   * Uploads, trains and registers what is missing, then deploys each model's production version
   * under the model's name unless a deployment of that name exists; answers when the trainings
   * have ended.
   */
  void run() {
    List<String> models = new ArrayList<>();
    if (fashionInstalled()) {
      uploadIdx(TRAIN_IMAGES, "train-images-idx3-ubyte.gz", size.trainImages());
      uploadIdx(TRAIN_LABELS, "train-labels-idx1-ubyte.gz", size.trainImages());
      uploadIdx(TEST_IMAGES, "t10k-images-idx3-ubyte.gz", size.testImages());
      uploadIdx(TEST_LABELS, "t10k-labels-idx1-ubyte.gz", size.testImages());
      submit(MLP, "mlp", TRAIN_IMAGES, TRAIN_LABELS).ifPresent(models::add);
      submit(CNN, "cnn", TRAIN_IMAGES, TRAIN_LABELS).ifPresent(models::add);
    } else {
      say("Fashion-MNIST is not installed (no " + fashionDir + "): install it with 'apt-get "
          + "install dataset-fashion-mnist' and start again with --demo; skipping " + MLP + " and "
          + CNN);
    }
    if (fortunesInstalled()) {
      uploadFortunes();
      submit(LSTM, "text-lstm", FORTUNES, "category").ifPresent(models::add);
    } else {
      say("the fortunes are not installed (no " + fortunesDir.resolve(CATEGORIES.get(0))
          + "): install them with 'apt-get install fortunes-min' and start again with --demo; "
          + "skipping " + LSTM);
    }
    for (String name : models) {
      finish(name);
    }
    for (String name : List.of(MLP, CNN, LSTM)) {
      deploy(name);
    }
  }

  /**
   * Deploys {@code name@production} as the deployment {@code name}, so that
   * {@code /v2/models/NAME/infer} answers; nothing when the alias is not set (a training that
   * failed, a package missing) or the deployment exists (a second start).
   */
  private void deploy(String name) {
    if (withAlias(name).isEmpty() || client.deployments(org).deployments().stream()
        .anyMatch(d -> d.name().equals(name))) {
      return;
    }
    client.createDeployment(org, new CreateDeployment(name, name + "@" + ALIAS, null, null, null));
    say(name + "@" + ALIAS + " is deployed: POST /v2/models/" + name + "/infer (lepton predict "
        + name + ")");
  }

  private boolean fashionInstalled() {
    return List.of("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
        "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz").stream()
        .allMatch(f -> Files.isRegularFile(fashionDir.resolve(f)));
  }

  private boolean fortunesInstalled() {
    return CATEGORIES.stream().allMatch(f -> Files.isRegularFile(fortunesDir.resolve(f)));
  }

  /** The dataset named {@code name}, when it exists with a version. */
  private Optional<Dataset> uploaded(String name) {
    return client.datasets(org).datasets().stream()
        .filter(d -> d.name().equals(name) && d.latestVersion() > 0).findFirst();
  }

  private Dataset dataset(String name, String description) {
    return client.datasets(org).datasets().stream().filter(d -> d.name().equals(name))
        .findFirst().orElseGet(() -> client.createDataset(org,
            new CreateDataset(name, null, description)));
  }

  /** Uploads the first {@code count} samples of an IDX file as the dataset {@code name}. */
  private void uploadIdx(String name, String file, int count) {
    if (uploaded(name).isPresent()) {
      return;
    }
    Path slice = work.resolve(file);
    try {
      int written = sliceIdx(fashionDir.resolve(file), slice, count);
      say("uploading " + name + ": " + written + " samples of " + fashionDir.resolve(file));
      Dataset d = dataset(name, "Fashion-MNIST " + file + ", the first " + written + " samples");
      client.uploadVersion(org, d.id(), slice, DatasetFormat.IDX, null, null);
    } finally {
      delete(slice);
    }
  }

  /**
   * Writes the first {@code count} samples of the gzipped IDX file {@code from} (all of them when
   * it has fewer) to {@code to}, gzipped, and answers how many it wrote.
   */
  static int sliceIdx(Path from, Path to, int count) {
    try (DataInputStream in = new DataInputStream(new GZIPInputStream(
            Files.newInputStream(from)));
        DataOutputStream slice = new DataOutputStream(new GZIPOutputStream(
            Files.newOutputStream(to)))) {
      int magic = in.readInt();
      int dims = magic & 0xff;
      if ((magic >>> 8) != 0x08 || dims < 1 || dims > 3) {
        throw new IllegalStateException(from + " is not an IDX file of unsigned bytes (magic "
            + Integer.toHexString(magic) + "); reinstall dataset-fashion-mnist");
      }
      int samples = in.readInt();
      int n = Math.min(samples, count);
      slice.writeInt(magic);
      slice.writeInt(n);
      long perSample = 1;
      for (int i = 1; i < dims; i++) {
        int d = in.readInt();
        slice.writeInt(d);
        perSample *= d;
      }
      copy(in, slice, n * perSample);
      return n;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot slice " + from + " into " + to + ": "
          + e.getMessage(), e);
    }
  }

  private static void copy(InputStream in, OutputStream out, long bytes) throws IOException {
    byte[] buffer = new byte[1 << 16];
    for (long left = bytes; left > 0; ) {
      int n = in.read(buffer, 0, (int) Math.min(buffer.length, left));
      if (n < 0) {
        throw new IOException("the file ends " + left + " bytes early");
      }
      out.write(buffer, 0, n);
      left -= n;
    }
  }

  /** The fortunes of each category as JSON lines {@code {"text", "category"}}. */
  private void uploadFortunes() {
    if (uploaded(FORTUNES).isPresent()) {
      return;
    }
    Path lines = work.resolve("fortunes.jsonl");
    try {
      int count = writeFortunes(lines);
      say("uploading " + FORTUNES + ": " + count + " fortunes of " + CATEGORIES + " from "
          + fortunesDir);
      Dataset d = dataset(FORTUNES, "fortune texts by category, from fortunes-min");
      client.uploadVersion(org, d.id(), lines, DatasetFormat.JSONL, "category", null);
    } finally {
      delete(lines);
    }
  }

  private int writeFortunes(Path to) {
    ObjectMapper json = new ObjectMapper();
    int count = 0;
    try (BufferedWriter w = Files.newBufferedWriter(to, StandardCharsets.UTF_8)) {
      for (String category : CATEGORIES) {
        // a fortune file: texts separated by lines holding only "%"
        String all = Files.readString(fortunesDir.resolve(category), StandardCharsets.UTF_8);
        int taken = 0;
        for (String text : all.split("(?m)^%\\R")) {
          if (taken == size.fortunesPerCategory()) {
            break;
          }
          if (!text.isBlank()) {
            Map<String, String> row = new LinkedHashMap<>();
            row.put("text", text.strip());
            row.put("category", category);
            w.write(json.writeValueAsString(row));
            w.write('\n');
            taken++;
          }
        }
        count += taken;
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the fortunes from " + fortunesDir + " to "
          + to + ": " + e.getMessage(), e);
    }
    return count;
  }

  /**
   * Submits the training of {@code name} unless it has the alias already or a job of it is
   * queued, running or succeeded (a server stopped before the alias was set); answers the name
   * when there is a job to finish.
   */
  private Optional<String> submit(String name, String template, String dataset, String target) {
    if (withAlias(name).isPresent()) {
      return Optional.empty();
    }
    if (pending(name).isEmpty() && latestJob(name, "succeeded").isEmpty()) {
      Job job = client.submitJob(org, new TrainingSpec(dataset, null,
          new ModelChoice(template, null, null), target, null,
          new Hyperparameters(size.epochs(), null, null, null, null, null, null, null, 42L), null,
          name, dataset.equals(TRAIN_IMAGES) ? FASHION_MNIST_CLASSES : null));
      say("training " + name + " (" + template + " on " + dataset + ", " + size.epochs()
          + " epochs): job " + job.id());
    }
    return Optional.of(name);
  }

  /** Follows the job of {@code name} to its end and points the alias at the version it made. */
  private void finish(String name) {
    Job job = pending(name).orElse(null);
    if (job != null) {
      JobEvent last = client.followJob(org, job.id(), e -> {
        if ("epoch".equals(e.type())) {
          say(name + ": epoch " + (e.epoch() + 1) + "/" + e.epochs() + rounded(e.logs()));
        }
      });
      if (!"succeeded".equals(last.state())) {
        say("the training of " + name + " ended " + last.state() + (last.error() == null ? ""
            : ": " + last.error()) + "; start again with --demo to retry");
        return;
      }
    }
    Job done = latestJob(name, "succeeded").orElse(null);
    if (done == null || done.runId() == null) {
      return;
    }
    Run run = client.run(org, done.runId());
    if (run.modelVersionId() == null) {
      say("the run " + run.id() + " of " + name + " registered no version");
      return;
    }
    ModelVersion version = client.modelVersions(org, name).versions().stream()
        .filter(v -> v.id().equals(run.modelVersionId())).findFirst().orElseThrow();
    client.setAlias(org, name, ALIAS, version.number());
    say(name + " version " + version.number() + " is '" + ALIAS + "'; on its test split:"
        + rounded(version.metrics()));
  }

  /** " accuracy 0.843 loss 0.452": by name, three decimals. */
  private static String rounded(Map<String, Double> values) {
    StringBuilder b = new StringBuilder();
    new TreeMap<>(values).forEach((k, v) -> b.append(' ').append(k).append(' ')
        .append(String.format(Locale.ROOT, "%.3f", v)));
    return b.toString();
  }

  private Optional<RegisteredModel> withAlias(String name) {
    try {
      RegisteredModel m = client.model(org, name);
      return m.aliases().containsKey(ALIAS) ? Optional.of(m) : Optional.empty();
    } catch (LeptonClientException e) {
      if (e.code() == ErrorCode.NOT_FOUND) {
        return Optional.empty();
      }
      throw e;
    }
  }

  private Optional<Job> pending(String name) {
    return latestJob(name, "queued").or(() -> latestJob(name, "running"));
  }

  /** The newest job registering {@code name} in {@code state}, among the last 100. */
  private Optional<Job> latestJob(String name, String state) {
    return client.jobs(org, 0, 100).jobs().stream()
        .filter(j -> name.equals(j.spec().registerAs()) && state.equals(j.state()))
        .findFirst();
  }

  private void say(String line) {
    out.println("demo: " + line);
  }

  private static void delete(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete " + file + ": " + e.getMessage(), e);
    }
  }
}
