package ai.lepton.server.monitoring;

import ai.lepton.server.blobs.BlobKeys;
import ai.lepton.server.monitoring.MonitoringStore.PredictionRow;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The prediction log's rows as the database keeps them: one row of table {@code prediction_batch}
 * per deployment and model version for each batch the writer writes, not one per sample, since a
 * row's inserts into its table and indexes cost more than the request it logs. A batch spans at
 * most {@link #SPAN} and {@link #MAX_RECORD_BYTES}; its samples are one compact value
 * ({@code records}) and its per-class counts another ({@code classes}), so that the prediction
 * distribution of a window reads the counts alone. See {@code docs/monitoring.md}.
 */
public final class PredictionBatches {
  /** The most time between a batch's first and last prediction. */
  static final Duration SPAN = Duration.ofSeconds(1);
  private static final long SPAN_MICROS = SPAN.toNanos() / 1000;
  /** A batch's samples take at most about this many bytes (one request may pass it). */
  static final int MAX_RECORD_BYTES = 256 * 1024;
  private static final byte FORMAT = 1;

  /** One row of {@code prediction_batch}. */
  record Batch(String id, String orgId, String deployment, String modelVersionId,
      Instant firstAt, Instant lastAt, int samples, String blobKey, byte[] classes,
      byte[] records) {}

  private PredictionBatches() {}

  /**
   * The rows' batches: by organization, deployment and model version, each in time order and cut
   * at {@link #SPAN}, {@link #MAX_RECORD_BYTES} or another kept-payload blob. A request's samples
   * are consecutive rows of one id, and stay in one batch.
   */
  static List<Batch> batches(List<PredictionRow> rows) {
    Map<List<String>, List<PredictionRow>> groups = new LinkedHashMap<>();
    PredictionRow previous = null;
    List<PredictionRow> group = null;
    for (PredictionRow r : rows) {
      if (previous == null || !r.orgId().equals(previous.orgId())
          || !r.deployment().equals(previous.deployment())
          || !r.modelVersionId().equals(previous.modelVersionId())) { // runs of one deployment
        group = groups.computeIfAbsent(List.of(r.orgId(), r.deployment(), r.modelVersionId()),
            k -> new ArrayList<>());
      }
      group.add(r);
      previous = r;
    }
    List<Batch> out = new ArrayList<>();
    for (List<PredictionRow> requests : groups.values()) {
      requests.sort(Comparator.comparing(PredictionRow::at)); // stable: samples stay in order
      Encoder batch = null;
      for (int from = 0; from < requests.size(); ) {
        int to = from + 1;
        while (to < requests.size() && requests.get(to).id().equals(requests.get(from).id())) {
          to++;
        }
        List<PredictionRow> request = requests.subList(from, to);
        if (batch != null && !batch.fits(request)) {
          out.add(batch.batch());
          batch = null;
        }
        if (batch == null) {
          batch = new Encoder(request.get(0));
        }
        batch.add(request);
        from = to;
      }
      out.add(batch.batch());
    }
    return out;
  }

  /** The predicted classes of a batch and their counts, in its class order. */
  static Map<String, Long> classCounts(byte[] classes) {
    Map<String, Long> counts = new LinkedHashMap<>();
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(classes))) {
      for (long n = readVarLong(in); n > 0; n--) {
        counts.put(in.readUTF(), readVarLong(in));
      }
    } catch (IOException e) {
      throw corrupt(e);
    }
    return counts;
  }

  /** A batch's samples, in the order they were logged. */
  static List<PredictionRow> rows(Batch b) {
    List<String> classes = new ArrayList<>(classCounts(b.classes()).keySet());
    long first = micros(b.firstAt());
    List<PredictionRow> rows = new ArrayList<>(b.samples());
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(b.records()))) {
      if (in.readByte() != FORMAT) {
        throw new IOException("unknown format " + b.records()[0]);
      }
      for (long requests = readVarLong(in); requests > 0; requests--) {
        String id = in.readUTF();
        Instant at = instant(first + readVarLong(in));
        long latency = readVarLong(in);
        for (long samples = readVarLong(in); samples > 0; samples--) {
          int sample = (int) readVarLong(in);
          int code = (int) readVarLong(in);
          String predictedClass = code == 0 ? null : classes.get(code - 1);
          Double value = code == 0 ? in.readDouble() : null;
          int line = (int) readVarLong(in) - 1;
          rows.add(new PredictionRow(id, sample, b.orgId(), b.deployment(),
              b.modelVersionId(), at, latency, predictedClass, value,
              line < 0 ? null : b.blobKey(), line < 0 ? null : line));
        }
      }
    } catch (IOException | IndexOutOfBoundsException e) {
      throw corrupt(e);
    }
    return rows;
  }

  private static IllegalStateException corrupt(Exception e) {
    return new IllegalStateException("a prediction_batch row of the database is corrupt ("
        + e.getMessage() + "); restore the database from a backup", e);
  }

  /**
   * The time a prediction id leads with ({@code prd_} and 12 hex digits of milliseconds; see
   * {@link BatchingPredictionLog#predictionId}), or null for an id of another form.
   */
  static Instant idTime(String id) {
    if (id.length() < 16 || !id.startsWith("prd_")) {
      return null;
    }
    try {
      return Instant.ofEpochMilli(HexFormat.fromHexDigitsToLong(id, 4, 16));
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  /** Times as the database keeps them: microseconds, on H2 and PostgreSQL alike. */
  static Instant truncate(Instant t) {
    return t.truncatedTo(ChronoUnit.MICROS);
  }

  private static long micros(Instant t) {
    return Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000L), t.getNano() / 1000);
  }

  private static Instant instant(long micros) {
    return Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L),
        Math.floorMod(micros, 1_000_000L) * 1000L);
  }

  /** One batch being written: its requests' samples as they are added. */
  private static final class Encoder {
    private final PredictionRow first;
    private final long firstMicros;
    private final Map<String, long[]> classes = new LinkedHashMap<>();
    private final Bytes out = new Bytes(1024);
    private Instant last;
    private String blobKey;
    private int requests;
    private int samples;

    Encoder(PredictionRow first) {
      this.first = first;
      this.firstMicros = micros(truncate(first.at()));
      this.last = first.at();
    }

    /** Whether a request goes into this batch: within its span, size and blob. */
    boolean fits(List<PredictionRow> request) {
      if (micros(truncate(request.get(0).at())) - firstMicros > SPAN_MICROS
          || out.size() >= MAX_RECORD_BYTES) {
        return false;
      }
      for (PredictionRow s : request) {
        if (s.blobKey() != null && blobKey != null && !s.blobKey().equals(blobKey)) {
          return false;
        }
      }
      return true;
    }

    void add(List<PredictionRow> request) {
      PredictionRow r = request.get(0);
      out.writeUtf(r.id());
      out.writeVarLong(micros(truncate(r.at())) - firstMicros);
      out.writeVarLong(r.latencyMicros());
      out.writeVarLong(request.size());
      for (PredictionRow s : request) {
        out.writeVarLong(s.sample());
        if (s.predictedClass() == null) {
          out.writeVarLong(0);
          out.writeDouble(s.predictedValue());
        } else {
          long[] count = classes.computeIfAbsent(s.predictedClass(),
              k -> new long[] {classes.size() + 1, 0});
          count[1]++;
          out.writeVarLong(count[0]);
        }
        out.writeVarLong(s.blobKey() == null ? 0 : s.blobLine() + 1L);
        if (s.blobKey() != null) {
          blobKey = s.blobKey();
        }
      }
      requests++;
      samples += request.size();
      last = r.at();
    }

    Batch batch() {
      Bytes counts = new Bytes(16 * (classes.size() + 1));
      counts.writeVarLong(classes.size());
      for (Map.Entry<String, long[]> e : classes.entrySet()) {
        counts.writeUtf(e.getKey());
        counts.writeVarLong(e.getValue()[1]);
      }
      Bytes records = new Bytes(16 + out.size);
      records.writeByte(FORMAT);
      records.writeVarLong(requests);
      records.write(out);
      return new Batch("pbt_" + BlobKeys.randomSegment(), first.orgId(), first.deployment(),
          first.modelVersionId(), truncate(first.at()), truncate(last), samples, blobKey,
          counts.toArray(), records.toArray());
    }
  }

  /**
   * A growing array of a batch's bytes, written as DataOutputStream writes them but without its
   * and ByteArrayOutputStream's lock a byte: about a tenth of the writer's time a request went to
   * those locks and their streams.
   */
  private static final class Bytes {
    private byte[] bytes;
    private int size;

    Bytes(int capacity) {
      bytes = new byte[capacity];
    }

    int size() {
      return size;
    }

    byte[] toArray() {
      return Arrays.copyOf(bytes, size);
    }

    void writeByte(int b) {
      room(1);
      bytes[size++] = (byte) b;
    }

    void write(Bytes other) {
      room(other.size);
      System.arraycopy(other.bytes, 0, bytes, size, other.size);
      size += other.size;
    }

    /** Seven bits a byte, low first, the top bit set on all but the last. */
    void writeVarLong(long v) {
      if (v < 0) {
        throw new IllegalArgumentException("a prediction log number is 0 or more; received " + v);
      }
      room(10);
      while (v >= 0x80) {
        bytes[size++] = (byte) ((v & 0x7F) | 0x80);
        v >>>= 7;
      }
      bytes[size++] = (byte) v;
    }

    void writeDouble(double d) {
      room(8);
      long v = Double.doubleToLongBits(d);
      for (int shift = 56; shift >= 0; shift -= 8) {
        bytes[size++] = (byte) (v >>> shift);
      }
    }

    /** As {@link DataOutputStream#writeUTF}: a two-byte length, then modified UTF-8. */
    void writeUtf(String s) {
      int n = s.length();
      boolean ascii = n <= 0xFFFF;
      for (int i = 0; i < n && ascii; i++) {
        char c = s.charAt(i);
        ascii = c > 0 && c < 0x80;
      }
      if (!ascii) { // a class name or id in another script: rare, so the JDK's encoder
        ByteArrayOutputStream other = new ByteArrayOutputStream();
        try {
          new DataOutputStream(other).writeUTF(s);
        } catch (IOException e) {
          throw new UncheckedIOException(e); // over 65,535 bytes; never thrown by the array
        }
        room(other.size());
        byte[] encoded = other.toByteArray();
        System.arraycopy(encoded, 0, bytes, size, encoded.length);
        size += encoded.length;
        return;
      }
      room(2 + n);
      bytes[size++] = (byte) (n >>> 8);
      bytes[size++] = (byte) n;
      for (int i = 0; i < n; i++) {
        bytes[size++] = (byte) s.charAt(i);
      }
    }

    private void room(int more) {
      if (size + more > bytes.length) {
        bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, size + more));
      }
    }
  }

  private static long readVarLong(DataInputStream in) throws IOException {
    long v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      int b = in.readUnsignedByte();
      v |= (long) (b & 0x7F) << shift;
      if (b < 0x80) {
        return v;
      }
    }
    throw new IOException("a number longer than 64 bits");
  }

  /**
   * Moves the prediction log of a row per sample (table {@code prediction}, V11 to V14) into
   * batches and drops that table: the schema migration {@code V15} calls it.
   */
  public static void moveSampleRows(Connection c) throws SQLException {
    List<PredictionRow> rows = new ArrayList<>();
    try (Statement s = c.createStatement()) {
      s.setFetchSize(10_000); // without, PostgreSQL's driver reads the whole table into memory
      try (ResultSet rs = s.executeQuery("SELECT * FROM prediction"
            + " ORDER BY org_id, deployment, model_version_id, predicted_at, id, sample")) {
        while (rs.next()) {
          PredictionRow r = new PredictionRow(rs.getString("id"), rs.getInt("sample"),
              rs.getString("org_id"), rs.getString("deployment"),
              rs.getString("model_version_id"),
              rs.getObject("predicted_at", OffsetDateTime.class).toInstant(),
              rs.getLong("latency_micros"), rs.getString("predicted_class"),
              (Double) rs.getObject("predicted_value", Double.class), rs.getString("blob_key"),
              (Integer) rs.getObject("blob_line", Integer.class));
          if (rows.size() >= 100_000 && !rows.get(rows.size() - 1).id().equals(r.id())) {
            JdbiMonitoringStore.insert(c, batches(rows)); // a request's samples stay together
            rows.clear();
          }
          rows.add(r);
        }
      }
    }
    JdbiMonitoringStore.insert(c, batches(rows));
    try (PreparedStatement drop = c.prepareStatement("DROP TABLE prediction")) {
      drop.executeUpdate();
    }
  }
}
