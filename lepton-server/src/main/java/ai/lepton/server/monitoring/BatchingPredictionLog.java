package ai.lepton.server.monitoring;

import ai.lepton.server.blobs.BlobKeys;
import ai.lepton.server.crypto.EncryptedBlobStore;
import ai.lepton.server.http.Json;
import ai.lepton.server.monitoring.MonitoringStore.PredictionRow;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link PredictionLog}: {@link #log} decides sampling and queues the record (never blocking,
 * and taking no lock that request threads share: a lock-free queue bounded by a counter, so a
 * request thread preempted inside {@code log} holds up no other; a full queue drops the record
 * and counts); one writer thread takes what is queued, up to
 * {@link MonitoringLimits#batchRecords} at a time (letting a started batch fill for up to 50 ms),
 * writes each organization's kept payloads as one
 * encrypted blob of JSON lines ({@code predictions/ID}) and then all the samples in one
 * transaction, a database row per deployment and model version ({@link PredictionBatches}).
 */
final class BatchingPredictionLog implements PredictionLog, AutoCloseable {
  static final String BLOB_PREFIX = "predictions/";
  /** A predicted class is logged as its first 200 characters (as feedback's column keeps it). */
  static final int MAX_CLASS_CHARS = 200;
  private static final Logger LOG = LoggerFactory.getLogger(BatchingPredictionLog.class);
  private static final ObjectMapper JSON = Json.mapper();
  /** How long a started batch waits to fill (see {@link #linger}). */
  private static final long LINGER_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
  private static final long LINGER_STEP_NANOS = TimeUnit.MILLISECONDS.toNanos(5);

  /** A request as logged, waiting to be written. */
  private record Entry(String id, String orgId, String deployment, String modelVersionId,
      Instant at, long latencyMicros, List<Sample> samples, boolean keep) {}

  /**
   * Kept payloads per second of one deployment: the second and how many so far. Lock-free, so
   * the cap is approximate: requests racing at the turn of a second may keep a few more.
   */
  private static final class Rate {
    volatile long second = Long.MIN_VALUE;
    final AtomicInteger kept = new AtomicInteger();
  }

  /** A deployment of an organization, whose kept payloads {@link Rate} counts. */
  private record RateKey(String orgId, String deployment) {}

  private final Jdbi jdbi;
  private final MonitoringStore store;
  private final EncryptedBlobStore blobs;
  private final Clock clock;
  private final MonitoringLimits limits;
  private final Queue<Entry> queue = new ConcurrentLinkedQueue<>();
  /** Records in {@link #queue}: bounds it at {@link MonitoringLimits#queueCapacity}. */
  private final AtomicInteger size = new AtomicInteger();
  /** Set while the writer parks on an empty queue: the next {@link #log} wakes it. */
  private final AtomicBoolean sleeping = new AtomicBoolean();
  private final Map<RateKey, Rate> rates = new ConcurrentHashMap<>();
  private final AtomicLong dropped = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private final AtomicLong tooLarge = new AtomicLong();
  /**
   * Requests queued and requests written (or given up), in queue order: {@link #flush} waits on
   * {@link #idle} (which only it and the writer take) for the second to reach what the first was
   * when it was called, so a steady stream of new requests never holds it up. A record counts as
   * queued before it is added, so every record added before that moment is counted.
   */
  private final Object idle = new Object();
  /** Callers waiting in {@link #flush}: while any is, the writer does not linger. */
  private final AtomicInteger flushing = new AtomicInteger();
  private final AtomicLong queued = new AtomicLong();
  private final AtomicLong done = new AtomicLong();
  private final Thread writer;
  private volatile boolean closed;

  BatchingPredictionLog(Jdbi jdbi, MonitoringStore store, EncryptedBlobStore blobs,
      Clock clock, MonitoringLimits limits) {
    this.jdbi = jdbi;
    this.store = store;
    this.blobs = blobs;
    this.clock = clock;
    this.limits = limits;
    this.writer = new Thread(this::run, "prediction-log");
    writer.setDaemon(true);
    writer.start();
  }

  @Override
  public String log(String organizationId, String deployment, String modelVersionId,
      List<Sample> samples, Duration latency) {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    Instant now = clock.instant();
    String id = predictionId(now, random);
    if (closed || samples.isEmpty()) {
      return id;
    }
    boolean keep = sampled(new RateKey(organizationId, deployment), now, random);
    Entry e = new Entry(id, organizationId, deployment, modelVersionId, now,
        latency.toNanos() / 1000, List.copyOf(samples), keep);
    if (size.incrementAndGet() > limits.queueCapacity()) {
      size.decrementAndGet();
      dropped.incrementAndGet();
      return id;
    }
    queued.incrementAndGet();
    queue.add(e);
    if (sleeping.get() && sleeping.compareAndSet(true, false)) {
      LockSupport.unpark(writer);
    }
    return id;
  }

  /**
   * {@code prd_} and 32 hex digits: the time in milliseconds (12 digits), then 80 random bits.
   * Time first, so that ids arrive nearly in key order: each batch's rows go into the rightmost
   * pages of the primary key's B-tree, which are in cache and young, where random ids touched a
   * different, long-lived page per row (on H2, a copy of it per insert, garbage in the old
   * generation). See docs/monitoring.md.
   */
  static String predictionId(Instant at, ThreadLocalRandom random) {
    byte[] id = new byte[36]; // written in place: one array and its string per request
    id[0] = 'p';
    id[1] = 'r';
    id[2] = 'd';
    id[3] = '_';
    hex(id, 4, at.toEpochMilli(), 12); // the top 4 of 16 digits are zero until the year 10889
    hex(id, 16, random.nextLong(), 16);
    hex(id, 32, random.nextInt(), 4);
    return new String(id, StandardCharsets.ISO_8859_1);
  }

  /** The low {@code digits} hex digits of {@code v}, lower case, into {@code out} from {@code at}. */
  private static void hex(byte[] out, int at, long v, int digits) {
    for (int i = at + digits - 1; i >= at; i--, v >>>= 4) {
      out[i] = (byte) "0123456789abcdef".charAt((int) v & 0xF);
    }
  }

  /** Whether to keep this request's payload: by the sampling fraction, then the rate cap. */
  private boolean sampled(RateKey deployment, Instant now, ThreadLocalRandom random) {
    if (limits.sampleFraction() < 1 && random.nextDouble() >= limits.sampleFraction()) {
      return false;
    }
    Rate r = rates.computeIfAbsent(deployment, k -> new Rate());
    long second = now.getEpochSecond();
    if (r.second != second) {
      r.second = second;
      r.kept.set(0);
    }
    return r.kept.incrementAndGet() <= limits.maxKeptPerSecond();
  }

  /** Records dropped because the queue was full. */
  long dropped() {
    return dropped.get();
  }

  /** Records lost because writing them failed (the log says why). */
  long failed() {
    return failed.get();
  }

  /** Samples whose payload was over the size limit, logged without it. */
  long tooLarge() {
    return tooLarge.get();
  }

  /** Waits until every request logged before this call is written (or given up). */
  void flush() {
    flushing.incrementAndGet();
    try {
      LockSupport.unpark(writer); // out of a linger
      synchronized (idle) {
        long target = queued.get();
        while (done.get() < target) {
          try {
            idle.wait();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while flushing the prediction log", e);
          }
        }
      }
    } finally {
      flushing.decrementAndGet();
    }
  }

  private void run() {
    List<Entry> batch = new ArrayList<>();
    while (!closed || !queue.isEmpty()) {
      try {
        take(batch);
        if (!batch.isEmpty()) {
          linger(batch);
        }
        if (batch.isEmpty()) {
          sleeping.set(true);
          if (queue.isEmpty()) { // a record added before the flag was set is seen here
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(200));
          }
          sleeping.set(false);
          if (Thread.interrupted()) {
            return;
          }
          continue;
        }
        write(batch);
      } catch (RuntimeException e) {
        failed.addAndGet(batch.size());
        LOG.error("cannot write {} prediction log records; they are lost", batch.size(), e);
      } finally {
        if (!batch.isEmpty()) {
          done.addAndGet(batch.size());
          synchronized (idle) {
            idle.notifyAll();
          }
        }
        batch.clear();
      }
    }
  }

  /** Moves queued records into {@code batch}, up to {@link MonitoringLimits#batchRecords}. */
  private void take(List<Entry> batch) {
    for (Entry e; batch.size() < limits.batchRecords() && (e = queue.poll()) != null; ) {
      size.decrementAndGet();
      batch.add(e);
    }
  }

  /**
   * Lets a started batch fill for up to {@link #LINGER_NANOS}, checking every
   * {@link #LINGER_STEP_NANOS}: a batch's fixed cost (a transaction, its commit, a blob and its
   * key) is then paid once for many requests instead of for the few that arrived since the last
   * write. Cut short by a full batch, {@link #flush} or {@link #close}. The writer is not marked
   * sleeping meanwhile, so request threads do not wake it.
   */
  private void linger(List<Entry> batch) {
    long until = System.nanoTime() + LINGER_NANOS;
    while (batch.size() < limits.batchRecords() && flushing.get() == 0 && !closed) {
      long left = until - System.nanoTime();
      if (left <= 0) {
        return;
      }
      LockSupport.parkNanos(Math.min(left, LINGER_STEP_NANOS));
      take(batch);
    }
  }

  /** One organization's part of a batch: its rows, and its payloads' blob (null if none). */
  private record OrganizationRows(String org, int requests, List<PredictionRow> rows,
      String blobKey) {}

  /**
   * Writes a batch: per organization, one blob of the kept payloads; then every row in one
   * transaction, whose failure deletes those blobs again, so a batch is written whole or not at
   * all (an organization whose blob cannot be written loses its requests alone).
   */
  private void write(List<Entry> batch) {
    Map<String, List<Entry>> byOrg = new LinkedHashMap<>();
    for (Entry e : batch) {
      byOrg.computeIfAbsent(e.orgId(), k -> new ArrayList<>()).add(e);
    }
    List<OrganizationRows> parts = new ArrayList<>();
    for (Map.Entry<String, List<Entry>> org : byOrg.entrySet()) {
      try {
        parts.add(keep(org.getKey(), org.getValue()));
      } catch (RuntimeException e) {
        failed.addAndGet(org.getValue().size());
        LOG.error("cannot write {} prediction log records of organization {}; they are lost",
            org.getValue().size(), org.getKey(), e);
      }
    }
    if (parts.isEmpty()) {
      return;
    }
    List<PredictionRow> rows = new ArrayList<>();
    int requests = 0;
    for (OrganizationRows part : parts) {
      rows.addAll(part.rows());
      requests += part.requests();
    }
    try {
      jdbi.useTransaction(tx -> store.insertPredictions(tx, rows));
    } catch (RuntimeException e) {
      failed.addAndGet(requests);
      LOG.error("cannot write {} prediction log records; they are lost", requests, e);
      for (OrganizationRows part : parts) {
        if (part.blobKey() != null) {
          deleteBlob(part.org(), part.blobKey());
        }
      }
    }
  }

  /** Writes the organization's kept payloads as one blob and returns its rows, not yet inserted. */
  private OrganizationRows keep(String org, List<Entry> entries) {
    // the time first, so that the sweep leaves blobs whose rows may not be committed yet
    String key = BLOB_PREFIX + clock.instant().getEpochSecond() + "-"
        + BlobKeys.randomSegment();
    ByteArrayOutputStream lines = new ByteArrayOutputStream();
    List<PredictionRow> rows = new ArrayList<>();
    int line = 0;
    for (Entry e : entries) {
      for (int s = 0; s < e.samples().size(); s++) {
        Sample sample = e.samples().get(s);
        byte[] payload = e.keep() ? payload(sample) : null;
        if (payload != null && payload.length > limits.maxPayloadBytes()) {
          tooLarge.incrementAndGet();
          payload = null;
        }
        boolean kept = payload != null;
        if (kept) {
          lines.writeBytes(payload);
          lines.write('\n');
        }
        String predicted = sample.predictedClass();
        if (predicted != null && predicted.length() > MAX_CLASS_CHARS) {
          predicted = predicted.substring(0, MAX_CLASS_CHARS);
        }
        rows.add(new PredictionRow(e.id(), s, org, e.deployment(), e.modelVersionId(), e.at(),
            e.latencyMicros(), predicted, sample.predictedValue(),
            kept ? key : null, kept ? line++ : null));
      }
    }
    if (line == 0) {
      return new OrganizationRows(org, entries.size(), rows, null);
    }
    byte[] bytes = lines.toByteArray();
    blobs.put(org, key, new ByteArrayInputStream(bytes), bytes.length);
    return new OrganizationRows(org, entries.size(), rows, key);
  }

  /** Deletes a blob whose rows were not written; one left behind goes at a later sweep. */
  private void deleteBlob(String org, String key) {
    try {
      blobs.delete(org, key);
    } catch (RuntimeException e) {
      LOG.warn("cannot delete prediction log blob {} of organization {} whose rows were not"
          + " written; the retention sweep deletes it", key, org, e);
    }
  }

  /** A sample's inputs and outputs as one line of JSON: {@code {"f": {...}, "o": [...]}}. */
  private static byte[] payload(Sample s) {
    try {
      return JSON.writeValueAsString(Map.of("f", s.features(), "o", s.outputs()))
          .getBytes(StandardCharsets.UTF_8);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("a logged sample's features must be numbers or "
          + "strings: " + e.getMessage(), e);
    }
  }

  /** Stops taking records, writes what is queued, and stops the writer. */
  @Override
  public void close() {
    closed = true;
    LockSupport.unpark(writer);
    try {
      writer.join(TimeUnit.SECONDS.toMillis(30));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
