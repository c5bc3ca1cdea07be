package ai.lepton.server.monitoring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.lepton.server.monitoring.MonitoringStore.PredictionRow;
import ai.lepton.server.monitoring.PredictionBatches.Batch;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;

/** The prediction log's rows in batches: what goes in comes out, and where batches are cut. */
class PredictionBatchesTest {
  private static final Instant T0 = Instant.parse("2026-12-01T10:00:00.123456Z");

  private static PredictionRow row(String id, int sample, String version, Instant at,
      String predicted, Double value, String blob, Integer line) {
    return new PredictionRow(id, sample, "org_a", "web", version, at, 1234, predicted, value,
        blob, line);
  }

  private static String id(Instant at) {
    return BatchingPredictionLog.predictionId(at, ThreadLocalRandom.current());
  }

  private static List<PredictionRow> all(List<Batch> batches) {
    List<PredictionRow> rows = new ArrayList<>();
    batches.forEach(b -> rows.addAll(PredictionBatches.rows(b)));
    return rows;
  }

  @Test
  void aBatchGivesBackItsSamplesClassesAndValues() {
    String a = id(T0);
    String b = id(T0.plusMillis(5));
    List<PredictionRow> rows = List.of(
        row(a, 0, "mv_1", T0, "cat", null, "predictions/1-x", 0),
        row(a, 1, "mv_1", T0, "dog", null, null, null),
        row(a, 2, "mv_1", T0, "cat", null, "predictions/1-x", 1),
        row(b, 0, "mv_1", T0.plusMillis(5), null, -2.5e300, null, null),
        row(b, 1, "mv_1", T0.plusMillis(5), "ünïcode ✓", null, "predictions/1-x", 2),
        // an id of another form (a client's own): not ASCII, with a NUL, as writeUTF has them
        row("ïd-\u0000-✓", 0, "mv_1", T0.plusSeconds(1), "dog", null, null, null));
    List<Batch> batches = PredictionBatches.batches(new ArrayList<>(rows));
    assertEquals(1, batches.size());
    Batch batch = batches.get(0);
    assertEquals(6, batch.samples());
    assertEquals(T0, batch.firstAt());
    assertEquals(T0.plusSeconds(1), batch.lastAt(), "a batch spans up to a second, inclusive");
    assertEquals("predictions/1-x", batch.blobKey());
    assertEquals(rows, PredictionBatches.rows(batch));
    assertEquals(Map.of("cat", 2L, "dog", 2L, "ünïcode ✓", 1L),
        PredictionBatches.classCounts(batch.classes()));
  }

  @Test
  void batchesAreCutAtASecondAnotherBlobAnotherVersionAndTheirSize() {
    List<PredictionRow> rows = new ArrayList<>();
    for (int ms : new int[] {0, 900, 1800}) {
      Instant at = T0.plusMillis(ms);
      rows.add(row(id(at), 0, "mv_1", at, "x", null, null, null));
    }
    assertEquals(List.of(2, 1), PredictionBatches.batches(new ArrayList<>(rows)).stream()
        .map(Batch::samples).toList());

    rows.clear(); // a microsecond past the second
    rows.add(row(id(T0), 0, "mv_1", T0, "x", null, null, null));
    rows.add(row(id(T0), 0, "mv_1", T0.plusSeconds(1).plusNanos(1000), "x", null, null, null));
    assertEquals(List.of(1, 1), PredictionBatches.batches(new ArrayList<>(rows)).stream()
        .map(Batch::samples).toList());

    rows.clear(); // two versions' requests interleaved: one batch each
    for (int i = 0; i < 6; i++) {
      rows.add(row(id(T0), 0, i % 3 == 1 ? "mv_2" : "mv_1", T0.plusMillis(i), "x", null, null,
          null));
    }
    List<Batch> versions = PredictionBatches.batches(new ArrayList<>(rows));
    assertEquals(List.of("mv_1", "mv_2"), versions.stream().map(Batch::modelVersionId).toList());
    assertEquals(List.of(4, 2), versions.stream().map(Batch::samples).toList());

    rows.clear();
    rows.add(row(id(T0), 0, "mv_1", T0, "x", null, "predictions/1-a", 0));
    rows.add(row(id(T0), 0, "mv_1", T0, "x", null, "predictions/1-b", 0));
    rows.add(row(id(T0), 0, "mv_2", T0, "x", null, null, null));
    List<Batch> cut = PredictionBatches.batches(new ArrayList<>(rows));
    assertEquals(List.of("predictions/1-a", "predictions/1-b"), cut.subList(0, 2).stream()
        .map(Batch::blobKey).toList());
    assertEquals("mv_2", cut.get(2).modelVersionId());
    assertEquals(rows, all(cut));

    rows.clear();
    for (int i = 0; i < 20_000; i++) {
      Instant at = T0.plusNanos(i * 1000L);
      rows.add(row(id(at), 0, "mv_1", at, "x", null, null, null));
    }
    List<Batch> large = PredictionBatches.batches(new ArrayList<>(rows));
    assertTrue(large.size() > 1, "20,000 samples of about 45 bytes are over 256 KB");
    for (Batch b : large) {
      assertTrue(b.records().length < PredictionBatches.MAX_RECORD_BYTES + 100);
    }
    assertEquals(rows, all(large));
  }

  @Test
  void anIdLeadsWithItsMillisecond() {
    assertEquals(Instant.parse("2026-12-01T10:00:00.123Z"), PredictionBatches.idTime(id(T0)));
    assertNull(PredictionBatches.idTime("prd_zzzzzzzzzzzz0000"));
    assertNull(PredictionBatches.idTime("prd_12"));
    assertNull(PredictionBatches.idTime("abc_0123456789ab0000"));
  }

  @Test
  void aCorruptBatchIsRefusedSayingSo() {
    Batch b = PredictionBatches.batches(new ArrayList<>(List.of(row(id(T0), 0, "mv_1", T0, "x",
        null, null, null)))).get(0);
    byte[] cut = java.util.Arrays.copyOf(b.records(), b.records().length - 3);
    Batch broken = new Batch(b.id(), b.orgId(), b.deployment(), b.modelVersionId(),
        b.firstAt(), b.lastAt(), b.samples(), b.blobKey(), b.classes(), cut);
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> PredictionBatches.rows(broken));
    assertTrue(e.getMessage().contains("corrupt"), e.getMessage());
  }
}
