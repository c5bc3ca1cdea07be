package ai.lepton.server.jobs;

import ai.lepton.api.TrainingSpec;
import ai.lepton.data.Dataset;
import ai.lepton.data.Idx;
import ai.lepton.layers.Dense;
import ai.lepton.models.Fit;
import ai.lepton.models.Model;
import ai.lepton.models.Sequential;
import ai.lepton.server.db.TestDatabases;
import ai.lepton.server.http.Json;
import ai.lepton.server.jobs.JobStore.JobRow;
import ai.lepton.tensor.ComputeContext;
import ai.lepton.tensor.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * Training through a job (a worker on H2 with encrypted checkpoints every epoch, metric history,
 * evaluation and the encrypted artifact) against the same fit and evaluation in process: the
 * Fashion-MNIST MLP (784-256-10, Adam, batch 64), one thread each, A/B alternated, medians.
 * Run by hand: {@code java -cp <test classpath> ai.lepton.server.jobs.JobOverheadBench [epochs]
 * [rounds]}.
 */
final class JobOverheadBench {
  private static final Path DATA = Path.of("/usr/share/datasets/fashion-mnist");

  private JobOverheadBench() {}

  public static void main(String[] args) throws Exception {
    int epochs = args.length > 0 ? Integer.parseInt(args[0]) : 3;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
    Tensor x = Idx.read(DATA.resolve("train-images-idx3-ubyte.gz"));
    Tensor y = Idx.read(DATA.resolve("train-labels-idx1-ubyte.gz"));
    Tensor tx = Idx.read(DATA.resolve("t10k-images-idx3-ubyte.gz"));
    Tensor ty = Idx.read(DATA.resolve("t10k-labels-idx1-ubyte.gz"));
    Tensor train = x.reshape(x.shape()[0], 784).div(255f);
    Tensor test = tx.reshape(tx.shape()[0], 784).div(255f);
    List<Double> inProcess = new ArrayList<>();
    List<Double> platform = new ArrayList<>();
    List<Double> inProcessCpu = new ArrayList<>();
    List<Double> platformCpu = new ArrayList<>();
    for (int round = 0; round < rounds; round++) {
      // alternate which goes first, so that neither always inherits the other's garbage
      for (int turn = 0; turn < 2; turn++) {
        boolean local = (round + turn) % 2 == 0;
        double[] wallAndCpu = local ? inProcess(train, y, test, ty, epochs)
            : platform(train, y, test, ty, epochs);
        (local ? inProcess : platform).add(wallAndCpu[0]);
        (local ? inProcessCpu : platformCpu).add(wallAndCpu[1]);
      }
      System.out.printf("round %d: in process %.2f s (cpu %.2f s), through a job %.2f s (cpu"
          + " %.2f s)%n", round, inProcess.get(round), inProcessCpu.get(round),
          platform.get(round), platformCpu.get(round));
    }
    double a = median(inProcess);
    double b = median(platform);
    System.out.printf("median wall: in process %.2f s, through a job %.2f s, overhead %+.1f%%%n",
        a, b, (b / a - 1) * 100);
    double ac = median(inProcessCpu);
    double bc = median(platformCpu);
    System.out.printf("median cpu: in process %.2f s, through a job %.2f s, overhead %+.1f%%%n",
        ac, bc, (bc / ac - 1) * 100);
    System.out.printf("one checkpoint (save to memory, encrypt, store): median %.1f ms%n",
        checkpointMillis(train, y));
  }

  /** What one checkpoint of the trained model costs, the part a job adds to each epoch. */
  private static double checkpointMillis(Tensor x, Tensor y) throws Exception {
    Model m = model();
    try (ComputeContext compute = ComputeContext.vector(1)) {
      m.fit(Dataset.of(x.slice(0, 0, 640), y.slice(0, 0, 640)).batch(64), Fit.epochs(1)
          .verbose(0).compute(compute));
    }
    Path blobs = Files.createTempDirectory("bench-blobs");
    List<Double> times = new ArrayList<>();
    try (JobFixture f = new JobFixture(TestDatabases.h2(), blobs)) {
      for (int i = 0; i < 21; i++) {
        long start = System.nanoTime();
        byte[] file = Checkpoints.bytes(m);
        f.blobs.put("org_a", "jobs/job_1/checkpoint-" + i, new java.io.ByteArrayInputStream(file),
            file.length);
        times.add((System.nanoTime() - start) / 1e6);
      }
    } finally {
      try (var files = Files.walk(blobs)) {
        files.sorted(Collections.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
    return median(times.subList(5, times.size()));
  }

  /** CPU seconds this process has used, on all its threads (less disturbed by other load). */
  private static double cpuSeconds() {
    return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
        .getOperatingSystemMXBean()).getProcessCpuTime() / 1e9;
  }

  private static Model model() {
    Model m = new Sequential().add(new Dense(256, "relu")).add(new Dense(10, "softmax"));
    m.compile("adam", "sparse_categorical_crossentropy", "accuracy");
    return m;
  }

  /** Wall and CPU seconds of the fit and evaluation in process. */
  private static double[] inProcess(Tensor x, Tensor y, Tensor tx, Tensor ty, int epochs) {
    double cpu = cpuSeconds();
    long start = System.nanoTime();
    try (ComputeContext compute = ComputeContext.vector(1)) {
      Model m = model();
      Fit fit = Fit.epochs(epochs).batchSize(64).seed(7).verbose(0).compute(compute);
      m.fit(Dataset.of(x, y).batch(64), Boolean.getBoolean("bench.callback")
          ? fit.callbacks(e -> { }) : fit); // a listener, as a job has
      try (ComputeContext.Scope ignored = compute.enter()) {
        m.evaluate(Dataset.of(tx, ty).batch(64));
      }
    }
    return new double[] {(System.nanoTime() - start) / 1e9, cpuSeconds() - cpu};
  }

  /** Wall and CPU seconds of the same as a job, from its claim to its end (not the set-up). */
  private static double[] platform(Tensor x, Tensor y, Tensor tx, Tensor ty, int epochs)
      throws Exception {
    Path blobs = Files.createTempDirectory("bench-blobs");
    try (JobFixture f = new JobFixture(TestDatabases.h2(), blobs)) {
      TrainingSpec spec = new TrainingSpec("fashion", 1, new TrainingSpec.ModelChoice("mlp", null,
          null), null, null, new TrainingSpec.Hyperparameters(epochs, 64, null, null, null, null,
          null, null, 7L), 1, null, null);
      f.db.jdbi().useTransaction(tx2 -> f.store.submit(tx2, new JobRow("job_1", "org_a", "train",
          JobStore.State.QUEUED, Json.mapper().writeValueAsString(spec), "usr_a",
          f.clock.instant(), null, null, null, null, 0, false, null, null, null, null, null)));
      Worker w = new Worker("bench", f.store, f.db, f.blobs, (org, s) -> new JobPreparer.Prepared(
          new PreparedTraining(model(), Dataset.of(x, y).batch(64), null,
              Dataset.of(tx, ty).batch(64), epochs, 64, 7L, "classification", List.of(),
              Map.of()), "dsv_1"), p -> "mv", f.events, f.clock, f.heartbeats,
          new Worker.Settings(Duration.ofSeconds(60), Duration.ofSeconds(5), 1));
      double cpu = cpuSeconds();
      long start = System.nanoTime();
      w.runOnce();
      double[] seconds = {(System.nanoTime() - start) / 1e9, cpuSeconds() - cpu};
      JobRow done = f.store.job("org_a", "job_1").orElseThrow();
      if (done.state() != JobStore.State.SUCCEEDED) {
        throw new IllegalStateException("the job ended " + done.state() + ": " + done.error());
      }
      return seconds;
    } finally {
      try (var files = Files.walk(blobs)) {
        files.sorted(Collections.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  private static double median(List<Double> values) {
    List<Double> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    return sorted.get(sorted.size() / 2);
  }
}
